/**
 * Market as it really behaves, on demand: pushes delivered twice, out of order, late or not at all; answers
 * with fields and values a later API may add; payload links that need a token and expire; the unprefixed
 * paths switched off; a 404 that names what was meant. All over real sockets, with a real receiver.
 */
import t, { type Test } from 'tap';
import type { Scenario } from '../src/index.js';
import { allChats, allMessages, control, receiverFor, sandboxFor, type Client } from './helpers.js';

const B = 1001;

/** A new DIRECT chat the buyer opened, and the partner's webhook that heard of it. */
async function chatWithWebhook(t: Test, webhook: NonNullable<Scenario['webhook']>, extra: Scenario = {}) {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, { scenario: { ...extra, webhook: { url: receiver.url, ...webhook } } });
  const chat = (await control(client, '/chats', { context: { type: 'DIRECT' } })).body.result;
  await client.sandbox.notificationsSettled();
  return { client, receiver, chatId: chat.chatId as number };
}

const partnerSays = (client: Client, chatId: number, message: string) =>
  client.post(`/v2/businesses/${B}/chats/message?chatId=${chatId}`, { message });

t.test('duplicates: every Nth notification is delivered twice; the log says which entry a copy copies', async (t) => {
  const { client, receiver, chatId } = await chatWithWebhook(t, { duplicates: { every: 2 } });
  for (const text of ['Первый', 'Второй', 'Третий']) await partnerSays(client, chatId, text);
  await client.sandbox.notificationsSettled();
  const [m1, m2, m3] = (await allMessages(client, B, chatId)).map((m) => `CHAT_MESSAGE_SENT:${m.messageId}`);
  const ids = receiver.received.map((r) => `${r.body.notificationType}:${r.body.messageId ?? '-'}`);
  t.same(ids, ['CHAT_CREATED:-', m1, m1, m2, m3, m3], 'the 2nd and 4th notifications twice');
  const log = client.sandbox.notifications();
  const copies = log.filter((entry) => entry.copyOf !== null);
  t.equal(copies.length, 2);
  for (const copy of copies) t.same(copy.body, log.find((entry) => entry.id === copy.copyOf)!.body, 'a copy carries the same body');
  const overHttp = (await client.get('/__sandbox/notifications')).body.result.notifications;
  t.same(
    overHttp.map((entry: any) => entry.copyOf),
    log.map((entry) => entry.copyOf),
    'GET /__sandbox/notifications tells copies too',
  );
  t.ok(log.every((entry) => entry.state === 'delivered'));

  const all = await chatWithWebhook(t, { duplicates: 1 });
  await partnerSays(all.client, all.chatId, 'Ответ');
  await all.client.sandbox.notificationsSettled();
  t.equal(all.receiver.received.length, 4, 'a share of 1: everything twice');
});

t.test('reorder: within a chat, later notifications may arrive before earlier ones', async (t) => {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, { scenario: { seed: 3, webhook: { url: receiver.url, reorder: true } } });
  // The first delivery is held until every message is written, so that all the rest wait together.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const good = receiver.answer;
  receiver.answer = async (body) => {
    if (body.notificationType === 'CHAT_CREATED') await held;
    return good(body);
  };
  const chat = (await control(client, '/chats', { context: { type: 'DIRECT' } })).body.result;
  for (let i = 1; i <= 8; i++) await control(client, `/chats/${chat.chatId}/messages`, { message: `Сообщение ${i}` });
  release();
  await client.sandbox.notificationsSettled();
  const sent = (await allMessages(client, B, chat.chatId)).map((m) => String(m.messageId));
  const arrived = receiver.received.filter((r) => r.body.notificationType === 'CHAT_MESSAGE_SENT').map((r) => r.body.messageId);
  t.same([...arrived].sort(), [...sent].sort(), 'every message is pushed once');
  t.notSame(arrived, sent, 'but not in the order written');
});

t.test('delay: each notification waits before it is delivered, and the log shows when it is due', async (t) => {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, { scenario: { webhook: { url: receiver.url, delay: '300ms' } } });
  const started = Date.now();
  await control(client, '/chats', { context: { type: 'DIRECT' } });
  const [pending] = client.sandbox.notifications();
  t.equal(pending.state, 'pending');
  t.type(pending.nextAttemptAt, 'string', 'the log says when the delivery is due');
  const [received] = await receiver.waitFor(1);
  t.ok(received.at - started >= 300, 'not before the delay');
  await client.sandbox.notificationsSettled();
  t.equal(client.sandbox.notifications()[0].state, 'delivered');
});

t.test('silentMessages and notify: false: buyer messages with no push, in the history all the same', async (t) => {
  const { client, receiver, chatId } = await chatWithWebhook(t, { silentMessages: 1 });
  await control(client, `/chats/${chatId}/messages`, { message: 'Стикер 👍' });
  await partnerSays(client, chatId, 'Спасибо!');
  await client.sandbox.notificationsSettled();
  const pushed = receiver.received.map((r) => r.body.notificationType);
  t.same(pushed, ['CHAT_CREATED', 'CHAT_MESSAGE_SENT'], "only the partner's own message is pushed");
  t.match(client.sandbox.notifications({ state: 'withheld' }), [{ notificationType: 'CHAT_MESSAGE_SENT', attempts: [] }]);
  t.match(await allMessages(client, B, chatId), [{ sender: 'CUSTOMER', message: 'Стикер 👍' }, { sender: 'PARTNER' }]);

  const plain = await chatWithWebhook(t, {});
  const quiet = await control(plain.client, `/chats/${plain.chatId}/messages`, { message: 'Без уведомления', notify: false });
  t.equal(quiet.status, 200);
  await plain.client.sandbox.buyer.say(plain.chatId, { message: 'Тоже тихо', notify: false });
  await plain.client.sandbox.buyer.say(plain.chatId, { message: 'А это с уведомлением' });
  await plain.client.sandbox.notificationsSettled();
  t.equal(plain.receiver.received.length, 2, 'CHAT_CREATED and the one message that asked for a push');
  t.equal(plain.client.sandbox.notifications({ state: 'withheld' }).length, 2);
  const form = new FormData();
  form.append('message', 'Фото');
  form.append('notify', 'maybe');
  const bad = await plain.client.call('POST', `/__sandbox/businesses/${B}/chats/${plain.chatId}/messages`, { raw: form });
  t.equal(bad.status, 400);
  t.match(bad.body.errors[0].message, /notify: must be boolean/);
});

t.test('forwardCompatibility: unknown enum values and extra fields, only where and when asked', async (t) => {
  const client = await sandboxFor(t, { scenario: { forwardCompatibility: { unknownValues: 1, extraFields: true } } });
  const chats = await client.post(`/v2/businesses/${B}/chats?limit=20`);
  for (const chat of chats.body.result.chats) {
    const unknown = [chat.status, chat.type, chat.context.type].filter((v) =>
      ['WAITING_FOR_DELIVERY_SERVICE', 'SUPPORT', 'SUPPLY'].includes(v),
    );
    t.equal(unknown.length, 1, `chat ${chat.chatId} carries one value the reference does not list`);
    t.type(chat.unreadCount, 'number', 'and a field it does not have');
  }
  const [first] = chats.body.result.chats;
  t.same((await client.post(`/v2/businesses/${B}/chats?limit=20`)).body, chats.body, 'the same items read the same again');
  const history = await client.post(`/v2/businesses/${B}/chats/history?chatId=${first.chatId}`);
  t.ok(history.body.result.messages.every((m: any) => m.sender === 'ASSISTANT' && Array.isArray(m.reactions)));
  t.equal(
    (client.sandbox.requests({ operation: 'getChats' })[0].responseBody as any).result.chats[0].unreadCount,
    first.unreadCount,
    'the journal keeps what the client got',
  );

  const some = await sandboxFor(t, { scenario: { forwardCompatibility: { unknownValues: 0.5, operations: ['getChat'] } } });
  const listed = await allChats(some, B);
  t.ok(
    listed.every((c) => !('unreadCount' in c) && ['CHAT', 'ARBITRAGE'].includes(c.type)),
    'getChats is not among the operations: untouched',
  );
  const read = await Promise.all(listed.map(async (c) => (await some.get(`/v2/businesses/${B}/chat?chatId=${c.chatId}`)).body.result));
  const changed = read.filter((c, i) => JSON.stringify(c) !== JSON.stringify(listed[i]));
  t.ok(changed.length > 0 && changed.length < read.length, `about half the chats change (${changed.length} of ${read.length})`);
});

t.test('files: links need the token, are refused for another business, and expire; rules match downloads', async (t) => {
  let clock = Date.parse('2026-11-24T12:00:00Z');
  const client = await sandboxFor(t, {
    now: () => clock,
    scenario: {
      auth: { mode: 'strict', tokens: [{ token: 'ACMA:mine', businesses: [B], scopes: ['all-methods'] }] },
      files: { auth: 'required', expireAfter: '10m' },
      rules: [{ name: 'file host down', match: { operation: 'downloadFile' }, after: 1, times: 1, respond: { status: 503 } }],
    },
  });
  const headers = { 'Api-Key': 'ACMA:mine' };
  const chats = (await client.call('POST', `/v2/businesses/${B}/chats?limit=20`, { body: {}, headers })).body.result.chats;
  const withFiles: { chatId: number; message: any }[] = [];
  for (const chat of chats) {
    const page = await client.call('POST', `/v2/businesses/${B}/chats/history?chatId=${chat.chatId}&limit=100`, { body: {}, headers });
    for (const message of page.body.result.messages) if (message.payload) withFiles.push({ chatId: chat.chatId, message });
  }
  const { chatId, message } = withFiles[0];
  const url: string = message.payload[0].url;
  t.match(url, /\?expires=\d+&signature=[\w-]+$/);
  t.equal((await fetch(url)).status, 401, 'no token: 401');
  t.equal((await fetch(url, { headers: { 'Api-Key': 'ACMA:other' } })).status, 403, 'a token Market does not know: 403');
  t.equal((await fetch(url, { headers })).status, 200, 'the partner downloads it');
  t.equal(
    (
      await fetch(
        url.replace(/expires=(\d+)/, (_, s) => `expires=${Number(s) + 3600}`),
        { headers },
      )
    ).status,
    403,
    'a changed expiry is refused',
  );
  t.equal((await fetch(url.replace(/\?.*$/, ''), { headers })).status, 403, 'a link without its expiry is refused');
  const down = await fetch(url, { headers });
  t.equal(down.status, 503, 'a rule scripts the file host');
  t.match(client.sandbox.requests({ operation: 'downloadFile' }).at(-1), { status: 503, ruleName: 'file host down' });
  clock += 10 * 60 * 1000;
  const expired = await fetch(url, { headers });
  t.equal(expired.status, 403, 'ten minutes later the link has expired');
  t.match(((await expired.json()) as any).errors[0].message, /expires: the link expired at .*; read the message again for a fresh link/);
  const again = await client.call('GET', `/v2/businesses/${B}/chats/message?chatId=${chatId}&messageId=${message.messageId}`, { headers });
  const fresh: string = again.body.result.payload[0].url;
  t.not(fresh, url, 'reading the message again gives a new link');
  t.equal((await fetch(fresh, { headers })).status, 200, 'which works');
});

t.test("a payload's size is exactly the bytes its link serves, small sizes included", async (t) => {
  const sizes = [2000, 300, 60, 5];
  const client = await sandboxFor(t, {
    scenario: {
      data: {
        businesses: [
          {
            id: 4004,
            chats: [
              {
                context: { type: 'ORDER', id: 123_456 },
                messages: [
                  {
                    sender: 'CUSTOMER',
                    payload: sizes.flatMap((size) => [
                      { name: `фото_${size}.png`, size },
                      { name: `чек_${size}.pdf`, size },
                    ]),
                  },
                ],
              },
            ],
          },
        ],
      },
    },
  });
  const [chat] = await allChats(client, 4004);
  const [message] = await allMessages(client, 4004, chat.chatId);
  for (const file of message.payload) {
    const bytes = Buffer.from(await (await fetch(file.url)).arrayBuffer());
    t.equal(bytes.length, file.size, `${file.name}: ${file.size} bytes`);
  }
  const png = Buffer.from(await (await fetch(message.payload[0].url)).arrayBuffer());
  t.same([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a 2 000-byte PNG is a PNG');
});

t.test('v2-only: the unprefixed paths answer 404 as an unknown path does; /v2 is served', async (t) => {
  const client = await sandboxFor(t, { scenario: { paths: 'v2-only' } });
  t.equal(client.sandbox.paths, 'v2-only');
  const old = await client.post(`/businesses/${B}/chats`);
  t.equal(old.status, 404);
  t.match(old.body.errors[0], {
    code: 'NOT_FOUND',
    message:
      /^path: no operation at POST \/businesses\/1001\/chats \(the sandbox serves only \/v2 paths: paths v2-only\); did you mean getChats: POST \/v2\/businesses\/\{businessId\}\/chats/,
  });
  t.equal((await client.post(`/v2/businesses/${B}/chats`)).status, 200);
  await client.sandbox.loadScenario({});
  t.equal((await client.post(`/businesses/${B}/chats`)).status, 200, 'both spellings again without it');
  const pinned = await sandboxFor(t, { paths: 'v2-only' });
  t.equal((await pinned.get(`/businesses/${B}/chat?chatId=1`)).status, 404, 'the option does the same');
});

t.test('a 404 names the operation most probably meant; a wrong method on a known path keeps its 405', async (t) => {
  const client = await sandboxFor(t);
  const cases: [string, string, RegExp][] = [
    [
      'POST',
      '/v2/businesses/1001/chats/5/messages',
      /did you mean getChatHistory: POST \/v2\/businesses\/\{businessId\}\/chats\/history\?chatId=…$/,
    ],
    [
      'POST',
      '/v2/businesses/1001/chats/send-message',
      /did you mean sendMessageToChat: POST \/v2\/businesses\/\{businessId\}\/chats\/message\?chatId=…$/,
    ],
    [
      'POST',
      '/v2/businesses/1001/chats/upload',
      /did you mean sendFileToChat: POST \/v2\/businesses\/\{businessId\}\/chats\/file\/send\?chatId=…$/,
    ],
    ['POST', '/v2/businesses/1001/chats/create', /did you mean createChat: POST \/v2\/businesses\/\{businessId\}\/chats\/new$/],
    [
      'GET',
      '/v2/businesses/1001/chats/message/7',
      /did you mean getChatMessage: GET \/v2\/businesses\/\{businessId\}\/chats\/message\?chatId=…&messageId=…$/,
    ],
    ['GET', '/nowhere', /^path: no operation at GET \/nowhere; the operations are listed at \/docs$/],
  ];
  for (const [method, path, message] of cases) {
    const answer = await client.call(method, path, method === 'POST' ? { body: {} } : {});
    t.equal(answer.status, 404, `${method} ${path}`);
    t.match(answer.body.errors[0].message, message);
  }
  const wrongMethod = await client.get(`/v2/businesses/${B}/chats`);
  t.equal(wrongMethod.status, 405);
});

t.test('generated worlds nobody wrote to are dropped past the bound and come back exactly as they were', async (t) => {
  const client = await sandboxFor(t, { generatedBusinessesKept: 2 });
  const read = async (businessId: number) => {
    const chats = await client.post(`/v2/businesses/${businessId}/chats?limit=20`);
    const history = await client.post(`/v2/businesses/${businessId}/chats/history?chatId=${chats.body.result.chats[0].chatId}&limit=100`);
    return chats.text + history.text;
  };
  const before = await read(7001);
  const [written] = await allChats(client, 7002, { statuses: ['WAITING_FOR_PARTNER'] });
  await client.post(`/v2/businesses/7002/chats/message?chatId=${written.chatId}`, { message: 'Храните это' });
  for (const id of [7003, 7004, 7005]) await read(id);
  t.equal(await read(7001), before, 'dropped and made again: the same ids, texts and times');
  const kept = await allMessages(client, 7002, written.chatId);
  t.equal(kept.at(-1).message, 'Храните это', 'a business someone wrote to is never dropped');
  const health = (await client.get('/__sandbox/health')).body.result;
  t.same(health.businesses.sort(), [1001, 7001, 7002, 7003, 7004, 7005], 'every business used exists');
  t.equal(health.inMemory, 4, 'in memory: the default world, the one written to, and the two used last');
});

t.test('every new scenario key is validated, naming the field', async (t) => {
  const client = await sandboxFor(t);
  const cases: [unknown, RegExp][] = [
    [{ webhook: { duplicates: 1.5 } }, /webhook\.duplicates: must be <= 1, or must be object/],
    [{ webhook: { duplicates: { every: 0 } } }, /webhook\.duplicates\.every: must be >= 1/],
    [{ webhook: { delay: '-1s' } }, /webhook\.delay: must be a duration/],
    [{ webhook: { silentMessages: -0.1 } }, /webhook\.silentMessages: must be >= 0/],
    [{ webhook: { reorder: 'yes' } }, /webhook\.reorder: must be boolean/],
    [{ forwardCompatibility: { operations: ['getEverything'] } }, /forwardCompatibility\.operations\[0\]: must be one of "createChat"/],
    [{ forwardCompatibility: { unknownValues: 2 } }, /forwardCompatibility\.unknownValues: must be <= 1/],
    [{ files: { auth: 'sometimes' } }, /files\.auth: must be one of "none", "required"/],
    [{ files: { expireAfter: 'soon' } }, /files\.expireAfter: must be a duration/],
    [{ paths: 'v3-only' }, /paths: must be one of "both", "v2-only"/],
    [{ rules: [{ match: { operation: 'downloadFiles' } }] }, /rules\[0\]\.match\.operation: must be one of .*"downloadFile"/],
  ];
  for (const [scenario, message] of cases) {
    const answer = await client.call('PUT', '/__sandbox/scenario', { body: scenario });
    t.equal(answer.status, 400, JSON.stringify(scenario));
    t.match(answer.body.errors[0].message, message);
  }
});

t.test('reorder: a burst of messages in one chat arrives observably out of order, the same in two runs', async (t) => {
  const runOnce = async () => {
    const receiver = await receiverFor(t);
    const client = await sandboxFor(t, { scenario: { seed: 5, webhook: { url: receiver.url, reorder: true } } });
    const chat = (await control(client, '/chats', { context: { type: 'DIRECT' } })).body.result;
    await client.sandbox.notificationsSettled();
    // Written at once over HTTP, with nothing held back.
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => control(client, `/chats/${chat.chatId}/messages`, { message: `Сообщение ${i + 1}` })),
    );
    await client.sandbox.notificationsSettled();
    const sent = (await allMessages(client, B, chat.chatId)).map((m) => String(m.messageId));
    const arrived = receiver.received.filter((r) => r.body.notificationType === 'CHAT_MESSAGE_SENT').map((r) => r.body.messageId);
    t.same([...arrived].sort(), [...sent].sort(), 'every message is pushed once');
    return arrived.map((id: string) => sent.indexOf(id));
  };
  const first = await runOnce();
  t.notSame(
    first,
    [...first].sort((a, b) => a - b),
    `out of order: ${first.join(' ')}`,
  );
  t.same(await runOnce(), first, 'drawn from the seed: a second run delivers them in the same order');
});
