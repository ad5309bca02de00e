/** The request journal: every API call with what it sent and got, bounded so a long CI run cannot exhaust memory. */

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
  fault: string | null;
}

export interface JournalFilter {
  operation?: string;
  businessId?: number;
  chatId?: number;
  status?: number;
}

/** The most entries kept: older ones are dropped first. */
export const JOURNAL_CAPACITY = 1000;

export class Journal {
  private entries: JournalEntry[] = [];
  private nextId = 1;
  /** Entries dropped because the journal was full, since the last clear. */
  dropped = 0;

  constructor(private readonly capacity = JOURNAL_CAPACITY) {}

  /** Starts an entry; the caller fills in the answer when there is one. */
  open(entry: Omit<JournalEntry, 'id'>): JournalEntry {
    const full = { id: this.nextId++, ...entry };
    this.entries.push(full);
    if (this.entries.length > this.capacity) {
      this.entries.shift();
      this.dropped++;
    }
    return full;
  }

  list(filter: JournalFilter = {}): JournalEntry[] {
    return this.entries.filter(
      (e) =>
        (filter.operation === undefined || e.operationId === filter.operation) &&
        (filter.businessId === undefined || e.businessId === filter.businessId) &&
        (filter.chatId === undefined || e.chatId === filter.chatId) &&
        (filter.status === undefined || e.status === filter.status),
    );
  }

  clear(): void {
    this.entries = [];
    this.dropped = 0;
  }
}
