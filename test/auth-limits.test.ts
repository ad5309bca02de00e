/** Credentials as Market reads them, and Market's request limits: quotas, windows, parallel requests. */
import { request, type ClientRequest } from 'node:http';
import t from 'tap';
import { RateLimiter } from '../src/limits/rate-limiter.js';
import { eventually, sandboxFor } from './helpers.js';

const CHATS = '/v2/businesses/1001/chats';

t.test('Api-Key, OAuth and Bearer credentials are all accepted; none is a 401', async (t) => {
  const client = await sandboxFor(t);
  const ok: Record<string, string>[] = [
    { 'Api-Key': 'ACMA:abc:def' },
    { 'Api-Key': '', Authorization: 'OAuth oauth_token="y0_AgAAAA", oauth_client_id="b1f3"' },
    { 'Api-Key': '', Authorization: 'OAuth y0_AgAAAA' },
    { 'Api-Key': '', Authorization: 'Bearer y0_AgAAAA' },
  ];
  for (const headers of ok) {
    const answer = await client.call('POST', CHATS, { body: {}, headers });
    t.equal(answer.status, 200, JSON.stringify(headers));
  }
  const refused: Record<string, string>[] = [
    { 'Api-Key': '' },
    { 'Api-Key': '   ' },
    { 'Api-Key': '', Authorization: 'Basic dXNlcjpwYXNz' },
    { 'Api-Key': '', Authorization: 'OAuth oauth_client_id="b1f3"' },
    { 'Api-Key': '', Authorization: 'Bearer' },
  ];
  for (const headers of refused) {
    const answer = await client.call('POST', CHATS, { body: {}, headers });
    t.equal(answer.status, 401, JSON.stringify(headers));
    t.match(answer.body, { status: 'ERROR', errors: [{ code: 'UNAUTHORIZED', message: /Api-Key|Authorization/ }] });
  }
});

t.test('every answer of an operation reports its quota in X-RateLimit-* headers', async (t) => {
  const client = await sandboxFor(t, { rateLimits: true });
  const first = await client.post(CHATS);
  t.equal(first.headers.get('x-ratelimit-resource-limit'), '5000');
  t.equal(first.headers.get('x-ratelimit-resource-remaining'), '4999');
  const until = Date.parse(first.headers.get('x-ratelimit-resource-until')!);
  t.match(first.headers.get('x-ratelimit-resource-until'), /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
  t.ok(Math.abs(until - Date.now() - 3600_000) < 5000, 'the hourly window renews in an hour');
  const invalid = await client.post(`${CHATS}?limit=99`);
  t.equal(invalid.status, 400);
  t.equal(invalid.headers.get('x-ratelimit-resource-remaining'), '4998', 'a refused request counts too');
  const other = await client.get('/v2/businesses/1001/chat?chatId=1');
  t.equal(other.status, 404);
  t.equal(other.headers.get('x-ratelimit-resource-limit'), '1000', 'each operation has its own quota');
  const otherBusiness = await client.post('/v2/businesses/2002/chats');
  t.equal(otherBusiness.headers.get('x-ratelimit-resource-remaining'), '4999', 'each business has its own quota');
  const unauthorized = await client.call('POST', CHATS, { body: {}, headers: { 'Api-Key': '' } });
  t.equal(unauthorized.status, 401);
  const after = await client.post(CHATS);
  t.equal(after.headers.get('x-ratelimit-resource-remaining'), '4997', 'a request without credentials does not count');
});

t.test('past the hourly quota: 420 in Market words until the window renews', async (t) => {
  let now = Date.parse('2026-03-02T10:00:00Z');
  const client = await sandboxFor(t, { rateLimits: true, now: () => now });
  const path = '/v2/businesses/1001/chats/message?chatId=1&messageId=1';
  for (let i = 0; i < 1000; i++) {
    const r = await client.sandbox.app.inject({ method: 'GET', url: path, headers: { 'api-key': 'k' } });
    if (r.statusCode !== 404) t.fail(`request ${i} answered ${r.statusCode}`);
  }
  const spent = await client.get(path);
  t.equal(spent.status, 420);
  t.match(spent.body, {
    status: 'ERROR',
    errors: [{ code: 'HIT_RATE_LIMIT', message: /Hit rate limit of 1000 requests per hour for getChatMessage of business 1001/ }],
  });
  t.equal(spent.headers.get('x-ratelimit-resource-remaining'), '0');
  t.equal(spent.headers.get('x-ratelimit-resource-until'), 'Mon, 02 Mar 2026 11:00:00 GMT');
  t.equal((await client.post(CHATS)).status, 200, 'other operations are not affected');
  now += 3600_000;
  const renewed = await client.get(path);
  t.equal(renewed.status, 404, 'a new window gives the quota back');
  t.equal(renewed.headers.get('x-ratelimit-resource-remaining'), '999');
});

t.test('reset gives the quotas back', async (t) => {
  const client = await sandboxFor(t, { rateLimits: true });
  await client.post(CHATS);
  await client.post('/__sandbox/reset');
  t.equal((await client.post(CHATS)).headers.get('x-ratelimit-resource-remaining'), '4999');
});

/** Starts an upload and leaves it unfinished, so that the request stays in flight. */
function openUpload(url: string): ClientRequest {
  const req = request(url, {
    method: 'POST',
    headers: { 'Api-Key': 'k', 'content-type': 'multipart/form-data; boundary=b', 'content-length': '100000' },
  });
  req.on('error', () => undefined);
  req.write('--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nstart');
  return req;
}

t.test('a fifth request running at once for one business gets 420', async (t) => {
  const client = await sandboxFor(t, { rateLimits: true });
  const [chat] = (await client.post(CHATS, { statuses: ['WAITING_FOR_PARTNER'] })).body.result.chats;
  const url = `${client.sandbox.url}/v2/businesses/1001/chats/file/send?chatId=${chat.chatId}`;
  const uploads = [openUpload(url), openUpload(url), openUpload(url), openUpload(url)];
  // The four must have reached their handler before the fifth is sent.
  const fifth = await eventually(async () => {
    const answer = await client.post(CHATS);
    return answer.status !== 200 && answer;
  });
  t.equal(fifth.status, 420);
  t.match(fifth.body, { errors: [{ code: 'HIT_RATE_LIMIT', message: 'Hit rate limit of 4 parallel requests for business 1001' }] });
  t.equal((await client.post('/v2/businesses/1002/chats')).status, 200, 'another business is not affected');
  for (const upload of uploads) upload.destroy();
  const after = await eventually(async () => {
    const answer = await client.post(CHATS);
    return answer.status !== 420 && answer;
  });
  t.equal(after.status, 200, 'places free up as requests end');
});

t.test('--no-rate-limits: no limit headers and no 420', async (t) => {
  const client = await sandboxFor(t, { rateLimits: false });
  const answer = await client.post(CHATS);
  t.equal(answer.headers.get('x-ratelimit-resource-limit'), null);
  for (let i = 0; i < 1001; i++) {
    const r = await client.sandbox.app.inject({ method: 'GET', url: '/v2/businesses/1001/chat?chatId=1', headers: { 'api-key': 'k' } });
    if (r.statusCode !== 404) t.fail(`request ${i} answered ${r.statusCode}`);
  }
  t.pass('1001 getChat calls, none limited');
});

t.test('the limiter counts windows per business and operation', async (t) => {
  const limiter = new RateLimiter({ getChats: { limit: 2, windowMs: 1000 } }, 1);
  t.match(limiter.take(1, 'getChats', 0), { allowed: true, remaining: 1, resetsAt: 1000 });
  t.match(limiter.take(1, 'getChats', 500), { allowed: true, remaining: 0 });
  t.match(limiter.take(1, 'getChats', 999), { allowed: false, remaining: 0, resetsAt: 1000 });
  t.match(limiter.take(2, 'getChats', 999), { allowed: true, remaining: 1 });
  t.match(limiter.take(1, 'getChats', 1000), { allowed: true, remaining: 1, resetsAt: 2000 });
  t.equal(limiter.take(1, 'getChat', 0), undefined, 'an operation with no quota is not counted');
  const leave = limiter.enter(1)!;
  t.equal(limiter.enter(1), undefined);
  leave();
  leave();
  t.type(limiter.enter(1), 'function', 'leaving twice frees one place only');
  t.equal(limiter.enter(1), undefined);
});

t.test('windows that have closed are swept once there are many: a run over many businesses stays bounded', async (t) => {
  const limiter = new RateLimiter({ getChats: { limit: 5, windowMs: 1000 }, getChat: { limit: 5, windowMs: 60_000 } }, undefined);
  for (let id = 1; id < 10_000; id++) limiter.take(id, 'getChats', 0);
  limiter.take(1, 'getChat', 0);
  t.equal(limiter.windowsKept, 10_000, 'up to the threshold every window is kept');
  t.match(limiter.take(20_000, 'getChats', 1000), { allowed: true, remaining: 4 });
  t.equal(limiter.windowsKept, 2, 'past it, the closed ones go; the open getChat window and the new one stay');
  t.match(limiter.take(1, 'getChat', 500), { allowed: true, remaining: 3 }, 'an open window keeps counting');
  t.match(limiter.take(1, 'getChats', 1500), { allowed: true, remaining: 4 }, 'a swept business starts a fresh window');
});
