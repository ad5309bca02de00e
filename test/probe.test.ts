/**
 * The probe: what an attacker, or a careless scenario author, sends to the sandbox's other doors (the control API,
 * scenario loading, bodies), played against a real sandbox process over sockets. After each attack the process
 * must be up, health must answer within a second, and resident memory must stay under a bound.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import t, { type Test } from 'tap';
import { bannerOf, raw } from './helpers.js';
import { REQUEST_TIMEOUT_MS } from '../src/app.js';
import { startSandbox } from '../src/index.js';
import { pointsAtItself } from '../src/notifications/self-address.js';
import { spawn } from './children.js';

t.setTimeout(240_000);

const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');
/** Resident memory the sandbox may reach while probed: a fresh one takes about a hundred MB, the largest world allowed about 500. */
const RSS_BOUND_MB = 900;

interface Probed {
  url: string;
  pid: number;
  put(scenario: unknown): Promise<{ status: number; body: any }>;
  call(method: string, path: string, body?: string, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
}

/** A sandbox process of its own, killed when the test ends. */
async function sandbox(t: Test, args: string[] = []): Promise<Probed> {
  const child = spawn(process.execPath, [...process.execArgv, CLI, '--port', '0', '--log-level', 'silent', ...args]);
  const exited = new Promise((resolve) => child.on('close', resolve));
  t.teardown(async () => {
    // Stopped as a user would, so that it writes what it covered; killed only if it does not stop.
    if (child.exitCode === null) child.kill('SIGTERM');
    const killing = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killing);
  });
  const url = await bannerOf(child).url;
  const call: Probed['call'] = async (method, path, body, headers = {}) => {
    const response = await fetch(url + path, { method, body, headers: { 'content-type': 'application/json', 'api-key': 'k', ...headers } });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch {
      return { status: response.status, body: text };
    }
  };
  return { url, pid: child.pid!, call, put: (scenario) => call('PUT', '/__sandbox/scenario', JSON.stringify(scenario)) };
}

/** The process is up, answers health within a second, and its memory is bounded. */
async function stillWell(t: Test, probed: Probed, after: string): Promise<void> {
  const started = performance.now();
  const health = await fetch(`${probed.url}/__sandbox/health`, { signal: AbortSignal.timeout(5000) });
  const tookMs = performance.now() - started;
  t.equal(health.status, 200, `${after}: health answers`);
  t.ok(tookMs < 1000, `${after}: health answered within a second (${Math.round(tookMs)} ms)`);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${probed.pid}/status`, 'utf8'))?.[1]) / 1024;
  t.ok(rss < RSS_BOUND_MB, `${after}: resident memory ${Math.round(rss)} MB`);
}

const refused = (t: Test, answer: { status: number; body: any }, message: RegExp, what: string) => {
  t.equal(answer.status, 400, `${what}: 400`);
  t.match(answer.body, { status: 'ERROR', errors: [{ code: 'BAD_REQUEST', message }] }, `${what}: the field named`);
};

t.test('durations past what a timer holds are refused, naming the field and the bound', async (t) => {
  const probed = await sandbox(t);
  const cases: [unknown, RegExp][] = [
    [{ webhook: { url: 'http://127.0.0.1:9/n', delay: '99999999999h' } }, /^scenario: webhook\.delay: must be at most 30d/],
    [{ webhook: { url: 'http://127.0.0.1:9/n', backoff: '99999999999h' } }, /^scenario: webhook\.backoff: must be at most 30d$/],
    [{ customer: { newChatsEvery: '99999999999h' } }, /^scenario: customer\.newChatsEvery: must be at most 30d$/],
    [{ rules: [{ delay: '9999h' }] }, /^scenario: rules\[0\]\.delay: must be at most 10m/],
    [{ rules: [{ delay: { min: '1s', max: '9999h' } }] }, /^scenario: rules\[0\]\.delay\.max: must be at most 10m$/],
    [{ rateLimits: { getChats: { limit: 1, window: '99999999999h' } } }, /^scenario: rateLimits\.getChats\.window: must be at most 30d$/],
    [
      { conversations: [{ name: 'x', steps: [{ expect: { within: '99999999999h' } }] }] },
      /^scenario: conversations\[0\]\.steps\[0\]\.expect\.within: must be at most 30d/,
    ],
  ];
  for (const [scenario, message] of cases) refused(t, await probed.put(scenario), message, JSON.stringify(scenario));
  refused(t, await probed.call('POST', '/__sandbox/clock', '{"advance":"9999d"}'), /^advance: must be at most 366d$/, 'advance 9999d');
  // At the bound, a long wait really waits: nothing happens a millisecond later.
  t.equal((await probed.put({ customer: { newChatsEvery: '30d' }, rateLimits: { getChats: { limit: 1, window: '30d' } } })).status, 200);
  const first = await probed.call('POST', '/v2/businesses/1001/chats', '{}');
  t.match(first.body, { status: 'OK' });
  const limited = await probed.call('POST', '/v2/businesses/1001/chats', '{}');
  t.equal(limited.status, 420, 'a 30-day window holds');
  const limits = await probed.call('GET', '/__sandbox/limits');
  t.equal(limits.status, 200, 'GET /__sandbox/limits answers');
  t.equal((await probed.call('GET', '/__sandbox/health')).body.result.businesses.length, 1, 'no chat opened a moment later');
  await stillWell(t, probed, 'durations');
});

t.test('a world past the generation bound is refused; the largest allowed leaves the sandbox well', async (t) => {
  const probed = await sandbox(t);
  const chats = Array.from({ length: 30 }, (_, i) => ({ chatId: i + 1, context: { type: 'DIRECT' }, messages: { generate: 1_000_000 } }));
  refused(
    t,
    await probed.put({ data: { businesses: [{ id: 1001, chats }] } }),
    /^scenario: data\.businesses\[0\]\.chats\[1\]\.messages\.generate: a scenario may generate at most 1000000 messages in all/,
    '30 chats of a million messages',
  );
  refused(
    t,
    await probed.put({ data: { businesses: [{ id: 1001, chats: { generate: 100_000 } }] } }),
    /^scenario: data\.businesses\[0\]\.chats\.generate: must be <= 2000/,
    '100 000 generated chats',
  );
  refused(
    t,
    await probed.put({ data: { businesses: [1001, 1002].map((id) => ({ id, chats: { generate: 2000 } })) } }),
    /^scenario: data\.businesses\[1\]\.chats\.generate: a scenario may generate at most 2000 chats in all/,
    'two businesses of 2 000 chats',
  );
  await stillWell(t, probed, 'refused worlds');

  // The largest world allowed, loaded and reset while health is asked again and again: it answers all along.
  const largest = {
    data: { businesses: [{ id: 1001, chats: [{ chatId: 1, context: { type: 'DIRECT' }, messages: { generate: 1_000_000 } }] }] },
  };
  for (const [what, change] of [
    ['loading it', () => probed.put(largest)],
    ['resetting it', () => probed.call('POST', '/__sandbox/reset', '{}')],
  ] as const) {
    let answered = 0;
    let done = false;
    const changing = change().finally(() => (done = true));
    while (!done) if ((await probed.call('GET', '/__sandbox/health')).status === 200 && !done) answered++;
    t.equal((await changing).status, 200, `${what}: done`);
    t.ok(answered >= 3, `${what}: health answered ${answered} times meanwhile`);
  }
  t.equal(
    (await probed.call('POST', '/v2/businesses/1001/chats/history?chatId=1', '{}')).body.result.messages.length,
    50,
    'the world is there',
  );
  await stillWell(t, probed, 'the largest world');
});

t.test('a webhook on the sandbox itself is refused: no loop through its own routes', async (t) => {
  const probed = await sandbox(t);
  const port = new URL(probed.url).port;
  for (const url of [`http://127.0.0.1:${port}/__sandbox/reset`, `http://localhost:${port}/__sandbox/notifications/ping`]) {
    refused(t, await probed.put({ webhook: { url } }), /^webhook: .* is the sandbox itself \(it listens on port \d+\)/, url);
  }
  t.equal((await probed.put({ webhook: { url: `http://127.0.0.1:${Number(port) + 1}/n` } })).status, 200, 'another port is not itself');
  await stillWell(t, probed, 'self webhook');
});

t.test('listening on every interface, any address of this machine on its port is itself', async (t) => {
  const everywhere = { host: '0.0.0.0', port: 8080 };
  const own = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal);
  if (own) t.ok(pointsAtItself(`http://${own.address}:8080/n`, everywhere), `${own.address} is this machine`);
  t.ok(pointsAtItself('http://[::]:8080/n', everywhere), 'every interface is itself');
  t.notOk(pointsAtItself('http://203.0.113.7:8080/n', everywhere), 'another machine is not');
  t.notOk(pointsAtItself('http://203.0.113.7:8080/n', { host: '127.0.0.1', port: 8080 }), 'nor when it listens on loopback alone');
  t.ok(pointsAtItself('https://localhost/n', { host: '127.0.0.1', port: 443 }), "https's default port");
  t.notOk(pointsAtItself('not a url', everywhere), 'what is not a URL points nowhere');
});

t.test('depth is bounded where it enters: bodies and scenarios nested thousands of levels deep are refused', async (t) => {
  const probed = await sandbox(t);
  const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  refused(
    t,
    await probed.call('POST', '/v2/businesses/1001/chats', `{"ignored":${nested(4500)}}`),
    /^ignored: is nested deeper than 100 levels$/,
    'getChats',
  );
  refused(
    t,
    await probed.call('POST', '/v2/businesses/1001/chats/message?chatId=38415448', `{"message":"Привет","x":${nested(200)}}`),
    /^x: is nested deeper than 100 levels$/,
    'sendMessageToChat',
  );
  const deepRule = `{"rules":[{"match":{"body":${nested(800)}},"respond":{"status":500}}]}`;
  refused(
    t,
    await probed.call('PUT', '/__sandbox/scenario', deepRule),
    /^rules: is nested deeper than 100 levels$/,
    'a deep scenario as JSON',
  );
  const yaml = (levels: number) => `rules:\n  - respond:\n      status: 500\n      body: ${'['.repeat(levels)}1${']'.repeat(levels)}\n`;
  for (const levels of [150, 5000]) {
    refused(
      t,
      await probed.call('PUT', '/__sandbox/scenario', yaml(levels), { 'content-type': 'application/yaml' }),
      /^scenario: (rules\[0\]\.respond\.body: )?is nested deeper than 100 levels/,
      `a scenario nested ${levels} levels deep as YAML`,
    );
  }
  t.equal((await probed.call('GET', '/__sandbox/requests')).status, 200, 'the journal reads');
  t.equal((await probed.call('GET', '/__sandbox/report')).status, 200, 'the report is made');
  t.equal((await probed.call('GET', '/__sandbox/scenario?format=yaml')).status, 200, 'the scenario reads as YAML');
  await stillWell(t, probed, 'depth');
});

t.test('a pattern that backtracks catastrophically in JavaScript matches in linear time', async (t) => {
  const probed = await sandbox(t);
  const scenario = {
    conversations: [
      { name: 'шаблон', chatId: 38415448, steps: [{ say: 'Здравствуйте' }, { expect: { within: '30s', matches: '(a+)+$' } }] },
    ],
  };
  t.equal((await probed.put(scenario)).status, 200);
  const sent = await probed.call(
    'POST',
    '/v2/businesses/1001/chats/message?chatId=38415448',
    JSON.stringify({ message: `${'a'.repeat(40)}!` }),
  );
  t.equal(sent.status, 200);
  await stillWell(t, probed, 'a backtracking pattern');
  const verdict = (await probed.call('GET', '/__sandbox/conversations')).body.result.conversations[0];
  t.match(verdict, { state: 'failed', reason: /not a message matching/ }, 'judged: the text does not end in a');
  refused(
    t,
    await probed.put({ conversations: [{ name: 'x', steps: [{ expect: { within: '1s', matches: '(?<=x)y' } }] }] }),
    /^scenario: conversations\[0\]\.steps\[0\]\.expect\.matches: invalid regular expression$/,
    'lookbehind',
  );
});

t.test('what a rule may answer: a status HTTP can send, headers HTTP allows', async (t) => {
  const probed = await sandbox(t);
  const rule = (respond: object) => ({ rules: [{ match: { operation: 'getChats' }, respond }] });
  refused(
    t,
    await probed.put(rule({ status: 200, headers: { 'X-A': 'b\r\nSet-Cookie: x=1' } })),
    /^scenario: rules\[0\]\.respond\.headers\.X-A: must not contain CR, LF or NUL$/,
    'CR/LF in a value',
  );
  refused(
    t,
    await probed.put(rule({ status: 200, headers: { 'bad name': 'b' } })),
    /^scenario: rules\[0\]\.respond\.headers\.bad name: must be a header name/,
    'a name that is no token',
  );
  refused(t, await probed.put(rule({ status: 101 })), /^scenario: rules\[0\]\.respond\.status: must be >= 200$/, 'status 101');
  t.equal((await probed.put(rule({ status: 503, headers: { 'Retry-After': '120' } }))).status, 200, 'a header HTTP allows');
  const scripted = await fetch(`${probed.url}/v2/businesses/1001/chats`, {
    method: 'POST',
    headers: { 'api-key': 'k', 'content-type': 'application/json' },
    body: '{}',
  });
  t.equal(scripted.status, 503);
  t.equal(scripted.headers.get('retry-after'), '120');
  await stillWell(t, probed, 'rule answers');
});

t.test('ids: what scenarios give stays within what the sandbox hands out; path ids are decimal; state keys are business ids', async (t) => {
  const probed = await sandbox(t);
  refused(
    t,
    await probed.put({ data: { businesses: [{ id: 1001, chats: [{ chatId: 9007199254740991, context: { type: 'DIRECT' } }] }] } }),
    /^scenario: data\.businesses\[0\]\.chats\[0\]\.chatId: must be <= 1000000000000000$/,
    'a chat id at the end of exact integers',
  );
  for (const id of ['0x3E9', '01001', '1e3', '1001.0', ' 1001']) {
    refused(
      t,
      await probed.call('POST', `/v2/businesses/${encodeURIComponent(id)}/chats`, '{}'),
      /^businessId: must be an integer written in decimal digits/,
      `businessId ${id}`,
    );
  }
  refused(
    t,
    await probed.call('GET', '/v2/businesses/1001/chat?chatId=0x10'),
    /^chatId: must be an integer written in decimal digits \(got "0x10"\)$/,
    'chatId 0x10',
  );
  for (const key of ['abc', '-1', '__proto__']) {
    refused(
      t,
      await probed.call('PUT', '/__sandbox/scenario', `states:\n  businesses:\n    '${key}': outage\n`, {
        'content-type': 'application/yaml',
      }),
      /^scenario: states\.businesses\..*: must be a business id/,
      `states.businesses.${key}`,
    );
  }
  await stillWell(t, probed, 'ids');
});

t.test('small doors: console lookups of inherited names, XML with control characters, a body that stops arriving', async (t) => {
  const probed = await sandbox(t);
  for (const asset of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    t.equal((await probed.call('GET', `/__sandbox/console/${asset}`)).status, 404, `/__sandbox/console/${asset}: 404`);
  }
  const name = 'покупатель \u0001 пишет \u0007 странное \uD800';
  await probed.put({ conversations: [{ name, chatId: 38415448, steps: [{ say: 'Здравствуйте \u0001' }, { expect: { within: '1s' } }] }] });
  await probed.call('POST', '/__sandbox/clock', '{"advance":"1s"}');
  const junit = await (await fetch(`${probed.url}/__sandbox/conversations?format=junit`)).text();
  t.equal(XMLValidator.validate(junit), true, 'the JUnit XML is well-formed');
  t.match(junit, 'покупатель \uFFFD пишет \uFFFD странное \uFFFD', 'what XML cannot carry is replaced, the rest kept');
  t.equal(XMLValidator.validate(await (await fetch(`${probed.url}/__sandbox/report?format=junit`)).text()), true, "the report's too");
  await stillWell(t, probed, 'small doors');
});

t.test('a request body that stops arriving is answered 408, not held for ever', async (t) => {
  const client = await startSandbox({ requestTimeoutMs: 500 });
  t.teardown(() => client.close());
  const { port } = new URL(client.url);
  const answer = await raw(
    port,
    'POST /v2/businesses/1001/chats HTTP/1.1\r\nHost: 127.0.0.1\r\nApi-Key: k\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"statuses":',
  );
  t.match(answer, /^HTTP\/1\.1 408 /, '408 once the time a request may take has passed');
  t.ok(REQUEST_TIMEOUT_MS < 30_000, 'by default, within 30 s');
});

t.test('a web page cannot drive the sandbox: no cross-origin control call, no other Host on loopback, uploads never run', async (t) => {
  const probed = await sandbox(t);
  const host = new URL(probed.url).host;
  const fromPage = await probed.call('POST', '/__sandbox/reset', '{}', { origin: 'https://evil.example' });
  t.equal(fromPage.status, 403, 'a page on another site cannot reset it');
  t.match(fromPage.body.errors[0].message, /^Origin: https:\/\/evil\.example is not the sandbox's own/);
  t.equal((await probed.put({ name: 'x' })).status, 200, 'a client that sends no Origin can');
  t.equal((await probed.call('POST', '/__sandbox/reset', '{}', { origin: `http://${host}` })).status, 200, 'the console (same origin) can');
  const rebound = await raw(
    new URL(probed.url).port,
    'POST /__sandbox/reset HTTP/1.1\r\nHost: evil.example:80\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
  );
  t.match(
    rebound,
    /^HTTP\/1\.1 403 [\s\S]*Host: evil\.example:80 is not this sandbox's name/,
    'DNS rebinding: another Host on loopback is refused',
  );
  const form = new FormData();
  form.append(
    'file',
    new Blob(['<html><script>fetch("/__sandbox/reset",{method:"POST"})</script></html>'], { type: 'text/html' }),
    'страница.html',
  );
  await fetch(`${probed.url}/__sandbox/businesses/1001/chats/38415448/messages`, { method: 'POST', body: form });
  const history = await probed.call('POST', '/v2/businesses/1001/chats/history?chatId=38415448&limit=100', '{}');
  const url = history.body.result.messages.at(-1).payload[0].url as string;
  const served = await fetch(url);
  t.equal(served.headers.get('x-content-type-options'), 'nosniff');
  t.match(served.headers.get('content-disposition'), /^attachment;/, 'HTML is saved, not shown');
  t.match(served.headers.get('content-security-policy'), /^sandbox;/, 'and would run sandboxed if shown');
  await stillWell(t, probed, 'browser protections');
});

t.test('what already held, probed again: alias bombs, 50 MB bodies, path traversal, 200 stream readers, wild multipart', async (t) => {
  const probed = await sandbox(t);
  const bomb = [
    'a: &a ["x","x","x","x","x","x","x","x","x"]',
    ...'bcdefghi'
      .split('')
      .map(
        (k, i) =>
          `${k}: &${k} [*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]}]`,
      ),
  ].join('\n');
  const aliases = await probed.call('PUT', '/__sandbox/scenario', `${bomb}\n`, { 'content-type': 'application/yaml' });
  t.equal(aliases.status, 400, 'a YAML alias bomb is refused');
  const huge = await fetch(`${probed.url}/v2/businesses/1001/chats`, {
    method: 'POST',
    headers: { 'api-key': 'k', 'content-type': 'application/json' },
    body: `{"x":"${'a'.repeat(50 * 1024 * 1024)}"}`,
  }).catch(() => undefined);
  t.ok(huge === undefined || huge.status === 413, `a 50 MB body is refused (${huge?.status ?? 'connection closed'})`);
  for (const path of [
    '/__sandbox/files/..%2F..%2Fetc%2Fpasswd',
    '/__sandbox/files/1001-..%2Fpackage.json/view',
    '/__sandbox/console/..%2F..%2Fpackage.json',
    '/__sandbox/console/%2e%2e%2fpackage.json',
  ]) {
    const answer = await probed.call('GET', path);
    t.ok([400, 403, 404].includes(answer.status), `${path}: ${answer.status}`);
    t.notMatch(JSON.stringify(answer.body), /"name":"yandex-market-chats-sandbox"|root:/, `${path}: nothing of the file system`);
  }
  const readers = await Promise.all(
    Array.from({ length: 200 }, () => fetch(`${probed.url}/__sandbox/events`, { signal: AbortSignal.timeout(20_000) })),
  );
  t.ok(
    readers.every((r) => r.status === 200),
    '200 readers of the event stream',
  );
  await probed.call('POST', '/__sandbox/reset', '{}');
  for (const reader of readers) await reader.body?.cancel();
  const form = new FormData();
  for (let i = 0; i < 1000; i++) form.append('file', new Blob(['x']), `part-${i}.txt`);
  const parts = await fetch(`${probed.url}/v2/businesses/1001/chats/file/send?chatId=38415448`, {
    method: 'POST',
    headers: { 'api-key': 'k' },
    body: form,
  });
  t.ok(parts.status >= 400 && parts.status < 500, `1 000 parts: ${parts.status}`);
  const sly = new FormData();
  sly.append('file', new Blob(['накладная']), '../../../../tmp/накладная.txt');
  const sent = await fetch(`${probed.url}/v2/businesses/1001/chats/file/send?chatId=38415448`, {
    method: 'POST',
    headers: { 'api-key': 'k' },
    body: sly,
  });
  t.equal(sent.status, 200, 'a ../ file name is taken as a name');
  const history = await probed.call('POST', '/v2/businesses/1001/chats/history?chatId=38415448&limit=100', '{}');
  t.equal(history.body.result.messages.at(-1).payload[0].name, 'накладная.txt', 'and never reaches the file system as a path');
  await stillWell(t, probed, 'what already held');
});
