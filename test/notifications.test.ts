/**
 * Push notifications against a real receiver on a local port: every type with exactly the fields of Market's
 * reference, order within a chat, retries with doubling waits, the log with each attempt, and the PING.
 */
import t, { type Test } from 'tap';
import { type Client, control, GOOD_ANSWER, type Receiver, receiverFor, sandboxFor, schemaValidator, sendFile } from './helpers.js';

const B = 1001;
/** Market's pushes write times in UTC with a Z and fractions of a second (its REST answers use +03:00). */
const PUSH_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** The same instant, whichever of Market's two forms writes it. */
const instant = (text: string) => new Date(text).toISOString();

/** The fields Market's reference gives each notification type, and nothing else. */
const CONTRACT_FIELDS: Record<string, string[]> = {
  CHAT_CREATED: ['businessId', 'chatId', 'createdAt', 'notificationType'],
  CHAT_MESSAGE_SENT: ['businessId', 'chatId', 'messageId', 'notificationType', 'sentAt'],
  CHAT_ARBITRAGE_STARTED: ['businessId', 'chatId', 'notificationType', 'startedAt'],
  CHAT_ARBITRAGE_FINISHED: ['businessId', 'chatId', 'finishedAt', 'notificationType'],
  PING: ['notificationType', 'time'],
};

function checkContract(t: Test, body: any): void {
  t.same(Object.keys(body).sort(), CONTRACT_FIELDS[body.notificationType], `${body.notificationType} has exactly its fields`);
  for (const [key, value] of Object.entries(body)) {
    if (key === 'businessId' || key === 'chatId') t.ok(Number.isSafeInteger(value) && (value as number) >= 1, `${key} is an int64`);
    if (key === 'messageId') t.match(value, /^[1-9]\d*$/, 'messageId is a string of digits');
    if (/At$|^time$/.test(key))
      t.match(value, PUSH_DATE, `${key} is a UTC date-time with a Z and milliseconds, as Market's pushes write it`);
  }
}

async function withWebhook(t: Test, scenario: object = {}): Promise<{ client: Client; receiver: Receiver }> {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, { webhook: receiver.url, scenario });
  return { client, receiver };
}

const api = (client: Client, path: string, body: unknown = {}) => client.post(`/v2/businesses/${B}${path}`, body);

t.test("every chat event is pushed with exactly the fields of Market's reference, in order", async (t) => {
  const { client, receiver } = await withWebhook(t);
  const created = await api(client, '/chats/new', { context: { type: 'ORDER', id: 9_000_001 } });
  const chatId = created.body.result.chatId;
  await api(client, '/chats/new', { context: { type: 'ORDER', id: 9_000_001 } });
  await api(client, `/chats/message?chatId=${chatId}`, { message: 'Здравствуйте! Заказ собран.' });
  await sendFile(client, B, chatId, { name: 'Чек.pdf', content: '%PDF' });
  const buyerMessage = (await control(client, `/chats/${chatId}/messages`, { message: 'Спасибо!' })).body.result;
  await control(client, `/chats/${chatId}/messages`, { message: 'Заказ доставлен.', sender: 'MARKET' });
  await control(client, `/chats/${chatId}/status`, { arbitrage: 'started' });
  await control(client, `/chats/${chatId}/status`, { arbitrage: 'finished' });
  await control(client, `/chats/${chatId}/status`, { status: 'FINISHED' });

  const received = await receiver.waitFor(9);
  const types = received.map((r) => r.body.notificationType);
  t.same(
    types,
    [
      'CHAT_CREATED',
      'CHAT_MESSAGE_SENT',
      'CHAT_MESSAGE_SENT',
      'CHAT_MESSAGE_SENT',
      'CHAT_MESSAGE_SENT',
      'CHAT_ARBITRAGE_STARTED',
      'CHAT_MESSAGE_SENT',
      'CHAT_ARBITRAGE_FINISHED',
      'CHAT_MESSAGE_SENT',
    ],
    'a second createChat of the same order creates nothing; Market pushes nothing for a status set outright',
  );
  t.equal(received.length, 9);
  for (const { body, headers } of received) {
    checkContract(t, body);
    t.match(body, { businessId: B, chatId });
    t.equal(headers['content-type'], 'application/json');
  }
  t.equal(received[3].body.messageId, String(buyerMessage.messageId), 'the message id the partner fetches');
  t.equal(received[3].body.sentAt, instant(buyerMessage.createdAt));
  t.equal(received[0].body.createdAt, instant((await client.get(`/v2/businesses/${B}/chat?chatId=${chatId}`)).body.result.createdAt));

  // The partner's handler does what Market expects: fetch what the notification names.
  for (const { body } of received.filter((r) => r.body.notificationType === 'CHAT_MESSAGE_SENT')) {
    const message = await client.get(`/v2/businesses/${B}/chats/message?chatId=${body.chatId}&messageId=${body.messageId}`);
    t.equal(message.status, 200, `message ${body.messageId} can be fetched`);
  }
  await client.sandbox.notificationsSettled();
  const log = client.sandbox.notifications();
  t.equal(log.length, 9);
  t.ok(log.every((e) => e.state === 'delivered' && e.attempts.length === 1 && e.attempts[0].status === 200));
  t.same(log[0].attempts[0].answerProblems, [], "Market's answer shape is recognised");
});

t.test('a buyer starting a chat with a message pushes CHAT_CREATED, then CHAT_MESSAGE_SENT', async (t) => {
  const { client, receiver } = await withWebhook(t);
  const chat = (await control(client, '/chats', { context: { type: 'DIRECT' }, message: 'Есть размер 42?' })).body.result;
  const [created, sent] = await receiver.waitFor(2);
  t.match(created.body, { notificationType: 'CHAT_CREATED', chatId: chat.chatId, createdAt: instant(chat.createdAt) });
  t.match(sent.body, { notificationType: 'CHAT_MESSAGE_SENT', chatId: chat.chatId });
  const message = await client.get(`/v2/businesses/${B}/chats/message?chatId=${chat.chatId}&messageId=${sent.body.messageId}`);
  t.match(message.body.result, { sender: 'CUSTOMER', message: 'Есть размер 42?' });
});

t.test('the API answers without waiting for the partner', async (t) => {
  const { client, receiver } = await withWebhook(t);
  receiver.answer = () => 'hang';
  // The partner never answers: had the API waited for it, these calls would never return.
  const chat = (await control(client, '/chats', { context: { type: 'DIRECT' }, message: 'Ау' })).body.result;
  const sent = await api(client, `/chats/message?chatId=${chat.chatId}`, { message: 'Слушаю' });
  t.equal(sent.status, 200);
  t.ok(
    client.sandbox.notifications().every((n) => n.state === 'pending'),
    'answered while every notification is still pending',
  );
  await receiver.waitFor(1);
  t.equal(receiver.received.length, 1, 'the next notification of the chat waits for the one being delivered');
  t.match(client.sandbox.notifications({ state: 'pending' }), [{ notificationType: 'CHAT_CREATED' }, {}, {}]);
});

t.test('failed deliveries are retried with doubling waits, logged attempt by attempt', async (t) => {
  const { client, receiver } = await withWebhook(t, { webhook: { attempts: 3, backoff: '40ms' } });
  let calls = 0;
  receiver.answer = () => (++calls <= 2 ? { status: 500, body: { error: { type: 'UNKNOWN', message: 'БД недоступна' } } } : GOOD_ANSWER());
  const chat = (await control(client, '/chats', { context: { type: 'DIRECT' } })).body.result;
  await receiver.waitFor(3);
  await client.sandbox.notificationsSettled();
  const gaps = receiver.received.slice(1).map((r, i) => r.at - receiver.received[i].at);
  t.ok(gaps[0] >= 35, `first retry after ~40 ms (${gaps[0]} ms)`);
  t.ok(gaps[1] >= 75, `second retry after ~80 ms (${gaps[1]} ms)`);
  const entry = (await client.get(`/__sandbox/notifications?chatId=${chat.chatId}`)).body.result.notifications[0];
  t.match(entry, { notificationType: 'CHAT_CREATED', state: 'delivered', nextAttemptAt: null, body: { chatId: chat.chatId } });
  t.same(
    entry.attempts.map((a: any) => a.status),
    [500, 500, 200],
  );
  t.same(entry.attempts[0].answer, { error: { type: 'UNKNOWN', message: 'БД недоступна' } });
  t.same(entry.attempts[0].answerProblems, [], 'a 500 with {error: {type, message}} is the shape Market expects');
  for (const attempt of entry.attempts) {
    t.match(attempt, { at: String, durationMs: Number, error: null });
    t.ok(Date.parse(attempt.at) > 0);
  }
});

t.test('a partner that keeps failing: the notification fails after the last attempt, and the next one goes', async (t) => {
  const { client, receiver } = await withWebhook(t, { webhook: { attempts: 2, backoff: '10ms' } });
  receiver.answer = (body) => (body.notificationType === 'CHAT_CREATED' ? { status: 503, body: 'Service Unavailable' } : GOOD_ANSWER());
  const chat = (await control(client, '/chats', { context: { type: 'DIRECT' }, message: 'Привет' })).body.result;
  await receiver.waitFor(3);
  await client.sandbox.notificationsSettled();
  t.same(
    receiver.received.map((r) => r.body.notificationType),
    ['CHAT_CREATED', 'CHAT_CREATED', 'CHAT_MESSAGE_SENT'],
  );
  const [created, sent] = client.sandbox.notifications({ chatId: chat.chatId });
  t.match(created, { state: 'failed', attempts: [{ status: 503, answer: 'Service Unavailable', answerProblems: null }, { status: 503 }] });
  t.equal(sent.state, 'delivered');
  const failed = (await client.get('/__sandbox/notifications?state=failed&type=CHAT_CREATED')).body.result.notifications;
  t.equal(failed.length, 1, 'the log filters by state and type');
});

t.test("the partner's answer is checked for Market's {version, name, time} shape", async (t) => {
  const { client, receiver } = await withWebhook(t);
  const answers = [
    { status: 200, body: { version: '', name: 'bot' } },
    { status: 400, body: { error: 'bad' } },
    { status: 200, body: 'OK' },
  ];
  receiver.answer = () => answers.shift() ?? GOOD_ANSWER();
  await control(client, '/chats', { context: { type: 'DIRECT' }, message: 'Привет' });
  await receiver.waitFor(2);
  const [created, sent] = client.sandbox.notifications();
  t.equal(created.state, 'delivered', 'a 200 is a delivery, whatever its body');
  t.same(created.attempts[0].answerProblems!.sort(), ['time: is required', 'version: must NOT have fewer than 1 characters']);
  await t.resolveMatch(
    (async () => {
      while (!sent.attempts.length) await new Promise((resolve) => setTimeout(resolve, 5));
      return sent;
    })(),
    { state: 'pending', nextAttemptAt: String, attempts: [{ status: 400, answerProblems: ['error: must be object'] }] },
    'a 400 is a failure: a retry is due, and when is shown',
  );
  const ping = await client.sandbox.ping();
  t.match(ping.attempts[0], { status: 200, answer: 'OK', answerProblems: ['body: is not JSON'] });
  const validate = await schemaValidator(client);
  const log = await client.get('/__sandbox/notifications');
  t.same(validate('/__sandbox/notifications', 'GET', log), [], 'the log, answers and problems included, is what /openapi.json documents');
});

t.test('an answer cut off is a failure; a long one is kept in part', async (t) => {
  const { client, receiver } = await withWebhook(t, { webhook: { attempts: 2, backoff: '10ms' } });
  const answers: ReturnType<Receiver['answer']>[] = ['cut', { status: 200, body: 'Я'.repeat(20_000) }];
  receiver.answer = () => answers.shift() ?? GOOD_ANSWER();
  await control(client, '/chats', { context: { type: 'DIRECT' } });
  await client.sandbox.notificationsSettled();
  const [entry] = client.sandbox.notifications();
  t.match(entry.attempts[0], { status: null, error: 'the answer was cut off' });
  t.equal(entry.state, 'delivered');
  t.equal((entry.attempts[1].answer as string).length, 10_000, 'the log keeps the first 10 000 characters');
  t.same(entry.attempts[1].answerProblems, ['body: is not JSON']);
});

t.test('a partner that is not there: the error is logged; reset cancels what waits', async (t) => {
  const client = await sandboxFor(t, { webhook: 'http://127.0.0.1:9/nowhere', scenario: { webhook: { attempts: 5, backoff: '10s' } } });
  await control(client, '/chats', { context: { type: 'DIRECT' } });
  const entry = await new Promise<any>((resolve) => {
    const poll = () => {
      const [first] = client.sandbox.notifications();
      if (first?.attempts.length) resolve(first);
      else setTimeout(poll, 5);
    };
    poll();
  });
  t.match(entry.attempts[0], { status: null, error: /ECONNREFUSED 127\.0\.0\.1:9/, answer: null });
  t.equal(entry.state, 'pending');
  await client.post('/__sandbox/reset');
  t.equal(entry.state, 'cancelled', 'the retry waited for is cancelled');
  t.same(client.sandbox.notifications(), [], 'and the log is cleared');
  await client.sandbox.notificationsSettled();
});

t.test('PING: sent on demand, answered with how it went', async (t) => {
  const { client, receiver } = await withWebhook(t);
  const ping = await client.post('/__sandbox/notifications/ping');
  t.equal(ping.status, 200);
  t.match(ping.body.result, {
    notificationType: 'PING',
    state: 'delivered',
    businessId: null,
    chatId: null,
    attempts: [{ status: 200, answerProblems: [] }],
  });
  checkContract(t, receiver.received[0].body);

  receiver.answer = () => 'hang';
  const slow = await client.sandbox.ping();
  t.match(slow, { state: 'failed', attempts: [{ status: null, error: 'timeout: no answer within 1000 ms' }] });
  t.equal(slow.attempts.length, 1, 'a PING is not retried');
  t.equal((await client.get('/__sandbox/notifications?type=PING')).body.result.notifications.length, 2);

  const cleared = await client.call('DELETE', '/__sandbox/notifications');
  t.equal(cleared.status, 200);
  t.same((await client.get('/__sandbox/notifications')).body.result, {
    webhook: receiver.url,
    notifications: [],
    dropped: 0,
    capacity: 1000,
  });
});

t.test('without a webhook nothing is sent or logged, and a PING says how to set one', async (t) => {
  const client = await sandboxFor(t);
  await control(client, '/chats', { context: { type: 'DIRECT' }, message: 'Привет' });
  t.same(client.sandbox.notifications(), []);
  t.equal(client.sandbox.webhook, undefined);
  const ping = await client.post('/__sandbox/notifications/ping');
  t.equal(ping.status, 400);
  t.match(ping.body.errors[0].message, /webhook: no URL is set; start with --webhook URL/);
  await t.rejects(client.sandbox.ping(), /no URL is set/);
});

t.test('the scenario sets the webhook; --webhook wins over it; loading a scenario switches', async (t) => {
  const first = await receiverFor(t);
  const second = await receiverFor(t);
  const client = await sandboxFor(t, { scenario: { webhook: { url: first.url } } });
  t.equal(client.sandbox.webhook, first.url);
  await client.sandbox.loadScenario({ webhook: { url: second.url } });
  await control(client, '/chats', { context: { type: 'DIRECT' } });
  await second.waitFor(1);
  t.equal(first.received.length, 0);
  const pinned = await sandboxFor(t, { webhook: first.url, scenario: { webhook: { url: second.url } } });
  t.equal(pinned.sandbox.webhook, first.url, 'the option wins, as --seed does');
  const bad = await client.call('PUT', '/__sandbox/scenario', { body: { webhook: { url: 'ftp://example.org' } } });
  t.match(bad.body.errors[0].message, /webhook\.url: must be an http:\/\/ or https:\/\/ URL/);
});

t.test('the log keeps the last 1000 notifications and counts what it dropped', async (t) => {
  const { client, receiver } = await withWebhook(t);
  receiver.answer = () => ({ status: 200, body: { version: '1', name: 'n', time: new Date().toISOString() } });
  const chat = (await control(client, '/chats', { context: { type: 'DIRECT' } })).body.result;
  for (let i = 0; i < 1005; i++) await control(client, `/chats/${chat.chatId}/messages`, { message: `Сообщение ${i}` });
  await client.sandbox.notificationsSettled();
  const { result } = (await client.get('/__sandbox/notifications')).body;
  t.equal(result.notifications.length, 1000);
  t.equal(result.dropped, 6);
  t.equal(receiver.received.length, 1006, 'entries dropped from the log were still delivered');
  t.same(
    receiver.received.slice(1).map((r) => Number(r.body.messageId)),
    [...receiver.received.slice(1).map((r) => Number(r.body.messageId))].sort((a, b) => a - b),
    'in order',
  );
});
