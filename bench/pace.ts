/** Calls made at a pace, for figures per call: shared by the benchmark and its bare pusher. */

/** Calls `send` `perSecond` times a second (Infinity: back to back) for `ms`, one at a time; resolves with how many it made. */
export async function atPace(send: () => Promise<unknown>, perSecond: number, ms = 3000): Promise<number> {
  const started = performance.now();
  let calls = 0;
  while (performance.now() - started < ms) {
    await send();
    calls++;
    const wait = started + (calls * 1000) / perSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return calls;
}
