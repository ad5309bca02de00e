/** Ids never repeat in a sandbox's life: after a reset, a new scenario, or (with --db) a restart, new chats and messages get new ids. */
import { join } from 'node:path';
import t from 'tap';
import { allMessages, sandboxFor, tempDir, type Client } from './helpers.js';

const B = 1001;

/** Opens a chat and writes in it; the ids the sandbox handed out. */
async function handOut(client: Client, orderId: number): Promise<{ chatId: number; messageIds: string[] }> {
  const chatId = (await client.post(`/v2/businesses/${B}/chats/new`, { context: { type: 'ORDER', id: orderId } })).body.result.chatId;
  await client.post(`/v2/businesses/${B}/chats/message?chatId=${chatId}`, { message: 'Здравствуйте! Заказ собран.' });
  await client.sandbox.buyer.say(chatId, { message: 'Спасибо!' });
  return { chatId, messageIds: (await allMessages(client, B, chatId)).map((m) => String(m.messageId)) };
}

t.test('after a reset, a new scenario, another business reset: no id handed out twice', async (t) => {
  const client = await sandboxFor(t);
  const seen = { chats: new Set<number>(), messages: new Set<string>() };
  const check = async (what: string, orderId: number) => {
    const { chatId, messageIds } = await handOut(client, orderId);
    t.notOk(seen.chats.has(chatId), `${what}: chat ${chatId} is new`);
    t.same(
      messageIds.filter((id) => seen.messages.has(id)),
      [],
      `${what}: its messages are new`,
    );
    seen.chats.add(chatId);
    for (const id of messageIds) seen.messages.add(id);
  };
  await check('first', 77_000_101);
  await client.post('/__sandbox/reset');
  await check('after a reset', 77_000_101);
  await client.post(`/__sandbox/businesses/${B}/reset`);
  await check('after the business was reset', 77_000_101);
  await client.call('PUT', '/__sandbox/scenario', { body: { name: 'другой' } });
  await check('after a new scenario', 77_000_101);
});

t.test('with --db, across restarts and resets', async (t) => {
  const db = join(tempDir(t), 'world.json');
  const first = await sandboxFor(t, { db });
  const before = await handOut(first, 77_000_201);
  await first.post('/__sandbox/reset');
  await first.sandbox.close();
  const second = await sandboxFor(t, { db });
  const after = await handOut(second, 77_000_201);
  t.not(after.chatId, before.chatId, 'a new chat id after a reset and a restart');
  t.same(
    after.messageIds.filter((id) => before.messageIds.includes(id)),
    [],
    'new message ids',
  );
});
