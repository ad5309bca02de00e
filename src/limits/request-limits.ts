/**
 * Market's request limits as a part of the sandbox: the limiter a scenario asks for (none with `rateLimits: off`
 * or --no-rate-limits), its quotas whole again on reset, and where each business stands (GET /__sandbox/limits).
 */
import { Type, type Static } from 'typebox';
import { OPERATION_IDS } from '../contract/operations.js';
import { stringEnum } from '../contract/schemas.js';
import type { Clock } from '../clock/clock.js';
import type { Scenario } from '../scenario/schema.js';
import type { RateLimiter } from './rate-limiter.js';
import { describeLimits, describeWindow, limiterFor } from './windows.js';

const QuotaNowSchema = Type.Object({
  operation: stringEnum(OPERATION_IDS),
  limit: Type.Integer({ description: 'Requests allowed per window' }),
  window: Type.String({ description: 'Length of the window, e.g. 1 hour' }),
  windowMs: Type.Integer({ description: 'The same, in milliseconds' }),
  remaining: Type.Integer({ description: 'What is left in the open window (the whole quota when none is open)' }),
  renewsAt: Type.Union([Type.String(), Type.Null()], { description: 'When the open window closes (ISO 8601); null when none is open' }),
});

/** Where businesses stand against the limits (GET /__sandbox/limits and sandbox.limitsNow() give it; the type is made from it). */
export const LimitsNowSchema = Type.Object({
  enabled: Type.Boolean({ description: 'false with --no-rate-limits or rateLimits: off' }),
  parallel: Type.Union([Type.Integer(), Type.Null()], { description: 'Requests that may run at once per business; null when unlimited' }),
  businesses: Type.Array(
    Type.Object({
      businessId: Type.Integer(),
      running: Type.Integer({ description: 'Requests running now' }),
      quotas: Type.Array(QuotaNowSchema),
    }),
    { description: 'Every business called in an open window (or the one asked for)' },
  ),
});
export type LimitsNow = Static<typeof LimitsNowSchema>;

export class RequestLimits {
  private current: RateLimiter | undefined;

  /** `enabled: false` (--no-rate-limits) wins over every scenario. */
  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly enabled = true,
  ) {}

  /** The limiter in force; undefined when limits are off. The API's guard reads it at each call. */
  get limiter(): RateLimiter | undefined {
    return this.current;
  }

  configure(scenario: Scenario): void {
    this.current = this.enabled ? limiterFor(scenario.rateLimits) : undefined;
  }

  /** Every quota whole again, or one business's. */
  reset(businessId?: number): void {
    this.current?.reset(businessId);
  }

  /** The limits in force, in words (the banner, sandbox.limits). */
  describe(): string {
    return describeLimits(this.current);
  }

  /** Where each business stands now: every business called in an open window, or the one asked for. */
  now(businessId?: number): LimitsNow {
    const limiter = this.current;
    if (!limiter) return { enabled: false, parallel: null, businesses: [] };
    const now = this.clock.now();
    const ids = businessId === undefined ? limiter.businessesSeen() : [businessId];
    return {
      enabled: true,
      parallel: limiter.parallel ?? null,
      businesses: ids.map((id) => {
        const standing = limiter.standing(id, now);
        return {
          businessId: standing.businessId,
          running: standing.running,
          quotas: standing.quotas.map(({ operation, limit, windowMs, remaining, renewsAt }) => ({
            operation,
            limit,
            window: describeWindow(windowMs),
            windowMs,
            remaining,
            renewsAt: renewsAt === null ? null : new Date(renewsAt).toISOString(),
          })),
        };
      }),
    };
  }
}
