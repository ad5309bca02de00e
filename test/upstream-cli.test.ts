/**
 * Proxy mode and the drift check from the command line: --upstream, --upstream-writes and --record as a user runs
 * them, an https upstream with a certificate of its own trusted through NODE_EXTRA_CA_CERTS, and `drift` against
 * a sandbox, against a server that bends its answers, past a 420, within its budget, and with nothing to reach.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse as parseYaml } from 'yaml';
import { run, start } from './cli-helpers.js';
import { freePort, sandboxFor, tempDir } from './helpers.js';

t.setTimeout(240_000);

const B = 1001;
const CHAT = {
  chatId: 11,
  context: { type: 'ORDER', orderId: 77000111, customer: { name: 'Ирина К.', publicId: 'irina-k' } },
  type: 'CHAT',
  status: 'WAITING_FOR_PARTNER',
  createdAt: '2026-12-01T10:00:00Z',
  updatedAt: '2026-12-01T10:05:00Z',
};

/** A server of the test's own, answering as `answer` says, over http or, given a key and certificate, https. */
async function serverFor(
  t: Test,
  answer: (request: IncomingMessage) => { status: number; body: unknown; headers?: Record<string, string> },
  tls?: { key: string; cert: string },
) {
  const calls: string[] = [];
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      calls.push(`${request.method} ${request.url}`);
      const { status, body, headers } = answer(request);
      response.writeHead(status, { 'content-type': 'application/json', date: new Date().toUTCString(), ...headers });
      response.end(JSON.stringify(body));
    });
  };
  const server = tls ? createHttpsServer(tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

/** Market's answers, as a server would give them for any business, with what `bend` changes. */
function marketLike(bend: (answer: any, request: IncomingMessage) => any = (a) => a) {
  return (request: IncomingMessage) => {
    const url = request.url!;
    let body: any;
    if (/\/chats(\?|$)/.test(url) && url.includes('limit=0'))
      body = { status: 'ERROR', errors: [{ code: 'BAD_REQUEST', message: 'limit: must be >= 1' }] };
    else if (/\/chats(\?|$)/.test(url)) body = { status: 'OK', result: { chats: [CHAT], paging: {} } };
    else if (url.includes(`chatId=999999999999`)) body = { status: 'ERROR', errors: [{ code: 'NOT_FOUND', message: 'Чат не найден' }] };
    else if (url.includes('/chat?')) body = { status: 'OK', result: CHAT };
    else if (url.includes('/history')) body = { status: 'OK', result: { context: CHAT.context, messages: [], paging: {} } };
    const status = body?.status === 'ERROR' ? (body.errors[0].code === 'NOT_FOUND' ? 404 : 400) : 200;
    return { status, body: bend(body, request) };
  };
}

t.test('--upstream, its banner, and --record writing what the upstream answered when stopped', async (t) => {
  const upstream = await sandboxFor(t);
  const dir = tempDir(t);
  const file = join(dir, 'recorded.yaml');
  // Debug logs a line per request: the key must not be in it either.
  const proxy = start(t, ['--upstream', upstream.sandbox.url, '--record', file, '--log-level', 'debug']);
  const url = await proxy.url;
  t.match(proxy.output(), new RegExp(`Upstream  ${upstream.sandbox.url.replace(/[.]/g, '\\.')}  \\(proxy`));
  t.match(proxy.output(), /Writes {4}held back: createChat, sendMessageToChat and sendFileToChat are answered by the sandbox, never sent/);
  t.match(proxy.output(), /Record {4}.*recorded\.yaml {2}\(written when stopped/);
  t.match(proxy.output(), /Token {5}your own: the partner's Api-Key or Authorization goes on to the upstream as sent/);
  t.notMatch(proxy.output(), /sandbox-key/, "no sandbox token offered: the upstream's own is needed");
  const headers = { 'Api-Key': 'ACMA:secret-of-the-partner', 'content-type': 'application/json' };
  const chats: any = await (await fetch(`${url}/v2/businesses/${B}/chats?limit=3`, { method: 'POST', headers, body: '{}' })).json();
  t.equal(chats.result.chats.length, 3);
  const journal = await (await fetch(`${url}/__sandbox/requests`)).text();
  t.match(journal, /getChats/);
  t.notMatch(journal, /secret-of-the-partner/, 'no key in the journal');
  proxy.child.kill('SIGTERM');
  t.equal(await proxy.exited, 0);
  t.match(proxy.output(), /Recording: 3 chats written to .*recorded\.yaml/);
  const text = readFileSync(file, 'utf8');
  t.same(
    parseYaml(text).data.businesses[0].chats.map((c: any) => c.chatId),
    chats.result.chats.map((c: any) => c.chatId).sort((a: number, b: number) => a - b),
  );
  t.notMatch(text, /secret-of-the-partner/, 'no key in the recording');
  t.match(proxy.output(), /"msg":"incoming request"/);
  t.notMatch(proxy.output(), /secret-of-the-partner/, 'nor in the log');
});

t.test('--upstream-writes says so; what needs --upstream without it, a bad URL, the sandbox itself: exit 2', async (t) => {
  const upstream = await sandboxFor(t);
  const forwarding = start(t, ['--upstream', upstream.sandbox.url], { SANDBOX_UPSTREAM_WRITES: 'true' });
  await forwarding.url;
  t.match(forwarding.output(), /Writes {4}FORWARDED/);
  forwarding.child.kill('SIGTERM');
  await forwarding.exited;
  const port = String(await freePort());
  for (const [args, message] of [
    [['--record', 'x.yaml'], /--record: needs --upstream/],
    [['--upstream-writes'], /--upstream-writes: needs --upstream/],
    [['--upstream', 'ftp://market'], /--upstream: must be an http:\/\/ or https:\/\/ URL/],
    [['--port', port, '--upstream', `http://127.0.0.1:${port}`], /--upstream: .* is this sandbox itself/],
  ] as const) {
    const answer = await run([...args]);
    t.equal(answer.code, 2, args.join(' '));
    t.match(answer.stderr, message);
  }
});

t.test('an https upstream with a certificate of its own: trusted through NODE_EXTRA_CA_CERTS, a 502 saying so without', async (t) => {
  const dir = tempDir(t);
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=market.test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' }); // prettier-ignore
  const market = await serverFor(t, marketLike(), { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') });
  const trusting = start(t, ['--upstream', market.url], { NODE_EXTRA_CA_CERTS: cert });
  const url = await trusting.url;
  const answer = await fetch(`${url}/v2/businesses/${B}/chats`, {
    method: 'POST',
    headers: { 'Api-Key': 'k', 'content-type': 'application/json' },
    body: '{}',
  });
  t.equal(answer.status, 200);
  t.match(await answer.json(), { result: { chats: [{ chatId: 11 }] } });
  trusting.child.kill('SIGTERM');
  await trusting.exited;

  const proxy = await sandboxFor(t, { upstream: { url: market.url } });
  const refused = await proxy.post(`/v2/businesses/${B}/chats`);
  t.equal(refused.status, 502);
  t.match(
    refused.body.errors[0].message,
    /could not be reached \(\w+\) \(a certificate not trusted: add its authority with NODE_EXTRA_CA_CERTS\)/,
  );
});

t.test('drift: against a sandbox nothing a client relies on differs; against bent answers it names them', async (t) => {
  const upstream = await sandboxFor(t, { rateLimits: true });
  const same = await run(['drift', '--upstream', upstream.sandbox.url, '--token', 'ACMA:k', '--business', String(B)]);
  t.equal(same.code, 0, same.stderr);
  t.match(same.stdout, /^Drift check: http:\/\/127\.0\.0\.1:\d+ against a fresh sandbox, business 1001: \d+ calls of 100/);
  t.match(same.stdout, /0 differences a client relies on \(!\)/);

  const bent = await serverFor(
    t,
    marketLike((answer, request) => {
      if (answer.status === 'OK' && answer.result.chats) answer.result.chats[0] = { ...CHAT, status: 'ON_HOLD', unreadCount: 1 };
      if (request.url!.includes('999999999999')) answer.errors[0].code = 'CHAT_NOT_FOUND';
      return answer;
    }),
  );
  const differs = await run(['drift', '--upstream', bent.url, '--token', 'Bearer y0_token', '--business', String(B), '--json']);
  t.equal(differs.code, 1, differs.stderr);
  const result = JSON.parse(differs.stdout);
  t.match(result, { upstream: bent.url, businessId: B, budgetSpent: false });
  t.ok(result.calls > 4 && result.calls <= 100);
  const relied = result.differences.filter((d: any) => d.reliedOn);
  t.match(relied, [
    { step: 'getChats, page 1', kind: 'departure', path: '$.result.chats[].status', upstream: /enum value "ON_HOLD"/ },
    { step: 'getChats, page 1', kind: 'departure', path: '$.result.chats[].unreadCount', upstream: /field not in the document/ },
  ]);
  t.ok(
    relied.some(
      (d: any) =>
        d.step === 'getChat, an unknown chat' && d.kind === 'error code' && d.upstream === 'CHAT_NOT_FOUND' && d.sandbox === 'NOT_FOUND',
    ),
    'an error code of its own',
  );
  t.ok(
    result.differences.some((d: any) => d.kind === 'error message' && !d.reliedOn),
    "an error's wording is told, not counted",
  );
  t.ok(
    result.differences.some((d: any) => d.kind === 'header' && d.path === 'x-ratelimit-resource-limit' && d.upstream === 'absent'),
    'the limit headers Market sends and this one does not',
  );
});

t.test('drift: a 420 waited out, the call budget kept, an upstream out of reach or bad usage: exit 2', async (t) => {
  let refusedOnce = false;
  const limited = await serverFor(t, (request) => {
    if (!refusedOnce) {
      refusedOnce = true;
      const until = new Date(Date.now() + 1000).toUTCString();
      return {
        status: 420,
        body: { status: 'ERROR', errors: [{ code: 'HIT_RATE_LIMIT' }] },
        headers: { 'x-ratelimit-resource-until': until },
      };
    }
    return marketLike()(request);
  });
  const waited = await run(['drift', '--upstream', limited.url, '--token', 'k', '--business', String(B), '--json', '--max-calls', '3']);
  t.equal(limited.calls[0], limited.calls[1], 'the call refused with 420 made again once its quota renewed');
  const result = JSON.parse(waited.stdout);
  t.match(result, { calls: 3, maxCalls: 3, budgetSpent: true }, 'no more calls than --max-calls');
  t.equal(limited.calls.length, 3);

  const away = await run(['drift', '--upstream', `http://127.0.0.1:${await freePort()}`, '--token', 'k', '--business', '1001']);
  t.equal(away.code, 2);
  t.match(away.stderr, /drift: upstream http:\/\/127\.0\.0\.1:\d+: could not be reached \(ECONNREFUSED\)/);
  for (const args of [
    ['--business', '1001'],
    ['--token', 'k'],
    ['--token', 'k', '--business', 'x'],
  ]) {
    const bad = await run(['drift', ...args]);
    t.equal(bad.code, 2, args.join(' '));
  }
});
