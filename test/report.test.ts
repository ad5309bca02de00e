/**
 * The integration report over real sockets: for every check, a small client that makes the mistake and sees
 * the finding with its evidence; a well-behaved client that sees none; thresholds and `off` in the scenario;
 * the JUnit output.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { XMLValidator } from 'fast-xml-parser';
import t, { type Test } from 'tap';
import { reportSummary } from '../src/report/report.js';
import { allChats, allMessages, control, eventually, receiverFor, sandboxFor, sendFile, type Client } from './helpers.js';

const B = 1001;

const report = async (client: Client) => (await client.get('/__sandbox/report')).body.result;
const findingsOf = async (client: Client, code: string) => (await report(client)).findings.filter((f: any) => f.code === code);
const journalIds = async (client: Client, operation: string) =>
  (await client.get(`/__sandbox/requests?operation=${operation}`)).body.result.requests.map((e: any) => e.id);

/** A chat where the buyer waits, found through the control API: no call of the partner's in the journal. */
async function waitingChat(client: Client): Promise<number> {
  return (await client.get(`/__sandbox/businesses/${B}/chats?status=WAITING_FOR_PARTNER`)).body.result.chats[0].chat.chatId;
}

t.test('a well-behaved client: pages to the end, backs off after 420, answers and reads pushes once', async (t) => {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, {
    rateLimits: true,
    scenario: { webhook: { url: receiver.url, duplicates: { every: 1 } }, rateLimits: { getChats: { limit: 1, window: '300ms' } } },
  });
  // The partner's loop: each CHAT_MESSAGE_SENT is read, and a buyer's message answered once, however often it arrives.
  const handled = new Set<string>();
  receiver.answer = (body) => {
    if (body.notificationType === 'CHAT_MESSAGE_SENT' && !handled.has(body.messageId)) {
      handled.add(body.messageId);
      void (async () => {
        const read = await client.get(`/v2/businesses/${B}/chats/message?chatId=${body.chatId}&messageId=${body.messageId}`);
        if (read.body.result.sender !== 'CUSTOMER') return;
        await client.post(`/v2/businesses/${B}/chats/message?chatId=${body.chatId}`, { message: 'Здравствуйте! Уже проверяем.' });
      })().catch(() => undefined); // the sandbox closed under a call: the test is over
    }
    return { status: 200, body: { version: '1.0.0', name: 'shop-bot', time: new Date().toISOString() } };
  };
  let token: string | undefined;
  let limited = 0;
  do {
    const page = await client.post(`/v2/businesses/${B}/chats?limit=20${token ? `&pageToken=${token}` : ''}`, {});
    if (page.status === 420) {
      limited++;
      await sleep(new Date(page.headers.get('x-ratelimit-resource-until')!).getTime() - Date.now() + 50);
      continue;
    }
    token = page.body.result.paging.nextPageToken;
  } while (token);
  t.ok(limited > 0, 'it met a 420 and waited it out');
  const chatId = await waitingChat(client);
  await allMessages(client, B, chatId);
  await control(client, `/chats/${chatId}/messages`, { message: 'Добрый день, где мой заказ?' });
  await eventually(async () => (await allMessages(client, B, chatId)).at(-1).sender === 'PARTNER');
  await client.sandbox.notificationsSettled();
  const result = await report(client);
  t.same(result.findings, [], 'no findings');
  const states = Object.fromEntries(result.checks.map((c: any) => [c.code, c.state]));
  t.match(
    states,
    { UNFINISHED_PAGING: 'passed', RETRY_TOO_SOON: 'passed', DUPLICATE_HANDLED_TWICE: 'passed', ANSWERS_OWN_MESSAGES: 'passed' },
    'what the run met, it passed: a long listing, a 420, a duplicate push, a push about its own message',
  );
  t.same(
    result.checks.filter((c: any) => c.state === 'not exercised').map((c: any) => c.code),
    ['REPEATED_CLIENT_ERROR', 'TRAFFIC_QUOTA_RUNS_OUT', 'TRAFFIC_ANSWERS_SLOWING'],
    'what it never met is not exercised: no 4xx, no traffic run',
  );
  t.match(result.coverage, { exercised: 10, passed: 10, failed: 0, notExercised: 3, off: 0 });
  t.ok(result.coverage.requests > 5);
});

t.test('UNFINISHED_PAGING: a listing started again while its next page was never asked for', async (t) => {
  const client = await sandboxFor(t);
  await client.post(`/v2/businesses/${B}/chats?limit=5`, {});
  await client.post(`/v2/businesses/${B}/chats?limit=5`, {});
  const [first, second] = await journalIds(client, 'getChats');
  const [finding] = await findingsOf(client, 'UNFINISHED_PAGING');
  t.match(finding, { severity: 'warning', kind: 'getChats', evidence: { requests: [first, second] }, count: 1 });
  t.match(finding.message, /nextPageToken whose page the client never asked for.*misses chats/);
  t.match(finding.fix, /pageToken/);
  await client.post(`/v2/businesses/${B}/chats?limit=5`, { statuses: ['NEW'] });
  t.equal((await findingsOf(client, 'UNFINISHED_PAGING'))[0].count, 1, 'another listing (other filters) is not the same one');
});

t.test('REPEATED_CLIENT_ERROR: the same refused call sent again unchanged', async (t) => {
  const client = await sandboxFor(t);
  for (let i = 0; i < 3; i++) await client.get(`/v2/businesses/${B}/chat?chatId=424242`);
  const ids = await journalIds(client, 'getChat');
  const [finding] = await findingsOf(client, 'REPEATED_CLIENT_ERROR');
  t.match(finding, { severity: 'error', kind: 'getChat', count: 2 });
  t.same(finding.evidence.requests, ids);
});

t.test('RETRY_TOO_SOON: calls after a 420 before the quota renews; 5xx retried without growing pauses', async (t) => {
  const limited = await sandboxFor(t, { rateLimits: true, scenario: { rateLimits: { getChats: { limit: 1, window: '1m' } } } });
  for (let i = 0; i < 3; i++) await limited.post(`/v2/businesses/${B}/chats`, {});
  const [, refused, again] = await journalIds(limited, 'getChats');
  const [afterLimit] = await findingsOf(limited, 'RETRY_TOO_SOON');
  t.match(afterLimit, { kind: 'after 420', severity: 'error', evidence: { requests: [refused, again] } });

  const failing = await sandboxFor(t, { scenario: { rules: [{ match: { operation: 'getChat' }, respond: { status: 503 } }] } });
  for (let i = 0; i < 4; i++) await failing.get(`/v2/businesses/${B}/chat?chatId=1`);
  const [noBackoff] = await findingsOf(failing, 'RETRY_TOO_SOON');
  t.match(noBackoff, { kind: 'no backoff' });
  t.equal(noBackoff.evidence.requests.length, 4);

  const patient = await sandboxFor(t, { scenario: { rules: [{ match: { operation: 'getChat' }, respond: { status: 503 } }] } });
  for (const pause of [0, 30, 120]) {
    await sleep(pause);
    await patient.get(`/v2/businesses/${B}/chat?chatId=1`);
  }
  t.same(await findingsOf(patient, 'RETRY_TOO_SOON'), [], 'growing pauses are fine');
});

t.test('PARALLEL_LIMIT: more calls at once than Market allows', async (t) => {
  const client = await sandboxFor(t, {
    rateLimits: true,
    scenario: { rateLimits: { parallel: 1 }, rules: [{ match: { operation: 'getChats' }, delay: '200ms' }] },
  });
  const answers = await Promise.all([1, 2, 3].map(() => client.post(`/v2/businesses/${B}/chats`, {})));
  t.equal(answers.filter((a) => a.status === 420).length, 2);
  const [finding] = await findingsOf(client, 'PARALLEL_LIMIT');
  t.match(finding, { severity: 'warning', count: 2 });
  t.equal(finding.evidence.requests.length, 2);
});

t.test('NOTIFICATION_FAILED: a non-200, an answer of the wrong shape, a slow PING', async (t) => {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, {
    scenario: { webhook: { url: receiver.url, attempts: 1 }, report: { NOTIFICATION_FAILED: { pingWithin: '50ms' } } },
  });
  const chatId = await waitingChat(client);
  receiver.answer = () => ({ status: 500, body: { error: { type: 'INTERNAL', message: 'упало' } } });
  await control(client, `/chats/${chatId}/messages`, { message: 'Первое' });
  await client.sandbox.notificationsSettled();
  receiver.answer = () => ({ status: 200, body: { ok: true } });
  await control(client, `/chats/${chatId}/messages`, { message: 'Второе' });
  await client.sandbox.notificationsSettled();
  receiver.answer = async () => {
    await sleep(150);
    return { status: 200, body: { version: '1', name: 'bot', time: new Date().toISOString() } };
  };
  await client.post('/__sandbox/notifications/ping');
  const log = client.sandbox.notifications();
  const findings = await findingsOf(client, 'NOTIFICATION_FAILED');
  t.same(
    findings.map((f: any) => [f.kind, f.evidence.notifications]),
    [
      ['not 200', [log[0].id]],
      ['answer shape', [log[1].id]],
      ['slow ping', [log[2].id]],
    ],
  );
  t.match(findings[1].message, /body Market would refuse \(.*required/);
});

t.test("MESSAGE_NOT_READ: a buyer's message pushed and its chat never read in time", async (t) => {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, { webhook: receiver.url, scenario: { report: { MESSAGE_NOT_READ: { within: '150ms' } } } });
  const [ignored, answered] = (await allChats(client, B, { statuses: ['WAITING_FOR_PARTNER'] })).map((c) => c.chatId);
  await client.post(`/v2/businesses/${B}/chats?limit=1`, {});
  await control(client, `/chats/${ignored}/messages`, { message: 'Ау, вы тут?' });
  await control(client, `/chats/${answered}/messages`, { message: 'Когда доставка?' });
  await client.sandbox.notificationsSettled();
  await allMessages(client, B, answered);
  const deliveredAt = Math.min(...client.sandbox.notifications().flatMap((n) => n.attempts.map((a) => Date.parse(a.at))));
  const early = await findingsOf(client, 'MESSAGE_NOT_READ');
  // Only judged once the time to read has passed (a loaded machine may already be past it here).
  if (Date.now() - deliveredAt < 150) t.same(early, [], 'not yet: the time to read has not passed');
  await sleep(200);
  const [finding] = await findingsOf(client, 'MESSAGE_NOT_READ');
  const pushed = client.sandbox.notifications().find((n) => n.chatId === ignored && n.notificationType === 'CHAT_MESSAGE_SENT')!;
  t.match(finding, { severity: 'warning', count: 1, evidence: { notifications: [pushed.id] } });
});

t.test('MESSAGE_NOT_READ: a bot that answers every push and never calls the API gets it, fresh and after a reset', async (t) => {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, { webhook: receiver.url, clock: { start: Date.parse('2026-11-11T09:00:00+03:00'), frozen: true } });
  for (const round of ['fresh', 'after a reset']) {
    await control(client, '/chats', { context: { type: 'DIRECT' }, message: 'Здравствуйте! Есть в наличии?' });
    await client.sandbox.notificationsSettled();
    t.same(await findingsOf(client, 'MESSAGE_NOT_READ'), [], `${round}: not yet, the minute to read has not passed`);
    await client.sandbox.clock.advance('1m');
    const findings = await findingsOf(client, 'MESSAGE_NOT_READ');
    t.equal(findings.length, 1, `${round}: the journal is empty, and it has dropped nothing: the bot is judged`);
    t.equal(client.sandbox.requests().length, 0, `${round}: not one call`);
    await client.sandbox.reset();
  }
  await control(client, '/chats', { context: { type: 'DIRECT' }, message: 'Ау?' });
  await client.sandbox.notificationsSettled();
  await client.call('DELETE', '/__sandbox/requests');
  await client.sandbox.clock.advance('1m');
  t.same(await findingsOf(client, 'MESSAGE_NOT_READ'), [], 'a push from before the journal was cleared cannot be judged');
});

t.test('DUPLICATE_HANDLED_TWICE: a notification delivered twice, answered twice', async (t) => {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, { scenario: { webhook: { url: receiver.url, duplicates: { every: 1 } } } });
  const chatId = await waitingChat(client);
  // It answers every buyer's message it is told of, and does not notice the same one told twice.
  receiver.answer = (body) => {
    if (body.notificationType === 'CHAT_MESSAGE_SENT') {
      void (async () => {
        const read = await client.get(`/v2/businesses/${B}/chats/message?chatId=${body.chatId}&messageId=${body.messageId}`);
        if (read.body.result.sender === 'CUSTOMER') {
          await client.post(`/v2/businesses/${B}/chats/message?chatId=${body.chatId}`, { message: 'Спасибо за обращение!' });
        }
      })().catch(() => undefined); // the sandbox closed under a call: the test is over
    }
    return { status: 200, body: { version: '1', name: 'bot', time: new Date().toISOString() } };
  };
  await control(client, `/chats/${chatId}/messages`, { message: 'Здравствуйте' });
  await client.sandbox.notificationsSettled();
  await eventually(async () => (await journalIds(client, 'sendMessageToChat')).length === 2);
  const [finding] = await findingsOf(client, 'DUPLICATE_HANDLED_TWICE');
  t.match(finding, { severity: 'error', kind: 'same reply' });
  t.same(finding.evidence.requests, await journalIds(client, 'sendMessageToChat'));
  t.equal(finding.evidence.notifications.length, 1);
});

t.test('POLLING_WITH_WEBHOOK: first pages asked for often while a webhook is set', async (t) => {
  const receiver = await receiverFor(t);
  const polling = await sandboxFor(t, { webhook: receiver.url, scenario: { report: { POLLING_WITH_WEBHOOK: { perMinute: 3 } } } });
  for (let i = 0; i < 5; i++) await polling.post(`/v2/businesses/${B}/chats?limit=20`, {});
  const [finding] = await findingsOf(polling, 'POLLING_WITH_WEBHOOK');
  t.match(finding, { severity: 'advice', evidence: { requests: await journalIds(polling, 'getChats') } });
  t.match(finding.message, /5 times in a minute/);
  const noWebhook = await sandboxFor(t, { scenario: { report: { POLLING_WITH_WEBHOOK: { perMinute: 3 } } } });
  for (let i = 0; i < 5; i++) await noWebhook.post(`/v2/businesses/${B}/chats?limit=20`, {});
  t.same(await findingsOf(noWebhook, 'POLLING_WITH_WEBHOOK'), [], 'without a webhook, polling is the way');
});

t.test('DEPRECATED_FORM: orderId in createChat, orderIds in getChats, the unprefixed paths', async (t) => {
  const client = await sandboxFor(t);
  await client.post(`/v2/businesses/${B}/chats/new`, { orderId: 777 });
  await client.post(`/v2/businesses/${B}/chats`, { orderIds: [777] });
  await client.post(`/businesses/${B}/chats`, {});
  const findings = await findingsOf(client, 'DEPRECATED_FORM');
  t.same(
    findings.map((f: any) => f.kind),
    ['createChat orderId', 'getChats orderIds', 'unprefixed path'],
  );
  t.ok(findings.every((f: any) => f.evidence.requests.length === 1 && f.severity === 'warning'));
});

t.test('CONTRACT_MISTAKE: limit over the maximum, chatId in the body, a file not multipart, no token', async (t) => {
  const client = await sandboxFor(t);
  const chatId = await waitingChat(client);
  t.equal((await client.post(`/v2/businesses/${B}/chats?limit=50`, {})).status, 400);
  t.equal((await client.post(`/v2/businesses/${B}/chats/message`, { chatId, message: 'Привет' })).status, 400);
  t.equal((await client.post(`/v2/businesses/${B}/chats/file/send?chatId=${chatId}`, { file: 'фото.jpg' })).status, 415);
  t.equal((await client.call('GET', `/v2/businesses/${B}/chat?chatId=${chatId}`, { headers: { 'Api-Key': '' } })).status, 401);
  t.equal((await sendFile(client, B, chatId, { name: 'ok.txt', content: 'ok' })).status, 200, 'a file sent right is no mistake');
  const findings = await findingsOf(client, 'CONTRACT_MISTAKE');
  t.same(
    findings.map((f: any) => f.kind),
    ['limit', 'chatId in the body', 'file not multipart', 'token'],
  );
  t.match(findings[0].message, /limit=50; the most Market gives is 20/);
});

t.test("the scenario's report: turns checks off and sets thresholds; bad settings are refused by name", async (t) => {
  const client = await sandboxFor(t, { scenario: { report: { DEPRECATED_FORM: 'off' } } });
  await client.post(`/businesses/${B}/chats`, {});
  const result = await report(client);
  t.same(result.findings, []);
  t.equal(result.checks.find((c: any) => c.code === 'DEPRECATED_FORM').state, 'off');
  for (const [scenario, message] of [
    [{ report: { UNKNOWN_CHECK: 'off' } }, 'scenario: report.UNKNOWN_CHECK: is not a known key'],
    [{ report: { MESSAGE_NOT_READ: { within: 30 } } }, 'scenario: report.MESSAGE_NOT_READ.within: must be string'],
    [{ report: { POLLING_WITH_WEBHOOK: { perMinute: 'often' } } }, 'scenario: report.POLLING_WITH_WEBHOOK.perMinute: must be integer'],
    [{ report: { PARALLEL_LIMIT: { within: '1s' } } }, 'scenario: report.PARALLEL_LIMIT.within: is not a known key'],
  ] as const) {
    const refused = await client.call('PUT', '/__sandbox/scenario', { body: scenario });
    t.equal(refused.status, 400);
    t.match(refused.body.errors[0].message, message.split(': ')[1], JSON.stringify(scenario));
    t.match(refused.body.errors[0].message, new RegExp(`^scenario: ${message.split(': ')[1].replace(/[.[\]]/g, '\\$&')}`));
  }
});

async function mistaken(t: Test) {
  const client = await sandboxFor(t, { scenario: { report: { UNFINISHED_PAGING: 'off' } } });
  await client.post(`/v2/businesses/${B}/chats?limit=50`, {});
  await client.post(`/v2/businesses/${B}/chats?limit=50`, {});
  await client.post(`/businesses/${B}/chats`, {});
  return client;
}

t.test('JUnit: one test case per check, failed for error-severity findings, warnings told, off and not exercised skipped', async (t) => {
  const client = await mistaken(t);
  const junit = await client.get('/__sandbox/report?format=junit');
  t.match(junit.headers.get('content-type'), /application\/xml/);
  t.equal(XMLValidator.validate(junit.text), true, 'valid XML');
  t.match(junit.text, /<testsuite name="integration report" tests="13" failures="2" errors="0" skipped="\d+">/);
  t.equal(junit.text.match(/<testcase /g)?.length, 13);
  t.match(junit.text, /<testcase classname="integration-report" name="CONTRACT_MISTAKE: [^"]+"><failure message="[^"]*limit=50/);
  t.match(junit.text, /name="REPEATED_CLIENT_ERROR: [^"]+"><failure/);
  t.match(junit.text, /name="DEPRECATED_FORM: [^"]+"><system-out>\[warning\] [^<]*without \/v2/);
  t.match(junit.text, /name="UNFINISHED_PAGING: [^"]+"><skipped/);
  t.equal((await client.get('/__sandbox/report?format=xml')).status, 400);
  t.same(client.sandbox.report(), await report(client), 'sandbox.report() in code is the same');
});

t.test('reset clears the report', async (t) => {
  const client = await mistaken(t);
  t.ok((await report(client)).findings.length);
  await client.post('/__sandbox/reset');
  t.same((await report(client)).findings, []);
});

t.test('a check whose condition never happened is not exercised, in JSON, JUnit and the summary, never passed', async (t) => {
  const client = await sandboxFor(t);
  const nothing = await report(client);
  t.ok(
    nothing.checks.every((c: any) => c.state === 'not exercised' && c.exercise),
    'no call and no notification: every check not exercised, each with what would exercise it',
  );
  t.match(
    reportSummary(nothing),
    /^Integration report: no findings; 0 of 13 checks exercised \(0 passed, 0 failed\), 13 not exercised \(0 calls, 0 notifications\)/,
  );
  const junit = (await client.get('/__sandbox/report?format=junit')).text;
  t.match(
    junit,
    /name="DUPLICATE_HANDLED_TWICE: [^"]+"><skipped message="not exercised: it needs a notification Market delivers twice: `webhook.duplicates: \{ every: 3 \}`"/,
  );
  t.notMatch(junit, /<system-out>/, 'none is told as if it had run');
  await client.post(`/v2/businesses/${B}/chats`, {});
  const calls = await report(client);
  const state = (code: string) => calls.checks.find((c: any) => c.code === code);
  t.equal(state('CONTRACT_MISTAKE').state, 'passed', 'a call: the checks of every call pass');
  t.match(state('RETRY_TOO_SOON'), { state: 'not exercised', exercise: /rateLimits/ }, 'no 420 nor 5xx: not exercised');
  t.match(state('NOTIFICATION_FAILED'), { state: 'not exercised', exercise: /webhook/ });
  t.match(reportSummary(calls), /1 call, 0 notifications\)\n {2}not exercised: REPEATED_CLIENT_ERROR, RETRY_TOO_SOON, PARALLEL_LIMIT,/);
});

t.test('ANSWERS_OWN_MESSAGES: a bot that answers every push answers itself, in a loop', async (t) => {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, { scenario: { webhook: { url: receiver.url } } });
  let sent = 0;
  // The classic mistake: every CHAT_MESSAGE_SENT answered, its sender never read (ten times, then the test stops it).
  receiver.answer = (body) => {
    if (body.notificationType === 'CHAT_MESSAGE_SENT' && sent < 10) {
      sent++;
      void client
        .post(`/v2/businesses/${B}/chats/message?chatId=${body.chatId}`, { message: 'Здравствуйте! Чем помочь?' })
        .catch(() => undefined);
    }
    return { status: 200, body: { version: '1.0.0', name: 'loop-bot', time: new Date().toISOString() } };
  };
  const chatId = await waitingChat(client);
  await control(client, `/chats/${chatId}/messages`, { message: 'Подскажите, где заказ?' });
  await eventually(() => sent >= 10);
  await client.sandbox.notificationsSettled();
  const [finding] = await findingsOf(client, 'ANSWERS_OWN_MESSAGES');
  t.match(finding, {
    severity: 'error',
    kind: 'reply loop',
    message: new RegExp(`^In chat ${chatId} the partner answered its own messages 9 times in a row`),
  });
  t.equal(finding.evidence.requests.length, 9, 'each reply to itself is evidence');
  t.match(reportSummary(await report(client)), /^Integration report: 1 finding, 1 error;/, 'in words that match');
});

t.test(
  'NOTIFICATION_FAILED names the types that failed, counts notifications as its evidence does; a PING timeout is one finding',
  async (t) => {
    const receiver = await receiverFor(t);
    receiver.answer = (body) =>
      body.notificationType === 'PING' ? 'hang' : { status: 500, body: { error: { type: 'DOWN', message: 'упал' } } };
    const client = await sandboxFor(t, { scenario: { webhook: { url: receiver.url, attempts: 3, backoff: '1ms' } } });
    const chatId = (await control(client, '/chats', { context: { type: 'DIRECT' } })).body.result.chatId;
    for (const text of ['Где заказ?', 'Ау?', 'Вы тут?']) await control(client, `/chats/${chatId}/messages`, { message: text });
    await client.sandbox.notificationsSettled();
    await client.post('/__sandbox/notifications/ping');
    const findings = await findingsOf(client, 'NOTIFICATION_FAILED');
    const sent = findings.find((f: any) => /^A CHAT_MESSAGE_SENT/.test(f.message));
    t.match(sent, { kind: 'not 200', count: 3, message: /^A CHAT_MESSAGE_SENT notification got HTTP 500 instead of 200 \(3 times\)\./ });
    t.equal(sent.evidence.notifications.length, 3, 'three notifications (nine attempts), as the count says');
    t.match(
      findings.find((f: any) => /CHAT_CREATED/.test(f.message)),
      { count: 1 },
    );
    const pings = findings.filter((f: any) => /^A PING/.test(f.message));
    t.equal(pings.length, 1, 'one PING that got no answer: one finding');
    t.match(pings[0].message, /^A PING notification got no answer in time instead of 200\./);
  },
);

t.test("RETRY_TOO_SOON: 5xx retries are told Market's reason for them, not the 420's", async (t) => {
  const client = await sandboxFor(t, { scenario: { rules: [{ match: { operation: 'getChats' }, respond: { status: 503 } }] } });
  for (let i = 0; i < 3; i++) await client.post(`/v2/businesses/${B}/chats`, {});
  const [finding] = await findingsOf(client, 'RETRY_TOO_SOON');
  t.match(finding, { kind: 'no backoff', message: /growing pauses/ });
  t.notMatch(finding.message, /quota renews/);
});
