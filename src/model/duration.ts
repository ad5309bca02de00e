/** Durations as scenario files write them: 800ms, 30s, 1m, 1.5h, 2d. */

/** The form a duration takes; the scenario schema checks it before durationMs reads it. */
export const DURATION_PATTERN = '^\\d+(\\.\\d+)?(ms|s|m|h|d)$';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "800ms", "30s", "1m", "1.5h", "2d" in milliseconds (the schema has checked the form). */
export function durationMs(text: string): number {
  const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text)!;
  return Math.round(Number(amount) * UNIT_MS[unit]);
}
