/** Market writes dates in ISO 8601 with the Moscow offset, e.g. 2017-11-21T00:00:00+03:00. */

const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;

/** Formatted dates by time: the same chats and messages are listed again and again, and formatting is dear. */
const formatted = new Map<number, string>();
const FORMATTED_KEPT = 100_000;

export function formatMarketDate(ms: number): string {
  let text = formatted.get(ms);
  if (text === undefined) {
    text = new Date(ms + MOSCOW_OFFSET_MS).toISOString().slice(0, 19) + '+03:00';
    if (formatted.size >= FORMATTED_KEPT) formatted.clear();
    formatted.set(ms, text);
  }
  return text;
}

/** The RFC 822 form used by X-RateLimit-Resource-Until, e.g. Thu, 10 Jul 2018 00:42:42 GMT. */
let lastHttpDate = { ms: NaN, text: '' };

/** Every call of a window reports the same reset time: the last one formatted is kept. */
export function formatHttpDate(ms: number): string {
  if (lastHttpDate.ms !== ms) lastHttpDate = { ms, text: new Date(ms).toUTCString() };
  return lastHttpDate.text;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function wholeSecond(ms: number): number {
  return Math.floor(ms / SECOND) * SECOND;
}
