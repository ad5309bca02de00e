/** Scenario files: the format and its errors, request limits, and rules with their effects, over real sockets. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Journal } from '../src/journal/journal.js';
import { combineScenarios, parseScenario, readScenarioFile } from '../src/scenario/load.js';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchema, type Scenario } from '../src/scenario/schema.js';
import { allChats, eventually, sandboxFor, schemaValidator, tempDir } from './helpers.js';

const B = '/v2/businesses/1001';

t.test('a bad scenario is refused with the source, the path of the field and what was expected', async (t) => {
  const cases: [string, RegExp][] = [
    [
      'rateLimits: { sendMessageToChat: { limit: -1, window: 1m } }',
      /^s\.yaml: rateLimits\.sendMessageToChat\.limit: must be >= 0 \(line 1\)$/,
    ],
    [
      'rateLimits: { sendMessageToChat: { limit: 3, window: soon } }',
      /rateLimits\.sendMessageToChat\.window: must be a duration such as 800ms/,
    ],
    ['rateLimits: { getChatz: { limit: 3, window: 1m } }', /rateLimits\.getChatz: is not a known key/],
    [
      'rules: [ { match: { operation: getChats }, fault: explode } ]',
      /rules\[0\]\.fault: must be one of "connection-reset", "timeout", "malformed-json"/,
    ],
    ['rules: [ { match: { chatId: zero } } ]', /rules\[0\]\.match\.chatId: must be integer/],
    ['rules: [ { respond: { status: 99 } } ]', /rules\[0\]\.respond\.status: must be >= 200/],
    ['seed: [1', /s\.yaml: is not valid YAML or JSON: /],
    ['{"name": "x", "name": "y"}', /is not valid YAML or JSON: Map keys must be unique/],
    ['- a list', /\(top level\): must be object/],
    ['customer: { replyAfter: soon }', /customer\.replyAfter: must be a duration such as 800ms/],
    ['customer: { newChatsEvery: 5ms }', /^s\.yaml: customer\.newChatsEvery: must be at least 10ms \(line 1\)$/],
    ['customer: { replies: [] }', /customer\.replies: must NOT have fewer than 1 items/],
    ['customer: { shout: yes }', /customer\.shout: is not a known key/],
    ['webhook: { url: "localhost:9000" }', /webhook\.url: must be an http:\/\/ or https:\/\/ URL/],
    ['webhook: { attempts: 0 }', /webhook\.attempts: must be >= 1/],
  ];
  for (const [text, message] of cases) t.throws(() => parseScenario(text, 's.yaml'), { name: 'ScenarioError', message }, text);
  t.same(parseScenario('', 'empty.yaml'), {}, 'an empty file is an empty scenario');
  t.same(parseScenario('{"rateLimits": "off"}', 'x.json'), { rateLimits: 'off' }, 'JSON is read too');
  await t.rejects(readScenarioFile('/nonexistent/scenario.yaml'), { message: '/nonexistent/scenario.yaml: no such file' });
});

t.test('the shipped scenario.schema.json is the schema that validates (npm run fixtures keeps them in step)', async (t) => {
  t.strictSame(JSON.parse(readFileSync(SCENARIO_SCHEMA_FILE, 'utf8')), scenarioJsonSchema());
});

t.test('scenarios compose: maps merge, lists append, names join; two values for one field are refused naming both files', async (t) => {
  const first: Scenario = {
    name: 'base',
    seed: 1,
    rateLimits: { getChats: { limit: 5, window: '1m' }, parallel: 2 },
    rules: [{ name: 'old', respond: { status: 500 } }],
    conversations: [{ name: 'первый', steps: [{ say: 'Здравствуйте' }] }],
  };
  const second: Scenario = {
    seed: 1,
    rateLimits: { sendMessageToChat: { limit: 3, window: '1m' } },
    rules: [{ name: 'new', delay: '1ms' }],
    conversations: [{ name: 'второй', steps: [{ say: 'Добрый день' }] }],
  };
  t.same(
    combineScenarios([
      { source: 'base.yaml', scenario: first },
      { source: 'scenarios/more.yaml', scenario: second },
    ]),
    {
      name: 'base, more',
      seed: 1,
      rateLimits: { getChats: { limit: 5, window: '1m' }, parallel: 2, sendMessageToChat: { limit: 3, window: '1m' } },
      rules: [
        { name: 'old', respond: { status: 500 } },
        { name: 'new', delay: '1ms' },
      ],
      conversations: [
        { name: 'первый', steps: [{ say: 'Здравствуйте' }] },
        { name: 'второй', steps: [{ say: 'Добрый день' }] },
      ],
    },
  );
  t.throws(
    () =>
      combineScenarios([
        { source: 'a.yaml', scenario: first },
        { source: 'b.yaml', scenario: { name: 'b' } },
        { source: 'c.yaml', scenario: { rateLimits: { parallel: 'off' } } },
      ]),
    { name: 'ScenarioError', message: 'a.yaml and c.yaml: rateLimits.parallel: is given two values (2 and "off"); give it in one of them' },
  );
  t.throws(
    () =>
      combineScenarios([
        { source: 'a.yaml', scenario: first },
        { source: 'b.yaml', scenario: { rateLimits: 'off' } },
      ]),
    {
      message: /^a\.yaml and b\.yaml: rateLimits: is given two values/,
    },
  );
});

t.test("rateLimits: an operation named gets its own quota; the others keep Market's", async (t) => {
  const client = await sandboxFor(t, {
    rateLimits: true,
    scenario: { rateLimits: { sendMessageToChat: { limit: 2, window: '1m' }, getChat: 'off' } },
  });
  const [chat] = await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'] });
  const send = () => client.post(`${B}/chats/message?chatId=${chat.chatId}`, { message: 'Добрый день!' });
  const answers = [await send(), await send(), await send()];
  t.same(
    answers.map((a) => a.status),
    [200, 200, 420],
  );
  t.equal(answers[2].headers.get('x-ratelimit-resource-limit'), '2');
  t.equal(answers[2].headers.get('x-ratelimit-resource-remaining'), '0');
  t.match(answers[2].body.errors[0].message, /Hit rate limit of 2 requests per minute for sendMessageToChat of business 1001/);
  const list = await client.post(`${B}/chats`);
  t.equal(list.headers.get('x-ratelimit-resource-limit'), '5000', "getChats keeps Market's hourly 5000");
  const one = await client.get(`${B}/chat?chatId=${chat.chatId}`);
  t.equal(one.status, 200);
  t.equal(one.headers.get('x-ratelimit-resource-limit'), null, 'getChat: off means no quota');
  t.equal(
    (await client.post('/v2/businesses/2002/chats/message?chatId=1', { message: 'x' })).headers.get('x-ratelimit-resource-remaining'),
    '1',
    'counters are per business',
  );
});

t.test('rateLimits: parallel N gives 420 past N calls at once; off removes every limit', async (t) => {
  const slow = { match: { operation: 'getChats' as const }, delay: '150ms' };
  const client = await sandboxFor(t, { rateLimits: true, scenario: { rateLimits: { parallel: 1 }, rules: [slow] } });
  const [a, b] = await Promise.all([client.post(`${B}/chats`), client.post(`${B}/chats`)]);
  t.same([a.status, b.status].sort(), [200, 420]);
  t.match([a, b].find((x) => x.status === 420)!.body.errors[0], {
    code: 'HIT_RATE_LIMIT',
    message: 'Hit rate limit of 1 parallel requests for business 1001',
  });

  const free = await sandboxFor(t, { rateLimits: true, scenario: { rateLimits: 'off' } });
  const answer = await free.post(`${B}/chats`);
  t.equal(answer.status, 200);
  t.equal(answer.headers.get('x-ratelimit-resource-limit'), null);
  t.equal(free.sandbox.limits, 'off');
});

t.test('rules: match by body, then times and after; reset rearms them', async (t) => {
  const client = await sandboxFor(t, {
    scenario: {
      rules: [
        {
          name: 'finished chats fail twice',
          match: { operation: 'getChats', body: { statuses: ['FINISHED'] } },
          times: 2,
          respond: { status: 503 },
        },
        { match: { operation: 'getChatHistory' }, after: 1, times: 1, respond: { status: 500 } },
      ],
    },
  });
  const finished = () => client.post(`${B}/chats`, { statuses: ['FINISHED'], types: ['CHAT'] });
  const first = await finished();
  t.equal(first.status, 503);
  t.same(first.body, {
    status: 'ERROR',
    errors: [{ code: 'SERVICE_UNAVAILABLE', message: 'Scripted by scenario rule 0 (finished chats fail twice)' }],
  });
  const [journaled] = client.sandbox.requests({ status: 503 });
  t.match(journaled, { rule: 0, ruleName: 'finished chats fail twice' }, 'the journal names the rule');
  t.equal((await finished()).status, 503);
  t.equal((await finished()).status, 200, 'times: 2 applies twice only');
  t.equal((await client.post(`${B}/chats`, { statuses: ['NEW'] })).status, 200, 'another body does not match');

  const [chat] = await allChats(client, 1001);
  const history = () => client.post(`${B}/chats/history?chatId=${chat.chatId}`);
  t.same([(await history()).status, (await history()).status, (await history()).status], [200, 500, 200], 'after: 1, times: 1');
  t.match(client.sandbox.requests({ status: 500 }), [{ rule: 1, ruleName: null }], 'a rule without a name is known by its index');

  await client.post('/__sandbox/reset');
  t.equal((await finished()).status, 503, 'reset rearms the rules');
  t.same([(await history()).status, (await history()).status], [200, 500]);
});

t.test('rules: match by method, path, business, chat, query and headers; a scripted body and headers', async (t) => {
  const client = await sandboxFor(t, {
    scenario: {
      rules: [
        {
          match: { method: 'GET', path: '/businesses/1001/chat', chatId: 7, query: { chatId: '7' } },
          respond: { status: 200, body: { status: 'OK', result: { chatId: 7 } }, headers: { 'x-scripted': 'yes' } },
        },
        { match: { businessId: 3003, headers: { 'X-Test-Case': 'locked' } }, respond: { status: 423 } },
      ],
    },
  });
  for (const prefix of ['', '/v2']) {
    const scripted = await client.get(`${prefix}/businesses/1001/chat?chatId=7`);
    t.same(
      [scripted.status, scripted.body, scripted.headers.get('x-scripted')],
      [200, { status: 'OK', result: { chatId: 7 } }, 'yes'],
      `${prefix || 'unprefixed'} path`,
    );
  }
  t.equal((await client.get(`${B}/chat?chatId=8`)).status, 404, 'another chat is answered normally');
  const locked = await client.call('POST', '/v2/businesses/3003/chats', { body: {}, headers: { 'x-test-case': 'locked' } });
  t.same([locked.status, locked.body.errors[0].code], [423, 'LOCKED']);
  t.equal((await client.post('/v2/businesses/3003/chats')).status, 200, 'without the header it is not matched');
});

t.test('rules: a delay holds the answer back at least as long as asked', async (t) => {
  const client = await sandboxFor(t, {
    scenario: {
      rules: [
        { match: { operation: 'getChats' }, delay: '300ms' },
        { match: { operation: 'getChat' }, delay: { min: '100ms', max: '200ms' }, respond: { status: 500 } },
      ],
    },
  });
  let started = performance.now();
  t.equal((await client.post(`${B}/chats`)).status, 200);
  const waited = performance.now() - started;
  t.ok(waited >= 290, `getChats answered after ${Math.round(waited)} ms`);
  started = performance.now();
  t.equal((await client.get(`${B}/chat?chatId=1`)).status, 500);
  t.ok(performance.now() - started >= 95, 'a ranged delay waits at least its minimum, before the scripted answer');
});

t.test('rules: each fault breaks the exchange as it says', async (t) => {
  const client = await sandboxFor(t, {
    scenario: {
      rules: [
        { match: { operation: 'getChats' }, fault: 'connection-reset' },
        { match: { operation: 'getChat' }, fault: 'timeout' },
        { match: { operation: 'getChatHistory' }, fault: 'malformed-json' },
      ],
    },
  });
  const url = client.sandbox.url;
  const headers = { 'Api-Key': client.sandbox.token, 'content-type': 'application/json' };
  await t.rejects(
    fetch(`${url}${B}/chats`, { method: 'POST', headers, body: '{}' }),
    { cause: { code: 'ECONNRESET' } },
    'connection-reset',
  );
  await t.rejects(
    fetch(`${url}${B}/chat?chatId=1`, { headers, signal: AbortSignal.timeout(300) }),
    { name: 'TimeoutError' },
    'timeout: no answer until the client gives up',
  );
  const broken = await fetch(`${url}${B}/chats/history?chatId=1`, { method: 'POST', headers, body: '{}' });
  t.equal(broken.status, 200);
  t.equal(broken.headers.get('content-type'), 'application/json; charset=utf-8');
  await t.rejects(broken.json(), SyntaxError, 'malformed-json');
  t.equal((await client.get(`${B}/chats/message?chatId=1&messageId=1`)).status, 404, 'other calls behave normally');
});

t.test('a call left hanging by a timeout fault does not keep the sandbox from closing', async (t) => {
  const client = await sandboxFor(t, { scenario: { rules: [{ fault: 'timeout' }] } });
  const hanging = fetch(`${client.sandbox.url}${B}/chats`, { method: 'POST', headers: { 'Api-Key': 'k' }, body: '' }).catch((e) => e);
  await eventually(() => client.sandbox.requests().some((entry) => entry.fault === 'timeout'));
  await client.sandbox.close();
  t.match(await hanging, { name: 'TypeError' }, 'the client sees the connection end');
});

t.test('a scenario file is read by startSandbox; several combine', async (t) => {
  const dir = tempDir(t, {
    'limits.yaml': 'rateLimits:\n  getChats: { limit: 1, window: 30s }\n',
    'rules.json': JSON.stringify({ rules: [{ match: { operation: 'getChat' }, respond: { status: 503 } }] }),
  });
  const client = await sandboxFor(t, { rateLimits: true, scenario: [join(dir, 'limits.yaml'), join(dir, 'rules.json')] });
  t.same([(await client.post(`${B}/chats`)).status, (await client.post(`${B}/chats`)).status], [200, 420]);
  t.equal((await client.get(`${B}/chat?chatId=1`)).status, 503);
  t.match(client.sandbox.limits, /getChats 1\/30 seconds/);
});

t.test('PUT /__sandbox/scenario plays YAML or JSON from its initial world; an invalid one is a 400 and the old one stays', async (t) => {
  const client = await sandboxFor(t, { rateLimits: true });
  const [chat] = await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'] });
  await client.post(`${B}/chats/message?chatId=${chat.chatId}`, { message: 'До загрузки сценария' });

  const yaml = 'name: slow chats\nrules:\n  - match: { operation: getChat }\n    respond: { status: 503 }\n';
  const put = await client.call('PUT', '/__sandbox/scenario', { raw: yaml, headers: { 'content-type': 'application/yaml' } });
  t.same([put.status, put.body], [200, { status: 'OK' }]);
  t.equal((await client.get(`${B}/chat?chatId=${chat.chatId}`)).status, 503, 'the new rules apply');
  t.same((await client.get('/__sandbox/scenario')).body.result, {
    name: 'slow chats',
    rules: [{ match: { operation: 'getChat' }, respond: { status: 503 } }],
  });
  const history = await client.post(`${B}/chats/history?chatId=${chat.chatId}&limit=100`);
  t.notOk(
    history.body.result.messages.some((m: any) => m.message === 'До загрузки сценария'),
    'the world is back to its start',
  );

  const bad = await client.call('PUT', '/__sandbox/scenario', { body: { rateLimits: { getChats: { limit: 'lots', window: '1m' } } } });
  t.equal(bad.status, 400);
  t.same(bad.body.errors, [{ code: 'BAD_REQUEST', message: 'scenario: rateLimits.getChats.limit: must be integer' }]);
  const broken = await client.call('PUT', '/__sandbox/scenario', { raw: 'rules: [', headers: { 'content-type': 'text/yaml' } });
  t.match(broken.body.errors[0].message, /^scenario: is not valid YAML or JSON/);
  t.equal((await client.get(`${B}/chat?chatId=${chat.chatId}`)).status, 503, 'the old scenario keeps running');

  await client.sandbox.loadScenario({ rateLimits: { getChat: { limit: 1, window: '1h' } } });
  t.same(
    [(await client.get(`${B}/chat?chatId=${chat.chatId}`)).status, (await client.get(`${B}/chat?chatId=${chat.chatId}`)).status],
    [200, 420],
    'loadScenario() does the same',
  );
  t.match(client.sandbox.limits, /getChat 1\/hour/);
  await t.rejects(client.sandbox.loadScenario({ seed: -1 }), { name: 'ScenarioError', message: 'scenario: seed: must be >= 0' });
});

t.test('the journal records every call with its bodies, status, duration and rule; filters; clears', async (t) => {
  const client = await sandboxFor(t, {
    scenario: {
      rules: [
        { match: { operation: 'getChat' }, respond: { status: 500 } },
        { match: { operation: 'getChatMessage' }, fault: 'connection-reset' },
      ],
    },
  });
  const [chat] = await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'] });
  await client.post(`${B}/chats/message?chatId=${chat.chatId}`, { message: 'Заказ передан в службу доставки.' });
  await client.get(`${B}/chat?chatId=${chat.chatId}`);
  await client.call('POST', '/businesses/2002/chats', { body: {}, headers: { 'Api-Key': '' } });
  await client.get(`${B}/chats/message?chatId=${chat.chatId}&messageId=1`).catch(() => undefined);

  const validate = await schemaValidator(client);
  const journal = await client.get('/__sandbox/requests');
  t.same(validate('/__sandbox/requests', 'GET', journal), [], 'every entry, a fault’s too, is what /openapi.json documents');
  t.equal(journal.body.result.capacity, 1000);
  const sent = (await client.get('/__sandbox/requests?operation=sendMessageToChat')).body.result.requests;
  t.equal(sent.length, 1);
  t.match(sent[0], {
    operationId: 'sendMessageToChat',
    method: 'POST',
    url: `${B}/chats/message?chatId=${chat.chatId}`,
    businessId: 1001,
    chatId: chat.chatId,
    status: 200,
    requestBody: { message: 'Заказ передан в службу доставки.' },
    responseBody: { status: 'OK' },
    rule: null,
  });
  t.ok(sent[0].durationMs >= 0 && !Number.isNaN(Date.parse(sent[0].time)));
  t.match((await client.get(`/__sandbox/requests?chatId=${chat.chatId}&status=500`)).body.result.requests, [
    { operationId: 'getChat', rule: 0 },
  ]);
  t.match((await client.get('/__sandbox/requests?businessId=2002')).body.result.requests, [
    { status: 401, responseBody: { errors: [{ code: 'UNAUTHORIZED' }] } },
  ]);
  t.match(client.sandbox.requests({ operation: 'getChatMessage' }), [{ status: null, fault: 'connection-reset', rule: 1 }]);
  const [faulted] = (await client.get('/__sandbox/requests?operation=getChatMessage')).body.result.requests;
  t.same(validate(`/__sandbox/requests/${faulted.id}`, 'GET', await client.get(`/__sandbox/requests/${faulted.id}`)), []);
  t.equal((await client.get('/__sandbox/requests?status=abc')).status, 400, 'a bad filter is a 400');

  t.equal((await client.call('DELETE', '/__sandbox/requests')).status, 200);
  t.same((await client.get('/__sandbox/requests')).body.result.requests, []);
});

t.test('the journal keeps the newest entries up to its bound and counts what it dropped', async (t) => {
  const journal = new Journal(() => 0, 3);
  const entry = {
    time: '',
    operationId: 'getChats',
    method: 'POST',
    url: '/',
    businessId: 1,
    chatId: null,
    status: 200,
    requestBody: null,
    responseBody: null,
    durationMs: 1,
    rule: null,
    ruleName: null,
    state: 'started',
    fault: null,
    upstream: null,
    drift: null,
  };
  for (let i = 0; i < 5; i++) journal.open({ ...entry, url: `/${i}` });
  t.same(
    journal.list().map((e) => e.url),
    ['/2', '/3', '/4'],
  );
  t.equal(journal.dropped, 2);
  journal.clear();
  t.same([journal.list(), journal.dropped], [[], 0]);
});

t.test('auth strict: unknown tokens, businesses not granted and writes with a read-only key are 403', async (t) => {
  const client = await sandboxFor(t, {
    scenario: {
      auth: {
        mode: 'strict',
        tokens: [
          { token: 'ACMA:reader', businesses: [1001], scopes: ['all-methods:read-only'] },
          { token: 'ACMA:writer', businesses: [1001, 5005], scopes: ['communication'] },
        ],
      },
    },
  });
  const as = (token: string, method: string, path: string, body?: unknown) =>
    client.call(method, path, { body, headers: { 'Api-Key': token } });
  const reader = { ...client, post: (path: string, body: unknown = {}) => as('ACMA:reader', 'POST', path, body) };
  const [chat] = await allChats(reader, 1001, { statuses: ['WAITING_FOR_PARTNER'] });

  const unknown = await as('ACMA:stranger', 'POST', `${B}/chats`, {});
  t.same([unknown.status, unknown.body.errors[0].code], [403, 'FORBIDDEN']);
  t.match(unknown.body.errors[0].message, /^Api-Key: the token is not known/);
  const other = await as('ACMA:reader', 'POST', '/v2/businesses/2002/chats', {});
  t.same([other.status, other.body.errors[0].message], [403, 'businessId: the token has no access to business 2002']);
  t.equal((await as('ACMA:reader', 'GET', `${B}/chat?chatId=${chat.chatId}`)).status, 200, 'read-only may read');
  const send = await as('ACMA:reader', 'POST', `${B}/chats/message?chatId=${chat.chatId}`, { message: 'Добрый день' });
  t.same(
    [send.status, send.body.errors[0].message],
    [403, "Api-Key: the token's scopes (all-methods:read-only) do not allow sendMessageToChat, which writes"],
  );
  t.equal((await as('ACMA:reader', 'POST', `${B}/chats/new`, { context: { type: 'ORDER', id: 1 } })).status, 403);
  t.equal(
    (await as('ACMA:writer', 'POST', `${B}/chats/message?chatId=${chat.chatId}`, { message: 'Добрый день' })).status,
    200,
    'communication may write',
  );
  t.equal((await client.call('POST', `${B}/chats`, { body: {}, headers: { 'Api-Key': '' } })).status, 401, 'no credentials is still a 401');
  const bearer = await client.call('GET', `${B}/chat?chatId=${chat.chatId}`, {
    headers: { 'Api-Key': '', Authorization: 'Bearer ACMA:writer' },
  });
  t.equal(bearer.status, 200, 'OAuth and Bearer carry the same tokens');

  // Strict auth also stops inventing: a granted business with no world, an order with no chat.
  const absent = await as('ACMA:writer', 'POST', '/v2/businesses/5005/chats', {});
  t.same([absent.status, absent.body.errors[0].message], [404, 'businessId: business 5005 not found']);
  const order = await as('ACMA:writer', 'POST', `${B}/chats/new`, { context: { type: 'ORDER', id: 123 } });
  t.same([order.status, order.body.errors[0].message], [404, 'context.id: order 123 not found in business 1001']);
  const known = await as('ACMA:writer', 'POST', `${B}/chats/new`, { context: { type: 'ORDER', id: chat.context.orderId } });
  t.same([known.status, known.body.result.chatId], [200, chat.chatId], 'a known order gives its chat');
});

t.test('world strict with lenient auth: any token, but no invented businesses or orders', async (t) => {
  const client = await sandboxFor(t, { scenario: { world: 'strict' } });
  t.equal((await client.post('/v2/businesses/777/chats')).status, 404);
  t.equal((await client.post(`${B}/chats/new`, { orderId: 42 })).status, 404);
  t.equal((await client.post(`${B}/chats`)).status, 200);
  t.same((await client.get('/__sandbox/health')).body.result.businesses, [1001], 'nothing was generated');
});

t.test('PUT /__sandbox/scenario in another media type is a 415 that names the accepted ones', async (t) => {
  const client = await sandboxFor(t);
  const answer = await client.call('PUT', '/__sandbox/scenario', { raw: '<scenario/>', headers: { 'content-type': 'application/xml' } });
  t.equal(answer.status, 415);
  t.match(answer.body.errors[0], { code: 'UNSUPPORTED_MEDIA_TYPE', message: /send application\/json or application\/yaml/ });
});
