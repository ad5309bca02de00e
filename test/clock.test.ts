/**
 * The clock alone, and the parts that wait on it, each alone with a frozen clock (no sandbox, no server of
 * its own): moving the clock makes what fell due happen, in order of its due time, and nothing else.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { ClockError, clockSettings, MAX_TIMER_MS, SandboxClock } from '../src/clock/clock.js';
import { Conversations } from '../src/conversations/conversations.js';
import { SimulatedBuyers } from '../src/customer/simulated-buyer.js';
import type { BuyerSide } from '../src/domain/buyer-side.js';
import type { ChatEvent } from '../src/domain/chat-events.js';
import { RequestLimits } from '../src/limits/request-limits.js';
import { Notifier } from '../src/notifications/notifier.js';
import { ScenarioRules } from '../src/scenario/scenario-rules.js';
import type { Scenario } from '../src/scenario/schema.js';

const START = Date.parse('2026-11-11T06:00:00Z');
const HOUR = 3_600_000;
const frozen = () => new SandboxClock({ start: START, frozen: true });

t.test('a frozen clock stands still, and moving it runs what fell due in order of due time', async (t) => {
  const clock = frozen();
  const ran: string[] = [];
  clock.schedule(2 * HOUR, () => ran.push(`2h at ${clock.now() - START}`));
  clock.schedule(HOUR, () => ran.push(`1h at ${clock.now() - START}`));
  clock.schedule(HOUR, () => ran.push(`1h again at ${clock.now() - START}`));
  const cancelled = clock.schedule(30 * 60_000, () => ran.push('cancelled'));
  cancelled();
  t.equal(clock.now(), START, 'it stands at its start');
  t.equal(clock.pending, 3);
  t.equal(await clock.advance(HOUR), START + HOUR);
  t.same(ran, [`1h at ${HOUR}`, `1h again at ${HOUR}`], 'due at the same moment: in the order scheduled, at their due time');
  t.equal(clock.now(), START + HOUR, 'and it stands there');
  await clock.set(START + 3 * HOUR);
  t.same(ran.at(-1), `2h at ${2 * HOUR}`, 'a timer runs at its own due time, not at the end of the move');
  t.equal(clock.ran, 3);
  t.equal(clock.pending, 0);
});

t.test('what a due timer starts is waited for, and what it schedules in turn runs in the same move', async (t) => {
  const clock = frozen();
  const ran: number[] = [];
  // A retry loop: each attempt is real I/O (a promise the clock tracks), then waits twice as long as before.
  let wait = 1000;
  const attempt = async () => {
    await clock.track(new Promise((resolve) => setTimeout(resolve, 5)));
    ran.push(clock.now() - START);
    wait *= 2;
    if (wait <= 16_000) clock.schedule(wait, () => void attempt());
  };
  clock.schedule(wait, () => void attempt());
  await clock.advance(60_000);
  t.same(ran, [1000, 3000, 7000, 15000, 31000], 'every retry on its own due time, in one move');
});

t.test('work that never ends holds a move only its share of waiting, and never the next move', async (t) => {
  const clock = new SandboxClock({ start: START, frozen: true, moveWaitMs: 20 });
  const ran: number[] = [];
  // A push to a webhook that never answers: work that never settles, set off by each thing due.
  const never = () => clock.track(new Promise(() => undefined));
  for (const at of [1000, 2000, 3000]) {
    clock.schedule(at, () => {
      ran.push(clock.now() - START);
      void never();
    });
  }
  await clock.advance(2500);
  t.same(ran, [1000, 2000], 'the move ran everything due on its way, the first work still under way');
  await clock.advance(1000);
  t.same(ran, [1000, 2000, 3000], 'and the next move was not held by what the first gave up on');
});

t.test('time never goes backwards; a move is a duration forward', async (t) => {
  const clock = frozen();
  t.throws(() => clock.set(START - 1), ClockError);
  t.throws(() => clock.set(START - 1), /to: 2026-11-11T05:59:59.999Z is before the sandbox's time 2026-11-11T06:00:00.000Z/);
  t.throws(() => clock.advance(-1), /advance: -1 ms is not a duration forward/);
  t.throws(() => clock.set(Number.NaN), /to: is not a time/);
  t.equal(await clock.set(START), START, 'to now is no move at all');
});

t.test('a sleep is cancelled by its signal, with the signal’s reason', async (t) => {
  const clock = frozen();
  const stop = new AbortController();
  const sleeping = clock.sleep(HOUR, stop.signal);
  stop.abort();
  await t.rejects(sleeping, { name: 'AbortError' });
  t.equal(clock.pending, 0, 'the cancelled wait is gone');
  await t.rejects(clock.sleep(1, stop.signal), { name: 'AbortError' }, 'an aborted signal: at once');
});

t.test('a flowing clock runs timers in real time, and a wait past what a Node timer holds really waits', async (t) => {
  const clock = new SandboxClock();
  t.teardown(() => clock.close());
  const before = clock.now();
  await clock.sleep(20);
  t.ok(clock.now() - before >= 19, 'a short wait on a flowing clock passes in real time');
  let fired = false;
  clock.schedule(MAX_TIMER_MS + 1000, () => (fired = true));
  await new Promise((resolve) => setTimeout(resolve, 30));
  t.notOk(fired, 'longer than 2^31-1 ms is not taken for 1 ms');
  await clock.advance(MAX_TIMER_MS + 1000);
  t.ok(fired, 'moving the clock past it runs it');
});

t.test('a clock from a fixed start is held there until it runs, then flows from it', async (t) => {
  let real = 1_000_000;
  const clock = new SandboxClock({ start: START, realNow: () => real });
  real += 5000;
  t.equal(clock.now(), START, 'held at its start while the world is laid out');
  clock.run();
  real += 250;
  t.equal(clock.now(), START + 250, 'then it flows from exactly there');
  clock.restart({ start: START + HOUR });
  t.equal(clock.now(), START + HOUR, 'a restart for another scenario begins where that scenario starts');
  clock.restart({ frozen: true });
  real += 1000;
  t.ok(clock.frozen);
  t.equal(clock.now(), START + HOUR, 'frozen where it was');
  t.same(clockSettings({ start: '2026-11-11T09:00:00+03:00', frozen: true }, { frozen: false }), { start: START, frozen: false });
  t.same(clockSettings(undefined, { start: 5 }), { start: 5, frozen: undefined }, 'what the sandbox was given wins');
});

t.test('request limits alone: a quota renews when the clock passes its window', async (t) => {
  const clock = frozen();
  const limits = new RequestLimits(clock);
  limits.configure({ rateLimits: { getChats: { limit: 1, window: '1h' } } });
  const limiter = limits.limiter!;
  t.equal(limiter.take(1001, 'getChats', clock.now())?.allowed, true);
  t.equal(limiter.take(1001, 'getChats', clock.now())?.allowed, false, 'spent');
  t.match(
    limits.now(1001).businesses[0].quotas.find((q) => q.operation === 'getChats'),
    {
      remaining: 0,
      renewsAt: '2026-11-11T07:00:00.000Z',
    },
  );
  await clock.advance(HOUR);
  t.equal(limiter.take(1001, 'getChats', clock.now())?.allowed, true, 'whole again an hour later on the clock');
  const off = new RequestLimits(clock, false);
  off.configure({});
  t.equal(off.limiter, undefined, '--no-rate-limits wins over the scenario');
});

t.test('rules alone: delays drawn from a range repeat with the seed, and reset draws them again', async (t) => {
  const rules = new ScenarioRules();
  const scenario: Scenario = { rules: [{ match: { operation: 'getChats' }, delay: { min: '1ms', max: '1000ms' } }] };
  const call = { operation: 'getChats', method: 'POST', path: '/', query: {}, body: {}, headers: {} };
  const draws = (seed: number) => {
    rules.configure(scenario, seed);
    return [1, 2, 3].map(() => rules.apply(call)!.delayMs);
  };
  const first = draws(7);
  t.same(draws(7), first, 'the same seed draws the same delays');
  t.not(JSON.stringify(draws(8)), JSON.stringify(first), 'another seed, others');
  rules.configure(scenario, 7);
  rules.apply(call);
  rules.reset();
  t.same(
    [1, 2, 3].map(() => rules.apply(call)!.delayMs),
    first,
    'a reset starts the draws again',
  );
});

t.test('notifications alone: a failed push is retried when the clock reaches its retry', async (t) => {
  let answers = [500, 200];
  const hits: string[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      hits.push(new Date(clock.now()).toISOString());
      response.writeHead(answers.shift() ?? 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ version: '1', name: 'bot', time: new Date().toISOString() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const clock = frozen();
  const notifier = new Notifier(clock);
  notifier.configure({ webhook: { url, backoff: '1h', attempts: 3 } }, 1);
  const chat = { id: 5, createdAt: START, updatedAt: START };
  notifier.onEvent({ kind: 'chat-created', businessId: 1001, chat, actor: 'CUSTOMER', at: START } as unknown as ChatEvent);
  await clock.advance(0);
  let [entry] = notifier.list();
  t.match(entry, { state: 'pending', nextAttemptAt: '2026-11-11T07:00:00.000Z' }, 'the first attempt failed; the retry is an hour away');
  await clock.advance(59 * 60_000);
  t.equal(hits.length, 1, 'not retried before it is due');
  await clock.advance(60_000);
  [entry] = notifier.list();
  t.equal(entry.state, 'delivered', 'retried once the hour has passed on the clock');
  t.same(hits, ['2026-11-11T06:00:00.000Z', '2026-11-11T07:00:00.000Z']);
  t.same(
    entry.attempts.map((a) => a.at),
    hits,
    'each attempt stamped on the clock',
  );
  answers = [];
});

/** A buyer side that only remembers what was said in it. */
function fakeBuyer(said: string[]): BuyerSide {
  return {
    chat: () => ({ id: 9, status: 'WAITING_FOR_CUSTOMER', messages: [], context: { type: 'DIRECT' } }),
    write: async (_b: number, chatId: number, writing: { message?: string }) => void said.push(`${chatId}: ${writing.message}`),
    startChat: () => ({ id: 9 }),
    changeStatus: () => undefined,
  } as unknown as BuyerSide;
}

t.test('simulated buyers alone: a reply waits for the clock, and stop cancels it', async (t) => {
  const clock = frozen();
  const said: string[] = [];
  const buyers = new SimulatedBuyers({ buyer: fakeBuyer(said), clock, businessIds: () => [1001], warn: () => undefined });
  buyers.configure({ customer: { replyAfter: '2h', replies: ['Спасибо!'] } }, 1);
  buyers.start();
  const partnerWrote = { kind: 'message-sent', businessId: 1001, chat: { id: 9 }, message: { sender: 'PARTNER' } } as unknown as ChatEvent;
  buyers.onEvent(partnerWrote);
  await clock.advance(HOUR);
  t.same(said, [], 'not before its time');
  await clock.advance(HOUR);
  t.same(said, ['9: Спасибо!'], 'two hours on the clock later');
  buyers.onEvent(partnerWrote);
  buyers.stop();
  await clock.advance(3 * HOUR);
  t.equal(said.length, 1, 'stopped: the reply due is cancelled');
  t.equal(clock.pending, 0);
});

t.test('conversations alone: an expectation fails once the clock passes its `within`, and plays its otherwise', async (t) => {
  const clock = frozen();
  const said: string[] = [];
  const conversations = new Conversations({
    buyer: fakeBuyer(said),
    clock,
    events: { on: () => () => undefined },
    journal: { onCompleted: () => () => undefined },
    states: { setState: () => undefined },
    notifications: { webhook: undefined, webhookAnswers: () => Promise.resolve() },
  });
  conversations.configure({
    conversations: [
      {
        name: 'ждёт ответа',
        chatId: 9,
        steps: [{ say: 'Где заказ?' }, { expect: { within: '2h' }, otherwise: [{ say: 'Напишу в поддержку' }] }],
      },
    ],
  });
  conversations.start();
  await clock.advance(0);
  t.same(said, ['9: Где заказ?']);
  await clock.advance(HOUR + 59 * 60_000);
  t.equal(conversations.verdicts()[0].state, 'running', 'still waiting a minute before its deadline');
  await clock.advance(60_000);
  const [verdict] = conversations.verdicts();
  t.match(verdict, { state: 'failed', reason: 'steps[1].expect: nothing came from the partner within 2h' });
  t.same(said, ['9: Где заказ?', '9: Напишу в поддержку'], 'its otherwise played');
  t.equal(verdict.finishedAt, '2026-11-11T08:00:00.000Z', 'stamped on the clock');
});
