/** Market's quotas, and windows in words for its 420 messages. */
import { DEFAULT_PARALLEL_LIMIT, OPERATIONS, OPERATION_IDS, type OperationId } from '../contract/operations.js';
import { DAY, HOUR, MINUTE, SECOND } from '../model/time.js';
import { durationMs } from '../model/duration.js';
import type { RateLimitsSetting } from '../scenario/schema.js';
import { RateLimiter, type Quota } from './rate-limiter.js';

export function describeWindow(ms: number): string {
  for (const [unit, size] of [
    ['day', DAY],
    ['hour', HOUR],
    ['minute', MINUTE],
    ['second', SECOND],
  ] as const) {
    if (ms % size === 0) return ms === size ? unit : `${ms / size} ${unit}s`;
  }
  return `${ms} ms`;
}

/** Market's hourly quotas from its current reference. */
export function marketQuotas(): Record<OperationId, Quota> {
  return Object.fromEntries(OPERATION_IDS.map((op) => [op, { limit: OPERATIONS[op].hourlyLimit, windowMs: HOUR }])) as Record<
    OperationId,
    Quota
  >;
}

/** The limiter a scenario's `rateLimits` asks for: Market's, with what it names replaced; none when off. */
export function limiterFor(setting: RateLimitsSetting | undefined): RateLimiter | undefined {
  if (setting === 'off') return undefined;
  const quotas: Partial<Record<OperationId, Quota>> = marketQuotas();
  for (const op of OPERATION_IDS) {
    const own = setting?.[op];
    if (own === 'off') delete quotas[op];
    else if (own) quotas[op] = { limit: own.limit, windowMs: durationMs(own.window) };
  }
  const parallel = setting?.parallel;
  return new RateLimiter(quotas, parallel === 'off' ? undefined : (parallel ?? DEFAULT_PARALLEL_LIMIT));
}

/** The limits in force, in words, for the banner. */
export function describeLimits(limiter: RateLimiter | undefined): string {
  if (!limiter) return 'off';
  const quotas = OPERATION_IDS.map((op) => {
    const quota = limiter.quota(op);
    return quota ? `${op} ${quota.limit}/${describeWindow(quota.windowMs)}` : `${op} unlimited`;
  });
  const parallel = limiter.parallel === undefined ? 'no parallel limit' : `${limiter.parallel} parallel requests per business`;
  return `${parallel}; ${quotas.join(', ')}`;
}
