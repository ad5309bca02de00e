/** The request journal: every API call with what it sent and got, bounded so a long CI run cannot exhaust memory. */
import { Type, type Static } from 'typebox';
import { Nullable } from '../contract/schemas.js';
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

/** A response body as a client would read it: JSON parsed, anything else as text. */
function parsedOrText(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}

export class Journal {
  private readonly log: BoundedLog<JournalEntry>;
  private nextId = 1;
  /** Entries whose response body is still the text sent: parsed when the journal is read, not on every call. */
  private readonly unparsed = new WeakSet<JournalEntry>();
  private readonly listeners = new Set<(entry: JournalEntry) => void>();
  /** When it was last cleared: calls before then are unknown (ms on the sandbox's clock). */
  private clearedAt: number | undefined;

  /** `now`: the sandbox's clock, which tells when the journal was cleared. */
  constructor(
    private readonly now: () => number,
    capacity = JOURNAL_CAPACITY,
  ) {
    this.log = new BoundedLog(capacity);
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
  open(entry: Omit<JournalEntry, 'id'>): JournalEntry {
    return this.log.add({ id: this.nextId++, ...entry });
  }

  /** Listens to every call once it is answered (or left unanswered by a fault); call what it returns to stop. */
  onCompleted(listener: (entry: JournalEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The call is over: its entry is complete. */
  completed(entry: JournalEntry): void {
    for (const listener of this.listeners) listener(entry);
  }

  /** Records the body that went out with the answer. */
  answered(entry: JournalEntry, payload: string | Buffer | null): void {
    entry.responseBody = payload;
    if (payload !== null) this.unparsed.add(entry);
  }

  list(filter: JournalFilter = {}): JournalEntry[] {
    const { operation, businessId, chatId, status } = filter;
    return this.readable(this.log.where({ operationId: operation, businessId, chatId, status }));
  }

  /** One entry by its id, while it is kept. */
  find(id: number): JournalEntry | undefined {
    return this.readable(this.log.where({ id }))[0];
  }

  private readable(entries: JournalEntry[]): JournalEntry[] {
    for (const entry of entries) {
      if (!this.unparsed.delete(entry)) continue;
      entry.responseBody = parsedOrText(String(entry.responseBody));
    }
    return entries;
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
