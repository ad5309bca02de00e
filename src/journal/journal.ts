/** The request journal: every API call with what it sent and got, bounded so a long CI run cannot exhaust memory. */
import { Type, type Static } from 'typebox';
import { BoundedLog } from '../model/bounded-log.js';

export interface JournalEntry {
  id: number;
  time: string;
  operationId: string | null;
  method: string;
  url: string;
  businessId: number | null;
  chatId: number | null;
  /** HTTP status; null when a fault left no answer. */
  status: number | null;
  requestBody: unknown;
  responseBody: unknown;
  durationMs: number | null;
  /** Index of the scenario rule that applied, if one did. */
  rule: number | null;
  /** That rule's `name`, when it has one. */
  ruleName: string | null;
  /** The named state the call's business was in when the call came (null for a call that names no business). */
  state: string | null;
  fault: string | null;
}

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

  constructor(capacity = JOURNAL_CAPACITY) {
    this.log = new BoundedLog(capacity);
  }

  /** Entries dropped because the journal was full, since the last clear. */
  get dropped(): number {
    return this.log.dropped;
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

  clear(): void {
    this.log.clear();
  }
}
