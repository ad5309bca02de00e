/**
 * Proxy mode (`upstream`): calls forwarded to another server and answered with what it answered, writes held back
 * unless asked, each answer checked against the contract (X-Sandbox-Drift, MARKET_DRIFT), faults played in front,
 * an unreachable or silent upstream answered 502 or 504. Upstreams here: another sandbox, and a small server that
 * bends its answers the way Market's real ones may.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { freePort, multipartForm, sandboxFor, type Client } from './helpers.js';

const B = 1001;

/** A server of the test's own, answering each call as `answer` says; every call it got is in `calls`. */
async function bendingUpstream(
  t: Test,
  answer: (request: IncomingMessage, body: string) => { status: number; body: string; headers?: Record<string, string> } | 'hang',
) {
  const calls: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      calls.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      const answered = answer(request, body);
      if (answered === 'hang') return void hanging.add(response);
      response.writeHead(answered.status, { 'content-type': 'application/json', ...answered.headers });
      response.end(answered.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    for (const response of hanging) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

/** A sandbox as the upstream, and one in proxy mode in front of it. */
async function proxyPair(t: Test, writes = false): Promise<{ upstream: Client; proxy: Client }> {
  const upstream = await sandboxFor(t, { rateLimits: true });
  const proxy = await sandboxFor(t, { upstream: { url: upstream.sandbox.url, writes } });
  return { upstream, proxy };
}

const CHATS_OK = (chats: unknown[]) => JSON.stringify({ status: 'OK', result: { chats, paging: {} } });
const A_CHAT = {
  chatId: 11,
  context: { type: 'ORDER', orderId: 77000111, campaignId: 21000001, customer: { name: 'Ирина К.', publicId: 'irina-k' } },
  type: 'CHAT',
  status: 'WAITING_FOR_PARTNER',
  createdAt: '2026-12-01T10:00:00Z',
  updatedAt: '2026-12-01T10:05:00Z',
};

t.test('reads are forwarded, under both spellings, and answered with the upstream’s status, headers and body', async (t) => {
  const { upstream, proxy } = await proxyPair(t);
  for (const prefix of ['/v2', '']) {
    const viaProxy = await proxy.post(`${prefix}/businesses/${B}/chats?limit=5`, { statuses: ['NEW', 'WAITING_FOR_PARTNER'] });
    const [call] = upstream.sandbox.requests({ operation: 'getChats' }).slice(-1);
    t.equal(call.url, `${prefix}/businesses/${B}/chats?limit=5`, `${prefix || 'unprefixed'}: the path and query as called`);
    t.same(call.requestBody, { statuses: ['NEW', 'WAITING_FOR_PARTNER'] }, 'the body as sent');
    const direct = await upstream.post(`${prefix}/businesses/${B}/chats?limit=5`, { statuses: ['NEW', 'WAITING_FOR_PARTNER'] });
    t.equal(viaProxy.status, 200);
    t.equal(viaProxy.text, direct.text, 'the same body, byte for byte');
    t.equal(viaProxy.headers.get('x-ratelimit-resource-limit'), '5000', "the upstream's X-RateLimit headers, unchanged");
    t.equal(viaProxy.headers.get('x-sandbox-drift'), null, 'an answer as the document says carries no drift');
  }
  const chatId = (await proxy.post(`/v2/businesses/${B}/chats?limit=1`)).body.result.chats[0].chatId;
  t.equal((await proxy.get(`/v2/businesses/${B}/chat?chatId=${chatId}`)).body.result.chatId, chatId, 'getChat');
  const history = await proxy.post(`/v2/businesses/${B}/chats/history?chatId=${chatId}`);
  t.equal(history.status, 200, 'getChatHistory');
  const messageId = history.body.result.messages[0].messageId;
  t.equal((await proxy.get(`/v2/businesses/${B}/chats/message?chatId=${chatId}&messageId=${messageId}`)).status, 200, 'getChatMessage');
  t.equal((await proxy.get(`/v2/businesses/${B}/chat?chatId=999999`)).status, 404, "the upstream's 404, as it answered it");

  const entries = proxy.sandbox.requests();
  t.ok(entries.length >= 6 && entries.every((e) => e.upstream === 'forwarded' && Array.isArray(e.drift) && e.drift.length === 0));
  const report = proxy.sandbox.report();
  t.match(
    report.checks.find((c) => c.code === 'MARKET_DRIFT'),
    { state: 'passed' },
    "MARKET_DRIFT judged Market's answers",
  );
  t.notOk(
    report.findings.some((f) => f.code === 'PARALLEL_LIMIT' || f.code === 'RETRY_TOO_SOON'),
    "the sandbox's own limits are not the upstream's",
  );
  t.same(proxy.sandbox.upstream, { url: upstream.sandbox.url, writes: 'held back' });
  t.match((await proxy.get('/__sandbox/health')).body.result.upstream, { url: upstream.sandbox.url, writes: 'held back' });
});

t.test('writes are held back: checked, answered as Market answers them, never forwarded', async (t) => {
  const { upstream, proxy } = await proxyPair(t);
  const chatId = (await proxy.post(`/v2/businesses/${B}/chats?limit=1`, { statuses: ['WAITING_FOR_PARTNER'] })).body.result.chats[0].chatId;
  const sent = await proxy.post(`/v2/businesses/${B}/chats/message?chatId=${chatId}`, { message: 'Добрый день! Уже отправили.' });
  t.same(sent.body, { status: 'OK' });
  const created = await proxy.post(`/v2/businesses/${B}/chats/new`, { context: { type: 'ORDER', id: 77000999 } });
  t.match(created.body, { status: 'OK', result: { chatId: Number } });
  const file = await proxy.call('POST', `/v2/businesses/${B}/chats/file/send?chatId=${chatId}`, {
    raw: multipartForm({}, { name: 'счёт.pdf', type: 'application/pdf', content: Buffer.from('%PDF-1.4') }),
  });
  t.same(file.body, { status: 'OK' });
  t.equal(
    (await proxy.call('POST', `/v2/businesses/${B}/chats/file/send?chatId=${chatId}`, { raw: multipartForm({ x: '1' }) })).status,
    400,
    'a form without its file is refused, as Market refuses it',
  );
  t.equal(
    (await proxy.post(`/v2/businesses/${B}/chats/message?chatId=${chatId}`, { text: 'no message' })).status,
    400,
    'a write that breaks the contract is refused',
  );
  t.equal(
    (await proxy.call('POST', `/v2/businesses/${B}/chats/message?chatId=${chatId}`, { body: { message: 'x' }, headers: { 'Api-Key': '' } }))
      .status,
    401,
    'a write without a token is refused, as Market refuses it',
  );
  t.same(
    upstream.sandbox.requests().map((e) => e.operationId),
    ['getChats'],
    'nothing but the read reached the upstream',
  );
  t.same(
    proxy.sandbox.requests({ status: 200 }).map((e) => [e.operationId, e.upstream]),
    [
      ['getChats', 'forwarded'],
      ['sendMessageToChat', 'held back'],
      ['createChat', 'held back'],
      ['sendFileToChat', 'held back'],
    ],
  );
});

t.test('--upstream-writes: writes reach the upstream, files as files', async (t) => {
  const { upstream, proxy } = await proxyPair(t, true);
  const chatId = (await proxy.post(`/v2/businesses/${B}/chats?limit=1`, { statuses: ['WAITING_FOR_PARTNER'] })).body.result.chats[0].chatId;
  t.same((await proxy.post(`/v2/businesses/${B}/chats/message?chatId=${chatId}`, { message: 'Добрый день!' })).body, { status: 'OK' });
  const file = await proxy.call('POST', `/v2/businesses/${B}/chats/file/send?chatId=${chatId}`, {
    raw: multipartForm({}, { name: 'фото «коробки».png', type: 'image/png', content: Buffer.alloc(3000, 7) }),
  });
  t.same(file.body, { status: 'OK' });
  const history = (await upstream.post(`/v2/businesses/${B}/chats/history?chatId=${chatId}&limit=100`)).body.result.messages;
  t.match(history.at(-2), { sender: 'PARTNER', message: 'Добрый день!' }, 'the message reached the upstream');
  t.match(history.at(-1).payload, [{ name: 'фото «коробки».png', size: 3000 }], 'the file too, its name and size as sent');
  t.same(
    proxy.sandbox.requests({ status: 200 }).map((e) => e.upstream),
    ['forwarded', 'forwarded', 'forwarded'],
  );
});

t.test("the partner's headers go on as sent; the answer's come back as the upstream sent them", async (t) => {
  const bent = await bendingUpstream(t, () => ({
    status: 200,
    body: CHATS_OK([A_CHAT]),
    headers: { 'x-ratelimit-resource-remaining': '41', 'x-request-id': 'market-1' },
  }));
  const proxy = await sandboxFor(t, { upstream: { url: `${bent.url}/prefix/`, writes: false } });
  const answer = await proxy.call('POST', `/v2/businesses/${B}/chats?limit=3&pageToken=abc`, {
    body: { statuses: ['NEW'] },
    headers: { Authorization: 'Bearer y0_real-token', 'Api-Key': 'ACMA:real-key', 'X-Partner-Trace': 't-1' },
  });
  t.equal(answer.headers.get('x-ratelimit-resource-remaining'), '41');
  t.equal(answer.headers.get('x-request-id'), 'market-1');
  const [call] = bent.calls;
  t.equal(call.url, `/prefix/v2/businesses/${B}/chats?limit=3&pageToken=abc`, "under the upstream's own path, the query as called");
  t.match(call.headers, { authorization: 'Bearer y0_real-token', 'api-key': 'ACMA:real-key', 'x-partner-trace': 't-1' });
  t.equal(call.body, '{"statuses":["NEW"]}', 'the body as sent');
  t.equal(call.headers.host, new URL(bent.url).host, "the upstream's own host");
});

t.test('drift: what the document does not say is named in X-Sandbox-Drift, the journal and the report', async (t) => {
  const bent = await bendingUpstream(t, (request) => {
    if (/\/chats(\?|$)/.test(request.url!)) {
      const { updatedAt: _dropped, ...withoutUpdatedAt } = A_CHAT;
      return {
        status: 200,
        body: CHATS_OK([
          { ...A_CHAT, status: 'ON_HOLD', unreadCount: 2 },
          { ...withoutUpdatedAt, chatId: 12, status: 'ON_HOLD' },
        ]),
      };
    }
    if (request.url!.includes('/chat?')) {
      return { status: 400, body: JSON.stringify({ status: 'ERROR', errors: [{ code: 'CHAT_ARCHIVED', message: 'Чат в архиве' }] }) };
    }
    return { status: 418, body: 'I am a teapot' };
  });
  const proxy = await sandboxFor(t, { upstream: { url: bent.url, writes: false } });
  const chats = await proxy.post(`/v2/businesses/${B}/chats`);
  t.equal(chats.status, 200);
  t.equal(chats.body.result.chats[0].unreadCount, 2, 'the answer goes on unchanged');
  t.match(chats.headers.get('x-sandbox-drift'), /^4; \$\.result\.chats\[0\]\.status: enum value "ON_HOLD" \(the document has NEW, /);
  t.match(chats.headers.get('x-sandbox-drift'), /\| \.\.\.$/, 'the first three named, the rest in the journal');
  const [entry] = proxy.sandbox.requests({ operation: 'getChats' });
  t.match(entry.drift, [
    { path: '$.result.chats[0].status', kind: 'enum value', found: '"ON_HOLD"' },
    { path: '$.result.chats[0].unreadCount', kind: 'unknown field', found: '2' },
    { path: '$.result.chats[1].updatedAt', kind: 'missing field' },
    { path: '$.result.chats[1].status', kind: 'enum value' },
  ]);
  const archived = await proxy.get(`/v2/businesses/${B}/chat?chatId=11`);
  t.equal(archived.status, 400);
  t.match(archived.headers.get('x-sandbox-drift'), /^1; \$\.errors\[0\]\.code: error code "CHAT_ARCHIVED"/);
  t.match(archived.headers.get('x-sandbox-drift'), /^[\x20-\x7e]+$/, 'a header in plain ASCII');
  const teapot = await proxy.get(`/v2/businesses/${B}/chats/message?chatId=11&messageId=1`);
  t.equal(teapot.status, 418);
  t.equal(teapot.text, 'I am a teapot');
  t.match(teapot.headers.get('x-sandbox-drift'), /^2; status 418 not documented for the operation .* \| the body is not JSON/);

  const findings = proxy.sandbox.report().findings.filter((f) => f.code === 'MARKET_DRIFT');
  t.same(
    findings.map((f) => [f.kind, f.count]),
    [
      ['enum value', 2],
      ['unknown field', 1],
      ['missing field', 1],
      ['error code', 1],
      ['status', 1],
      ['not JSON', 1],
    ],
    'one finding a departure, wherever it was found',
  );
  t.match(findings[0], {
    severity: 'warning',
    message: /^getChats was answered by the upstream with what its document does not say: \$\.result\.chats\[0\]\.status/,
  });
});

t.test('a scenario’s faults are played in front of the upstream; an upstream away or silent is a 502 or a 504', async (t) => {
  const bent = await bendingUpstream(t, (request) => (request.url!.includes('history') ? 'hang' : { status: 200, body: CHATS_OK([]) }));
  const proxy = await sandboxFor(t, {
    upstream: { url: bent.url, writes: false, timeoutMs: 300 },
    scenario: { rules: [{ match: { operation: 'getChat' }, respond: { status: 500 } }] },
  });
  const faulted = await proxy.get(`/v2/businesses/${B}/chat?chatId=11`);
  t.equal(faulted.status, 500, "the rule's answer");
  t.equal(bent.calls.length, 0, 'and the upstream never asked');
  const silent = await proxy.post(`/v2/businesses/${B}/chats/history?chatId=11`);
  t.equal(silent.status, 504);
  t.match(silent.body, { status: 'ERROR', errors: [{ code: 'INTERNAL_ERROR', message: `upstream ${bent.url}: no answer within 0.3 s` }] });

  const closed = await sandboxFor(t, { upstream: { url: `http://127.0.0.1:${await freePort()}`, writes: false } });
  const away = await closed.post(`/v2/businesses/${B}/chats`);
  t.equal(away.status, 502);
  t.match(away.body.errors[0].message, /^upstream http:\/\/127\.0\.0\.1:\d+: could not be reached \(ECONNREFUSED\)$/);
});

t.test('an answer too large or broken off is a 502; a file form goes on with its other fields', async (t) => {
  const big = Buffer.alloc(17 * 1024 * 1024, 32);
  const bent = await bendingUpstream(t, (request) => {
    if (request.url!.includes('/chat?')) return { status: 200, body: big.toString() };
    return { status: 200, body: '{"status":"OK"}' };
  });
  const proxy = await sandboxFor(t, { upstream: { url: bent.url, writes: true } });
  const large = await proxy.get(`/v2/businesses/${B}/chat?chatId=11`);
  t.equal(large.status, 502);
  t.match(large.body.errors[0].message, /answered more than 16 MB/);
  const form = multipartForm({ comment: 'к заказу' }, { name: 'a.txt', content: 'hello' });
  t.same((await proxy.call('POST', `/v2/businesses/${B}/chats/file/send?chatId=11`, { raw: form })).body, { status: 'OK' });
  const sent = bent.calls.at(-1)!;
  t.match(sent.headers['content-type'], /^multipart\/form-data; boundary=/);
  t.match(sent.body, /name="comment"\r\n\r\nк заказу\r\n/);
  t.match(sent.body, /name="file"; filename="a\.txt"\r\nContent-Type: [^\r]+\r\n\r\nhello\r\n/);
  t.equal(
    (await proxy.call('POST', `/v2/businesses/${B}/chats/file/send?chatId=11`, { raw: multipartForm({ x: '1' }) })).status,
    400,
    'without its file: refused before forwarding',
  );

  const cutting = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    response.write('{"status":');
    setTimeout(() => response.destroy(), 20);
  });
  await new Promise<void>((resolve) => cutting.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => cutting.close(resolve)));
  const cut = await sandboxFor(t, { upstream: { url: `http://127.0.0.1:${(cutting.address() as AddressInfo).port}` } });
  const broken = await cut.post(`/v2/businesses/${B}/chats`);
  t.equal(broken.status, 502);
  t.match(broken.body.errors[0].message, /the answer broke off/);
});
