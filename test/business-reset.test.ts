/** POST /__sandbox/businesses/{businessId}/reset and sandbox.reset({ businessId }): one business back, the others kept. */
import { join } from 'node:path';
import t from 'tap';
import { startSandbox } from '../src/index.js';
import { allMessages, control, receiverFor, sandboxFor, tempDir, type Client } from './helpers.js';

const chatsOf = async (client: Client, businessId: number, status = '') =>
  (await client.get(`/__sandbox/businesses/${businessId}/chats?limit=200${status && `&status=${status}`}`)).body.result.chats.map(
    (c: any) => c.chat,
  );
/** Messages as a reset gives them back: its times are laid out back from the moment of the reset, as at start. */
const contents = (messages: any[]) => messages.map(({ messageId, sender, message }) => ({ messageId, sender, message }));
const say = (client: Client, businessId: number, chatId: number, message: string) =>
  client.post(`/v2/businesses/${businessId}/chats/message?chatId=${chatId}`, { message });

t.test('one business goes back to its initial world and quotas; the others keep theirs', async (t) => {
  const client = await sandboxFor(t, { rateLimits: true, scenario: { rateLimits: { sendMessageToChat: { limit: 1, window: '1h' } } } });
  const [fixtureChat] = await chatsOf(client, 1001, 'WAITING_FOR_PARTNER');
  const [generatedChat] = await chatsOf(client, 2002, 'WAITING_FOR_PARTNER');
  const chatsBefore = (await chatsOf(client, 1001)).length;
  const before = {
    fixture: await allMessages(client, 1001, fixtureChat.chatId),
    generated: await allMessages(client, 2002, generatedChat.chatId),
  };
  t.equal((await say(client, 1001, fixtureChat.chatId, 'Ответ в 1001')).status, 200);
  t.equal((await say(client, 2002, generatedChat.chatId, 'Ответ в 2002')).status, 200);
  await control(client, '/chats', { context: { type: 'DIRECT' }, message: 'Новый чат' }, 1001);
  t.equal((await chatsOf(client, 1001)).length, chatsBefore + 1);

  const reset = await client.post('/__sandbox/businesses/1001/reset');
  t.equal(reset.status, 200);
  t.same(contents(await allMessages(client, 1001, fixtureChat.chatId)), contents(before.fixture), "1001's chat is as it was");
  t.equal((await chatsOf(client, 1001)).length, chatsBefore, 'the chat started since is gone');
  t.equal((await allMessages(client, 2002, generatedChat.chatId)).length, before.generated.length + 1, '2002 keeps its change');
  t.equal((await say(client, 1001, fixtureChat.chatId, 'Снова')).status, 200, "1001's quota is whole again");
  t.equal((await say(client, 2002, generatedChat.chatId, 'Снова')).status, 420, "2002's is still used up");

  await client.sandbox.reset({ businessId: 2002 });
  t.same(
    contents(await allMessages(client, 2002, generatedChat.chatId)),
    contents(before.generated),
    'a generated business is made again as it first was',
  );
  t.equal((await client.post('/__sandbox/businesses/0/reset')).status, 400);
});

t.test("a scenario's business goes back to the scenario's data; --db keeps the reset", async (t) => {
  const db = join(tempDir(t), 'world.json');
  const scenario = {
    data: { businesses: [{ id: 5005, chats: [{ chatId: 77, context: { type: 'ORDER' as const, id: 123 }, messages: { generate: 3 } }] }] },
  };
  const first = await startSandbox({ rateLimits: false, db, scenario });
  await first.buyer.say(77, 'Где заказ?', { businessId: 5005 });
  await first.reset({ businessId: 5005 });
  const url = `${first.url}/__sandbox/businesses/5005/chats/77`;
  const messagesIn = async (url: string) => ((await (await fetch(url)).json()) as any).result.messages.length;
  t.equal(await messagesIn(url), 3);
  await first.close();
  const second = await startSandbox({ rateLimits: false, db, scenario, port: 0 });
  t.teardown(() => second.close());
  t.equal(await messagesIn(`${second.url}/__sandbox/businesses/5005/chats/77`), 3, 'the file holds the reset world');
});

t.test("the business's deliveries under way are cancelled; other businesses' go on; the stream tells", async (t) => {
  const receiver = await receiverFor(t);
  receiver.answer = () => 'hang';
  const client = await sandboxFor(t, { scenario: { webhook: { url: receiver.url, attempts: 1 } } });
  const events = client.sandbox.events();
  const [a] = await chatsOf(client, 1001);
  const [b] = await chatsOf(client, 2002);
  await control(client, `/chats/${a.chatId}/messages`, { message: 'Раз' }, 1001);
  await control(client, `/chats/${b.chatId}/messages`, { message: 'Два' }, 2002);
  await receiver.waitFor(2);
  await client.sandbox.reset({ businessId: 1001 });
  const states = Object.fromEntries(client.sandbox.notifications().map((n) => [n.businessId, n.state]));
  t.same(states, { 1001: 'cancelled', 2002: 'pending' });
  for await (const event of events) {
    if (event.type !== 'reset') continue;
    t.same(event, { id: event.id, type: 'reset', businessId: 1001 });
    break;
  }
});
