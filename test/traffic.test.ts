/**
 * Traffic: buyers in volume against real webhook bots over sockets: the reference bot gets a passed verdict,
 * a slow bot and one that ignores chats fail it by name, a small quota shows the partner's 420s, a run stops,
 * one seed plays the same buyers, and bad settings are refused naming the field.
 */
import { XMLValidator } from 'fast-xml-parser';
import t, { type Test } from 'tap';
import type { Scenario, TrafficReport } from '../src/index.js';
// @ts-expect-error the reference bot is plain JavaScript, as a user would copy it
import { startBot } from '../examples/partner-bot/bot.mjs';
import { makeReport } from '../src/report/report.js';
import { allChats, allMessages, GOOD_ANSWER, receiverFor, sandboxFor, schemaValidator, type Client } from './helpers.js';

t.setTimeout(120_000);

/** A short, busy run: buyers for 2 s, ten a second, quick to write again and short of patience. */
const SHORT = {
  duration: '2s',
  start: { on: 'webhook' as const },
  chats: { perMinute: 600 },
  messages: { perChat: { min: 1, max: 2 }, replyAfter: { min: '50ms', max: '200ms' }, patience: '800ms' },
  interval: '500ms',
};

async function withBot(t: Test, scenario: Scenario, answerAfterMs?: (chatId: number) => number | undefined) {
  // The scenario is played once the bot listens: its traffic waits for the webhook, which must be set.
  const client = await sandboxFor(t, { rateLimits: scenario.rateLimits === undefined ? false : undefined });
  if (!answerAfterMs) {
    // The reference bot, as a user runs it: it also catches up with the chats already waiting at its start.
    const bot = await startBot({ api: client.sandbox.url, port: 0 });
    t.teardown(() => bot.close());
    await client.call('PUT', '/__sandbox/scenario', { body: { ...scenario, webhook: { url: bot.url } } });
    return client;
  }
  // A bot of the test's own: it reads each buyer message and answers after a while, or never.
  const receiver = await receiverFor(t);
  const timers = new Set<NodeJS.Timeout>();
  t.teardown(() => timers.forEach(clearTimeout));
  receiver.answer = (push: { notificationType: string; businessId: number; chatId: number; messageId: string }) => {
    if (push.notificationType === 'CHAT_MESSAGE_SENT') {
      void client.get(`/v2/businesses/${push.businessId}/chats/message?chatId=${push.chatId}&messageId=${push.messageId}`).then((read) => {
        const after = answerAfterMs(push.chatId);
        if (read.body.result?.sender !== 'CUSTOMER' || after === undefined) return;
        const timer = setTimeout(() => {
          timers.delete(timer);
          void client.post(`/v2/businesses/${push.businessId}/chats/message?chatId=${push.chatId}`, { message: 'Ответили вам.' });
        }, after);
        timers.add(timer);
      });
    }
    return GOOD_ANSWER();
  };
  await client.call('PUT', '/__sandbox/scenario', { body: { ...scenario, webhook: { url: receiver.url } } });
  return client;
}

const settled = (client: Client) => client.sandbox.trafficSettled();

/** A report's input with no call and no push, for the traffic checks alone. */
const QUIET_RUN = {
  requests: [],
  requestsKnownSince: undefined,
  notifications: [],
  webhook: true,
  limits: true,
  now: 0,
  senderOf: () => undefined,
};

t.test('the reference bot answers every buyer: a passed verdict, figures per interval, JUnit and the event stream', async (t) => {
  const client = await withBot(t, { traffic: { ...SHORT, files: 0.3, expect: { answered: '100%', answeredWithin: '2s', p95: '1s' } } });
  const events = client.sandbox.events();
  const report = await settled(client);
  t.equal(report.state, 'finished');
  t.ok(report.chats >= 5, `${report.chats} chats`);
  t.equal(report.answered, report.buyerMessages, 'every buyer message answered');
  t.equal(report.unanswered, 0);
  t.same(report.verdict, { state: 'passed', reasons: [] });
  const integration = client.sandbox.report();
  t.same(integration.findings, [], 'the reference bot passes the integration report with no finding');
  t.ok(
    integration.checks.every((check) => check.state === 'passed' || check.state === 'not exercised'),
    'every check passed (or was not exercised)',
  );
  t.ok(report.pushes.delivered >= report.buyerMessages, 'pushes delivered');
  t.ok(report.partnerCalls.sendMessageToChat['2xx'] >= report.buyerMessages, "the partner's answers counted");
  t.ok(report.series.length >= 4, 'a point per interval');
  t.equal(
    report.series.reduce((n, point) => n + point.buyerMessages, 0),
    report.buyerMessages,
    'the series adds up',
  );
  t.ok(
    report.series.some((point) => point.chats.length > 0),
    'each point names its chats',
  );
  const chats = await allChats(client, 1001, { statuses: ['WAITING_FOR_CUSTOMER'] });
  t.ok(
    report.series[0].chats.every(({ chatId }) => chats.some((c) => c.chatId === chatId)),
    'the chats are there, answered',
  );
  const withFiles = [];
  for (const { chatId } of report.series.flatMap((point) => point.chats)) {
    withFiles.push(...(await allMessages(client, 1001, chatId)).filter((m) => m.payload?.length));
  }
  t.ok(withFiles.length > 0, 'some buyer messages carry a file');
  const file = await fetch(withFiles[0].payload[0].url);
  t.match(file.headers.get('content-type'), /^(image\/jpeg|image\/png|application\/pdf)/);
  t.equal((await file.arrayBuffer()).byteLength, 60_000, 'of its size, made on request');

  const answer = await client.get('/__sandbox/traffic');
  const problems = (await schemaValidator(client))('/__sandbox/traffic', 'GET', answer);
  t.same(problems, [], 'the answer has the documented shape');
  const junit = await client.get('/__sandbox/traffic?format=junit');
  t.equal(XMLValidator.validate(junit.text), true);
  t.match(junit.text, /<testcase classname="traffic" name="traffic"><system-out>/);

  const seen: string[] = [];
  for await (const event of events) {
    if (event.type !== 'traffic') continue;
    seen.push(event.traffic.state);
    if (event.traffic.state === 'finished') {
      t.equal(event.traffic.verdict.state, 'passed', 'the last event carries the verdict');
      break;
    }
  }
  t.ok(seen.filter((state) => state === 'running').length >= 3, 'a traffic event each interval');
});

t.test('the reference bot passes a traffic run of the defaults, ten minutes squeezed by moving the clock', async (t) => {
  const client = await withBot(t, { clock: { frozen: true }, traffic: { start: { on: 'webhook' }, chats: { perMinute: 30 } } });
  // The bot answers in real time between the clock's steps: each buyer is answered within a step.
  while (client.sandbox.traffic().state !== 'finished') {
    await client.sandbox.clock.advance('2s');
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  const report = client.sandbox.traffic();
  t.ok(report.chats > 200, `${report.chats} chats over ten minutes of the clock`);
  t.same(report.verdict, { state: 'passed', reasons: [] }, 'the default thresholds: 95% answered within 5m');
  t.equal(report.answered, report.buyerMessages);
});

t.test('a slow bot and one that ignores chats fail the verdict, naming the thresholds missed', async (t) => {
  const slow = await withBot(
    t,
    { traffic: { ...SHORT, messages: { ...SHORT.messages, patience: '5s' }, expect: { p95: '300ms' } } },
    () => 600,
  );
  const slowReport = await settled(slow);
  t.equal(slowReport.verdict.state, 'failed');
  t.match(slowReport.verdict.reasons, [/^p95: answer time \d[\d.]* ?m?s, expected at most 300ms \(.* over\)$/]);

  const ignoring = await withBot(t, { traffic: SHORT }, (chatId) => (chatId % 3 === 0 ? undefined : 0));
  const report = await settled(ignoring);
  t.equal(report.verdict.state, 'failed');
  t.match(report.verdict.reasons, [
    /^answered: \d+\.\d% of \d+ buyer messages were answered within 5m, expected at least 95\.0% \(\d+\.\d points short\)$/,
  ]);
  t.ok(report.gaveUp > 0, `${report.gaveUp} buyers gave up`);
  t.ok(report.buyerMessages > report.chats, 'nudges are buyer messages too');
  t.equal((await ignoring.get('/__sandbox/health')).status, 200, 'the sandbox goes on');
});

t.test("a small quota: the partner's 420s, and when the quota runs out at the present pace", async (t) => {
  const client = await withBot(t, {
    rateLimits: { sendMessageToChat: { limit: 8, window: '1h' } },
    traffic: { ...SHORT, duration: '3s', messages: { ...SHORT.messages, patience: '1s' } },
  });
  const report = await settled(client);
  t.ok(report.partnerCalls.sendMessageToChat['420'] > 0, `${report.partnerCalls.sendMessageToChat['420']} answers refused with 420`);
  t.ok(report.partnerCalls.sendMessageToChat['2xx'] <= 8, 'the quota, and no more (the bot spent some catching up before the run)');
  const quota = report.quotas.find((q) => q.businessId === 1001 && q.operation === 'sendMessageToChat')!;
  t.match(quota, { limit: 8, remaining: 0 });
  t.ok(
    report.series.some((point) => point.calls420 > 0 && point.quotaLeft === 0),
    'the series shows the 420s and the quota at 0',
  );
  t.match(
    client.sandbox.report().findings.find((f) => f.code === 'TRAFFIC_QUOTA_RUNS_OUT'),
    {
      severity: 'warning',
      kind: 'ran out',
      message: /^sendMessageToChat's quota ran out during the traffic run: \d+ calls were refused with 420/,
    },
    'the integration report tells of it',
  );
  t.equal(report.verdict.state, 'failed');
});

t.test('started and stopped by the control API; 409 while one runs; reset clears it', async (t) => {
  const client = await sandboxFor(t);
  t.match((await client.get('/__sandbox/traffic')).body.result, { state: 'none', verdict: { state: 'pending' } });
  const refused = await client.post('/__sandbox/traffic/stop', {});
  t.equal(refused.status, 409);
  t.match(refused.body, { status: 'ERROR', errors: [{ code: 'CONFLICT', message: 'no traffic run is under way' }] });
  t.equal((await client.call('POST', '/__sandbox/traffic/start')).status, 409, 'no traffic in the scenario, none in the body');

  const started = await client.post('/__sandbox/traffic/start', { duration: '1h', chats: { perMinute: 600 } });
  t.equal(started.status, 200);
  t.equal(started.body.result.state, 'running');
  const again = await client.post('/__sandbox/traffic/start', { chats: { perMinute: 1 } });
  t.equal(again.status, 409);
  t.match(again.body.errors[0].message, /^a traffic run is under way \(started at \d{4}-.*\): stop it first/);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const stopped = await client.post('/__sandbox/traffic/stop', {});
  t.equal(stopped.body.result.state, 'stopped');
  t.ok(stopped.body.result.chats > 0, 'buyers came until it stopped');
  t.equal(stopped.body.result.verdict.state, 'failed', 'nobody answered them');
  const chats = stopped.body.result.chats;
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.equal((await client.get('/__sandbox/traffic')).body.result.chats, chats, 'no buyer arrives after the stop');
  await client.post('/__sandbox/reset', {});
  t.equal((await client.get('/__sandbox/traffic')).body.result.state, 'none', 'reset clears it');
});

t.test("the same seed plays the same buyers at the same offsets; traffic follows the sandbox's clock", async (t) => {
  const scenario: Scenario = {
    seed: 77,
    clock: { start: '2026-11-11T09:00:00+03:00', frozen: true },
    traffic: { duration: '1h', chats: { perMinute: 2, ramp: '10m' }, businesses: [1001, 2002], mix: { RETURN: 1, DIRECT: 1 } },
  };
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const client = await sandboxFor(t, { scenario });
    await client.sandbox.clock.advance('20m');
    const report = client.sandbox.traffic();
    const chats = [...(await allChats(client, 1001)), ...(await allChats(client, 2002))].filter(
      (chat) => Date.parse(chat.createdAt) >= Date.parse('2026-11-11T09:00:00+03:00'),
    );
    runs.push({ chats: chats.map((c) => [c.chatId, c.context.type, c.createdAt, c.status]), buyerMessages: report.buyerMessages });
  }
  t.ok(runs[0].chats.length >= 10, `${runs[0].chats.length} buyers in 20 minutes of the clock`);
  t.same(runs[1], runs[0], 'byte for byte the same buyers');
  t.ok(
    runs[0].chats.every(([, type]) => type === 'RETURN' || type === 'DIRECT'),
    'only the context types of the mix',
  );

  const client = await sandboxFor(t, { scenario });
  await client.sandbox.clock.advance('1h');
  await client.sandbox.clock.advance('10m');
  const report = await client.sandbox.trafficSettled();
  t.equal(report.state, 'finished', 'an hour of traffic squeezed by moving the clock');
  t.equal(report.gaveUp, report.chats, 'nobody answered: every buyer nudged, then gave up');
  t.equal(report.buyerMessages, report.chats * 2);
});

t.test('bad traffic settings are refused at load and at start, naming the field', async (t) => {
  const client = await sandboxFor(t);
  const cases: [unknown, RegExp][] = [
    [{ chats: { perMinute: -1 } }, /chats\.perMinute: must be > 0/],
    [{ chats: { perMinute: 'many' } }, /chats\.perMinute: must be number/],
    [{ chats: { perMinute: 1 }, files: 1.5 }, /files: must be <= 1/],
    [{ chats: { perMinute: 1 }, expect: { answered: '101%' } }, /expect\.answered: must be a percentage from 0% to 100%/],
    [{ chats: { perMinute: 1 }, mix: { ARBITRAGE: 1 } }, /mix\.ARBITRAGE: is not a known key/],
    [{ chats: { perMinute: 1 }, mix: { ORDER: 0 } }, /mix: must give some context type a share above 0/],
    [{ chats: { perMinute: 1 }, businesses: [0] }, /businesses\[0\]: must be >= 1/],
    [{ chats: { perMinute: 1 }, pace: 3 }, /pace: is not a known key/],
    [{ chats: { perMinute: 1 }, messages: { perChat: { min: 3, max: 1 } } }, /messages\.perChat\.min: must not be more than max/],
    [
      { chats: { perMinute: 6000 }, duration: '7d' },
      /chats\.perMinute: brings about 60480000 buyers over the duration: at most 200000 a run/,
    ],
    [{ chats: { perMinute: 60 }, interval: '100ms', duration: '1h' }, /interval: makes 36000 points of the duration: at most 10000/],
  ];
  for (const [traffic, message] of cases) {
    const started = await client.post('/__sandbox/traffic/start', traffic);
    t.equal(started.status, 400, `start ${JSON.stringify(traffic)}`);
    t.match(started.body, { status: 'ERROR', errors: [{ code: 'BAD_REQUEST', message: new RegExp(`^traffic: ${message.source}`) }] });
    const loaded = await client.call('PUT', '/__sandbox/scenario', { body: { traffic } });
    t.equal(loaded.status, 400, `load ${JSON.stringify(traffic)}`);
    t.match(loaded.body.errors[0].message, new RegExp(`^scenario: traffic\\.${message.source}`));
  }
  t.throws(() => client.sandbox.startTraffic({ chats: { perMinute: 0 } }), /traffic: chats\.perMinute: must be > 0/);
  const waiting = await client.call('PUT', '/__sandbox/scenario', {
    body: { traffic: { start: { on: 'webhook' }, chats: { perMinute: 1 } } },
  });
  t.equal(waiting.status, 400, 'waiting for a webhook that is not set');
  t.match(waiting.body.errors[0].message, /traffic\.start\.on: waits for the webhook, but none is set/);
  t.equal((await client.get('/__sandbox/traffic')).body.result.state, 'none', 'nothing was started');
});

t.test('the integration report: answers that slow down as the backlog grows', async (t) => {
  const point = (p50: number, backlog: number) => ({
    at: '',
    buyerMessages: 5,
    answers: 5,
    backlog,
    p50,
    p95: p50,
    calls420: 0,
    errors: 0,
    quotaLeft: null,
    chats: [],
  });
  const client = await sandboxFor(t);
  const traffic = { ...client.sandbox.traffic(), state: 'finished' as const, startedAt: '2026-12-05T10:00:00.000Z' };
  const input = QUIET_RUN;
  const slowing = makeReport({
    ...input,
    traffic: { ...traffic, series: [point(200, 0), point(300, 1), point(2500, 8), point(4000, 20)] },
  });
  t.match(slowing.findings, [
    {
      code: 'TRAFFIC_ANSWERS_SLOWING',
      message: /went from \d+ ms early in the traffic run to 4000 ms late in it, while unanswered buyer messages grew from \d+ to 20/,
    },
  ]);
  const steady = makeReport({ ...input, traffic: { ...traffic, series: [point(200, 0), point(250, 1), point(220, 0)] } });
  t.same(steady.findings, []);
  t.equal(steady.checks.find((c) => c.code === 'TRAFFIC_ANSWERS_SLOWING')!.state, 'passed');
  t.equal(
    makeReport(input).checks.find((c) => c.code === 'TRAFFIC_ANSWERS_SLOWING')!.state,
    'not exercised',
    'no traffic run: not exercised',
  );
});

t.test('reports and figures have the documented types in code', async (t) => {
  const client = await sandboxFor(t);
  const report: TrafficReport = client.sandbox.startTraffic({ chats: { perMinute: 600 }, duration: '1s', messages: { patience: '100ms' } });
  t.equal(report.state, 'running');
  t.equal((await client.sandbox.trafficSettled()).state, 'finished');
});

t.test("TRAFFIC_QUOTA_RUNS_OUT is judged at the run's busiest interval, not its quiet end", async (t) => {
  const client = await sandboxFor(t);
  const traffic = { ...client.sandbox.traffic(), state: 'finished' as const, startedAt: '2026-12-05T10:00:00.000Z' };
  const quota = {
    businessId: 1001,
    operation: 'getChatMessage' as const,
    limit: 1000,
    remaining: 400,
    renewsAt: '2026-12-05T11:00:00.000Z',
    perMinute: 2,
    runsOutAt: null,
  };
  const input = QUIET_RUN;
  const peak = { from: '2026-12-05T10:10:00.000Z', to: '2026-12-05T10:11:00.000Z', perMinute: 60, runsOutAt: '2026-12-05T10:20:00.000Z' };
  const report = makeReport({ ...input, traffic: { ...traffic, quotas: [{ ...quota, worst: peak }] } });
  t.match(report.findings, [
    {
      code: 'TRAFFIC_QUOTA_RUNS_OUT',
      kind: 'runs out',
      message:
        /^At the pace of the traffic run's interval from 2026-12-05T10:10:00\.000Z to 2026-12-05T10:11:00\.000Z \(60 calls a minute\), getChatMessage's quota of business 1001 \(1000 a window\) would have run out at 2026-12-05T10:20:00\.000Z/,
    },
  ]);
  t.match(report.findings[0].message, /getChatMessage and sendMessageToChat 1 000, getChatHistory 10 000/, "Market's quotas named right");
  const calm = makeReport({ ...input, traffic: { ...traffic, quotas: [{ ...quota, worst: { ...peak, runsOutAt: null } }] } });
  t.same(calm.findings, [], 'a run whose every interval keeps within the quota passes');
});
