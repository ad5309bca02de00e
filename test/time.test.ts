/**
 * The sandbox's clock over real sockets: read and moved through the control API and in code, and everything
 * that follows it (quotas, push retries, conversations' deadlines, simulated buyers, link expiry, the times
 * of new messages and journal entries) happening when it is moved past; a fixed, frozen clock repeating a
 * run byte for byte.
 */
import t from 'tap';
import type { FeedEvent } from '../src/index.js';
import { allMessages, receiverFor, sandboxFor, schemaValidator, type Client } from './helpers.js';

const B = 1001;
const START = '2026-11-11T09:00:00+03:00';

const moveClock = (client: Client, body: unknown) => client.post('/__sandbox/clock', body);

t.test('GET and POST /__sandbox/clock: the time, moved forward, answered as documented', async (t) => {
  const client = await sandboxFor(t, { clock: { start: Date.parse(START), frozen: true } });
  const valid = await schemaValidator(client);
  const now = await client.get('/__sandbox/clock');
  t.same(valid('/__sandbox/clock', 'GET', now), []);
  t.match(now.body.result, { now: '2026-11-11T06:00:00.000Z', frozen: true });
  const moved = await moveClock(client, { advance: '1h' });
  t.same(valid('/__sandbox/clock', 'POST', moved), []);
  t.match(moved.body.result, { now: '2026-11-11T07:00:00.000Z', frozen: true, ran: 0 });
  const to = await moveClock(client, { to: '2026-11-12T00:00:00+03:00' });
  t.equal(to.body.result.now, '2026-11-11T21:00:00.000Z');
  t.equal((await client.get('/__sandbox/health')).body.result.now, '2026-11-11T21:00:00.000Z', 'health tells the time too');
  t.equal(client.sandbox.clock.now().toISOString(), '2026-11-11T21:00:00.000Z', 'and so does sandbox.clock');
  t.equal((await client.sandbox.clock.advance('2d')).toISOString(), '2026-11-13T21:00:00.000Z', 'in code, days too');
  await client.sandbox.clock.set(new Date('2026-11-14T00:00:00Z'));
  await t.rejects(client.sandbox.clock.set('2026-11-01T00:00:00Z'), { name: 'ClockError', message: /^to: .* time never goes backwards/ });
  await t.rejects(client.sandbox.clock.advance('soon'), { name: 'ClockError', message: /^advance: "soon" is not a duration/ });
  await client.post('/__sandbox/reset');
  t.equal((await client.get('/__sandbox/clock')).body.result.now, '2026-11-11T06:00:00.000Z', 'a reset brings the clock back to its start');
});

t.test('bad moves are 400s in the envelope that name the field', async (t) => {
  const client = await sandboxFor(t);
  const cases: [unknown, RegExp][] = [
    [{ to: '2020-01-01T00:00:00Z' }, /^to: 2020-01-01T00:00:00.000Z is before the sandbox's time .*; time never goes backwards$/],
    [{ to: 'tomorrow' }, /^to: /],
    [{ advance: '-1h' }, /^advance: must be a duration such as 800ms, 30s, 1m, 1h or 1d/],
    [{ advance: '1 hour' }, /^advance: /],
    [{ advance: 60 }, /^advance: /],
    [{ advance: '1h', to: '2030-01-01T00:00:00Z' }, /^advance: give either advance .* or to/],
    [{}, /^advance: give either advance/],
    [{ advance: '1h', by: 'me' }, /^by: is not part of a move of the clock/],
  ];
  for (const [body, message] of cases) {
    const answer = await moveClock(client, body);
    t.equal(answer.status, 400, JSON.stringify(body));
    t.match(answer.body, { status: 'ERROR', errors: [{ code: 'BAD_REQUEST', message }] }, JSON.stringify(body));
  }
  const malformed = await client.call('POST', '/__sandbox/clock', { raw: '{"advance":', headers: { 'content-type': 'application/json' } });
  t.equal(malformed.status, 400, 'malformed JSON');
});

t.test("past the hour's quota, moving the clock to X-RateLimit-Resource-Until gives it back", async (t) => {
  const client = await sandboxFor(t, {
    rateLimits: true,
    clock: { start: Date.parse(START), frozen: true },
    scenario: { rateLimits: { getChats: { limit: 2, window: '1h' } } },
  });
  const chats = `/v2/businesses/${B}/chats`;
  await client.post(chats);
  await client.post(chats);
  const spent = await client.post(chats);
  t.equal(spent.status, 420);
  const until = spent.headers.get('x-ratelimit-resource-until')!;
  t.equal(until, 'Wed, 11 Nov 2026 07:00:00 GMT', "Market's real window, an hour of the sandbox's time");
  t.equal(spent.headers.get('date'), 'Wed, 11 Nov 2026 06:00:00 GMT', 'Date is the same clock: Until − Date is the wait');
  await moveClock(client, { advance: '30m' });
  const later = await client.post(chats);
  t.equal(Date.parse(until) - Date.parse(later.headers.get('date')!), 30 * 60_000, 'half an hour later, half an hour to wait');
  const refused = await client.call('POST', '/__sandbox/clock', { body: { advance: 'soon' } });
  t.equal(refused.headers.get('date'), 'Wed, 11 Nov 2026 06:30:00 GMT', 'an error carries it too');
  const stream = await fetch(`${client.sandbox.url}/__sandbox/events`);
  t.equal(stream.headers.get('date'), 'Wed, 11 Nov 2026 06:30:00 GMT', 'and the event stream');
  await stream.body?.cancel();
  await moveClock(client, { to: new Date(until).toISOString() });
  const renewed = await client.post(chats);
  t.equal(renewed.status, 200, 'the quota renewed when the clock reached it');
  t.equal(renewed.headers.get('x-ratelimit-resource-remaining'), '1');
  t.equal(renewed.headers.get('x-ratelimit-resource-until'), 'Wed, 11 Nov 2026 08:00:00 GMT');
});

t.test('a push that failed is retried when the clock reaches its retry; the event stream tells the move', async (t) => {
  const receiver = await receiverFor(t);
  let failing = true;
  receiver.answer = () =>
    failing
      ? { status: 500, body: { error: { type: 'DOWN', message: 'упал' } } }
      : { status: 200, body: { version: '1', name: 'bot', time: 'x' } };
  const client = await sandboxFor(t, {
    clock: { start: Date.parse(START), frozen: true },
    scenario: { webhook: { url: receiver.url, backoff: '30m', attempts: 3 } },
  });
  const events: FeedEvent[] = [];
  void (async () => {
    for await (const event of client.sandbox.events()) if (event.type === 'clock' || event.type === 'notification') events.push(event);
  })();
  const started = await client.post(`/__sandbox/businesses/${B}/chats`, { context: { type: 'DIRECT' } });
  t.equal(started.status, 200);
  await receiver.waitFor(1);
  const pending = async () => (await client.get('/__sandbox/notifications')).body.result.notifications[0];
  for (let i = 0; i < 100 && (await pending()).nextAttemptAt === null; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  t.match(await pending(), { state: 'pending', nextAttemptAt: '2026-11-11T06:30:00.000Z' });
  failing = false;
  const moved = await moveClock(client, { advance: '30m' });
  t.equal(moved.body.result.ran, 1, 'one thing fell due: the retry');
  const entry = await pending();
  t.equal(entry.state, 'delivered', 'delivered by the retry, before the move answered');
  t.same(
    entry.attempts.map((a: { at: string }) => a.at),
    ['2026-11-11T06:00:00.000Z', '2026-11-11T06:30:00.000Z'],
  );
  t.equal(receiver.received.length, 2);
  t.ok(
    events.some((e) => e.type === 'clock' && e.now === '2026-11-11T06:30:00.000Z'),
    'a clock event says where the clock went',
  );
});

t.test('a conversation fails when the clock passes its within: 2h, and plays its otherwise', async (t) => {
  const client = await sandboxFor(t, {
    clock: { start: Date.parse(START), frozen: true },
    scenario: {
      conversations: [
        {
          name: 'покупатель ждёт ответа два часа',
          steps: [{ say: 'Здравствуйте! Где мой заказ?' }, { expect: { within: '2h' }, otherwise: [{ say: 'Пожалуюсь в поддержку' }] }],
        },
      ],
    },
  });
  await moveClock(client, { advance: '1h' });
  t.equal(client.sandbox.conversations()[0].state, 'running', 'an hour is not two');
  await moveClock(client, { advance: '1h' });
  const [verdict] = client.sandbox.conversations();
  t.match(verdict, {
    state: 'failed',
    reason: 'steps[1].expect: nothing came from the partner within 2h',
    finishedAt: '2026-11-11T08:00:00.000Z',
  });
  const messages = await allMessages(client, B, verdict.chatId!);
  t.same(
    messages.map((m) => [m.message, m.createdAt]),
    [
      ['Здравствуйте! Где мой заказ?', '2026-11-11T09:00:00+03:00'],
      ['Пожалуюсь в поддержку', '2026-11-11T11:00:00+03:00'],
    ],
    "the buyer's messages carry the clock's times",
  );
});

t.test('a simulated buyer replies when the clock reaches replyAfter', async (t) => {
  const client = await sandboxFor(t, {
    clock: { start: Date.parse(START), frozen: true },
    scenario: { customer: { replyAfter: '3h', replies: ['Спасибо, жду'] } },
  });
  const chatId = (await client.post(`/__sandbox/businesses/${B}/chats`, { context: { type: 'DIRECT' }, message: 'Есть размер M?' })).body
    .result.chatId;
  await client.post(`/v2/businesses/${B}/chats/message?chatId=${chatId}`, { message: 'Да, есть' });
  await moveClock(client, { advance: '3h' });
  const messages = await allMessages(client, B, chatId);
  t.same(messages.at(-1), { ...messages.at(-1), sender: 'CUSTOMER', message: 'Спасибо, жду', createdAt: '2026-11-11T12:00:00+03:00' });
});

t.test('a payload link expires when the clock passes expireAfter', async (t) => {
  const client = await sandboxFor(t, { clock: { start: Date.parse(START), frozen: true }, scenario: { files: { expireAfter: '10m' } } });
  const chatId = (await client.post(`/__sandbox/businesses/${B}/chats`, { context: { type: 'DIRECT' }, message: 'Вот фото' })).body.result
    .chatId;
  const form = new FormData();
  form.append('file', new Blob(['%PDF-1.4 чек']), 'чек.pdf');
  await fetch(`${client.sandbox.url}/__sandbox/businesses/${B}/chats/${chatId}/messages`, { method: 'POST', body: form });
  const url = (await allMessages(client, B, chatId)).at(-1).payload[0].url;
  t.equal((await fetch(url)).status, 200, 'fresh');
  await moveClock(client, { advance: '10m' });
  const expired = await fetch(url);
  t.equal(expired.status, 403, 'ten minutes on the clock later');
  t.match(await expired.json(), { errors: [{ message: /^expires: the link expired at 2026-11-11T06:10:00.000Z/ }] });
});

t.test('moving the clock while calls and pushes are under way loses nothing and answers no 5xx', async (t) => {
  const receiver = await receiverFor(t);
  // Every third push fails its first attempt: retries fall due while the clock is being moved.
  const attempts = new Map<string, number>();
  receiver.answer = (body) => {
    const key = `${body.notificationType}:${body.chatId}:${body.messageId ?? ''}`;
    const seen = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, seen);
    return receiver.received.length % 3 === 0 && seen === 1
      ? { status: 500, body: { error: { type: 'BUSY', message: 'занято' } } }
      : { status: 200, body: { version: '1', name: 'bot', time: 'x' } };
  };
  const client = await sandboxFor(t, {
    clock: { start: Date.parse(START) },
    scenario: { webhook: { url: receiver.url, backoff: '2m', attempts: 10 } },
  });
  const chat = (await client.post(`/__sandbox/businesses/${B}/chats`, { context: { type: 'DIRECT' } })).body.result;
  const COUNT = 30;
  const statuses: number[] = [];
  const partner = (async () => {
    for (let i = 0; i < COUNT; i++) {
      const sent = await client.post(`/v2/businesses/${B}/chats/message?chatId=${chat.chatId}`, { message: `Ответ ${i}` });
      statuses.push(sent.status);
    }
  })();
  const buyer = (async () => {
    for (let i = 0; i < COUNT; i++) {
      const said = await client.post(`/__sandbox/businesses/${B}/chats/${chat.chatId}/messages`, { message: `Вопрос ${i}` });
      statuses.push(said.status);
    }
  })();
  const mover = (async () => {
    for (let i = 0; i < 20; i++) statuses.push((await moveClock(client, { advance: '1m' })).status);
  })();
  await Promise.all([partner, buyer, mover]);
  // Whatever retry is still waiting falls due now.
  statuses.push((await moveClock(client, { advance: '1h' })).status);
  await client.sandbox.notificationsSettled();
  t.same(
    statuses.filter((status) => status !== 200),
    [],
    'every call and every move answered 200',
  );
  const texts = (await allMessages(client, B, chat.chatId)).map((m) => m.message);
  for (let i = 0; i < COUNT; i++) {
    t.equal(texts.filter((text) => text === `Ответ ${i}`).length, 1, `the partner's message ${i} is in the history once`);
    t.equal(texts.filter((text) => text === `Вопрос ${i}`).length, 1, `the buyer's message ${i} is in the history once`);
  }
  const pushed = (await client.get('/__sandbox/notifications?type=CHAT_MESSAGE_SENT')).body.result.notifications;
  t.equal(pushed.length, COUNT * 2, 'a push for every message');
  t.same(
    pushed.filter((entry: { state: string }) => entry.state !== 'delivered'),
    [],
    'every push delivered, some by a retry',
  );
  t.ok(
    pushed.some((entry: { attempts: unknown[] }) => entry.attempts.length > 1),
    'retries fell due during the moves',
  );
});

t.test('new messages and journal entries carry the new day once the clock is moved', async (t) => {
  const client = await sandboxFor(t);
  const chatId = (await client.post(`/__sandbox/businesses/${B}/chats`, { context: { type: 'DIRECT' }, message: 'Привет' })).body.result
    .chatId;
  const day = (iso: string) => new Date(iso).toISOString().slice(0, 10);
  const today = day(new Date().toISOString());
  await client.sandbox.clock.advance('1d');
  const tomorrow = day(client.sandbox.clock.now().toISOString());
  t.not(tomorrow, today);
  await client.post(`/v2/businesses/${B}/chats/message?chatId=${chatId}`, { message: 'Добрый день!' });
  t.equal(day((await allMessages(client, B, chatId)).at(-1).createdAt), tomorrow, "the message's createdAt");
  const chat = (await client.get(`/v2/businesses/${B}/chat?chatId=${chatId}`)).body.result;
  t.equal(day(chat.updatedAt), tomorrow, "the chat's updatedAt");
  t.equal(day(client.sandbox.requests().at(-1)!.time), tomorrow, "the journal entry's time");
});

t.test('a fixed, frozen clock gives the same answers, times and ids included, in two runs', async (t) => {
  const run = async () => {
    const client = await sandboxFor(t, { clock: { start: Date.parse(START), frozen: true }, scenario: { files: { expireAfter: '1h' } } });
    const answers: string[] = [];
    const keep = async (answer: Promise<{ text: string }>) => answers.push((await answer).text);
    await keep(client.post(`/v2/businesses/${B}/chats?limit=20`));
    await keep(client.post(`/v2/businesses/2002/chats?limit=5`));
    const created = await client.post(`/v2/businesses/${B}/chats/new`, { context: { type: 'ORDER', id: 77001 } });
    answers.push(created.text);
    const chatId = created.body.result.chatId;
    await keep(client.post(`/__sandbox/businesses/${B}/chats/${chatId}/messages`, { message: 'Когда доставка?' }));
    await client.sandbox.clock.advance('15m');
    await keep(client.post(`/v2/businesses/${B}/chats/message?chatId=${chatId}`, { message: 'Завтра до 18:00' }));
    const form = new FormData();
    form.append('file', new Blob(['накладная']), 'накладная.txt');
    await keep(client.call('POST', `/v2/businesses/${B}/chats/file/send?chatId=${chatId}`, { raw: form }));
    await keep(client.post(`/v2/businesses/${B}/chats/history?chatId=${chatId}`));
    await keep(client.get(`/v2/businesses/${B}/chat?chatId=${chatId}`));
    const port = new URL(client.sandbox.url).port;
    await client.sandbox.close();
    // Links are absolute: each run listens on a port of its own.
    return answers.map((answer) => answer.replaceAll(`:${port}/`, ':PORT/'));
  };
  const [first, second] = [await run(), await run()];
  t.match(
    first[first.length - 2],
    /"createdAt":"2026-11-11T09:15:00\+03:00".*expires=\d+&signature=/,
    'times from the fixed start, links signed',
  );
  t.same(second, first, 'byte for byte');
});

t.test("a scenario's clock: loaded, its world starts at its instant; a bad one is refused naming the field", async (t) => {
  const client = await sandboxFor(t);
  const bad = await client.call('PUT', '/__sandbox/scenario', { body: { clock: { start: 'tomorrow' } } });
  t.equal(bad.status, 400);
  t.match(bad.body.errors[0].message, /^scenario: clock\.start: must match format "date-time"/);
  const unknown = await client.call('PUT', '/__sandbox/scenario', { body: { clock: { speed: 2 } } });
  t.equal(unknown.status, 400);
  t.match(unknown.body.errors[0].message, /clock/);
  const played = await client.call('PUT', '/__sandbox/scenario', {
    raw: 'clock: { start: 2026-11-11T09:00:00+03:00, frozen: true }\n',
    headers: { 'content-type': 'application/yaml' },
  });
  t.equal(played.status, 200, played.text);
  t.match((await client.get('/__sandbox/clock')).body.result, { now: '2026-11-11T06:00:00.000Z', frozen: true });
  const [newest] = (await client.post(`/v2/businesses/${B}/chats?limit=1`)).body.result.chats;
  t.ok(
    newest.updatedAt <= '2026-11-11T09:00:00+03:00' && newest.updatedAt > '2026-11-10',
    `the world ends at the start (${newest.updatedAt})`,
  );
  await client.sandbox.clock.advance('1h');
  await client.post('/__sandbox/reset');
  t.equal(
    (await client.get('/__sandbox/clock')).body.result.now,
    '2026-11-11T06:00:00.000Z',
    "reset brings the clock back to the scenario's start",
  );
});
