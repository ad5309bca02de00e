/**
 * The scenario's simulated buyers: replies to partner messages, new chats at a pace, both stopped by
 * reset and close with no timer left behind.
 */
import { join } from 'node:path';
import t from 'tap';
import { CUSTOMER_REPLIES } from '../src/fake/phrases.js';
import { allChats, allMessages, type Client, eventually, pastDue, receiverFor, sandboxFor, sendFile } from './helpers.js';
import { spawn } from './children.js';

const B = 1001;
const partnerSays = (client: Client, chatId: number, message: string) =>
  client.post(`/v2/businesses/${B}/chats/message?chatId=${chatId}`, { message });
const REPLY_SHAPES = CUSTOMER_REPLIES.map((line) => line.split('{order}')[0]);

t.test('the buyer answers each partner message after replyAfter, in realistic Russian', async (t) => {
  const client = await sandboxFor(t, { scenario: { customer: { replyAfter: '60ms' } } });
  const chat = await client.sandbox.buyer.startChat({ context: { type: 'ORDER', id: 321_000 }, message: 'Где заказ?' });
  const sentAt = Date.now();
  await partnerSays(client, chat.chatId, 'Заказ передан в доставку, привезут завтра.');
  const messages = await eventually(async () => {
    const all = await allMessages(client, B, chat.chatId);
    return all.length === 3 && all;
  });
  t.ok(Date.now() - sentAt >= 55, 'not before replyAfter');
  const reply = messages[2];
  t.equal(reply.sender, 'CUSTOMER');
  t.ok(
    REPLY_SHAPES.some((start) => reply.message.startsWith(start)),
    `a buyer's line: ${reply.message}`,
  );
  t.notMatch(reply.message, /\{\w+\}/, 'placeholders are filled');
  const seen = (await client.get(`/v2/businesses/${B}/chat?chatId=${chat.chatId}`)).body.result;
  t.equal(seen.status, 'WAITING_FOR_PARTNER', 'the reply waits for the partner again');
  const fetched = await client.get(`/v2/businesses/${B}/chats/message?chatId=${chat.chatId}&messageId=${reply.messageId}`);
  t.same(fetched.body.result, reply, 'getChatMessage returns the reply');

  await partnerSays(client, chat.chatId, 'Трек-номер отправили в SMS.');
  await partnerSays(client, chat.chatId, 'Что-нибудь ещё?');
  const after = await eventually(async () => {
    const all = await allMessages(client, B, chat.chatId);
    return all.length === 7 && all;
  });
  t.same(
    after.slice(3).map((m) => m.sender),
    ['PARTNER', 'PARTNER', 'CUSTOMER', 'CUSTOMER'],
    'one reply per partner message',
  );
});

t.test('given replies are said in turn, also to files, and not in a chat finished meanwhile', async (t) => {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, {
    webhook: receiver.url,
    scenario: { customer: { replyAfter: '30ms', replies: ['Спасибо!', 'А когда?'] } },
  });
  const chat = await client.sandbox.buyer.startChat({ context: { type: 'DIRECT' }, message: 'Есть в наличии?' });
  await partnerSays(client, chat.chatId, 'Да, есть.');
  await eventually(async () => (await allMessages(client, B, chat.chatId)).length === 3);
  await sendFile(client, B, chat.chatId, { name: 'Сертификат.pdf', content: '%PDF' });
  await partnerSays(client, chat.chatId, 'Вот сертификат.');
  const messages = await eventually(async () => {
    const all = await allMessages(client, B, chat.chatId);
    return all.length === 7 && all;
  });
  t.same(
    messages.filter((m) => m.sender === 'CUSTOMER').map((m) => m.message),
    ['Есть в наличии?', 'Спасибо!', 'А когда?', 'Спасибо!'],
  );
  await client.sandbox.notificationsSettled();
  const replies = receiver.received.filter((r) => r.body.notificationType === 'CHAT_MESSAGE_SENT');
  t.equal(replies.length, 7, "the partner's webhook hears every reply");

  await partnerSays(client, chat.chatId, 'Закрываем чат.');
  await client.sandbox.buyer.setStatus(chat.chatId, 'FINISHED');
  await pastDue(30);
  t.equal((await allMessages(client, B, chat.chatId)).length, 8, 'nobody answers in a finished chat');
});

t.test('new buyers open chats with a first message at newChatsEvery, in the businesses asked for', async (t) => {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, {
    webhook: receiver.url,
    scenario: { seed: 5, customer: { newChatsEvery: '25ms', businesses: [7001, 7002] } },
  });
  const created = await receiver.waitFor(8);
  const chats = created.filter((r) => r.body.notificationType === 'CHAT_CREATED').map((r) => r.body);
  t.ok(chats.length >= 4);
  t.same([...new Set(chats.map((c) => c.businessId))].sort(), [7001, 7002], 'in turn in each business');
  for (const { businessId, chatId } of chats.slice(0, 4)) {
    const chat = (await client.get(`/v2/businesses/${businessId}/chat?chatId=${chatId}`)).body.result;
    t.equal(chat.status, 'WAITING_FOR_PARTNER', 'a new chat waits for the partner');
    const [first] = await allMessages(client, businessId, chatId);
    t.match(first, { sender: 'CUSTOMER', message: /[а-яё]/i });
  }
  const listed = await allChats(client, 7001, { statuses: ['WAITING_FOR_PARTNER'] });
  t.ok(
    listed.some((c) => c.chatId === chats[0].chatId),
    "a partner's polling loop sees the new chats",
  );
});

t.test('new chats go to the businesses that exist when none are named', async (t) => {
  const client = await sandboxFor(t, { scenario: { customer: { newChatsEvery: '20ms' } } });
  const before = (await allChats(client, B)).length;
  await eventually(async () => (await allChats(client, B)).length >= before + 2);
  const other = await sandboxFor(t, { seed: 99, scenario: { customer: { newChatsEvery: '20ms' } } });
  await eventually(async () => (await allChats(other, B)).length >= 1);
  t.pass('a world with no business yet gets them in the default business');
});

t.test('reset stops what is pending and starts the scenario afresh; loading another scenario stops them', async (t) => {
  const client = await sandboxFor(t, { scenario: { customer: { replyAfter: '100ms', newChatsEvery: '1h' } } });
  const chat = await client.sandbox.buyer.startChat({ context: { type: 'ORDER', id: 654_321 }, message: 'Вопрос' });
  await partnerSays(client, chat.chatId, 'Ответ');
  await client.sandbox.reset();
  await client.sandbox.buyer.startChat({ context: { type: 'ORDER', id: 654_321 }, message: 'Вопрос' });
  await pastDue(100);
  const messages = await allMessages(client, B, (await allChats(client, B, { contexts: [{ type: 'ORDER', id: 654_321 }] }))[0].chatId);
  t.same(
    messages.map((m) => m.message),
    ['Вопрос'],
    'the reply due before the reset never came',
  );

  await client.sandbox.loadScenario({});
  const again = await client.sandbox.buyer.startChat({ context: { type: 'DIRECT' }, message: 'Ау' });
  await partnerSays(client, again.chatId, 'Слушаю');
  await pastDue(100);
  t.equal((await allMessages(client, B, again.chatId)).length, 2, 'a scenario without customer has no simulated buyer');
});

t.test('a simulated buyer that cannot act says so in the log and carries on', async (t) => {
  const warnings: string[] = [];
  const client = await sandboxFor(t, {
    scenario: { world: 'strict', data: { businesses: [{ id: 5, chats: [] }] }, customer: { newChatsEvery: '20ms', businesses: [5, 6] } },
  });
  client.sandbox.app.log.warn = (message: string) => void warnings.push(message);
  await eventually(() => warnings.length >= 1 && allChats(client, 5).then((chats) => chats.length >= 2));
  t.match(warnings[0], /simulated buyer: new chat in business 6 failed: businessId: business 6 not found/);
});

t.test('close() leaves no timer or socket behind: a process with a busy sandbox exits by itself', async (t) => {
  const script = `
    import { startSandbox } from ${JSON.stringify(join(import.meta.dirname, '..', 'src', 'index.ts'))};
    const sandbox = await startSandbox({
      webhook: 'http://127.0.0.1:1/nowhere',
      scenario: { customer: { replyAfter: '10m', newChatsEvery: '10ms' }, webhook: { attempts: 5, backoff: '10m' } },
    });
    const chat = await sandbox.buyer.startChat({ message: 'Привет' });
    await fetch(sandbox.url + '/v2/businesses/1001/chats/message?chatId=' + chat.chatId, {
      method: 'POST', headers: { 'Api-Key': 'k', 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Здравствуйте' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sandbox.close();
    console.log('closed');
  `;
  const started = Date.now();
  const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? signal)));
  clearTimeout(killer);
  t.equal(out.trim(), 'closed');
  t.equal(code, 0, `the process ended on its own after close() (${Date.now() - started} ms)`);
});
