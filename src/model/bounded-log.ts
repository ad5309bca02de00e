/**
 * A log kept in memory with bounds, so that a long CI run cannot exhaust memory: at most `capacity` entries and, for
 * entries that carry text of any size, at most `weightCapacity` of their weight (characters); the oldest go first.
 */
export class BoundedLog<T extends object> {
  private entries: T[] = [];
  private readonly weights = new WeakMap<T, number>();
  private weight = 0;
  /** Entries dropped because the log was full, since it was last cleared. */
  dropped = 0;

  constructor(
    readonly capacity: number,
    readonly weightCapacity = Infinity,
  ) {}

  add(entry: T): T {
    this.entries.push(entry);
    this.weights.set(entry, 0);
    if (this.entries.length > this.capacity) this.dropOldest();
    return entry;
  }

  /** Gives a kept entry its weight (what it holds that can be large), dropping the oldest while the log is too heavy. */
  weigh(entry: T, weight: number): void {
    const before = this.weights.get(entry);
    // An entry dropped before it was weighed (the log filled while its call was under way) weighs nothing.
    if (before === undefined) return;
    this.weight += weight - before;
    this.weights.set(entry, weight);
    while (this.weight > this.weightCapacity && this.entries.length > 1) this.dropOldest();
  }

  /** The weight of what is kept now. */
  get kept(): number {
    return this.weight;
  }

  private dropOldest(): void {
    const oldest = this.entries.shift()!;
    this.weight -= this.weights.get(oldest)!;
    this.weights.delete(oldest);
    this.dropped++;
  }

  /** The entries, oldest first, whose fields equal every value given (an undefined value matches anything). */
  where(values: { [K in keyof T]?: T[K] }): T[] {
    const wanted = Object.entries(values).filter(([, value]) => value !== undefined) as [keyof T, unknown][];
    return this.entries.filter((entry) => wanted.every(([key, value]) => entry[key] === value));
  }

  clear(): void {
    for (const entry of this.entries) this.weights.delete(entry);
    this.entries = [];
    this.weight = 0;
    this.dropped = 0;
  }
}
