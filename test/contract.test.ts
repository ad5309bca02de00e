/**
 * Walks every operation under both path spellings, in success and in error, and validates each body it
 * gets back against the response schema that /openapi.json documents for that operation and status.
 */
import t from 'tap';
import { OPERATIONS, OPERATION_IDS, type OperationId } from '../src/index.js';
import { type Answer, type Client, multipartForm, sandboxFor, schemaValidator } from './helpers.js';

const BUSINESS = 1001;

interface Case {
  name: string;
  operation: OperationId;
  query?: (ids: Ids) => string;
  body?: unknown;
  raw?: () => { body: RequestInit['body']; headers?: Record<string, string> };
  headers?: Record<string, string>;
  status: number;
  /** Words the error message must contain: the field at fault. */
  names?: string;
}

interface Ids {
  chatId: number;
  finishedChatId: number;
  messageId: number;
}

function fileForm(name = 'накладная.txt', text = 'Накладная №1'): FormData {
  return multipartForm({}, { name, content: text, type: 'text/plain' });
}

const CASES: Case[] = [
  { name: 'createChat', operation: 'createChat', body: { context: { type: 'ORDER', id: 777000111 } }, status: 200 },
  { name: 'createChat, deprecated orderId', operation: 'createChat', body: { orderId: 777000112 }, status: 200 },
  { name: 'createChat, no context', operation: 'createChat', body: {}, status: 400, names: 'context' },
  {
    name: 'createChat, DIRECT context',
    operation: 'createChat',
    body: { context: { type: 'DIRECT', id: 1 } },
    status: 400,
    names: 'context.type',
  },
  { name: 'createChat, id 0', operation: 'createChat', body: { context: { type: 'ORDER', id: 0 } }, status: 400, names: 'context.id' },
  {
    name: 'createChat, no credentials',
    operation: 'createChat',
    body: { orderId: 1 },
    headers: { 'Api-Key': '' },
    status: 401,
    names: 'Api-Key',
  },
  { name: 'getChats', operation: 'getChats', body: {}, status: 200 },
  {
    name: 'getChats, filtered',
    operation: 'getChats',
    query: () => 'limit=20',
    body: { statuses: ['FINISHED'], types: ['CHAT'] },
    status: 200,
  },
  { name: 'getChats, limit 21', operation: 'getChats', query: () => 'limit=21', body: {}, status: 400, names: 'limit' },
  { name: 'getChats, limit 0', operation: 'getChats', query: () => 'limit=0', body: {}, status: 400, names: 'limit' },
  { name: 'getChats, bad status', operation: 'getChats', body: { statuses: ['OPEN'] }, status: 400, names: 'statuses[0]' },
  { name: 'getChats, empty array', operation: 'getChats', body: { types: [] }, status: 400, names: 'types' },
  { name: 'getChats, repeated item', operation: 'getChats', body: { orderIds: [5, 5] }, status: 400, names: 'orderIds' },
  { name: 'getChats, bad page token', operation: 'getChats', query: () => 'page_token=garbage', body: {}, status: 400, names: 'pageToken' },
  {
    name: 'getChats, malformed JSON',
    operation: 'getChats',
    raw: () => ({ body: '{"statuses": [', headers: { 'content-type': 'application/json' } }),
    status: 400,
    names: 'body',
  },
  { name: 'getChats, no body', operation: 'getChats', status: 400, names: 'body' },
  {
    name: 'getChats, empty JSON body',
    operation: 'getChats',
    raw: () => ({ body: '', headers: { 'content-type': 'application/json' } }),
    status: 400,
    names: 'body',
  },
  {
    name: 'getChats, form body',
    operation: 'getChats',
    raw: () => ({ body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    status: 415,
    names: 'Content-Type',
  },
  { name: 'getChat', operation: 'getChat', query: (ids) => `chatId=${ids.chatId}`, status: 200 },
  { name: 'getChat, unknown chat', operation: 'getChat', query: () => 'chatId=1', status: 404, names: 'chatId' },
  { name: 'getChat, no chatId', operation: 'getChat', status: 400, names: 'chatId' },
  { name: 'getChat, chatId not a number', operation: 'getChat', query: () => 'chatId=abc', status: 400, names: 'chatId' },
  { name: 'getChatHistory', operation: 'getChatHistory', query: (ids) => `chatId=${ids.chatId}&limit=5`, body: {}, status: 200 },
  {
    name: 'getChatHistory, messageIdFrom',
    operation: 'getChatHistory',
    query: (ids) => `chatId=${ids.chatId}`,
    body: { messageIdFrom: 1 },
    status: 200,
  },
  {
    name: 'getChatHistory, limit 101',
    operation: 'getChatHistory',
    query: (ids) => `chatId=${ids.chatId}&limit=101`,
    body: {},
    status: 400,
    names: 'limit',
  },
  {
    name: 'getChatHistory, messageIdFrom 0',
    operation: 'getChatHistory',
    query: (ids) => `chatId=${ids.chatId}`,
    body: { messageIdFrom: 0 },
    status: 400,
    names: 'messageIdFrom',
  },
  { name: 'getChatHistory, unknown chat', operation: 'getChatHistory', query: () => 'chatId=2', body: {}, status: 404, names: 'chatId' },
  { name: 'getChatMessage', operation: 'getChatMessage', query: (ids) => `chatId=${ids.chatId}&messageId=${ids.messageId}`, status: 200 },
  {
    name: 'getChatMessage, unknown message',
    operation: 'getChatMessage',
    query: (ids) => `chatId=${ids.chatId}&messageId=3`,
    status: 404,
    names: 'messageId',
  },
  {
    name: 'getChatMessage, no messageId',
    operation: 'getChatMessage',
    query: (ids) => `chatId=${ids.chatId}`,
    status: 400,
    names: 'messageId',
  },
  {
    name: 'sendMessageToChat',
    operation: 'sendMessageToChat',
    query: (ids) => `chatId=${ids.chatId}`,
    body: { message: 'Здравствуйте! Заказ уже в пути.' },
    status: 200,
  },
  {
    name: 'sendMessageToChat, empty',
    operation: 'sendMessageToChat',
    query: (ids) => `chatId=${ids.chatId}`,
    body: { message: '' },
    status: 400,
    names: 'message',
  },
  {
    name: 'sendMessageToChat, 4097 characters',
    operation: 'sendMessageToChat',
    query: (ids) => `chatId=${ids.chatId}`,
    body: { message: 'я'.repeat(4097) },
    status: 400,
    names: 'message',
  },
  {
    name: 'sendMessageToChat, body over 1 MB',
    operation: 'sendMessageToChat',
    query: (ids) => `chatId=${ids.chatId}`,
    body: { message: 'я'.repeat(600_000) },
    status: 413,
    names: 'body',
  },
  {
    name: 'sendMessageToChat, no message',
    operation: 'sendMessageToChat',
    query: (ids) => `chatId=${ids.chatId}`,
    body: {},
    status: 400,
    names: 'message',
  },
  {
    name: 'sendMessageToChat, finished chat',
    operation: 'sendMessageToChat',
    query: (ids) => `chatId=${ids.finishedChatId}`,
    body: { message: 'Ещё вопрос' },
    status: 400,
    names: 'FINISHED',
  },
  {
    name: 'sendFileToChat',
    operation: 'sendFileToChat',
    query: (ids) => `chatId=${ids.chatId}`,
    raw: () => ({ body: fileForm() }),
    status: 200,
  },
  {
    name: 'sendFileToChat, no file part',
    operation: 'sendFileToChat',
    query: (ids) => `chatId=${ids.chatId}`,
    raw: () => {
      return { body: multipartForm({ comment: 'без файла' }) };
    },
    status: 400,
    names: 'file',
  },
  {
    name: 'sendFileToChat, JSON body',
    operation: 'sendFileToChat',
    query: (ids) => `chatId=${ids.chatId}`,
    body: { file: 'x' },
    status: 415,
    names: 'multipart/form-data',
  },
  {
    name: 'sendFileToChat, unknown chat',
    operation: 'sendFileToChat',
    query: () => 'chatId=4',
    raw: () => ({ body: fileForm() }),
    status: 404,
    names: 'chatId',
  },
];

async function knownIds(client: Client): Promise<Ids> {
  const chats = (await client.post(`/v2/businesses/${BUSINESS}/chats?limit=20`, { statuses: ['WAITING_FOR_PARTNER'] })).body.result.chats;
  const finished = (await client.post(`/v2/businesses/${BUSINESS}/chats`, { statuses: ['FINISHED'] })).body.result.chats;
  const chatId = chats[0].chatId;
  const history = (await client.post(`/v2/businesses/${BUSINESS}/chats/history?chatId=${chatId}`)).body.result;
  return { chatId, finishedChatId: finished[0].chatId, messageId: history.messages[0].messageId };
}

t.test('every operation answers per the documented schemas, under both spellings', async (t) => {
  const client = await sandboxFor(t);
  const validate = await schemaValidator(client);
  const ids = await knownIds(client);
  const seen = new Set<string>();
  for (const prefix of ['', '/v2']) {
    for (const c of CASES) {
      const spec = OPERATIONS[c.operation];
      const query = c.query?.(ids);
      const path = `${prefix}${spec.path.replace(':businessId', String(BUSINESS))}${query ? `?${query}` : ''}`;
      const raw = c.raw?.();
      const answer = await client.call(spec.method, path, {
        body: c.body,
        raw: raw?.body,
        headers: { ...raw?.headers, ...c.headers },
      });
      const label = `${prefix || '(unprefixed)'} ${c.name}`;
      t.equal(answer.status, c.status, `${label}: status`, { body: answer.body });
      t.strictSame(validate(path, spec.method, answer), [], `${label}: body matches the schema`);
      if (c.status !== 200) {
        t.equal(answer.body.status, 'ERROR', `${label}: error envelope`);
        t.match(answer.body.errors[0].message, c.names!, `${label}: the message names ${c.names}`);
      }
      seen.add(`${c.operation} ${c.status === 200 ? 'ok' : 'error'}`);
    }
  }
  for (const op of OPERATION_IDS) {
    t.ok(seen.has(`${op} ok`) && seen.has(`${op} error`), `${op} is walked in success and in error`);
  }
});

t.test('a spent request limit answers 420 per the documented schema, with the limit headers', async (t) => {
  const client = await sandboxFor(t, { rateLimits: true });
  const validate = await schemaValidator(client);
  const path = `/v2/businesses/${BUSINESS}/chat?chatId=1`;
  let answer: Answer | undefined;
  for (let i = 0; i <= OPERATIONS.getChat.hourlyLimit; i++) answer = await client.get(path);
  t.equal(answer!.status, 420);
  t.strictSame(validate(path, 'GET', answer!), []);
  t.equal(answer!.body.errors[0].code, 'HIT_RATE_LIMIT');
  t.equal(answer!.headers.get('x-ratelimit-resource-remaining'), '0');
});

t.test('unknown paths and wrong methods answer in the envelope', async (t) => {
  const client = await sandboxFor(t);
  const unknown = await client.get('/v2/businesses/1001/orders');
  t.equal(unknown.status, 404);
  t.match(unknown.body, { status: 'ERROR', errors: [{ code: 'NOT_FOUND', message: /path/ }] });
  for (const prefix of ['', '/v2']) {
    const wrong = await client.call('DELETE', `${prefix}/businesses/1001/chats/message?chatId=1`);
    t.equal(wrong.status, 405);
    t.equal(wrong.headers.get('allow'), 'GET, POST');
    t.match(wrong.body, { status: 'ERROR', errors: [{ code: 'METHOD_NOT_ALLOWED', message: /DELETE/ }] });
  }
});

t.test(
  "/openapi.json documents Market's rate-limit headers, deprecates the unprefixed paths after their /v2 twins, names every operation",
  async (t) => {
    const client = await sandboxFor(t);
    const document = (await client.get('/openapi.json')).body;
    const paths = Object.keys(document.paths);
    const ids: string[] = [];
    for (const [path, item] of Object.entries<Record<string, any>>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        t.ok(operation.operationId, `${method.toUpperCase()} ${path} has an operationId`);
        ids.push(operation.operationId);
        if (!operation.tags?.includes('Partner API (chats)') && !path.includes('/businesses/{businessId}/chat')) continue;
        if (!operation.security) continue;
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          t.same(
            Object.keys(response.headers ?? {}),
            ['X-RateLimit-Resource-Limit', 'X-RateLimit-Resource-Remaining', 'X-RateLimit-Resource-Until'],
            `${method.toUpperCase()} ${path} ${status} documents the rate-limit headers`,
          );
        }
        t.ok(operation.responses['420'], `${method.toUpperCase()} ${path} documents the 420`);
        if (path.startsWith('/v2/')) t.notOk(operation.deprecated, `${path} is current`);
        else {
          t.equal(operation.deprecated, true, `${path} is deprecated`);
          t.ok(paths.indexOf(`/v2${path}`) < paths.indexOf(path), `${path} comes after its /v2 twin`);
        }
      }
    }
    t.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    t.match(
      document.paths['/v2/businesses/{businessId}/chats'].post.responses['420'].headers['X-RateLimit-Resource-Until'].description,
      /HTTP date/,
    );
  },
);
