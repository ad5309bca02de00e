/** Durations as scenario files write them: 800ms, 30s, 1m, 1.5h, 2d; and the bounds they are held to. */
import type { DataValidateFunction, FuncKeywordDefinition } from 'ajv/dist/types/index.js';

/** The form a duration takes; the scenario schema checks it before durationMs reads it. */
export const DURATION_PATTERN = '^\\d+(\\.\\d+)?(ms|s|m|h|d)$';

const FORM = new RegExp(DURATION_PATTERN);
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The longest duration anything on the sandbox's clock waits (a quota window, a retry, a deadline…). */
export const MAX_DURATION_MS = 30 * UNIT_MS.d;
/** The longest a rule holds an answer back: it is real time, as the network's delays are. */
export const MAX_DELAY_MS = 10 * UNIT_MS.m;

/** "800ms", "30s", "1m", "1.5h", "2d" in milliseconds (the schema has checked the form). */
export function durationMs(text: string): number {
  const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text)!;
  return Math.round(Number(amount) * UNIT_MS[unit]);
}

/** Milliseconds in the largest unit that writes them whole: 2592000000 → 30d. */
export function durationText(ms: number): string {
  const [unit, size] = Object.entries(UNIT_MS)
    .reverse()
    .find(([, size]) => ms % size === 0)!;
  return `${ms / size}${unit}`;
}

/** Checks a duration against `maxDurationMs` in a schema (see maxDurationKeyword). */
const checkMaxDuration: DataValidateFunction = (max: number, data: unknown) => {
  const ok = typeof data !== 'string' || !FORM.test(data) || durationMs(data) <= max;
  checkMaxDuration.errors = ok
    ? undefined
    : [{ keyword: 'maxDurationMs', message: `must be at most ${durationText(max)}`, params: { max } }];
  return ok;
};

/**
 * An Ajv keyword: `maxDurationMs` bounds a duration, so that every one has a documented bound and a wait past
 * what a timer holds is refused where it enters (a scenario, the control API) instead of misbehaving later.
 */
export const maxDurationKeyword: FuncKeywordDefinition = {
  keyword: 'maxDurationMs',
  type: 'string',
  schemaType: 'number',
  errors: true,
  validate: checkMaxDuration,
};
