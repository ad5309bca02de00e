/** Market's quotas, and windows in words for its 420 messages. */
import { OPERATIONS, OPERATION_IDS, type OperationId } from '../contract/operations.js';
import { DAY, HOUR, MINUTE, SECOND } from '../domain/time.js';
import type { Quota } from './rate-limiter.js';

export function describeWindow(ms: number): string {
  for (const [unit, size] of [['day', DAY], ['hour', HOUR], ['minute', MINUTE], ['second', SECOND]] as const) {
    if (ms % size === 0) return ms === size ? unit : `${ms / size} ${unit}s`;
  }
  return `${ms} ms`;
}

/** Market's hourly quotas from its current reference. */
export function marketQuotas(): Record<OperationId, Quota> {
  return Object.fromEntries(
    OPERATION_IDS.map((op) => [op, { limit: OPERATIONS[op].hourlyLimit, windowMs: HOUR }]),
  ) as Record<OperationId, Quota>;
}
