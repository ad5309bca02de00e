/** createChat, getChats and getChat: state, filters and keyset paging, over a real socket. */
import t from 'tap';
import { allChats, sandboxFor, sendFile } from './helpers.js';

const B = '/v2/businesses/1001';

t.test('createChat opens a chat, then returns the same one for the same context', async (t) => {
  const client = await sandboxFor(t);
  const first = await client.post(`${B}/chats/new`, { context: { type: 'ORDER', id: 555000001 } });
  t.equal(first.status, 200);
  const chatId = first.body.result.chatId;
  const again = await client.post(`/businesses/1001/chats/new`, { orderId: 555000001 });
  t.equal(again.body.result.chatId, chatId, 'the deprecated orderId form finds the same chat');
  const chat = (await client.get(`${B}/chat?chatId=${chatId}`)).body.result;
  t.match(chat, {
    chatId,
    orderId: 555000001,
    type: 'CHAT',
    status: 'NEW',
    context: { type: 'ORDER', orderId: 555000001, campaignId: Number, customer: { name: String, publicId: String } },
  });
  t.equal(chat.createdAt, chat.updatedAt, 'a chat with no messages was last updated when it was created');
  t.match(chat.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/);
  const history = (await client.post(`${B}/chats/history?chatId=${chatId}`)).body.result;
  t.strictSame(history.messages, []);
  t.equal(history.orderId, 555000001);

  const newest = (await client.post(`${B}/chats?limit=1`)).body.result.chats[0];
  t.equal(newest.chatId, chatId, 'the new chat leads the list');
});

t.test('createChat for a return keeps the return and invents its order consistently', async (t) => {
  const client = await sandboxFor(t);
  const created = await client.post(`${B}/chats/new`, { context: { type: 'RETURN', id: 4242 } });
  const chat = (await client.get(`${B}/chat?chatId=${created.body.result.chatId}`)).body.result;
  t.match(chat.context, { type: 'RETURN', returnId: 4242, orderId: Number });
  t.equal(chat.orderId, chat.context.orderId);
  const again = await client.post(`${B}/chats/new`, { context: { type: 'RETURN', id: 4242 } });
  t.equal(again.body.result.chatId, chat.chatId);
  const other = await client.post(`${B}/chats/new`, { context: { type: 'ORDER', id: 4242 } });
  t.not(other.body.result.chatId, chat.chatId, 'an order with the same number is another context');
});

t.test('an existing generated chat is found by its context', async (t) => {
  const client = await sandboxFor(t);
  const [chat] = (await client.post(`${B}/chats`, { contextTypes: ['ORDER'], types: ['CHAT'] })).body.result.chats;
  const found = await client.post(`${B}/chats/new`, { context: { type: 'ORDER', id: chat.context.orderId } });
  t.equal(found.body.result.chatId, chat.chatId);
});

t.test('getChats lists every chat once, newest update first', async (t) => {
  const client = await sandboxFor(t);
  const all = await allChats(client, 1001, {}, 7);
  const ids = all.map((c) => c.chatId);
  t.equal(new Set(ids).size, ids.length, 'no chat twice');
  t.ok(all.length >= 12 && all.length <= 40, `a generated world has 12 to 40 chats (${all.length})`);
  const times = all.map((c) => Date.parse(c.updatedAt));
  t.ok(
    times.every((time, i) => i === 0 || time <= times[i - 1]),
    'most recently updated first',
  );
  const first = await client.post(`${B}/chats`);
  t.equal(first.body.result.chats.length, 10, 'default limit is 10');
});

t.test('every filter narrows the list, and filters combine with AND', async (t) => {
  const client = await sandboxFor(t);
  const all = await allChats(client, 1001);
  const expectSame = async (filter: object, keep: (c: any) => boolean, label: string) => {
    const got = (await allChats(client, 1001, filter)).map((c) => c.chatId).sort();
    const want = all
      .filter(keep)
      .map((c) => c.chatId)
      .sort();
    t.ok(want.length > 0 || label.includes('none'), `${label}: something to find`);
    t.strictSame(got, want, label);
  };
  await expectSame({ statuses: ['NEW', 'FINISHED'] }, (c) => ['NEW', 'FINISHED'].includes(c.status), 'statuses');
  await expectSame({ types: ['ARBITRAGE'] }, (c) => c.type === 'ARBITRAGE', 'types');
  await expectSame({ contextTypes: ['DIRECT'] }, (c) => c.context.type === 'DIRECT', 'contextTypes');
  const order = all.find((c) => c.context.type === 'ORDER');
  const ret = all.find((c) => c.context.type === 'RETURN');
  await expectSame({ orderIds: [order.context.orderId] }, (c) => c.context.orderId === order.context.orderId, 'orderIds');
  await expectSame(
    {
      contexts: [
        { type: 'ORDER', id: order.context.orderId },
        { type: 'RETURN', id: ret.context.returnId },
      ],
    },
    (c) => c.chatId === order.chatId || c.chatId === ret.chatId,
    'contexts',
  );
  await expectSame(
    { types: ['CHAT'], contextTypes: ['ORDER'], statuses: ['WAITING_FOR_PARTNER'] },
    (c) => c.type === 'CHAT' && c.context.type === 'ORDER' && c.status === 'WAITING_FOR_PARTNER',
    'types AND contextTypes AND statuses',
  );
  await expectSame({ statuses: ['NEW'], types: ['ARBITRAGE'] }, () => false, 'a combination that matches none');
});

t.test('getChats paging neither skips nor repeats while chats are added and updated between pages', async (t) => {
  const client = await sandboxFor(t);
  const before = await allChats(client, 1001);
  const seen: number[] = [];
  let token: string | undefined;
  let round = 0;
  do {
    const page = await client.post(`${B}/chats?limit=3${token ? `&page_token=${token}` : ''}`);
    seen.push(...page.body.result.chats.map((c: any) => c.chatId));
    token = page.body.result.paging.nextPageToken;
    // Between pages: a new chat (goes to the top) and a message to a chat already served (moves to the top).
    await client.post(`${B}/chats/new`, { context: { type: 'ORDER', id: 900_000_000 + round++ } });
  } while (token);
  t.strictSame(
    seen,
    before.map((c) => c.chatId),
    'exactly the chats that existed, once each, in order',
  );
});

t.test('pageToken and page_token are the same parameter', async (t) => {
  const client = await sandboxFor(t);
  const first = await client.post(`${B}/chats?limit=5`);
  const token = first.body.result.paging.nextPageToken;
  const a = await client.post(`${B}/chats?limit=5&pageToken=${token}`);
  const b = await client.post(`${B}/chats?limit=5&page_token=${token}`);
  t.strictSame(a.body, b.body);
  t.notSame(a.body.result.chats[0].chatId, first.body.result.chats[0].chatId);
});

t.test('a history token is not a chats token', async (t) => {
  const client = await sandboxFor(t);
  const [chat] = (await client.post(`${B}/chats`)).body.result.chats;
  const history = await client.post(`${B}/chats/history?chatId=${chat.chatId}&limit=1`);
  const token = history.body.result.paging.nextPageToken;
  t.type(token, 'string', 'the newest chat has more than one message');
  const wrong = await client.post(`${B}/chats?pageToken=${token}`);
  t.equal(wrong.status, 400);
  t.match(wrong.body.errors[0].message, /pageToken/);
});

t.test('each business id has its own world; a fresh id isolates a test', async (t) => {
  const client = await sandboxFor(t);
  const a = await allChats(client, 1001);
  const b = await allChats(client, 987654321);
  t.ok(b.length >= 12);
  t.notSame(
    a.map((c) => c.chatId),
    b.map((c) => c.chatId),
  );
  const missing = await client.get(`/v2/businesses/987654321/chat?chatId=${a[0].chatId}`);
  t.equal(missing.status, 404, "one business cannot read another's chat");
});

t.test('a page answered again is never stale: every kind of change shows at once', async (t) => {
  const client = await sandboxFor(t);
  const list = async () => (await client.post('/v2/businesses/1001/chats?limit=20')).body.result.chats;
  const history = async (chatId: number) =>
    (await client.post(`/v2/businesses/1001/chats/history?chatId=${chatId}&limit=100`)).body.result.messages;
  const [chat] = await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'], contextTypes: ['ORDER'] });
  await list();
  await history(chat.chatId);

  await client.post(`/v2/businesses/1001/chats/message?chatId=${chat.chatId}`, { message: 'Отправили сегодня.' });
  t.equal((await list())[0].status, 'WAITING_FOR_CUSTOMER', 'a partner message moves the chat to the top, answered');
  t.equal((await history(chat.chatId)).at(-1).message, 'Отправили сегодня.');

  await client.sandbox.buyer.say(chat.chatId, 'Спасибо!');
  t.equal((await list())[0].status, 'WAITING_FOR_PARTNER', 'a buyer message');
  await client.sandbox.buyer.setStatus(chat.chatId, 'WAITING_FOR_MARKET');
  t.equal((await list())[0].status, 'WAITING_FOR_MARKET', 'a status set, which is no message');
  await client.sandbox.buyer.dispute(chat.chatId);
  t.match((await list())[0], { type: 'ARBITRAGE', status: 'WAITING_FOR_ARBITER' }, 'a dispute');
  const created = (await client.post('/v2/businesses/1001/chats/new', { context: { type: 'ORDER', id: 424242 } })).body.result.chatId;
  t.ok(
    (await list()).some((c: any) => c.chatId === created),
    'a new chat',
  );
  await sendFile(client, 1001, created, { name: 'Чек.pdf', content: '%PDF' });
  t.match((await history(created)).at(-1), { payload: [{ name: 'Чек.pdf' }] }, 'a file');
  await client.post('/__sandbox/reset');
  t.notOk(
    (await list()).some((c: any) => c.chatId === created),
    'a reset',
  );
});
