/**
 * Worlds kept as scenarios: a recording of what an upstream answered (proxy mode), played by another sandbox,
 * answers the same chats; a world exported (GET /__sandbox/world, sandbox.exportWorld()) and played again answers
 * the same. Over real sockets, with sandboxes as the upstream.
 */
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { allChats, allMessages, sandboxFor, type Client } from './helpers.js';

const B = 1001;

/** What a client reads of a chat, payload URLs aside (they name the sandbox that serves the bytes). */
async function readChat(client: Client, chatId: number) {
  const chat = (await client.get(`/v2/businesses/${B}/chat?chatId=${chatId}`)).body.result;
  const messages = (await allMessages(client, B, chatId)).map(({ payload, ...message }: any) => ({
    ...message,
    ...(payload ? { payload: payload.map(({ name, size }: any) => ({ name, size })) } : {}),
  }));
  return { chat, messages };
}

/** Texts and names of a buyer as made anonymous: the same shape, other words. */
const lengths = (read: Awaited<ReturnType<typeof readChat>>) => read.messages.map((m: any) => m.message?.length ?? null);

t.test('a recording replays the chats the upstream answered: ids, statuses, times, order; buyers anonymous', async (t) => {
  const upstream = await sandboxFor(t);
  const proxy = await sandboxFor(t, { upstream: { url: upstream.sandbox.url } });
  const chats = await allChats(proxy, B, {}, 5);
  const read = chats.slice(0, 6).map((c: any) => c.chatId);
  const original = [];
  for (const chatId of read) original.push(await readChat(proxy, chatId));
  const withFile = original.find((r) => r.messages.some((m: any) => m.payload));
  t.ok(withFile, 'a chat with a file among those read');

  const recording = proxy.sandbox.recording()!;
  t.equal(recording.name, 'recorded');
  t.equal(recording.data!.businesses[0].id, B);
  const replay = await sandboxFor(t, { scenario: recording });
  t.same(
    (await allChats(replay, B, {}, 5)).map((c: any) => [c.chatId, c.status, c.type, c.createdAt, c.updatedAt, c.context.orderId ?? null]),
    chats.map((c: any) => [c.chatId, c.status, c.type, c.createdAt, c.updatedAt, c.context.orderId ?? null]),
    'getChats: every chat the listing gave, in its order, as the upstream gave it',
  );
  for (const [i, chatId] of read.entries()) {
    const again = await readChat(replay, chatId);
    t.same(
      again.messages.map((m: any) => [m.messageId, m.sender, m.createdAt]),
      original[i].messages.map((m: any) => [m.messageId, m.sender, m.createdAt]),
      `chat ${chatId}: its history's ids, senders and times`,
    );
    t.same(lengths(again), lengths(original[i]), `chat ${chatId}: texts of the same lengths`);
    t.same(again.chat.context.campaignId, original[i].chat.context.campaignId);
  }
  const buyerOf = (read: any) => read.chat.context.customer;
  t.not(buyerOf(await readChat(replay, read[0])).name, buyerOf(original[0]).name, "the buyer's name is not kept");
  t.not(
    (await readChat(replay, read[0])).messages.find((m: any) => m.message)?.message,
    original[0].messages.find((m: any) => m.message)?.message,
    'nor the texts',
  );
  const message = original[0].messages[0];
  const single = await replay.get(`/v2/businesses/${B}/chats/message?chatId=${read[0]}&messageId=${message.messageId}`);
  t.equal(single.body.result.createdAt, message.createdAt, 'getChatMessage finds it by its id');

  const yaml = await proxy.get('/__sandbox/recording?format=yaml');
  t.match(yaml.headers.get('content-disposition'), /recording\.yaml/);
  t.same(parseYaml(yaml.text), recording, 'GET /__sandbox/recording?format=yaml: the same scenario');
  t.notMatch(yaml.text, /sandbox-key|Api-Key/i, 'no key in it');
});

t.test('--record-raw keeps buyers as they are', async (t) => {
  const upstream = await sandboxFor(t);
  const proxy = await sandboxFor(t, { upstream: { url: upstream.sandbox.url }, recordRaw: true });
  const [chat] = await allChats(proxy, B, {}, 1);
  const original = await readChat(proxy, chat.chatId);
  const replay = await sandboxFor(t, { scenario: proxy.sandbox.recording()! });
  t.same(await readChat(replay, chat.chatId), original, 'chat and history as the upstream answered them');
});

t.test('without an upstream there is nothing to record', async (t) => {
  const client = await sandboxFor(t);
  t.equal(client.sandbox.recording(), undefined);
  const answer = await client.get('/__sandbox/recording');
  t.equal(answer.status, 409);
  t.match(answer.body.errors[0].message, /start the sandbox with --upstream URL/);
});

t.test('a world exported and played again answers the same, what a test changed included', async (t) => {
  const first = await sandboxFor(t);
  const [waiting] = await allChats(first, B, { statuses: ['WAITING_FOR_PARTNER'] }, 1);
  await first.post(`/v2/businesses/${B}/chats/message?chatId=${waiting.chatId}`, { message: 'Заказ передан в доставку.' });
  await first.post(`/v2/businesses/${B}/chats/new`, { context: { type: 'ORDER', id: 77000999 } });
  await first.post(`/v2/businesses/2002/chats?limit=1`);

  const world = first.sandbox.exportWorld();
  t.same(
    world.data!.businesses.map((b) => b.id),
    [B, 2002],
    'every business the sandbox holds',
  );
  const second = await sandboxFor(t, { scenario: world });
  for (const businessId of [B, 2002]) {
    const chats = await allChats(first, businessId, {}, 20);
    t.same(await allChats(second, businessId, {}, 20), chats, `business ${businessId}: getChats, page by page`);
  }
  for (const { chatId } of (await allChats(first, B, {}, 20)).slice(0, 8)) {
    t.same(await readChat(second, chatId), await readChat(first, chatId), `chat ${chatId}: getChat and its whole history`);
  }

  const yaml = await first.get('/__sandbox/world?format=yaml');
  t.equal(yaml.status, 200);
  const third = await sandboxFor(t);
  const loaded = await third.call('PUT', '/__sandbox/scenario', { raw: yaml.text, headers: { 'content-type': 'application/yaml' } });
  t.equal(loaded.status, 200, 'PUT /__sandbox/scenario takes it as it is');
  t.same(await allChats(third, B, {}, 20), await allChats(first, B, {}, 20));
  t.same((await first.get('/__sandbox/world')).body.result, world, 'GET /__sandbox/world: the same, as JSON');
});
