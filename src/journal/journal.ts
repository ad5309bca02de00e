/** The request journal: every API call with what it sent and got, bounded so a long CI run cannot exhaust memory. */
import { Type, type Static } from 'typebox';
import { DEPARTURE_KINDS } from '../contract/conformance.js';
import { Nullable, stringEnum } from '../contract/schemas.js';
import { BoundedLog } from '../model/bounded-log.js';

/** One API call as the journal keeps it: what GET /__sandbox/requests serves and the types are made from. */
export const JournalEntrySchema = Type.Object({
  id: Type.Integer({ description: 'The entry’s id, for GET /__sandbox/requests/{id}' }),
  time: Type.String({ description: 'When the call came (ISO 8601)' }),
  operationId: Nullable(Type.String({ description: 'The operation called; null for a path that is none' })),
  method: Type.String(),
  url: Type.String({ description: 'Path and query, as called' }),
  businessId: Nullable(Type.Integer()),
  chatId: Nullable(Type.Integer()),
  status: Nullable(Type.Integer({ description: 'HTTP status; null when a fault left no answer' })),
  requestBody: Type.Unknown({ description: 'The JSON the call sent; null when it sent none (a multipart form is not kept)' }),
  responseBody: Type.Unknown({ description: 'What the answer carried: JSON, or text' }),
  durationMs: Nullable(Type.Number({ description: 'How long the answer took' })),
  rule: Nullable(Type.Integer({ description: 'Index of the scenario rule that applied, if one did' })),
  ruleName: Nullable(Type.String({ description: 'That rule’s name, when it has one' })),
  state: Nullable(
    Type.String({ description: 'The named state the call’s business was in when the call came (null for a call that names no business)' }),
  ),
  fault: Nullable(Type.String({ description: 'The fault a rule played instead of (or over) the answer' })),
  // Null in the enum itself: the OpenAPI document writes a nullable enum as one list of values.
  upstream: Type.Unsafe<'forwarded' | 'held back' | null>({
    type: ['string', 'null'],
    enum: ['forwarded', 'held back', null],
    description: 'With --upstream: forwarded to it, or a write held back and answered by the sandbox; null otherwise',
  }),
  drift: Nullable(
    Type.Array(
      Type.Object({
        path: Type.String({ description: 'Where in the body: $.result.chats[0].status' }),
        kind: stringEnum(DEPARTURE_KINDS),
        found: Type.String({ description: 'What the answer had there' }),
        expected: Type.Optional(Type.String({ description: 'What the document has there' })),
      }),
      { description: "Where the upstream's answer departs from the documented contract (empty: it does not)" },
    ),
  ),
});
export type JournalEntry = Static<typeof JournalEntrySchema>;

/** What the journal may be filtered by: the query of GET /__sandbox/requests, and sandbox.requests(). */
export const JournalFilterSchema = Type.Object({
  operation: Type.Optional(Type.String({ description: 'operationId' })),
  businessId: Type.Optional(Type.Integer({ minimum: 1 })),
  chatId: Type.Optional(Type.Integer({ minimum: 1 })),
  status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
});
export type JournalFilter = Static<typeof JournalFilterSchema>;

/** The most entries kept: older ones are dropped first. */
export const JOURNAL_CAPACITY = 1000;
/** The most of a body an entry keeps, in characters of its text: a longer body is kept cut, with a marker saying so. */
export const JOURNAL_BODY_KEPT = 64 * 1024;
/** The most characters of bodies the journal keeps in all: past it, the oldest entries go first. */
export const JOURNAL_BODIES_KEPT = 8 * 1024 * 1024;

/** A call as listeners and the feed see it: the entry without its bodies, which only the journal keeps. */
export type JournalCall = Omit<JournalEntry, 'requestBody' | 'responseBody'>;

/** A body as the journal keeps it: text (JSON is parsed when the journal is read), cut when it was too long. */
interface KeptBodies {
  request: string | null;
  response: string | null;
  /** Which of them are JSON to parse on reading; a cut body, or another type, is read as text. */
  json: { request: boolean; response: boolean };
}

/** A body's text within the bound: cut past it, with a marker that says how long the body was (`size`). */
function bounded(text: string, size = `${text.length} characters`): { text: string; cut: boolean } {
  if (text.length <= JOURNAL_BODY_KEPT) return { text, cut: false };
  const marker = `… [cut by the sandbox's journal: the body had ${size}, the first ${JOURNAL_BODY_KEPT} characters are kept]`;
  // Copied out, not sliced: V8 keeps the whole of a string that a slice of it was taken from.
  return { text: Buffer.from(text.slice(0, JOURNAL_BODY_KEPT) + marker).toString(), cut: true };
}

/** Types whose bytes are text worth keeping; any other answer (a file's bytes) is described, not kept. */
const TEXT_TYPE = /^(application\/([\w.+-]*\+)?(json|xml)|text\/)/i;

/** An answer's body within the bound: text cut past it, a file's bytes only described. */
function keptAnswer(payload: string | Buffer, contentType: string): { text: string; cut: boolean } {
  if (typeof payload === 'string') return bounded(payload);
  if (!TEXT_TYPE.test(contentType)) return { text: `(${payload.length} bytes of ${contentType || 'no named type'}, not kept)`, cut: true };
  // Only what can be kept is decoded: a character takes at most 4 bytes.
  return bounded(payload.subarray(0, 4 * (JOURNAL_BODY_KEPT + 1)).toString('utf8'), `${payload.length} bytes`);
}

function parsedOrText(text: string | null, json: boolean): unknown {
  if (text === null || !json) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class Journal {
  private readonly log: BoundedLog<JournalCall>;
  private readonly bodies = new WeakMap<JournalCall, KeptBodies>();
  private nextId = 1;
  private readonly listeners = new Set<(call: JournalCall) => void>();
  /** When it was last cleared: calls before then are unknown (ms on the sandbox's clock). */
  private clearedAt: number | undefined;

  /** `now`: the sandbox's clock, which tells when the journal was cleared. */
  constructor(
    private readonly now: () => number,
    capacity = JOURNAL_CAPACITY,
    bodiesKept = JOURNAL_BODIES_KEPT,
  ) {
    this.log = new BoundedLog(capacity, bodiesKept);
  }

  /** Entries dropped because the journal was full, since the last clear. */
  get dropped(): number {
    return this.log.dropped;
  }

  /**
   * From when the journal knows every call (ms), or undefined when it knows every one since the sandbox started:
   * what came before a clear, or before the oldest entry kept once some were dropped, is unknown.
   */
  knowsCallsSince(): number | undefined {
    const oldest = this.log.dropped > 0 ? this.log.where({})[0] : undefined;
    const keptFrom = oldest ? Date.parse(oldest.time) : undefined;
    if (keptFrom === undefined) return this.clearedAt;
    return this.clearedAt === undefined ? keptFrom : Math.max(keptFrom, this.clearedAt);
  }

  /** Starts an entry; the caller fills in the answer when there is one. */
  open(call: Omit<JournalCall, 'id'>): JournalCall {
    return this.log.add({ id: this.nextId++, ...call });
  }

  /** Listens to every call once it is answered (or left unanswered by a fault); call what it returns to stop. */
  onCompleted(listener: (call: JournalCall) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The call is over: its entry is complete. */
  completed(call: JournalCall): void {
    for (const listener of this.listeners) listener(call);
  }

  /**
   * Keeps what the call sent (its parsed JSON body, if any) and the body that went out with its answer, each within
   * JOURNAL_BODY_KEPT; `contentType`: the answer's, which tells text from a file's bytes.
   */
  keepBodies(call: JournalCall, requestBody: unknown, payload: string | Buffer | null = null, contentType = ''): void {
    const request = requestBody === undefined || requestBody === null ? null : bounded(JSON.stringify(requestBody));
    const response = payload === null ? null : keptAnswer(payload, contentType);
    this.bodies.set(call, {
      request: request?.text ?? null,
      response: response?.text ?? null,
      json: { request: request?.cut === false, response: response?.cut === false },
    });
    this.log.weigh(call, (request?.text.length ?? 0) + (response?.text.length ?? 0));
  }

  list(filter: JournalFilter = {}): JournalEntry[] {
    const { operation, businessId, chatId, status } = filter;
    return this.readable(this.log.where({ operationId: operation, businessId, chatId, status }));
  }

  /** One entry by its id, while it is kept. */
  find(id: number): JournalEntry | undefined {
    return this.readable(this.log.where({ id }))[0];
  }

  /** The entry with its bodies as a client reads them: JSON parsed, anything else as text. */
  private readable(calls: JournalCall[]): JournalEntry[] {
    return calls.map((call) => {
      const kept = this.bodies.get(call);
      return {
        ...call,
        requestBody: parsedOrText(kept?.request ?? null, kept?.json.request ?? false),
        responseBody: parsedOrText(kept?.response ?? null, kept?.json.response ?? false),
      };
    });
  }

  /** Forgets every call: what was called before now is unknown from now on. */
  clear(): void {
    this.log.clear();
    this.clearedAt = this.now();
  }

  /** As a part of the sandbox: a reset clears the journal, and the push log with it, so all is known again. */
  reset(businessId?: number): void {
    if (businessId !== undefined) return;
    this.log.clear();
    this.clearedAt = undefined;
  }
}
