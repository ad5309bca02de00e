/**
 * The drift check (`yandex-market-chats-sandbox drift`): the same reads against the upstream (Market) and against a
 * fresh sandbox, and where their answers differ. Only reads: getChats through its pages, getChat, getChatHistory and
 * getChatMessage on what they listed, an unknown chat and a malformed request for the error shapes. Within a call
 * budget; a 420 is waited out when its quota renews soon enough.
 */
import { compareAnswers, type Difference, type ObservedAnswer } from './contract/answer-comparison.js';
import type { OperationId } from './contract/operations.js';
import { Upstream } from './http/upstream.js';
import { startSandbox } from './index.js';

export interface DriftOptions {
  upstream: string;
  /** Market's API key (sent as Api-Key), or `Bearer …` / `OAuth …` (sent as Authorization). */
  token: string;
  businessId: number;
  /** The most calls made to the upstream (100). */
  maxCalls?: number;
  /** The longest a 420 is waited out (2 min); longer, the check stops. */
  maxWaitMs?: number;
  /** The bound of one call (30 s). */
  timeoutMs?: number;
}

export interface DriftResult {
  upstream: string;
  businessId: number;
  /** Calls made to the upstream. */
  calls: number;
  maxCalls: number;
  /** Whether the budget ran out before every step was made. */
  budgetSpent: boolean;
  differences: Difference[];
  /** How many of them a client relies on: the check fails on any. */
  reliedOn: number;
}

/** The check could not be made: the upstream could not be reached, or its quota renews too late. */
export class DriftCheckError extends Error {}

interface Call {
  step: string;
  operation: OperationId;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

const UNKNOWN_CHAT = 999_999_999_999;
const DEFAULT_MAX_CALLS = 100;
const DEFAULT_MAX_WAIT_MS = 120_000;
const CHATS_LOOKED_INTO = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const headersOf = (headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]));

/** What the check reads of an answer to go on: the chats and messages it lists, and the next page. */
interface Listed {
  chats?: { chatId: number }[];
  messages?: { messageId: number }[];
  paging?: { nextPageToken?: string };
}

function resultOf(answer: ObservedAnswer | undefined): Listed | undefined {
  if (!answer) return undefined;
  try {
    return (JSON.parse(answer.body) as { result?: Listed }).result;
  } catch {
    return undefined;
  }
}

export async function driftCheck(options: DriftOptions): Promise<DriftResult> {
  const maxCalls = options.maxCalls ?? DEFAULT_MAX_CALLS;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const upstream = new Upstream({ url: options.upstream, writes: false, timeoutMs: options.timeoutMs });
  const sandbox = await startSandbox({ port: 0, logLevel: 'silent' });
  const credentials: Record<string, string> = /^(Bearer|OAuth) /i.test(options.token)
    ? { authorization: options.token }
    : { 'api-key': options.token };
  const base = `/v2/businesses/${options.businessId}`;
  const differences: Difference[] = [];
  const seen = new Set<string>();
  let calls = 0;
  let budgetSpent = false;

  const ask = async (call: Call): Promise<ObservedAnswer | undefined> => {
    for (;;) {
      if (calls >= maxCalls) {
        budgetSpent = true;
        return undefined;
      }
      calls++;
      const body = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
      let answer;
      try {
        answer = await upstream.send(
          call.method,
          base + call.path,
          { ...credentials, ...(body ? { 'content-type': 'application/json' } : {}) },
          body,
        );
      } catch (error) {
        throw new DriftCheckError((error as Error).message);
      }
      const observed = { status: answer.status, headers: headersOf(answer.headers), body: answer.body.toString('utf8') };
      if (observed.status !== 420) return observed;
      // Waited out on the upstream's own clock: Until against its Date.
      const wait = Date.parse(observed.headers['x-ratelimit-resource-until'] ?? '') - Date.parse(observed.headers.date ?? '');
      if (!(wait >= 0) || wait > maxWaitMs) {
        throw new DriftCheckError(
          `${call.operation}: the upstream's quota is spent (420)${observed.headers['x-ratelimit-resource-until'] ? ` until ${observed.headers['x-ratelimit-resource-until']}` : ''}; try again then`,
        );
      }
      await sleep(wait + 1000);
    }
  };
  const ourAnswer = async (call: Call): Promise<ObservedAnswer> => {
    const response = await fetch(`${sandbox.url}/v2/businesses/${options.businessId}${call.path}`, {
      method: call.method,
      headers: { 'api-key': sandbox.token, ...(call.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
    });
    return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
  };
  /** One step: each side asked with the same call, or with `ours` where its world's ids differ. */
  const step = async (theirs: Call, ours: Call = theirs) => {
    const upstreamAnswer = await ask(theirs);
    if (!upstreamAnswer) return undefined;
    const sandboxAnswer = await ourAnswer(ours);
    for (const difference of compareAnswers(theirs.step, theirs.operation, upstreamAnswer, sandboxAnswer)) {
      // A step made for several chats or pages differs once where it differs alike.
      const key = `${difference.step}|${difference.kind}|${difference.path ?? ''}`;
      if (!seen.has(key)) differences.push(difference);
      seen.add(key);
    }
    return { theirs: upstreamAnswer, ours: sandboxAnswer };
  };

  try {
    const listing = (page: number, token?: string): Call => ({
      step: `getChats, page ${page}`,
      operation: 'getChats',
      method: 'POST',
      path: `/chats?limit=20${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`,
      body: {},
    });
    const first = await step(listing(1));
    const theirChats = resultOf(first?.theirs)?.chats ?? [];
    const ourChats = resultOf(first?.ours)?.chats ?? [];
    let theirToken: string | undefined = resultOf(first?.theirs)?.paging?.nextPageToken;
    let ourToken: string | undefined = resultOf(first?.ours)?.paging?.nextPageToken;
    // Every page the budget allows, each side through its own pages (its world's), the last page of ours again if shorter.
    for (let page = 2; theirToken && calls < maxCalls - 6; page++) {
      const pageAnswers = await step(listing(page, theirToken), listing(page, ourToken));
      if (!pageAnswers) break;
      theirToken = resultOf(pageAnswers.theirs)?.paging?.nextPageToken;
      ourToken = resultOf(pageAnswers.ours)?.paging?.nextPageToken ?? ourToken;
    }
    for (let i = 0; i < Math.min(CHATS_LOOKED_INTO, theirChats.length); i++) {
      const [theirId, ourId] = [theirChats[i].chatId, ourChats[i % Math.max(1, ourChats.length)]?.chatId ?? UNKNOWN_CHAT];
      const chat = (chatId: number): Call => ({
        step: 'getChat, a chat it listed',
        operation: 'getChat',
        method: 'GET',
        path: `/chat?chatId=${chatId}`,
      });
      const history = (chatId: number): Call => ({
        step: 'getChatHistory, a chat it listed',
        operation: 'getChatHistory',
        method: 'POST',
        path: `/chats/history?chatId=${chatId}&limit=20`,
        body: {},
      });
      await step(chat(theirId), chat(ourId));
      const read = await step(history(theirId), history(ourId));
      const [theirMessage, ourMessage] = [resultOf(read?.theirs)?.messages?.[0], resultOf(read?.ours)?.messages?.[0]];
      if (theirMessage && ourMessage) {
        const message = (chatId: number, messageId: number): Call => ({
          step: 'getChatMessage, a message it gave',
          operation: 'getChatMessage',
          method: 'GET',
          path: `/chats/message?chatId=${chatId}&messageId=${messageId}`,
        });
        await step(message(theirId, theirMessage.messageId), message(ourId, ourMessage.messageId));
      }
    }
    await step({ step: 'getChat, an unknown chat', operation: 'getChat', method: 'GET', path: `/chat?chatId=${UNKNOWN_CHAT}` });
    await step({
      step: 'getChats, a malformed request (limit=0)',
      operation: 'getChats',
      method: 'POST',
      path: '/chats?limit=0',
      body: {},
    });
  } finally {
    upstream.close();
    await sandbox.close();
  }
  return {
    upstream: options.upstream,
    businessId: options.businessId,
    calls,
    maxCalls,
    budgetSpent,
    differences,
    reliedOn: differences.filter((d) => d.reliedOn).length,
  };
}

/** The result side by side, for a person at a terminal. */
export function driftTable(result: DriftResult): string {
  const rows = [
    ['', 'step', 'what', 'where', 'upstream', 'sandbox'],
    ...result.differences.map((d) => [d.reliedOn ? '!' : ' ', d.step, d.kind, d.path ?? '', d.upstream, d.sandbox]),
  ];
  const cut = (text: string) => (text.length > 70 ? `${text.slice(0, 69)}…` : text);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => cut(row[i]).length)));
  const lines = rows.map((row) =>
    row
      .map((cell, i) => cut(cell).padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
  const told = result.differences.length - result.reliedOn;
  return [
    `Drift check: ${result.upstream} against a fresh sandbox, business ${result.businessId}: ${result.calls} calls of ${result.maxCalls}${result.budgetSpent ? ' (the budget ran out: --max-calls)' : ''}`,
    ...(result.differences.length ? lines : ['No difference found.']),
    `${result.reliedOn} difference${result.reliedOn === 1 ? '' : 's'} a client relies on (!), ${told} told (wording, quotas, data)`,
    '',
  ].join('\n');
}
