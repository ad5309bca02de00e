/**
 * The other side of the chats over the control API (real sockets) and sandbox.buyer: what buyers, Market,
 * support and the arbiter do is what the partner's getChat, getChatHistory and getChatMessage then see.
 */
import t from 'tap';
import { SandboxRequestError } from '../src/index.js';
import { allChats, allMessages, type Client, control, multipartForm, sandboxFor } from './helpers.js';

const B = 1001;
const getChat = async (client: Client, chatId: number) => (await client.get(`/v2/businesses/${B}/chat?chatId=${chatId}`)).body.result;

t.test('a buyer starts a chat about an order with a first message; the partner sees both', async (t) => {
  const client = await sandboxFor(t);
  const started = await control(client, '/chats', {
    context: { type: 'ORDER', id: 777_000_111 },
    message: 'Здравствуйте! Когда привезут заказ?',
    customer: { name: 'Ольга К.', publicId: 'olga2024' },
  });
  t.equal(started.status, 200);
  const chat = started.body.result;
  t.match(chat, {
    type: 'CHAT',
    status: 'WAITING_FOR_PARTNER',
    context: { type: 'ORDER', orderId: 777_000_111, customer: { name: 'Ольга К.', publicId: 'olga2024' } },
  });
  t.same(await getChat(client, chat.chatId), chat, 'getChat answers the same chat');
  const [first] = await allMessages(client, B, chat.chatId);
  t.match(first, { sender: 'CUSTOMER', message: 'Здравствуйте! Когда привезут заказ?' });
  const fetched = await client.get(`/v2/businesses/${B}/chats/message?chatId=${chat.chatId}&messageId=${first.messageId}`);
  t.same(fetched.body.result, first, 'getChatMessage answers the buyer message');
  const listed = await allChats(client, B, { contexts: [{ type: 'ORDER', id: 777_000_111 }] });
  t.same(
    listed.map((c) => c.chatId),
    [chat.chatId],
    'getChats finds it by its order',
  );

  const again = await control(client, '/chats', { context: { type: 'ORDER', id: 777_000_111 }, message: 'Ау?' });
  t.equal(again.body.result.chatId, chat.chatId, 'one chat per order: the buyer writes in the one there is');
  t.equal((await allMessages(client, B, chat.chatId)).length, 2);
  const partnerCreate = await client.post(`/v2/businesses/${B}/chats/new`, { context: { type: 'ORDER', id: 777_000_111 } });
  t.equal(partnerCreate.body.result.chatId, chat.chatId, "the partner's createChat finds the buyer's chat");
});

t.test('DIRECT chats are always new and about nothing; RETURN chats know their order', async (t) => {
  const client = await sandboxFor(t);
  const a = (await control(client, '/chats', { context: { type: 'DIRECT' } })).body.result;
  const b = (await control(client, '/chats', { context: { type: 'DIRECT' } })).body.result;
  t.not(a.chatId, b.chatId);
  t.match(a, { status: 'NEW', context: { type: 'DIRECT' } });
  t.notOk(a.context.orderId, 'a DIRECT chat has no order');
  t.ok(a.context.customer.name, 'a buyer is made up');
  t.same(await allMessages(client, B, a.chatId), [], 'no first message, no messages');

  const ret = (await control(client, '/chats', { context: { type: 'RETURN', id: 5_550_001, orderId: 123_456_789 } })).body.result;
  t.match(ret.context, { type: 'RETURN', returnId: 5_550_001, orderId: 123_456_789 });
  const invented = (await control(client, '/chats', { context: { type: 'RETURN', id: 5_550_002 } })).body.result;
  t.type(invented.context.orderId, 'number', "a return's order is made up when not given");
});

t.test('starting a chat refuses what does not hold together, naming the field', async (t) => {
  const client = await sandboxFor(t);
  const cases: [unknown, number, RegExp][] = [
    [{}, 400, /context: is required/],
    [{ context: { type: 'ORDER' } }, 400, /context\.id: is required for an ORDER chat/],
    [{ context: { type: 'RETURN' } }, 400, /context\.id: is required for a RETURN chat/],
    [{ context: { type: 'DIRECT', id: 5 } }, 400, /context: a DIRECT chat is about no order/],
    [{ context: { type: 'ORDER', id: 5, orderId: 6 } }, 400, /context\.orderId/],
    [{ context: { type: 'CHAT' } }, 400, /context\.type: must be one of ORDER, RETURN, DIRECT/],
    [{ context: { type: 'DIRECT' }, message: '' }, 400, /message: must NOT have fewer than 1 characters/],
    [{ context: { type: 'DIRECT' }, message: 'x'.repeat(4097) }, 400, /message: must NOT have more than 4096/],
    [{ context: { type: 'DIRECT' }, customer: { name: 'Ольга' } }, 400, /customer\.publicId: is required/],
  ];
  for (const [body, status, message] of cases) {
    const answer = await control(client, '/chats', body);
    t.equal(answer.status, status, JSON.stringify(body).slice(0, 80));
    t.match(answer.body, { status: 'ERROR', errors: [{ code: 'BAD_REQUEST', message }] });
  }
  await control(client, '/chats', { context: { type: 'RETURN', id: 42, orderId: 100 }, customer: { name: 'Ольга К.', publicId: 'o1' } });
  const otherOrder = await control(client, '/chats', { context: { type: 'RETURN', id: 42, orderId: 101 } });
  t.match(otherOrder.body.errors[0].message, /context\.orderId: return 42 is of order 100/);
  const otherBuyer = await control(client, '/chats', {
    context: { type: 'RETURN', id: 42 },
    customer: { name: 'Иван П.', publicId: 'i1' },
  });
  t.match(otherBuyer.body.errors[0].message, /customer: the chat \d+ about this return is with Ольга К\. \(o1\)/);
  const badId = await client.post('/__sandbox/businesses/0/chats', { context: { type: 'DIRECT' } });
  t.match(badId.body.errors[0].message, /businessId: must be >= 1/);
});

t.test('in a strict world the control API acts only in businesses that exist', async (t) => {
  const client = await sandboxFor(t, { scenario: { world: 'strict', data: { businesses: [{ id: 5, chats: { generate: 2 } }] } } });
  const unknown = await client.post('/__sandbox/businesses/6/chats', { context: { type: 'DIRECT' } });
  t.equal(unknown.status, 404);
  t.match(unknown.body.errors[0].message, /businessId: business 6 not found/);
  const known = await client.post('/__sandbox/businesses/5/chats', { context: { type: 'ORDER', id: 9 } });
  t.equal(known.status, 200, 'an order the partner could not name exists once a buyer writes about it');
});

t.test('the buyer, Market and support write; the status moves as Market moves it', async (t) => {
  const client = await sandboxFor(t);
  const chat = (await control(client, '/chats', { context: { type: 'ORDER', id: 31337 }, message: 'Где заказ?' })).body.result;
  await client.post(`/v2/businesses/${B}/chats/message?chatId=${chat.chatId}`, { message: 'Уже едет' });
  t.equal((await getChat(client, chat.chatId)).status, 'WAITING_FOR_CUSTOMER');

  const market = await control(client, `/chats/${chat.chatId}/messages`, { message: 'Заказ доставлен покупателю.', sender: 'MARKET' });
  t.match(market.body.result, { sender: 'MARKET', message: 'Заказ доставлен покупателю.' });
  t.equal((await getChat(client, chat.chatId)).status, 'WAITING_FOR_CUSTOMER', 'Market leaves the status alone');
  await control(client, `/chats/${chat.chatId}/messages`, { message: 'Мы подключились к чату.', sender: 'SUPPORT' });
  t.equal((await getChat(client, chat.chatId)).status, 'WAITING_FOR_CUSTOMER', 'support leaves the status alone');

  const reply = await control(client, `/chats/${chat.chatId}/messages`, { message: 'Спасибо, получил!' });
  t.match(reply.body.result, { sender: 'CUSTOMER', message: 'Спасибо, получил!' }, 'the buyer writes by default');
  const seen = await getChat(client, chat.chatId);
  t.equal(seen.status, 'WAITING_FOR_PARTNER', 'a buyer message waits for the partner');
  t.equal(seen.updatedAt, reply.body.result.createdAt, 'updatedAt follows the newest message');
  const fetched = await client.get(`/v2/businesses/${B}/chats/message?chatId=${chat.chatId}&messageId=${reply.body.result.messageId}`);
  t.same(fetched.body.result, reply.body.result, 'getChatMessage answers what the control API answered');
  t.same(
    (await allMessages(client, B, chat.chatId)).map((m) => m.sender),
    ['CUSTOMER', 'PARTNER', 'MARKET', 'SUPPORT', 'CUSTOMER'],
  );
});

t.test('writing refuses what is missing or wrong, naming the field', async (t) => {
  const client = await sandboxFor(t);
  const chat = (await control(client, '/chats', { context: { type: 'DIRECT' } })).body.result;
  const cases: [unknown, RegExp][] = [
    [{}, /message: is required when no file is sent/],
    [{ message: 'Привет', sender: 'PARTNER' }, /sender: must be one of CUSTOMER, MARKET, SUPPORT/],
    [{ message: '' }, /message: must NOT have fewer than 1 characters/],
  ];
  for (const [body, message] of cases) {
    const answer = await control(client, `/chats/${chat.chatId}/messages`, body);
    t.equal(answer.status, 400);
    t.match(answer.body.errors[0].message, message);
  }
  const unknown = await control(client, '/chats/1/messages', { message: 'Привет' });
  t.equal(unknown.status, 404);
  t.match(unknown.body.errors[0].message, /chatId: chat 1 not found in business 1001/);
  const text = await client.call('POST', `/__sandbox/businesses/${B}/chats/${chat.chatId}/messages`, {
    raw: 'Привет',
    headers: { 'content-type': 'text/plain' },
  });
  t.equal(text.status, 415);
  t.match(text.body.errors[0].message, /send application\/json or multipart\/form-data/);
});

t.test('files from the buyer, Market or support arrive as multipart, downloadable from payload URLs', async (t) => {
  const client = await sandboxFor(t);
  const chat = (await control(client, '/chats', { context: { type: 'ORDER', id: 4242 } })).body.result;
  const form = multipartForm(
    { message: 'Фото коробки и чек' },
    { name: 'коробка.png', content: Buffer.from('89504e47', 'hex'), type: 'image/png' },
    { name: 'чек.pdf', content: '%PDF-1.4 чек', type: 'application/pdf' },
  );
  const sent = await client.call('POST', `/__sandbox/businesses/${B}/chats/${chat.chatId}/messages`, { raw: form });
  t.equal(sent.status, 200, sent.text);
  const message = sent.body.result;
  t.match(message, { sender: 'CUSTOMER', message: 'Фото коробки и чек' });
  t.same(
    message.payload.map((p: any) => [p.name, p.size]),
    [
      ['коробка.png', 4],
      ['чек.pdf', Buffer.byteLength('%PDF-1.4 чек')],
    ],
  );
  const download = await fetch(message.payload[1].url);
  t.equal(download.headers.get('content-type'), 'application/pdf');
  t.equal(await download.text(), '%PDF-1.4 чек');
  t.same((await client.get(`/v2/businesses/${B}/chats/message?chatId=${chat.chatId}&messageId=${message.messageId}`)).body.result, message);

  const support = multipartForm({ sender: 'SUPPORT' }, { name: 'Акт.pdf', content: 'акт' });
  const bySupport = await client.call('POST', `/__sandbox/businesses/${B}/chats/${chat.chatId}/messages`, { raw: support });
  t.match(bySupport.body.result, { sender: 'SUPPORT', payload: [{ name: 'Акт.pdf', size: 6 }] });
  t.notOk('message' in bySupport.body.result, 'files alone make a message');

  const wrong = multipartForm({ sender: 'ARBITER' }, { name: 'x.txt', content: 'x' });
  const refused = await client.call('POST', `/__sandbox/businesses/${B}/chats/${chat.chatId}/messages`, { raw: wrong });
  t.equal(refused.status, 400);
  t.match(refused.body.errors[0].message, /sender: must be one of CUSTOMER, MARKET, SUPPORT/);
  const empty = multipartForm({ message: 'без файла' });
  const textOnly = await client.call('POST', `/__sandbox/businesses/${B}/chats/${chat.chatId}/messages`, { raw: empty });
  t.match(textOnly.body.result, { message: 'без файла' }, 'multipart may carry text alone');
  const big = multipartForm({}, { name: 'big.bin', content: Buffer.alloc(5 * 1024 * 1024 + 1) });
  const tooBig = await client.call('POST', `/__sandbox/businesses/${B}/chats/${chat.chatId}/messages`, { raw: big });
  t.equal(tooBig.status, 413);
});

t.test('disputes open and close as Market’s would, with Market announcing them', async (t) => {
  const client = await sandboxFor(t);
  const chat = (await control(client, '/chats', { context: { type: 'ORDER', id: 1_000_001 }, message: 'Товар с браком!' })).body.result;
  const opened = await control(client, `/chats/${chat.chatId}/status`, { arbitrage: 'started' });
  t.match(opened.body.result, { type: 'ARBITRAGE', status: 'WAITING_FOR_ARBITER' });
  const disputes = await allChats(client, B, { types: ['ARBITRAGE'], statuses: ['WAITING_FOR_ARBITER'] });
  t.ok(
    disputes.some((c) => c.chatId === chat.chatId),
    'getChats filters find the dispute',
  );
  const announced = (await allMessages(client, B, chat.chatId)).at(-1);
  t.match(announced, { sender: 'MARKET', message: /спор по заказу №1000001/i });

  await control(client, `/chats/${chat.chatId}/messages`, { message: 'Прилагаю фото.' });
  t.equal((await getChat(client, chat.chatId)).status, 'WAITING_FOR_ARBITER', "a buyer message in a dispute leaves the arbiter's status");
  const twice = await control(client, `/chats/${chat.chatId}/status`, { arbitrage: 'started' });
  t.match(twice.body.errors[0].message, /arbitrage: chat \d+ is already in a dispute/);

  const closed = await control(client, `/chats/${chat.chatId}/status`, { arbitrage: 'finished' });
  t.match(closed.body.result, { type: 'CHAT', status: 'WAITING_FOR_PARTNER' }, 'back to a chat in the status it had');
  t.match((await allMessages(client, B, chat.chatId)).at(-1), { sender: 'MARKET', message: /завершён/ });
  const again = await control(client, `/chats/${chat.chatId}/status`, { arbitrage: 'finished' });
  t.match(again.body.errors[0].message, /arbitrage: chat \d+ has no dispute open/);

  await control(client, `/chats/${chat.chatId}/status`, { arbitrage: 'started' });
  const closedForGood = await control(client, `/chats/${chat.chatId}/status`, { arbitrage: 'finished', status: 'FINISHED' });
  t.match(closedForGood.body.result, { type: 'CHAT', status: 'FINISHED' }, 'a dispute can close the chat with it');
});

t.test('a dispute of the initial world closes back to the partner; DIRECT chats have none', async (t) => {
  const client = await sandboxFor(t);
  const [open] = await allChats(client, B, { types: ['ARBITRAGE'], statuses: ['WAITING_FOR_ARBITER'] });
  const closed = await control(client, `/chats/${open.chatId}/status`, { arbitrage: 'finished' });
  t.match(closed.body.result, { type: 'CHAT', status: 'WAITING_FOR_PARTNER' });
  const [direct] = await allChats(client, B, { contextTypes: ['DIRECT'] });
  const refused = await control(client, `/chats/${direct.chatId}/status`, { arbitrage: 'started' });
  t.equal(refused.status, 400);
  t.match(refused.body.errors[0].message, /is a DIRECT chat; disputes are about orders and returns/);
});

t.test('setting a status: FINISHED stops the partner, and a buyer message reopens the chat', async (t) => {
  const client = await sandboxFor(t);
  const chat = (await control(client, '/chats', { context: { type: 'ORDER', id: 2_000_002 }, message: 'Вопрос' })).body.result;
  const finished = await control(client, `/chats/${chat.chatId}/status`, { status: 'FINISHED' });
  t.match(finished.body.result, { status: 'FINISHED', updatedAt: chat.updatedAt }, 'a status change is no message: updatedAt stays');
  const partner = await client.post(`/v2/businesses/${B}/chats/message?chatId=${chat.chatId}`, { message: 'Ответ' });
  t.equal(partner.status, 400, 'the partner cannot write in a finished chat');
  await control(client, `/chats/${chat.chatId}/messages`, { message: 'У меня ещё вопрос' });
  t.equal((await getChat(client, chat.chatId)).status, 'WAITING_FOR_PARTNER', 'the buyer can, and the chat reopens');

  const cases: [unknown, RegExp][] = [
    [{}, /body: give arbitrage, status, or both/],
    [{ status: 'WAITING_FOR_ARBITER' }, /status: WAITING_FOR_ARBITER is a dispute's status/],
    [{ status: 'CLOSED' }, /status: must be one of NEW, /],
    [{ arbitrage: 'paused' }, /arbitrage: must be one of started, finished/],
  ];
  for (const [body, message] of cases) {
    const answer = await control(client, `/chats/${chat.chatId}/status`, body);
    t.equal(answer.status, 400);
    t.match(answer.body.errors[0].message, message);
  }
  const market = await control(client, `/chats/${chat.chatId}/status`, { status: 'WAITING_FOR_MARKET' });
  t.equal(market.body.result.status, 'WAITING_FOR_MARKET');
});

t.test('sandbox.buyer does the same from test code, and throws what the control API answers', async (t) => {
  const { sandbox, ...client } = await sandboxFor(t);
  const chat = await sandbox.buyer.startChat({ message: 'Есть ли этот товар в другом цвете?' });
  t.match(chat, { context: { type: 'DIRECT' }, status: 'WAITING_FOR_PARTNER' }, 'DIRECT unless a context is given');
  const said = await sandbox.buyer.say(chat.chatId, 'Алло?');
  t.match(said, { sender: 'CUSTOMER', message: 'Алло?' });
  const file = await sandbox.customer.say(chat.chatId, {
    sender: 'SUPPORT',
    message: 'Инструкция',
    files: [{ name: 'Инструкция.pdf', content: '%PDF', contentType: 'application/pdf' }],
  });
  t.match(file, { sender: 'SUPPORT', payload: [{ name: 'Инструкция.pdf', size: 4 }] });
  t.equal(await (await fetch(file.payload![0].url)).text(), '%PDF', 'payload URLs point at the running sandbox');

  const order = await sandbox.buyer.startChat({ businessId: 2002, context: { type: 'ORDER', id: 88 } });
  t.match(await sandbox.buyer.dispute(order.chatId, { businessId: 2002 }), { type: 'ARBITRAGE', status: 'WAITING_FOR_ARBITER' });
  t.match(await sandbox.buyer.endDispute(order.chatId, { businessId: 2002, status: 'FINISHED' }), { type: 'CHAT', status: 'FINISHED' });
  t.match(await sandbox.buyer.setStatus(order.chatId, 'NEW', { businessId: 2002 }), { status: 'NEW' });
  t.equal((await client.get(`/v2/businesses/2002/chat?chatId=${order.chatId}`)).body.result.status, 'NEW');
  await t.rejects(sandbox.buyer.endDispute(order.chatId, { businessId: 2002 }), { message: /has no dispute open/ }, 'no dispute is open');
});

t.test('sandbox.buyer rejects with the status and message of the refusal', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const error = await sandbox.buyer.say(1, 'Привет').catch((e: unknown) => e);
  t.type(error, SandboxRequestError);
  t.match(error, { statusCode: 404, message: /chatId: chat 1 not found/ });
  const chat = await sandbox.buyer.startChat({ context: { type: 'ORDER', id: 5 } });
  t.match(await sandbox.buyer.endDispute(chat.chatId).catch((e: unknown) => e), { statusCode: 400, message: /has no dispute open/ });
});

t.test('the control routes are documented in the OpenAPI document, multipart included', async (t) => {
  const client = await sandboxFor(t);
  const { paths } = (await client.get('/openapi.json')).body;
  const write = paths['/__sandbox/businesses/{businessId}/chats/{chatId}/messages'].post;
  t.same(Object.keys(write.requestBody.content).sort(), ['application/json', 'multipart/form-data']);
  t.ok(write.requestBody.content['multipart/form-data'].schema.properties.file, 'the file parts are described');
  t.ok(paths['/__sandbox/businesses/{businessId}/chats'].post.requestBody.content['application/json'].schema.properties.context);
  t.ok(paths['/__sandbox/businesses/{businessId}/chats/{chatId}/status'].post);
  t.ok(paths['/__sandbox/notifications'].get);
  t.ok(paths['/__sandbox/notifications/ping'].post);
  const sendFile = paths['/v2/businesses/{businessId}/chats/file/send'].post;
  t.same(Object.keys(sendFile.requestBody.content), ['multipart/form-data'], 'sendFileToChat still documents its file part');
  t.ok(sendFile.requestBody.content['multipart/form-data'].schema.properties.file);
});
