/**
 * The sandbox's one clock, as Stripe's test clocks work: real time by default, or flowing from a fixed
 * instant, or frozen; moved forward on demand, when everything that fell due in between happens at once, in
 * order of its due time. Whatever the sandbox waits for on its own account (a retry, a buyer's reply, a
 * conversation's deadline) is scheduled here, never on Node's timers directly, so that moving the clock
 * reaches it. Durations of real I/O are not on this clock: they are measured with performance.now().
 */
import { timeOutOfBounds } from '../model/time.js';

/** What the parts of the sandbox need of a clock: its time, and waits on it. */
export interface Clock {
  /** Milliseconds since the epoch, on the sandbox's clock. */
  now(): number;
  /** Resolves once `ms` have passed on this clock; rejects with the signal's reason when it is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `run` once `ms` have passed on this clock; call what it returns to cancel. */
  schedule(ms: number, run: () => void): () => void;
  /**
   * Work that something due started (a push being delivered, a buyer writing): moving the clock waits for it
   * before the next thing due, so that what it schedules in turn happens in order.
   */
  track<T>(work: Promise<T>): Promise<T>;
}

export interface ClockOptions {
  /** Where the clock starts (ms since the epoch); now by default. */
  start?: number;
  /** Time moves only when the clock is moved. */
  frozen?: boolean;
  /** The real time the clock flows with (tests give their own). */
  realNow?: () => number;
  /** How long one move waits for work under way, in real time (MOVE_WAIT_MS). */
  moveWaitMs?: number;
}

/** Where a clock starts and whether it is frozen: what the sandbox was given wins over what the scenario says. */
export function clockSettings(
  scenario: { start?: string; frozen?: boolean } | undefined,
  given: { start?: number; frozen?: boolean } = {},
): { start?: number; frozen?: boolean } {
  return {
    start: given.start ?? (scenario?.start === undefined ? undefined : Date.parse(scenario.start)),
    frozen: given.frozen ?? scenario?.frozen,
  };
}

/** Node's timers hold at most 2³¹−1 ms: a longer wait is armed in steps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The furthest one move (`advance`, or `to` ahead of now) may take the clock: a year and a day. */
export const MAX_MOVE_MS = 366 * 86_400_000;
/**
 * The most real time one move waits for the work that what fell due set off (a push's delivery, a buyer writing):
 * Market's push timeout. Past it, what is still under way goes on by itself while the move runs the rest of what is
 * due, so a webhook that never answers cannot hold the clock (or the moves queued behind it) for longer.
 */
export const MOVE_WAIT_MS = 10_000;
/** Things due that one move may run: past this, something schedules itself without end and the move stops there. */
const MAX_STEPS_PER_MOVE = 100_000;

interface Timer {
  due: number;
  /** Order of scheduling: timers due at the same moment run in the order they were scheduled. */
  seq: number;
  run: () => void;
}

export class ClockError extends Error {
  override name = 'ClockError';
}

export class SandboxClock implements Clock {
  private readonly realNow: () => number;
  private readonly moveWaitMs: number;
  /** Flowing: now = realNow() + offset. */
  private offset: number;
  /** Frozen: the time it stands at. */
  private frozenAt: number | undefined;
  /** While a move runs its timers, the time stands at the one being run. */
  private pinnedAt: number | undefined;
  /** Held until run() when the clock starts at a fixed instant, so the world is laid out from exactly that instant. */
  private holding: boolean;
  private readonly timers: Timer[] = [];
  private seq = 0;
  private runs = 0;
  private realTimer: NodeJS.Timeout | undefined;
  /** Work under way since the last move ended: a move never waits for what an earlier one gave up on. */
  private working = new Set<Promise<unknown>>();
  private moving: Promise<unknown> = Promise.resolve();
  private readonly moveListeners = new Set<(now: number) => void>();

  constructor(options: ClockOptions = {}) {
    this.realNow = options.realNow ?? Date.now;
    this.moveWaitMs = options.moveWaitMs ?? MOVE_WAIT_MS;
    const start = options.start ?? this.realNow();
    const out = timeOutOfBounds(start);
    if (out) throw new ClockError(`clock.start: ${out}`);
    this.offset = start - this.realNow();
    this.frozenAt = options.frozen ? start : undefined;
    this.holding = options.start !== undefined && !options.frozen;
    if (this.holding) this.frozenAt = start;
  }

  /** Frozen clocks move only when moved. */
  get frozen(): boolean {
    return this.frozenAt !== undefined && !this.holding;
  }

  now(): number {
    return this.pinnedAt ?? this.frozenAt ?? this.realNow() + this.offset;
  }

  /**
   * Starts again for another scenario: at `start` when given (held there until run(), even if that is earlier:
   * a new world begins), and frozen or flowing as `frozen` says (unchanged when it says nothing).
   */
  restart({ start, frozen }: { start?: number; frozen?: boolean }): void {
    const at = start ?? this.now();
    const freeze = frozen ?? this.frozen;
    clearTimeout(this.realTimer);
    this.realTimer = undefined;
    this.offset = at - this.realNow();
    this.frozenAt = freeze || start !== undefined ? at : undefined;
    this.holding = start !== undefined && !freeze;
    this.arm();
  }

  /**
   * Back to where a scenario starts it, for a reset: at `start` when it has one (held there until run()), else at
   * real time, moves undone; frozen or flowing as `frozen` says.
   */
  rewind({ start, frozen }: { start?: number; frozen?: boolean }): void {
    if (start !== undefined) return this.restart({ start, frozen });
    clearTimeout(this.realTimer);
    this.realTimer = undefined;
    this.offset = 0;
    this.holding = false;
    this.frozenAt = (frozen ?? this.frozen) ? this.realNow() : undefined;
    this.arm();
  }

  /** Lets a clock that starts at a fixed instant begin to flow from it (the sandbox calls it once it is built). */
  run(): void {
    if (!this.holding) return;
    this.holding = false;
    this.offset = this.frozenAt! - this.realNow();
    this.frozenAt = undefined;
    this.arm();
  }

  schedule(ms: number, run: () => void): () => void {
    const timer: Timer = { due: this.now() + Math.max(0, ms), seq: this.seq++, run };
    // Kept sorted by due time, then by order of scheduling: the first is always the next due.
    let low = 0;
    let high = this.timers.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.timers[mid];
      if (other.due < timer.due || (other.due === timer.due && other.seq < timer.seq)) low = mid + 1;
      else high = mid;
    }
    this.timers.splice(low, 0, timer);
    if (low === 0) this.arm();
    return () => {
      const at = this.timers.indexOf(timer);
      if (at < 0) return;
      this.timers.splice(at, 1);
      if (at === 0) this.arm();
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    // The signal's reason, as node:timers/promises rejects: an AbortError unless the signal was given another.
    const reason = () => signal!.reason as Error;
    if (signal?.aborted) return Promise.reject(reason());
    return new Promise((resolve, reject) => {
      const aborted = () => {
        cancel();
        reject(reason());
      };
      const cancel = this.schedule(ms, () => {
        signal?.removeEventListener('abort', aborted);
        resolve();
      });
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }

  track<T>(work: Promise<T>): Promise<T> {
    const working = this.working;
    working.add(work);
    const done = () => working.delete(work);
    work.then(done, done);
    return work;
  }

  /** Things that fell due and ran so far (a move tells how many ran on its way). */
  get ran(): number {
    return this.runs;
  }

  /** Timers waiting, for the health of a long run and for tests. */
  get pending(): number {
    return this.timers.length;
  }

  /** Told the new time each time the clock is moved. */
  onMove(listener: (now: number) => void): () => void {
    this.moveListeners.add(listener);
    return () => this.moveListeners.delete(listener);
  }

  /** Moves the clock `ms` forward; resolves with the new time once everything due on the way has happened. */
  advance(ms: number): Promise<number> {
    if (!Number.isFinite(ms) || ms < 0) throw new ClockError(`advance: ${ms} ms is not a duration forward`);
    if (ms > MAX_MOVE_MS) throw new ClockError(`advance: must be at most ${MAX_MOVE_MS / 86_400_000}d at once`);
    const past = timeOutOfBounds(this.now() + ms);
    if (past) throw new ClockError(`advance: would take the clock to ${new Date(this.now() + ms).toISOString()}; the clock ${past}`);
    return this.serialized(() => this.moveTo(this.now() + ms));
  }

  /** Moves the clock forward to `to`; a time before now is refused (time never goes backwards). */
  set(to: number): Promise<number> {
    if (!Number.isFinite(to)) throw new ClockError('to: is not a time');
    const out = timeOutOfBounds(to);
    if (out) throw new ClockError(`to: ${out}`);
    if (to - this.now() > MAX_MOVE_MS) {
      throw new ClockError(
        `to: must be at most ${MAX_MOVE_MS / 86_400_000}d ahead of the sandbox's time ${new Date(this.now()).toISOString()}; move it in steps`,
      );
    }
    if (to < this.now()) {
      throw new ClockError(
        `to: ${new Date(to).toISOString()} is before the sandbox's time ${new Date(this.now()).toISOString()}; time never goes backwards`,
      );
    }
    return this.serialized(() => this.moveTo(Math.max(to, this.now())));
  }

  /** Cancels every timer: nothing is due any more. */
  close(): void {
    this.timers.length = 0;
    this.arm();
  }

  /** One move at a time: a second one starts from where the first left the clock. */
  private serialized(move: () => Promise<number>): Promise<number> {
    const next = this.moving.then(move, move);
    this.moving = next.catch(() => undefined);
    return next;
  }

  private async moveTo(target: number): Promise<number> {
    clearTimeout(this.realTimer);
    this.realTimer = undefined;
    this.pinnedAt = this.now();
    const waitUntil = performance.now() + this.moveWaitMs;
    try {
      for (let steps = 0; steps < MAX_STEPS_PER_MOVE; steps++) {
        await this.settle(waitUntil);
        const next = this.timers[0];
        if (!next || next.due > target) break;
        this.timers.shift();
        this.pinnedAt = Math.max(this.pinnedAt, next.due);
        this.fire(next);
      }
      this.pinnedAt = target;
      await this.settle(waitUntil);
    } finally {
      // What is still under way goes on by itself: the next move does not wait for it again.
      this.working = new Set();
      if (this.frozenAt !== undefined) this.frozenAt = target;
      else this.offset = target - this.realNow();
      this.pinnedAt = undefined;
      this.arm();
    }
    for (const listener of this.moveListeners) listener(target);
    return target;
  }

  /**
   * Lets what the last timer started run: its promise callbacks, then the work it tracks, until all is quiet or the
   * move has waited its share of real time (`until`, on performance.now()).
   */
  private async settle(until: number): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const left = until - performance.now();
      if (this.working.size === 0 || left <= 0) return;
      let timer: NodeJS.Timeout | undefined;
      const outOfTime = new Promise((resolve) => (timer = setTimeout(resolve, left)));
      await Promise.race([Promise.allSettled([...this.working]), outOfTime]);
      clearTimeout(timer);
    }
  }

  /** A real timer for the next one due, while the clock flows and is not being moved. */
  private arm(): void {
    clearTimeout(this.realTimer);
    this.realTimer = undefined;
    const next = this.timers[0];
    if (!next || this.frozenAt !== undefined || this.pinnedAt !== undefined) return;
    const wait = Math.min(Math.max(0, next.due - this.now()), MAX_TIMER_MS);
    this.realTimer = setTimeout(() => this.runDue(), wait);
  }

  private runDue(): void {
    this.realTimer = undefined;
    const now = this.now();
    while (this.timers.length && this.timers[0].due <= now && this.pinnedAt === undefined) this.fire(this.timers.shift()!);
    this.arm();
  }

  private fire(timer: Timer): void {
    this.runs++;
    timer.run();
  }
}
