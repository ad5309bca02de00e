/**
 * What the console reads through the control API, and what tools may read too: chats and a chat without
 * becoming the partner's calls, one journal entry, files to view, the ready-made scenarios, the scenario as
 * YAML, and scenario errors that give their line.
 */
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { allChats, sandboxFor, sendFile } from './helpers.js';

const B = 1001;

t.test('GET / answers browsers with the console and API clients with the JSON 404', async (t) => {
  const client = await sandboxFor(t);
  const browser = await client.sandbox.app.inject({ url: '/', headers: { accept: 'text/html,application/xhtml+xml' } });
  t.equal(browser.statusCode, 302);
  t.equal(browser.headers.location, '/__sandbox/console/');
  const api = await client.get('/');
  t.equal(api.status, 404);
  t.match(api.body.errors[0].message, /path/);
  const page = await client.call('GET', '/__sandbox/console/', { headers: { accept: 'text/html' } });
  t.equal(page.status, 200);
  t.match(page.headers.get('content-type'), /text\/html; charset=utf-8/);
  const unknown = await client.get('/__sandbox/console/package.json');
  t.equal(unknown.status, 404);
  t.match(unknown.body.errors[0].message, /^asset: the console has no file package\.json/);
  const openapi = (await client.get('/openapi.json')).body;
  t.notOk(
    Object.keys(openapi.paths).some((path) => path === '/' || path.startsWith('/__sandbox/console')),
    'the console is not part of the API',
  );
});

t.test('chats as getChats lists them, with filters, pages and last messages; none of it journaled', async (t) => {
  const client = await sandboxFor(t);
  const listed = await allChats(client, B);
  await client.call('DELETE', '/__sandbox/requests');

  const first = (await client.get(`/__sandbox/businesses/${B}/chats?limit=5`)).body.result;
  t.same(
    first.chats.map((c: any) => c.chat.chatId),
    listed.slice(0, 5).map((c) => c.chatId),
    'the same order as getChats',
  );
  t.ok(first.paging.nextPageToken);
  const second = (await client.get(`/__sandbox/businesses/${B}/chats?limit=5&pageToken=${first.paging.nextPageToken}`)).body.result;
  t.same(
    second.chats.map((c: any) => c.chat.chatId),
    listed.slice(5, 10).map((c) => c.chatId),
  );
  const summary = first.chats[0];
  const history = (await client.get(`/__sandbox/businesses/${B}/chats/${summary.chat.chatId}?last=1000`)).body.result;
  t.equal(summary.messageCount, history.messages.length);
  t.same(summary.lastMessage, history.messages.at(-1), 'the last message as history gives it');

  const finished = (await client.get(`/__sandbox/businesses/${B}/chats?status=FINISHED&type=ARBITRAGE&contextType=RETURN&limit=200`)).body
    .result.chats;
  t.ok(finished.length > 0);
  t.ok(finished.every((c: any) => c.chat.status === 'FINISHED' && c.chat.type === 'ARBITRAGE' && c.chat.context.type === 'RETURN'));

  const bad = await client.get(`/__sandbox/businesses/${B}/chats?status=LOST`);
  t.equal(bad.status, 400);
  t.match(bad.body.errors[0].message, /status/);
  const badToken = await client.get(`/__sandbox/businesses/${B}/chats?pageToken=nonsense`);
  t.equal(badToken.status, 400);
  t.match(badToken.body.errors[0].message, /pageToken/);
  t.same((await client.get('/__sandbox/requests')).body.result.requests, [], 'looking is not one of the partner calls');
});

t.test('a chat with its latest messages, how many came before, and 404s in words', async (t) => {
  const client = await sandboxFor(t);
  const [chat] = await allChats(client, B, { statuses: ['WAITING_FOR_ARBITER'] });
  const all = (await client.get(`/__sandbox/businesses/${B}/chats/${chat.chatId}`)).body.result;
  t.equal(all.chat.chatId, chat.chatId);
  t.equal(all.earlier, 0);
  const latest = (await client.get(`/__sandbox/businesses/${B}/chats/${chat.chatId}?last=2`)).body.result;
  t.same(latest.messages, all.messages.slice(-2));
  t.equal(latest.earlier, all.messages.length - 2);
  const missing = await client.get(`/__sandbox/businesses/${B}/chats/99999999`);
  t.equal(missing.status, 404);
  t.equal(missing.body.errors[0].message, `chatId: chat 99999999 not found in business ${B}`);
  const strict = await sandboxFor(t, { scenario: { world: 'strict' } });
  const unknownBusiness = await strict.get('/__sandbox/businesses/777/chats');
  t.equal(unknownBusiness.status, 404);
  t.match(unknownBusiness.body.errors[0].message, /businessId: business 777 not found/);
});

t.test("a file to view: the payload's bytes without a journal entry, a token or an expiry", async (t) => {
  const client = await sandboxFor(t, { scenario: { files: { auth: 'required', expireAfter: '1m' } } });
  const [chat] = await allChats(client, B, { statuses: ['WAITING_FOR_PARTNER'] });
  const sent = await sendFile(client, B, chat.chatId, { name: 'накладная.pdf', type: 'application/pdf', content: '%PDF-1.4 test' });
  t.equal(sent.status, 200);
  const history = (await client.get(`/__sandbox/businesses/${B}/chats/${chat.chatId}`)).body.result;
  const url = new URL(history.messages.at(-1).payload[0].url);
  const fileId = url.pathname.split('/').pop();
  await client.call('DELETE', '/__sandbox/requests');
  const viewed = await fetch(`${client.sandbox.url}/__sandbox/files/${fileId}/view`);
  t.equal(viewed.status, 200);
  t.equal(await viewed.text(), '%PDF-1.4 test');
  t.match(viewed.headers.get('content-disposition'), /filename\*=UTF-8''%D0%BD/);
  t.equal((await fetch(`${client.sandbox.url}${url.pathname}`)).status, 401, 'the payload URL itself still needs the token');
  t.same(
    (await client.get('/__sandbox/requests')).body.result.requests.map((e: any) => e.operationId),
    ['downloadFile'],
    'only the payload URL call is journaled',
  );
  const missing = await client.get('/__sandbox/files/1001-nothing/view');
  t.equal(missing.status, 404);
  t.match(missing.body.errors[0].message, /fileId: file 1001-nothing not found/);
});

t.test('one journal entry with its bodies', async (t) => {
  const client = await sandboxFor(t);
  await client.post(`/v2/businesses/${B}/chats?limit=3`, { statuses: ['NEW'] });
  const [entry] = (await client.get('/__sandbox/requests')).body.result.requests;
  const one = (await client.get(`/__sandbox/requests/${entry.id}`)).body.result;
  t.same(one, entry);
  t.same(one.requestBody, { statuses: ['NEW'] });
  const gone = await client.get('/__sandbox/requests/424242');
  t.equal(gone.status, 404);
  t.match(gone.body.errors[0].message, /^id: request 424242 is not in the journal/);
  t.equal((await client.get('/__sandbox/requests/first')).status, 400);
});

t.test('the ready-made scenarios, the scenario as YAML, and scenario errors with their line', async (t) => {
  const client = await sandboxFor(t);
  const { scenarios } = (await client.get('/__sandbox/scenarios')).body.result;
  const limits = scenarios.find((s: any) => s.file === 'scenarios/rate-limits.yaml');
  t.equal(limits.name, 'rate-limits');
  t.match(limits.description, /limits/);
  t.match(limits.text, /^# yaml-language-server/);

  const loaded = await client.call('PUT', '/__sandbox/scenario', { raw: limits.text, headers: { 'content-type': 'application/yaml' } });
  t.equal(loaded.status, 200);
  const yaml = await client.get('/__sandbox/scenario?format=yaml');
  t.match(yaml.headers.get('content-type'), /application\/yaml/);
  t.same(parseYaml(yaml.text), (await client.get('/__sandbox/scenario')).body.result, 'the same scenario as the JSON');

  const refused = await client.call('PUT', '/__sandbox/scenario', {
    raw: 'name: broken\nwebhook:\n  attempts: 2\n  sometimes: true\n',
    headers: { 'content-type': 'application/yaml' },
  });
  t.equal(refused.status, 400);
  t.equal(refused.body.errors[0].message, 'scenario: webhook.sometimes: is not a known key (line 4)');
  const unparsable = await client.call('PUT', '/__sandbox/scenario', {
    raw: 'name: x\nrules: [\n',
    headers: { 'content-type': 'application/yaml' },
  });
  t.match(unparsable.body.errors[0].message, /^scenario: is not valid YAML or JSON: .* \(line \d\)$/);
  const missingKey = await client.call('PUT', '/__sandbox/scenario', {
    raw: 'data:\n  businesses:\n    - chats: []\n',
    headers: { 'content-type': 'application/yaml' },
  });
  t.match(
    missingKey.body.errors[0].message,
    /^scenario: data\.businesses\[0\]: must have required property 'id' \(line 3\)$/,
    'a missing key is on its parent line',
  );
  const json = await client.call('PUT', '/__sandbox/scenario', { body: { webhook: { sometimes: true } } });
  t.equal(json.body.errors[0].message, 'scenario: webhook.sometimes: is not a known key', 'JSON has no lines to give');
});
