/**
 * The second probe: the locks (the control token, the Origin and Host guard) tried as an attacker would, with every
 * spelling of a path the router takes for the same route, and with tokens of any bytes. Raw HTTP where the spelling
 * matters, so that no client library tidies the request first.
 */
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { bannerOf, eventually, raw, sandboxFor, type Client } from './helpers.js';
import { spawn } from './children.js';

const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');

const TOKEN = 'ci-secret-2026';

/** The ways of writing a control path that the router matches to the same route as `/__sandbox/…`. */
const SPELLINGS: [string, (path: string) => string][] = [
  ['as written', (path) => path],
  ['%5F%5F', (path) => path.replace('/__sandbox/', '/%5F%5Fsandbox/')],
  ['%5f%5f', (path) => path.replace('/__sandbox/', '/%5f%5fsandbox/')],
  ['_%5F', (path) => path.replace('/__sandbox/', '/_%5Fsandbox/')],
  ['a letter encoded', (path) => path.replace('/__sandbox/', '/__%73andbox/')],
  ['absolute-form', (path) => `http://evil.example${path}`],
];

/** Every control route with its path filled in, from the OpenAPI document, and the console's own files. */
async function controlRoutes(client: Client): Promise<{ method: string; path: string }[]> {
  const doc = (await client.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const routes = Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/__sandbox/'))
    .flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({
        method: method.toUpperCase(),
        path: path.replace('{businessId}', '1001').replace('{chatId}', '38415448').replace('{fileId}', '1001-1').replace('{id}', '1'),
      })),
    );
  return [...routes, { method: 'GET', path: '/__sandbox/console/index.html' }];
}

const OPEN = new Set(['GET /__sandbox/health', 'GET /__sandbox/console/index.html', 'GET /__sandbox/files/1001-1']);

function request(method: string, target: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ host: '127.0.0.1', 'content-length': '0', connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);

t.test('no spelling of a path reaches a control route without the token, or past a foreign Origin', async (t) => {
  const client = await sandboxFor(t, { controlToken: TOKEN });
  const port = client.sandbox.port;
  const routes = await controlRoutes(client);
  t.ok(routes.length >= 30, `${routes.length} control routes`);
  for (const { method, path } of routes) {
    const open = OPEN.has(`${method} ${path}`);
    for (const [name, spell] of SPELLINGS) {
      const target = spell(path);
      const answer = await raw(port, request(method, target));
      if (open) t.not(statusOf(answer), 401, `${method} ${path}, ${name}: open without the token`);
      else {
        t.equal(statusOf(answer), 401, `${method} ${target}: 401 without the token`);
        t.match(answer, /"code":"UNAUTHORIZED","message":"Authorization: the control API needs the control token/);
      }
      const foreign = await raw(port, request(method, target, { origin: 'https://evil.example', authorization: `Bearer ${TOKEN}` }));
      t.equal(statusOf(foreign), 403, `${method} ${target}: 403 from a foreign Origin`);
    }
  }
  t.equal(statusOf(await raw(port, request('GET', '/%5F%5Fsandbox/health'))), 200, 'health by another spelling still answers');
  t.equal(statusOf(await raw(port, request('POST', '/%5F%5Fsandbox/reset', { authorization: `Bearer ${TOKEN}` }))), 200);
});

t.test('without a control token, the Origin guard holds whatever the spelling: no cross-site form posts a buyer message', async (t) => {
  const client = await sandboxFor(t);
  const port = client.sandbox.port;
  const form = 'message=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82';
  for (const [name, spell] of SPELLINGS) {
    const target = spell('/__sandbox/businesses/1001/chats/38415448/messages');
    const answer = await raw(
      port,
      `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        `Content-Length: ${form.length}\r\nConnection: close\r\n\r\n${form}`,
    );
    t.equal(statusOf(answer), 403, `${name}: 403`);
    t.match(answer, /Origin: https:\/\/evil\.example is not the sandbox's own/);
  }
  t.same((await client.get('/__sandbox/requests')).body.result.requests, [], 'nothing reached the sandbox');
});

t.test('the token is compared over any bytes: a wrong one is always 401, its length tells nothing', async (t) => {
  const client = await sandboxFor(t, { controlToken: TOKEN });
  const port = client.sandbox.port;
  for (let length = 1; length <= 2 * TOKEN.length; length++) {
    const wrong = 'é'.repeat(length);
    const inQuery = await raw(port, request('GET', `/__sandbox/events?token=${encodeURIComponent(wrong)}`));
    t.equal(statusOf(inQuery), 401, `?token= of ${length} non-ASCII characters: 401`);
    // Header bytes as a client may send them: latin1, and raw UTF-8.
    for (const bytes of [Buffer.from(wrong, 'latin1'), Buffer.from(wrong, 'utf8')]) {
      const head = Buffer.concat([
        Buffer.from(
          'POST /__sandbox/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\nAuthorization: Bearer ',
        ),
        bytes,
        Buffer.from('\r\n\r\n'),
      ]);
      t.equal(statusOf(await raw(port, head)), 401, `Authorization of ${bytes.length} odd bytes: 401`);
    }
  }
  for (const header of [`bearer ${TOKEN}`, `BEARER ${TOKEN}`, `Bearer  ${TOKEN}`, `Bearer ${TOKEN} `]) {
    t.equal(statusOf(await raw(port, request('POST', '/__sandbox/reset', { authorization: header }))), 200, `Authorization: ${header}`);
  }
  for (const header of [`Basic ${TOKEN}`, `Bearer${TOKEN}`, `Bearer ${TOKEN}x`, 'Bearer ']) {
    t.equal(statusOf(await raw(port, request('POST', '/__sandbox/reset', { authorization: header }))), 401, `Authorization: ${header}`);
  }
});

t.test('?token= only where a browser cannot send a header; never kept in the journal, the event stream or the log', async (t) => {
  const client = await sandboxFor(t, { controlToken: TOKEN });
  const port = client.sandbox.port;
  t.equal(statusOf(await raw(port, request('GET', `/__sandbox/requests?token=${TOKEN}`))), 401, 'not for the journal');
  t.equal(statusOf(await raw(port, request('PUT', `/__sandbox/scenario?token=${TOKEN}`))), 401, 'not for a scenario');
  t.equal(statusOf(await raw(port, request('POST', `/__sandbox/reset?token=${TOKEN}`))), 401, 'not for a reset');
  t.equal(statusOf(await raw(port, request('GET', `/__sandbox/events?token=${TOKEN}`))), 200, 'the event stream');
  t.equal(statusOf(await raw(port, request('GET', `/__sandbox/report?format=junit&token=${TOKEN}`))), 200, 'the report as a download');
  t.equal(statusOf(await raw(port, request('GET', `/__sandbox/files/1001-1/view?%74oken=${TOKEN}`))), 404, 'a file shown in the console');

  const events = await fetch(`${client.sandbox.url}/__sandbox/events?token=${TOKEN}`);
  const reader = events.body!.getReader();
  await raw(port, request('GET', `/__sandbox/files/1001-1?token=${TOKEN}&x=1`));
  await raw(port, request('GET', `/__sandbox/files/1001-1?%74oken=${TOKEN}`));
  await raw(port, request('POST', `/v2/businesses/1001/chats?token=${TOKEN}`, { 'api-key': client.sandbox.token }));
  let streamed = '';
  while ((streamed.match(/event: request/g) ?? []).length < 3) streamed += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  const journal = await client.call('GET', '/__sandbox/requests', { headers: { authorization: `Bearer ${TOKEN}` } });
  const urls = journal.body.result.requests.map((entry: { url: string }) => entry.url);
  t.same(urls, [
    '/__sandbox/files/1001-1?token=(hidden)&x=1',
    '/__sandbox/files/1001-1?token=(hidden)',
    '/v2/businesses/1001/chats?token=(hidden)',
  ]);
  t.notMatch(journal.text, TOKEN, 'the journal never holds the token');
  t.notMatch(streamed, TOKEN, 'nor the event stream');
});

t.test('--log-level debug logs every request, never a token given in the query', async (t) => {
  const child = spawn(process.execPath, [...process.execArgv, CLI, '--port', '0', '--log-level', 'debug', '--control-token', TOKEN]);
  t.teardown(() => child.kill('SIGKILL'));
  const banner = bannerOf(child);
  const port = new URL(await banner.url).port;
  await raw(port, request('GET', `/__sandbox/files/1001-1?token=${TOKEN}`));
  await raw(port, request('GET', `/__sandbox/events?token=${TOKEN}`));
  await raw(port, request('GET', `/__sandbox/events?token=wrong-${TOKEN}`));
  await eventually(() => (banner.output().match(/"url":"\/__sandbox\/events\?token=\(hidden\)"/g) ?? []).length >= 2);
  t.match(banner.output(), '"url":"/__sandbox/files/1001-1?token=(hidden)"', 'the request is logged');
  t.notMatch(banner.output(), TOKEN, 'its token is not');
});

t.test('the sandbox never pushes to itself, by any name or interface: its own routes refuse its pushes', async (t) => {
  const client = await sandboxFor(t, { host: '0.0.0.0' });
  const port = client.sandbox.port;
  // Names this machine resolves (`localhost.` does not resolve everywhere).
  const names = [hostname(), 'localhost.', '[::ffff:127.0.0.1]', '127.1', '0x7f.0.0.1'];
  const resolved = await Promise.all(
    names.map((name) =>
      lookup(name.replace(/^\[|\]$/g, '')).then(
        () => name,
        () => undefined,
      ),
    ),
  );
  for (const host of resolved.filter((name) => name !== undefined)) {
    const url = `http://${host}:${port}/__sandbox/notifications/ping`;
    const loaded = await client.call('PUT', '/__sandbox/scenario', { body: { webhook: { url } } });
    if (loaded.status === 400) {
      t.match(loaded.body.errors[0].message, /is the sandbox itself/, `${host}: refused by its name`);
      continue;
    }
    t.equal(loaded.status, 200, `${host}: not known by its name, so the push itself tells`);
    const ping = await client.post('/__sandbox/notifications/ping');
    t.match(
      ping.body.result,
      { state: 'failed', attempts: [{ status: 403, error: /^the webhook is the sandbox itself/ }] },
      `${host}: refused`,
    );
    // A chat event's push is tried once, not retried, and sets nothing off.
    await client.sandbox.buyer.say(38415448, { message: 'Здравствуйте!' });
    await client.sandbox.notificationsSettled();
    const log = (await client.get('/__sandbox/notifications')).body.result.notifications;
    t.ok(log.length <= 3, `${host}: ${log.length} notifications, no loop`);
    t.ok(
      log.every((n: { attempts: unknown[] }) => n.attempts.length <= 1),
      `${host}: none retried`,
    );
  }
  t.equal((await client.get('/__sandbox/health')).status, 200);
});
