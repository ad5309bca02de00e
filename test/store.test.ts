/** The lowdb store: persisted with --db, coalesced, atomic, reloaded; and reset back to the initial world. */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import type { Sender } from '../src/contract/enums.js';
import { buildApp, startSandbox } from '../src/index.js';
import { generateBusiness } from '../src/fake/world-generator.js';
import { FileStore } from '../src/store/file-store.js';
import { worldPieces } from '../src/store/world-file.js';
import { WorldStore } from '../src/store/world-store.js';
import type { WorldData } from '../src/model/records.js';
import { allChats, allMessages, eventually, multipartForm, sandboxFor, sendFile, tempDir } from './helpers.js';

const B = '/v2/businesses/1001';
/** What every store opened here shares: generated worlds, and no warning expected. */
const STORE = { generate: generateBusiness, warn: (message: string) => t.fail(`unexpected warning: ${message}`) };

t.test('with --db the world survives a restart, uploaded files included', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'world.json');
  const first = await sandboxFor(t, { db });
  const [chat] = await allChats(first, 1001, { statuses: ['WAITING_FOR_PARTNER'] });
  await first.post(`${B}/chats/message?chatId=${chat.chatId}`, { message: 'Отправили заказ, трек-номер пришлём вечером.' });
  await sendFile(first, 1001, chat.chatId, { name: 'накладная.txt', content: 'Накладная', type: 'text/plain' });
  const created = (await first.post('/v2/businesses/5005/chats/new', { orderId: 31337 })).body.result.chatId;
  const before = await allMessages(first, 1001, chat.chatId);
  await first.sandbox.close();

  t.ok(existsSync(db));
  t.strictSame(readdirSync(dir).sort(), ['world.json', 'world.json.files', 'world.json.log'], 'no temporary file left behind');
  const second = await sandboxFor(t, { db });
  const withoutPort = (messages: any[]) => JSON.parse(JSON.stringify(messages).replace(/127\.0\.0\.1:\d+/g, 'host'));
  t.strictSame(withoutPort(await allMessages(second, 1001, chat.chatId)), withoutPort(before));
  const file = (await allMessages(second, 1001, chat.chatId)).at(-1).payload[0];
  t.equal(await (await fetch(file.url)).text(), 'Накладная');
  t.equal((await second.get(`/v2/businesses/5005/chat?chatId=${created}`)).status, 200, 'a created chat is there');
  const health = (await second.get('/__sandbox/health')).body.result;
  t.match(health, { db, businesses: [1001, 5005] });
});

t.test('a burst of changes is appended once to the log; the snapshot is not rewritten', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'world.json');
  const client = await sandboxFor(t, { db });
  const [chat] = await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'] });
  const snapshot = readFileSync(db, 'utf8');
  const writesBefore = (await client.get('/__sandbox/health')).body.result.dbWrites;
  await Promise.all(
    Array.from({ length: 40 }, (_, i) => client.post(`${B}/chats/message?chatId=${chat.chatId}`, { message: `Сообщение ${i}` })),
  );
  // Written within the flush delay: wait until the log holds every message, then count the writes.
  await eventually(() => existsSync(`${db}.log`) && readFileSync(`${db}.log`, 'utf8').split('Сообщение ').length === 41);
  // A write is counted once its append is done, a moment after the line is in the file: wait for the count to settle.
  const dbWrites = async () => (await client.get('/__sandbox/health')).body.result.dbWrites as number;
  let counted = await dbWrites();
  for (;;) {
    await sleep(50);
    const later = await dbWrites();
    if (later === counted) break;
    counted = later;
  }
  const writes = counted - writesBefore;
  t.ok(writes >= 1 && writes <= 4, `40 messages, ${writes} write(s) of the file`);
  t.equal(readFileSync(db, 'utf8'), snapshot, 'the snapshot is left alone');
  const batches = readFileSync(`${db}.log`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  t.equal(batches.length, writes, 'one line a write');
  const appended = batches
    .flatMap((b) => b.changes)
    .filter((c) => c.op === 'chat')
    .flatMap((c) => c.messages);
  t.equal(appended.filter((m: any) => /^Сообщение/.test(m.text)).length, 40, 'each message is appended once');
  t.ok(
    appended.every((m: any) => /^Сообщение/.test(m.text)),
    'and nothing but what changed',
  );
});

/** A store on a --db file in a temporary folder, its business `id` and that business's first chat. */
async function persistedChat(t: Test, id: number) {
  const db = join(tempDir(t), 'world.json');
  const store = await WorldStore.open({ ...STORE, seed: id, dbFile: db, flushDelayMs: 1 });
  const business = store.business(id);
  const [chat] = business.record.chats;
  const write = (sender: Sender, text: string) => {
    business.appendMessage(chat, { id: business.nextMessageId(), at: Date.now(), sender, text });
    store.changed(id, { chat });
  };
  return { db, store, chat, write };
}

t.test('the log is folded into a new snapshot once it outgrows the old one; both reload the same world', async (t) => {
  const { db, store, chat, write } = await persistedChat(t, 3);
  const text = 'Длинное сообщение. '.repeat(200);
  for (let i = 0; i < 1200; i++) {
    write('PARTNER', `${i}: ${text}`);
    if (i % 100 === 99) await store.flush();
  }
  await store.close();
  const logSize = existsSync(`${db}.log`) ? statSync(`${db}.log`).size : 0;
  t.ok(logSize < 4 * 1024 * 1024 && statSync(db).size > 4 * 1024 * 1024, `the log was folded (${logSize} bytes left) into the snapshot`);
  t.ok(JSON.parse(readFileSync(db, 'utf8')).seq > 0, 'the snapshot names the last batch it holds');
  const reopened = await WorldStore.open({ ...STORE, seed: 3, dbFile: db });
  t.equal(reopened.existingBusiness(3)!.chat(chat.id)!.messages.length, chat.messages.length, 'every message is there once');
  await reopened.close();
});

t.test('the snapshot is written in pieces that make the same JSON; what changes meanwhile is kept once', async (t) => {
  const world = {
    format: 1,
    seed: 7,
    businesses: { 7: generateBusiness(7, 7, Date.now()), 8: { ...generateBusiness(7, 8, Date.now()), chats: [] } },
  };
  world.businesses[7].chats[0].messages = [];
  t.strictSame(JSON.parse([...worldPieces(world as WorldData)].join('')), JSON.parse(JSON.stringify(world)), 'the same world');

  const { db, store, chat, write } = await persistedChat(t, 5);
  const text = 'Длинное сообщение. '.repeat(200);
  for (let i = 0; i < 3000; i++) write('PARTNER', `${i}: ${text}`);
  // This write outgrows the snapshot: the log is folded into one of some 10 MB, written over several turns,
  // while messages keep coming.
  const folding = store.flush();
  let during = 0;
  const folded = () => Promise.race([folding.then(() => true), new Promise<boolean>((resolve) => setImmediate(resolve, false))]);
  while (!(await folded())) write('CUSTOMER', `${during++}`);
  t.ok(during > 2, `${during} messages came while the snapshot was written`);
  t.ok(statSync(db).size > 10 * 1024 * 1024, 'the snapshot holds them');
  await store.close();
  const reopened = await WorldStore.open({ ...STORE, seed: 5, dbFile: db });
  const ids = reopened
    .existingBusiness(5)!
    .chat(chat.id)!
    .messages.map((m) => m.id);
  t.strictSame(
    ids,
    chat.messages.map((m) => m.id),
    'every message once, in order',
  );
  await reopened.close();
});

t.test('a log cut short by a SIGKILL loads up to its last whole batch; a damaged one is refused', async (t) => {
  const { db, store, chat, write } = await persistedChat(t, 4);
  const count = chat.messages.length;
  write('CUSTOMER', 'Дошло');
  await store.close();
  appendFileSync(`${db}.log`, '{"seq":99,"changes":[{"op":"chat","busin');
  const reopened = await WorldStore.open({ ...STORE, seed: 4, dbFile: db });
  const messages = reopened.existingBusiness(4)!.chat(chat.id)!.messages;
  t.equal(messages.length, count + 1);
  t.equal(messages.at(-1)!.text, 'Дошло');
  t.notOk(existsSync(`${db}.log`), 'the log was folded into the snapshot, torn line and all');
  await reopened.close();

  writeFileSync(`${db}.log`, 'garbage\n{"seq":100,"changes":[]}\n');
  await t.rejects(WorldStore.open({ ...STORE, seed: 4, dbFile: db }), {
    name: 'WorldStoreError',
    message: /world\.json\.log: line 1 is not a batch of changes/,
  });
});

t.test('reset brings back the initial world and forgets uploads', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'world.json');
  const client = await sandboxFor(t, { db });
  const initial = await allChats(client, 1001);
  await client.post(`${B}/chats/new`, { orderId: 1 });
  await client.post('/v2/businesses/7007/chats');
  await sendFile(client, 1001, initial[0].chatId, { name: 'x.txt', content: 'x' });
  const reset = await client.post('/__sandbox/reset');
  t.strictSame(reset.body, { status: 'OK' });
  t.strictSame(
    (await allChats(client, 1001)).map((c) => c.chatId),
    initial.map((c) => c.chatId),
  );
  t.strictSame((await client.get('/__sandbox/health')).body.result.businesses, [1001]);
  t.notOk(existsSync(`${db}.files`), 'uploaded files are gone');
  t.strictSame(Object.keys(JSON.parse(readFileSync(db, 'utf8')).businesses), ['1001'], 'the file holds the initial world');
});

t.test('a file that is not a sandbox world is refused with a clear error', async (t) => {
  const dir = tempDir(t, { 'broken.json': '{"format": 1, "busin', 'other.json': '{"name": "something else"}' });
  await t.rejects(startSandbox({ db: join(dir, 'broken.json') }), { name: 'WorldStoreError', message: /not a readable sandbox world/ });
  await t.rejects(startSandbox({ db: join(dir, 'other.json') }), { message: /not a sandbox world/ });
  t.equal(readFileSync(join(dir, 'other.json'), 'utf8'), '{"name": "something else"}', 'and left as it was');
});

t.test('a failed write is reported, and the next write saves the whole world', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'world.json');
  let reported: (message: string) => void;
  const warning = new Promise<string>((resolve) => (reported = resolve));
  const store = await WorldStore.open({ ...STORE, warn: (message) => reported(message), seed: 1, dbFile: db, flushDelayMs: 1 });
  store.business(1);
  await store.flush();
  // A folder in the way of the log makes the next append fail.
  rmSync(`${db}.log`, { force: true });
  mkdirSync(`${db}.log`);
  store.business(2);
  await store.flush();
  t.match(await warning, /could not write .*world\.json/);
  rmSync(`${db}.log`, { recursive: true });
  store.business(3);
  await store.close();
  t.strictSame(Object.keys(JSON.parse(readFileSync(db, 'utf8')).businesses), ['1', '2', '3'], 'the snapshot has everything');
  const reopened = await WorldStore.open({ ...STORE, seed: 1, dbFile: db });
  t.strictSame(reopened.businessIds(), [1, 2, 3]);
  await reopened.close();
});

t.test('uploads kept in memory are bounded: the oldest are dropped first, and their URL says so', async (t) => {
  const files = new FileStore(undefined, 10);
  await files.put('a-1', Buffer.from('123456'));
  await files.put('a-2', Buffer.from('7890'));
  t.equal((await files.get('a-1'))?.toString(), '123456', 'within the bound, everything is kept');
  await files.put('a-3', Buffer.from('abc'));
  t.equal(await files.get('a-1'), undefined, 'past it, the oldest is dropped');
  t.equal((await files.get('a-2'))?.toString(), '7890');
  t.ok(files.wasDropped('a-1'));
  t.notOk(files.wasDropped('a-2'));
  await files.clear();
  t.notOk(files.wasDropped('a-1'), 'a reset forgets');

  const { app } = await buildApp({ uploadsInMemoryBytes: 10 });
  t.teardown(() => app.close());
  const chat = await app.inject({ method: 'POST', url: '/__sandbox/businesses/1001/chats', payload: { context: { type: 'DIRECT' } } });
  const upload = async (content: string) => {
    const form = multipartForm({}, { name: 'фото.png', content });
    const answer = await app.inject({
      method: 'POST',
      url: `/__sandbox/businesses/1001/chats/${chat.json().result.chatId}/messages`,
      payload: form,
    });
    return answer.json().result.payload[0].url.replace(/^.*\/__sandbox/, '/__sandbox');
  };
  const first = await upload('1234567');
  const second = await upload('89012');
  t.equal((await app.inject({ method: 'GET', url: second })).body, '89012', 'the newest is kept');
  const gone = await app.inject({ method: 'GET', url: first });
  t.equal(gone.statusCode, 404);
  t.match(gone.json().errors[0].message, /fileId: file \S+ was dropped: uploads are kept in memory up to 10 bytes/);
});
