/** Keyset paging finds a page by binary search: its cost does not grow with its depth in the history. */
import t from 'tap';
import { lowerBound, takePage } from '../src/model/paging.js';

const HISTORY = Array.from({ length: 100_000 }, (_, i) => ({ id: 1_000 + i * 3 }));

/** How many items a history page from `fromId` looks at, with the page it found. */
function pageFrom(fromId: number, limit: number) {
  let looked = 0;
  const start = lowerBound(HISTORY, (m) => (looked++, m.id < fromId));
  const page = takePage(HISTORY, start, limit, () => (looked++, true));
  return { looked, page };
}

t.test('the first and the last page of a 100 000-message history look at as many items', async (t) => {
  const first = pageFrom(0, 100);
  const last = pageFrom(HISTORY[HISTORY.length - 100].id, 100);
  t.equal(first.page.items[0], HISTORY[0]);
  t.equal(last.page.items[0], HISTORY[HISTORY.length - 100]);
  t.equal(last.page.last, undefined, 'the last page says so');
  t.equal(first.page.last, HISTORY[99], 'the first page points past its last item');
  // log2(100 000) < 17 probes to find the start, then the page itself and one look-ahead.
  for (const { looked } of [first, last]) t.ok(looked <= 17 + 101, `looked at ${looked} items`);
});

t.test('lowerBound lands between ids, before the first and after the last', async (t) => {
  t.equal(
    lowerBound(HISTORY, (m) => m.id < 1_001),
    1,
    'an id between two messages starts at the later one',
  );
  t.equal(
    lowerBound(HISTORY, (m) => m.id < 0),
    0,
  );
  t.equal(
    lowerBound(HISTORY, (m) => m.id < Number.MAX_SAFE_INTEGER),
    HISTORY.length,
  );
  t.equal(
    lowerBound([], () => true),
    0,
  );
});

t.test('takePage skips what the filter refuses and stops once it knows more follow', async (t) => {
  const even = takePage(HISTORY, 0, 3, (m) => m.id % 2 === 0);
  t.same(
    even.items.map((m) => m.id),
    [1_000, 1_006, 1_012],
  );
  t.equal(even.last, even.items[2]);
  const none = takePage(HISTORY.slice(0, 10), 0, 3, () => false);
  t.same(none, { items: [] });
});
