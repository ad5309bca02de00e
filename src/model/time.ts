/** Market writes dates in ISO 8601 with the Moscow offset, e.g. 2017-11-21T00:00:00+03:00. */

const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;

export function formatMarketDate(ms: number): string {
  return new Date(ms + MOSCOW_OFFSET_MS).toISOString().slice(0, 19) + '+03:00';
}

/**
 * Market's push notifications write times otherwise: in UTC with a Z and fractions of a second
 * (2017-11-21T00:00:00.213Z), so a partner's parser must take both forms.
 */
export function formatPushDate(ms: number): string {
  return new Date(ms).toISOString();
}

/** The RFC 822 form used by X-RateLimit-Resource-Until, e.g. Thu, 10 Jul 2018 00:42:42 GMT. */
export function formatHttpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function wholeSecond(ms: number): number {
  return Math.floor(ms / SECOND) * SECOND;
}

/**
 * The times the sandbox's clock may show: from the Unix epoch to 9999-12-01 (UTC), so that every time it writes, a
 * wait of the longest duration a scenario may give (30 days) ahead included, keeps four digits of year and its
 * seconds in Market's form.
 */
export const EARLIEST_TIME = Date.parse('1970-01-01T00:00:00Z');
export const LATEST_TIME = Date.parse('9999-12-01T00:00:00Z');

/** Why `ms` cannot be a time of the sandbox's clock, or undefined when it can. */
export function timeOutOfBounds(ms: number): string | undefined {
  if (ms < EARLIEST_TIME) return `must be at or after ${new Date(EARLIEST_TIME).toISOString()}`;
  if (ms > LATEST_TIME) return `must be at or before ${new Date(LATEST_TIME).toISOString()}, the latest time the sandbox's clock shows`;
  return undefined;
}
