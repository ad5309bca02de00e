/** The ready-made scenarios in scenarios/: each loads and has the effect its description promises. */
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { readScenarioFile } from '../src/scenario/load.js';
import { allChats, allMessages, eventually, sandboxFor } from './helpers.js';

const DIR = join(import.meta.dirname, '..', 'scenarios');
const B = '/v2/businesses/1001';

t.test('every ready-made scenario validates and says what it is for', async (t) => {
  for (const file of readdirSync(DIR)) {
    const scenario = await readScenarioFile(join(DIR, file));
    t.equal(`${scenario.name}.yaml`, file, `${file} is named after itself`);
    t.ok(scenario.description && scenario.description.length > 40, `${file} has a description`);
  }
});

t.test('rate-limits.yaml: 420 after three sends a minute and past two calls at once', async (t) => {
  const client = await sandboxFor(t, { rateLimits: true, scenario: join(DIR, 'rate-limits.yaml') });
  const [chat] = await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'] });
  const statuses = [];
  for (let i = 0; i < 4; i++)
    statuses.push((await client.post(`${B}/chats/message?chatId=${chat.chatId}`, { message: `Ответ ${i}` })).status);
  t.same(statuses, [200, 200, 200, 420]);
  // Two calls held open by bodies that have not finished arriving take both places.
  const journaled = client.sandbox.requests().length;
  const held = Array.from({ length: 2 }, () => {
    const call = request(`${client.sandbox.url}${B}/chats`, {
      method: 'POST',
      headers: { 'Api-Key': 'k', 'content-type': 'application/json', 'content-length': '2' },
    });
    const answered = new Promise<number | undefined>((resolve) => call.on('response', (r) => (r.resume(), resolve(r.statusCode))));
    call.write('{');
    return { call, answered };
  });
  // Both have passed the limiter once the journal has them: it is the hook right after the journal's.
  await eventually(() => client.sandbox.requests().length === journaled + 2);
  const third = await client.get(`${B}/chat?chatId=${chat.chatId}`);
  t.same([third.status, third.body.errors[0].message], [420, 'Hit rate limit of 2 parallel requests for business 1001']);
  for (const { call } of held) call.end('}');
  t.same(await Promise.all(held.map((h) => h.answered)), [200, 200]);
});

t.test('server-errors.yaml: failures in bursts, then recovery', async (t) => {
  const client = await sandboxFor(t, { scenario: join(DIR, 'server-errors.yaml') });
  const list = async () => (await client.post(`${B}/chats`)).status;
  t.same([await list(), await list(), await list()], [503, 503, 200]);
  const [chat] = await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'] });
  const history = async () => (await client.post(`${B}/chats/history?chatId=${chat.chatId}`)).status;
  t.same([await history(), await history(), await history(), await history()], [200, 200, 500, 200]);
  const sends = [];
  for (let i = 0; i < 7; i++) sends.push((await client.post(`${B}/chats/message?chatId=${chat.chatId}`, { message: `Ответ ${i}` })).status);
  t.same(sends, [200, 200, 200, 500, 500, 500, 200]);
});

t.test('slow-network.yaml: calls are slow, and one getChats in ten never answers', async (t) => {
  const client = await sandboxFor(t, { scenario: join(DIR, 'slow-network.yaml') });
  const started = performance.now();
  t.equal((await client.get(`${B}/chat?chatId=1`)).status, 404);
  t.ok(performance.now() - started >= 195, 'a call waits at least 200 ms');
  const calls = await Promise.all(
    Array.from({ length: 10 }, () =>
      fetch(`${client.sandbox.url}${B}/chats`, {
        method: 'POST',
        headers: { 'Api-Key': 'k', 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(4000),
      }).then(
        (r) => r.status,
        (e: Error) => e.name,
      ),
    ),
  );
  t.same(calls.filter((c) => c === 200).length, 9);
  t.same(calls.filter((c) => c === 'TimeoutError').length, 1);
});

t.test('read-only-key.yaml: the read-only key reads but may not write; unknown keys are refused', async (t) => {
  const client = await sandboxFor(t, { scenario: join(DIR, 'read-only-key.yaml') });
  const as = (token: string, path: string, body: unknown) => client.call('POST', path, { body, headers: { 'Api-Key': token } });
  const list = await as('ACMA:read-only', `${B}/chats`, { statuses: ['WAITING_FOR_PARTNER'] });
  t.equal(list.status, 200);
  const chatId = list.body.result.chats[0].chatId;
  t.equal((await as('ACMA:read-only', `${B}/chats/message?chatId=${chatId}`, { message: 'Здравствуйте' })).status, 403);
  t.equal((await as('ACMA:full', `${B}/chats/message?chatId=${chatId}`, { message: 'Здравствуйте' })).status, 200);
  t.equal((await as('ACMA:sandbox-key', `${B}/chats`, {})).status, 403);
});

t.test('long-history.yaml: 50 000 messages page through to the end', async (t) => {
  const client = await sandboxFor(t, { scenario: join(DIR, 'long-history.yaml') });
  const first = (await client.post(`${B}/chats/history?chatId=1000&limit=100`)).body.result;
  const lastId = first.messages[0].messageId + 49_999;
  const last = (await client.post(`${B}/chats/history?chatId=1000&limit=100`, { messageIdFrom: lastId - 50 })).body.result;
  t.same([last.messages.length, last.messages[50].messageId, last.paging.nextPageToken], [51, lastId, undefined]);
  t.equal((await allMessages(client, 1001, 1001)).length, 2500);
});

t.test('disputes.yaml: disputes open and closed, a finished chat that refuses messages', async (t) => {
  const client = await sandboxFor(t, { scenario: join(DIR, 'disputes.yaml') });
  const disputes = await allChats(client, 1001, { types: ['ARBITRAGE'] });
  t.same(disputes.map((c) => [c.chatId, c.status]).sort(), [
    [2001, 'WAITING_FOR_ARBITER'],
    [2002, 'FINISHED'],
  ]);
  const refused = await client.post(`${B}/chats/message?chatId=2003`, { message: 'Ещё вопрос' });
  t.same([refused.status, /FINISHED/.test(refused.body.errors[0].message)], [400, true]);
  t.match(await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'] }), [{ chatId: 2004 }]);
});

t.test('empty-business.yaml: no chats, and a first chat can be created', async (t) => {
  const client = await sandboxFor(t, { scenario: join(DIR, 'empty-business.yaml') });
  t.same(await allChats(client, 1001), []);
  const created = await client.post(`${B}/chats/new`, { context: { type: 'ORDER', id: 5 } });
  t.equal(created.status, 200);
  t.match(await allChats(client, 1001), [{ chatId: created.body.result.chatId, status: 'NEW', context: { orderId: 5 } }]);
});

t.test('live-buyers.yaml: the buyer answers a partner message 2 s later; new chats every 30 s', async (t) => {
  const client = await sandboxFor(t, { scenario: join(DIR, 'live-buyers.yaml') });
  t.match((await client.get('/__sandbox/scenario')).body.result.customer, { replyAfter: '2s', newChatsEvery: '30s' });
  const [chat] = await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'] });
  const before = (await allMessages(client, 1001, chat.chatId)).length;
  const sentAt = Date.now();
  await client.post(`${B}/chats/message?chatId=${chat.chatId}`, { message: 'Здравствуйте! Уточню и вернусь с ответом.' });
  const messages = await eventually(async () => {
    const all = await allMessages(client, 1001, chat.chatId);
    return all.length === before + 2 && all;
  }, 10_000);
  t.ok(Date.now() - sentAt >= 1900, 'about 2 s later');
  t.equal(messages.at(-1).sender, 'CUSTOMER');
});
