/**
 * Market's request limits, with no HTTP in them: per business and operation, a quota for a window that
 * opens with the first request after the previous one closed; and a cap on requests running at once.
 */
import type { OperationId } from '../contract/operations.js';

export interface Quota {
  limit: number;
  windowMs: number;
}

export interface QuotaState {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the current window closes and the quota is whole again. */
  resetsAt: number;
}

interface Window {
  opened: number;
  used: number;
}

const SWEEP_AT = 10_000;

export interface BusinessStanding {
  businessId: number;
  /** Requests running now. */
  running: number;
  quotas: {
    operation: OperationId;
    limit: number;
    windowMs: number;
    remaining: number;
    /** When the open window closes and the quota is whole again; null when no window is open. */
    renewsAt: number | null;
  }[];
}

export class RateLimiter {
  private readonly quotas: Partial<Record<OperationId, Quota>>;
  private readonly parallelLimit: number | undefined;
  private readonly windows = new Map<string, Window>();
  /** Past this many windows, those that have closed are swept: a run touching many businesses stays bounded. */
  private sweepAt = SWEEP_AT;
  private readonly running = new Map<number, number>();

  constructor(quotas: Partial<Record<OperationId, Quota>>, parallelLimit: number | undefined) {
    this.quotas = quotas;
    this.parallelLimit = parallelLimit;
  }

  /** Counts one request against the operation's quota, unless it is spent. */
  take(businessId: number, operation: OperationId, now: number): QuotaState | undefined {
    const quota = this.quotas[operation];
    if (!quota) return undefined;
    const key = `${businessId}:${operation}`;
    let window = this.windows.get(key);
    if (!window || now >= window.opened + quota.windowMs) {
      window = { opened: now, used: 0 };
      this.windows.set(key, window);
      if (this.windows.size > this.sweepAt) this.sweep(now);
    }
    const allowed = window.used < quota.limit;
    if (allowed) window.used++;
    return { allowed, limit: quota.limit, remaining: quota.limit - window.used, resetsAt: window.opened + quota.windowMs };
  }

  /** Takes a place among the requests running for a business; undefined when none is free. */
  enter(businessId: number): (() => void) | undefined {
    if (this.parallelLimit === undefined) return () => undefined;
    const running = this.running.get(businessId) ?? 0;
    if (running >= this.parallelLimit) return undefined;
    this.running.set(businessId, running + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const now = (this.running.get(businessId) ?? 1) - 1;
      if (now === 0) this.running.delete(businessId);
      else this.running.set(businessId, now);
    };
  }

  /**
   * Where a business stands at `now`: per operation with a quota, what is left and when the window renews
   * (an operation not called in an open window has its whole quota); and the requests running at once.
   */
  standing(businessId: number, now: number): BusinessStanding {
    const quotas = Object.entries(this.quotas).map(([operation, quota]) => {
      const window = this.windows.get(`${businessId}:${operation}`);
      const open = window && now < window.opened + quota.windowMs;
      return {
        operation: operation as OperationId,
        limit: quota.limit,
        windowMs: quota.windowMs,
        remaining: open ? quota.limit - window.used : quota.limit,
        renewsAt: open ? window.opened + quota.windowMs : null,
      };
    });
    return { businessId, running: this.running.get(businessId) ?? 0, quotas };
  }

  /** Businesses with a quota window or a request running now. */
  businessesSeen(): number[] {
    const ids = new Set(this.running.keys());
    for (const key of this.windows.keys()) ids.add(Number(key.slice(0, key.indexOf(':'))));
    return [...ids].sort((a, b) => a - b);
  }

  /** Quota windows kept now (one per business and operation used, until swept). */
  get windowsKept(): number {
    return this.windows.size;
  }

  get parallel(): number | undefined {
    return this.parallelLimit;
  }

  quota(operation: OperationId): Quota | undefined {
    return this.quotas[operation];
  }

  /** Every quota whole again: of one business, or of all. */
  reset(businessId?: number): void {
    if (businessId === undefined) return this.windows.clear();
    for (const key of this.windows.keys()) if (key.startsWith(`${businessId}:`)) this.windows.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) {
      const operation = key.slice(key.indexOf(':') + 1) as OperationId;
      if (now >= window.opened + this.quotas[operation]!.windowMs) this.windows.delete(key);
    }
    this.sweepAt = Math.max(SWEEP_AT, this.windows.size * 2);
  }
}
