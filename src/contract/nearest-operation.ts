/**
 * The operation a call to an unknown path most probably meant, so that a 404 tells the client's developer
 * what to call instead: by the words of the path (their spelling, and words people use for the same thing),
 * then by the method.
 */
import { OPERATIONS, OPERATION_IDS, type OperationId } from './operations.js';
import { ROUTE_SCHEMAS } from './schemas.js';

/** Words clients use in guessed paths, and the operation each points to. */
const HINTS: Record<string, OperationId[]> = {
  history: ['getChatHistory'],
  messages: ['getChatHistory'],
  send: ['sendMessageToChat', 'sendFileToChat'],
  reply: ['sendMessageToChat'],
  text: ['sendMessageToChat'],
  file: ['sendFileToChat'],
  files: ['sendFileToChat'],
  upload: ['sendFileToChat'],
  attachment: ['sendFileToChat'],
  new: ['createChat'],
  create: ['createChat'],
  open: ['createChat'],
  start: ['createChat'],
  list: ['getChats'],
};

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

const wordsOf = (path: string) =>
  path
    .toLowerCase()
    .split(/[/_-]/)
    .filter((word) => word && word !== 'v2' && word !== 'businesses' && word !== ':businessid' && !/^\d+$/.test(word));

/** Each operation's path as a pattern of concrete paths, either spelling. */
const PATTERNS = OPERATION_IDS.map((operation) => ({
  operation,
  pattern: new RegExp(`^(?:/v2)?${OPERATIONS[operation].path.replace(':businessId', '[^/]+')}/?$`),
}));

/** Methods served at a concrete path, when it is an operation's path at all: tells 405 from 404. */
export function methodsAt(path: string): string[] | undefined {
  const methods = PATTERNS.filter((p) => p.pattern.test(path)).map((p) => OPERATIONS[p.operation].method);
  return methods.length ? [...new Set(methods)] : undefined;
}

/** How a client would call the operation: method, path with its parameters named, required query. */
export function callOf(operation: OperationId): string {
  const { method, path } = OPERATIONS[operation];
  const querystring = (
    ROUTE_SCHEMAS[operation] as { querystring?: { required?: string[]; properties: Record<string, { default?: unknown }> } }
  ).querystring;
  // What a call must send: a parameter with a default (limit) is optional to the client.
  const query = (querystring?.required ?? []).filter((name) => querystring?.properties[name].default === undefined);
  const search = query.length ? `?${query.map((name) => `${name}=…`).join('&')}` : '';
  return `${method} /v2${path.replace(':businessId', '{businessId}')}${search}`;
}

/** The operation most like `method path`, or undefined when none shares a word with it. */
export function nearestOperation(method: string, path: string): OperationId | undefined {
  const exact = PATTERNS.find((p) => p.pattern.test(path) && OPERATIONS[p.operation].method === method.toUpperCase());
  if (exact) return exact.operation;
  const words = wordsOf(path);
  let best: { operation: OperationId; score: number } | undefined;
  for (const operation of OPERATION_IDS) {
    const own = wordsOf(OPERATIONS[operation].path);
    const like = (a: string, b: string) => a === b || distance(a, b) <= 2;
    let score = 0;
    for (const word of words) {
      if (own.includes(word)) score += 2;
      else if (own.some((o) => like(o, word))) score += 1;
      if (HINTS[word]?.includes(operation)) score += 3;
    }
    if (score === 0) continue;
    // A word of the operation's path that the call does not have at all counts against it.
    score -= own.filter((o) => !words.some((word) => like(o, word))).length;
    if (OPERATIONS[operation].method === method.toUpperCase()) score += 1;
    if (!best || score > best.score) best = { operation, score };
  }
  return best?.operation;
}
