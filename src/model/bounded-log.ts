/** A log kept in memory with a bound, so that a long CI run cannot exhaust memory: the oldest entries go first. */
export class BoundedLog<T extends object> {
  private entries: T[] = [];
  /** Entries dropped because the log was full, since it was last cleared. */
  dropped = 0;

  constructor(readonly capacity: number) {}

  add(entry: T): T {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) {
      this.entries.shift();
      this.dropped++;
    }
    return entry;
  }

  /** The entries, oldest first, whose fields equal every value given (an undefined value matches anything). */
  where(values: { [K in keyof T]?: T[K] }): T[] {
    const wanted = Object.entries(values).filter(([, value]) => value !== undefined) as [keyof T, unknown][];
    return this.entries.filter((entry) => wanted.every(([key, value]) => entry[key] === value));
  }

  clear(): void {
    this.entries = [];
    this.dropped = 0;
  }
}
