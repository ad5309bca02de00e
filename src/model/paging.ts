/** Keyset pages over sorted arrays: a page is found by binary search, so its cost does not depend on depth. */

/** The first index in `items` (sorted so that `before` is monotone) where `before(item)` is false. */
export function lowerBound<T>(items: readonly T[], before: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(items[mid])) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Page<T> {
  items: T[];
  /** The last item served, when more matching items follow it. */
  last?: T;
}

/** Up to `limit` items from `start` on that pass `keep`, and whether any further one passes. */
export function takePage<T>(items: readonly T[], start: number, limit: number, keep: (item: T) => boolean): Page<T> {
  const page: T[] = [];
  for (let i = start; i < items.length; i++) {
    const item = items[i];
    if (!keep(item)) continue;
    if (page.length === limit) return { items: page, last: page[page.length - 1] };
    page.push(item);
  }
  return { items: page };
}
