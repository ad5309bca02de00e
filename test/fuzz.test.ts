/**
 * Thousands of generated malformed requests to every route, over raw sockets: bodies, query strings,
 * multipart, headers, tokens, ids out of range, `__proto__` keys, huge values, truncated bodies and raw
 * garbage. None may get a 5xx, every 4xx must be the Yandex envelope, the process stays up, and nothing
 * pollutes Object.prototype. Seeded: FUZZ_SEED=N repeats a run, FUZZ_COUNT=N sets its size.
 */
import { connect } from 'node:net';
import t from 'tap';
import { sandboxFor } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20251124);
const COUNT = Number(process.env.FUZZ_COUNT ?? 3000);
const CONCURRENCY = 12;

/** mulberry32: small, seedable, good enough to pick things. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Random = ReturnType<typeof random>;

const ROUTES = [
  ['POST', '/businesses/{b}/chats/new'],
  ['POST', '/businesses/{b}/chats'],
  ['GET', '/businesses/{b}/chat'],
  ['POST', '/businesses/{b}/chats/history'],
  ['GET', '/businesses/{b}/chats/message'],
  ['POST', '/businesses/{b}/chats/message'],
  ['POST', '/businesses/{b}/chats/file/send'],
  ['POST', '/__sandbox/businesses/{b}/chats'],
  ['POST', '/__sandbox/businesses/{b}/chats/{c}/messages'],
  ['POST', '/__sandbox/businesses/{b}/chats/{c}/status'],
  ['GET', '/__sandbox/requests'],
  ['GET', '/__sandbox/notifications'],
  ['POST', '/__sandbox/notifications/ping'],
  ['GET', '/__sandbox/files/{f}'],
  ['GET', '/__sandbox/scenario'],
  ['PUT', '/__sandbox/scenario'],
  ['GET', '/__sandbox/health'],
  ['GET', '/nowhere/{b}'],
] as const;

const IDS = [
  '1001',
  '1',
  '0',
  '-1',
  '9007199254740991',
  '9007199254740992',
  '18446744073709551616',
  'abc',
  '1e3',
  '0x10',
  ' 1',
  '%00',
  '1.5',
  '',
  '%F0%9F%98%80',
  'x'.repeat(3000),
];
const KEYS = [
  'chatId',
  'messageId',
  'limit',
  'pageToken',
  'page_token',
  '__proto__',
  'constructor',
  '__proto__[polluted]',
  'constructor[prototype][polluted]',
  'operation',
  'status',
  'type',
  'state',
  'businessId',
];
const VALUES = [
  '1',
  '0',
  '-5',
  '20',
  '21',
  '101',
  'NaN',
  'null',
  'true',
  '[]',
  '%E0%A4%A',
  'YzoxOjE',
  'aDox',
  '!!!',
  'x'.repeat(5000),
  '1001',
  'WAITING_FOR_PARTNER',
  'PING',
];
const TOKENS = [
  'ACMA:sandbox-key',
  '',
  ' ',
  'Bearer',
  'OAuth oauth_token=',
  'OAuth oauth_token="x"',
  'Bearer \u00ff',
  'x'.repeat(20_000),
  '\u0000',
];

function jsonValue(r: Random, depth = 0): unknown {
  const kind = r.int(depth > 4 ? 5 : 8);
  if (kind === 0) return r.int(3) === 0 ? -r.int(1e9) : r.int(2 ** 31);
  if (kind === 1) return r.pick(['', 'текст', 'x'.repeat(r.int(6000)), '\ud800', 'ORDER', 'DIRECT', 'FINISHED', 'started']);
  if (kind === 2) return r.pick([null, true, false, 1e308, -0, 2 ** 53 + 1]);
  if (kind === 3) return r.pick([[], [1, 1], [{ type: 'ORDER', id: 1 }], ['NEW', 'NEW']]);
  if (kind === 4) return r.pick([{}, { __proto__: { polluted: 1 } }]);
  if (kind === 5) return Array.from({ length: r.int(4) }, () => jsonValue(r, depth + 1));
  const keys = [
    'context',
    'message',
    'orderId',
    'statuses',
    'types',
    'contexts',
    'messageIdFrom',
    'sender',
    'customer',
    'arbitrage',
    'status',
    'rules',
    'rateLimits',
    'data',
    '__proto__',
    'constructor',
    'prototype',
    'id',
    'type',
  ];
  const object: Record<string, unknown> = {};
  for (let i = r.int(5); i > 0; i--) object[r.pick(keys)] = jsonValue(r, depth + 1);
  return object;
}

/** A JSON text, sometimes with a `__proto__` key written out (JSON.stringify would drop it), sometimes cut short. */
function jsonText(r: Random): string {
  let text = JSON.stringify(jsonValue(r));
  if (r.chance(0.15)) text = `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"message":"x"}`;
  if (r.chance(0.1)) text = text.slice(0, r.int(text.length));
  if (r.chance(0.03)) text = `{"message":"${'я'.repeat(600_000)}"}`;
  return text;
}

function multipart(r: Random): { type: string; body: Buffer } {
  const boundary = r.chance(0.9) ? 'fuzzboundary' : '';
  const parts = Array.from({ length: r.int(8) }, () => {
    const name = r.pick(['file', 'message', 'sender', '__proto__', 'constructor', '', 'file"; filename="../../etc/passwd']);
    const filename = r.chance(0.6) ? `; filename="${r.pick(['a.png', '../../x', '', 'я'.repeat(400), '\u0000.txt'])}"` : '';
    const content = r.pick(['hello', '', 'x'.repeat(r.int(70_000)), '\u0000\u0001']);
    return `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename}\r\nContent-Type: ${r.pick(['text/plain', 'image/png', ''])}\r\n\r\n${content}\r\n`;
  });
  let body = `${parts.join('')}${r.chance(0.8) ? `--${boundary}--\r\n` : ''}`;
  if (r.chance(0.1)) body = body.slice(0, r.int(body.length));
  return { type: `multipart/form-data${boundary ? `; boundary=${boundary}` : ''}`, body: Buffer.from(body) };
}

/** One generated request, as the bytes to write. */
function request(r: Random, chatId: number): Buffer {
  if (r.chance(0.05)) {
    return r.pick([
      () => Buffer.from(Array.from({ length: r.int(300) + 1 }, () => r.int(256))),
      () => Buffer.from('GET / HTTP/9.9\r\n\r\n'),
      () => Buffer.from('POST /v2/businesses/1001/chats HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{}'),
      () => Buffer.from('GET /v2/businesses/1001/chat?chatId=1 HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n'),
      () => Buffer.from(`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
      () => Buffer.from('POST /v2/businesses/1001/chats HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'),
    ])();
  }
  const [routeMethod, template] = r.pick(ROUTES);
  const method = r.chance(0.1) ? r.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']) : routeMethod;
  let path = template
    .replace('{b}', r.chance(0.6) ? '1001' : r.pick(IDS))
    .replace('{c}', r.chance(0.6) ? String(chatId) : r.pick(IDS))
    .replace('{f}', r.pick(['1001-1-0', '../../etc/passwd', '..%2F..%2Fetc', '1001-' + 'f'.repeat(200), '%00']));
  if (!path.startsWith('/__sandbox') && !path.startsWith('/nowhere') && r.chance(0.5)) path = `/v2${path}`;
  const query = Array.from({ length: r.int(5) }, () => `${r.pick(KEYS)}=${r.chance(0.5) ? String(chatId) : r.pick(VALUES)}`);
  if (query.length) path += `?${query.join('&')}`;
  const headers: string[] = ['Host: 127.0.0.1', 'Connection: close'];
  if (r.chance(0.85))
    headers.push(`${r.pick(['Api-Key', 'Authorization', 'api-key'])}: ${r.chance(0.7) ? 'ACMA:sandbox-key' : r.pick(TOKENS)}`);
  if (r.chance(0.05)) headers.push(`X-Junk: ${'j'.repeat(r.int(30_000))}`);
  let body: Buffer | undefined;
  const kind = r.int(10);
  if (method !== 'GET' && method !== 'HEAD' && kind < 6) {
    body = Buffer.from(jsonText(r));
    headers.push(
      `Content-Type: ${r.chance(0.85) ? 'application/json' : r.pick(['text/plain', 'application/yaml', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'image/png', ''])}`,
    );
  } else if (method !== 'GET' && method !== 'HEAD' && kind < 9) {
    const form = multipart(r);
    body = form.body;
    headers.push(`Content-Type: ${form.type}`);
  }
  if (body) {
    // Sometimes the length says more than is sent: the server waits, then the socket is closed on it.
    const declared = r.chance(0.05) ? body.length + 50 : body.length;
    headers.push(`Content-Length: ${declared}`);
  }
  return Buffer.concat([Buffer.from(`${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`), body ?? Buffer.alloc(0)]);
}

interface Exchange {
  status?: number;
  body: string;
}

/** Writes the bytes, reads until the server closes (or 3 s pass: a body shorter than its length is given up on). */
function exchange(port: number, bytes: Buffer): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      resolve({ status: status ? Number(status) : undefined, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    };
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', done);
    socket.end(bytes);
  });
}

t.test(`${COUNT} malformed requests: no 5xx, every 4xx in the envelope, no pollution (seed ${SEED})`, async (t) => {
  const client = await sandboxFor(t, { rateLimits: true });
  const { port } = client.sandbox;
  const chatId = (await client.post('/v2/businesses/1001/chats', { statuses: ['WAITING_FOR_PARTNER'] })).body.result.chats[0].chatId;
  const r = random(SEED);
  const requests = Array.from({ length: COUNT }, () => request(r, chatId));
  const statuses = new Map<number | string, number>();
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const bytes = requests[next++];
        const answer = await exchange(port, bytes);
        const key = answer.status ?? 'no answer';
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        const what = bytes.subarray(0, 120).toString('latin1').split('\r\n')[0];
        if (answer.status === undefined) continue; // the socket was closed on a request that never finished: no answer is due
        if (answer.status >= 500) failures.push(`${answer.status} for ${what}: ${answer.body.slice(0, 200)}`);
        // An answer to HEAD has no body, by HTTP's rules.
        if (answer.status >= 400 && !what.startsWith('HEAD ')) {
          let envelope: any;
          try {
            envelope = JSON.parse(answer.body);
          } catch {
            failures.push(`${answer.status} without JSON for ${what}: ${answer.body.slice(0, 200)}`);
            continue;
          }
          const ok =
            envelope.status === 'ERROR' &&
            Array.isArray(envelope.errors) &&
            envelope.errors.length > 0 &&
            envelope.errors.every((e: any) => typeof e.code === 'string' && typeof e.message === 'string' && e.message.length > 0);
          if (!ok) failures.push(`${answer.status} not in the envelope for ${what}: ${answer.body.slice(0, 200)}`);
        }
      }
    }),
  );
  t.same(failures.slice(0, 20), [], `every answer is fine (${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')})`);
  t.ok(
    (statuses.get(200) ?? 0) > 0 && [400, 401, 404, 405, 413, 414, 415, 431].every((s) => (statuses.get(s) ?? 0) > 0),
    'the run reached every kind of answer',
  );
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is not polluted');
  t.equal(Object.keys(Object.prototype).length, 0);
  const health = await client.get('/__sandbox/health');
  t.equal(health.status, 200, 'the sandbox is up');
  const history = await client.post(`/v2/businesses/1001/chats/history?chatId=${chatId}`);
  t.equal(history.status, 200, 'and still answers normal calls');
});
