/**
 * The pure parts of proxy mode: an answer's departures from the contract, two answers compared (the drift check),
 * and what a recording keeps of the answers it hears.
 */
import t from 'tap';
import { compareAnswers, fieldPaths } from '../src/contract/answer-comparison.js';
import { departureKey, departuresOf, describeDeparture } from '../src/contract/conformance.js';
import { Recording } from '../src/recording/recording.js';

const ok = (result: unknown) => JSON.stringify({ status: 'OK', result });
const MESSAGE = { messageId: 5, createdAt: '2026-12-01T10:00:00Z', sender: 'CUSTOMER', message: 'Где заказ?' };

t.test('departures: types, constants, nullable and nested fields, arrays', async (t) => {
  t.same(departuresOf('getChatMessage', 200, ok(MESSAGE)), [], 'an answer as documented');
  t.match(departuresOf('getChatMessage', 200, ok({ ...MESSAGE, messageId: '5' })), [
    { path: '$.result.messageId', kind: 'type', found: 'string', expected: 'integer' },
  ]);
  t.match(departuresOf('getChatMessage', 200, JSON.stringify({ status: 'DONE', result: MESSAGE })), [
    { path: '$.status', kind: 'enum value', found: '"DONE"', expected: '"OK"' },
  ]);
  t.match(departuresOf('getChatMessage', 200, ok({ ...MESSAGE, payload: [{ name: 'a.pdf', url: 'https://x', size: 'big' }] })), [
    { path: '$.result.payload[0].size', kind: 'type', found: 'string' },
  ]);
  t.match(departuresOf('getChatMessage', 200, ok({ ...MESSAGE, payload: {} })), [
    { path: '$.result.payload', kind: 'type', found: 'object', expected: 'array' },
  ]);
  t.match(departuresOf('getChats', 200, JSON.stringify({ status: 'OK' })), [{ path: '$.result', kind: 'missing field' }]);
  t.match(departuresOf('getChatMessage', 200, '[1,2]'), [{ path: '$', kind: 'type', found: 'array', expected: 'object' }]);
  t.match(departuresOf('getChatMessage', 500, JSON.stringify({ status: 'ERROR', errors: [{ code: 'INTERNAL_ERROR', message: null }] })), [
    { path: '$.errors[0].message', kind: 'type', found: 'null', expected: 'string' },
  ]);
  const long = departuresOf('getChatMessage', 200, ok({ ...MESSAGE, note: 'x'.repeat(200) }));
  t.match(long[0].found, /^"x{76}…$/, 'a long value shown cut');
  t.equal(
    describeDeparture({ path: '$.a', kind: 'type', found: 'string', expected: 'integer' }),
    '$.a: type string (the document has integer)',
  );
  t.equal(
    departureKey('getChats', { path: '$.result.chats[3].x', kind: 'unknown field', found: '1' }),
    departureKey('getChats', { path: '$.result.chats[0].x', kind: 'unknown field', found: '2' }),
    'a field is one departure whatever it holds',
  );
  t.not(
    departureKey('getChats', { path: '$.result.chats[0].status', kind: 'enum value', found: '"A"' }),
    departureKey('getChats', { path: '$.result.chats[0].status', kind: 'enum value', found: '"B"' }),
    'an enum value is one a value',
  );
});

t.test('answers compared: status, fields, error codes and wording, limit headers', async (t) => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, headers, body: JSON.stringify(body) });
  t.same(fieldPaths({ a: [{ b: 1 }, { c: 2 }] }), new Set(['$.a', '$.a[].b', '$.a[].c']));
  const limits = { 'x-ratelimit-resource-limit': '1000', 'x-ratelimit-resource-remaining': '999', 'x-ratelimit-resource-until': 'soon' };
  t.same(
    compareAnswers(
      's',
      'getChatMessage',
      answer(200, { status: 'OK', result: MESSAGE }, limits),
      answer(200, { status: 'OK', result: MESSAGE }, limits),
    ),
    [],
  );
  const differences = compareAnswers(
    'getChatMessage',
    'getChatMessage',
    answer(404, { status: 'ERROR', errors: [{ code: 'NOT_FOUND', message: 'Нет такого' }] }, { 'x-ratelimit-resource-limit': '2000' }),
    answer(400, { status: 'ERROR', errors: [{ code: 'BAD_REQUEST', message: 'messageId: …' }] }, limits),
  );
  t.match(differences, [
    { kind: 'status', upstream: '404', sandbox: '400', reliedOn: true },
    { kind: 'error code', upstream: 'NOT_FOUND', sandbox: 'BAD_REQUEST', reliedOn: true },
    { kind: 'error message', reliedOn: false },
    { kind: 'header', path: 'x-ratelimit-resource-remaining', upstream: 'absent', sandbox: '999', reliedOn: true },
    { kind: 'header', path: 'x-ratelimit-resource-until', upstream: 'absent', reliedOn: true },
    { kind: 'limit', upstream: '2000', sandbox: '1000', reliedOn: false },
  ]);
  t.match(
    compareAnswers(
      's',
      'getChatMessage',
      answer(200, { status: 'OK', result: { ...MESSAGE, payload: [{ name: 'a', url: 'u', size: 1 }] } }),
      answer(200, { status: 'OK', result: MESSAGE }),
    ),
    [
      { kind: 'field', path: '$.result.payload', reliedOn: false },
      { kind: 'field', path: '$.result.payload[].name' },
      { kind: 'field', path: '$.result.payload[].url' },
      { kind: 'field', path: '$.result.payload[].size' },
    ],
    "an optional field one world's data has: told",
  );
});

t.test('a recording keeps what successful reads answered, and nothing else', async (t) => {
  const recording = new Recording({ seed: 1, raw: true });
  const hear = (operation: any, status: number, body: string, query: Record<string, unknown> = {}) =>
    recording.observe({ operation, businessId: 7, query, status, body: Buffer.from(body) });
  hear('getChats', 500, ok({ chats: [{ chatId: 1 }] }));
  hear('getChats', 200, 'not json');
  hear('getChats', 200, JSON.stringify({ status: 'OK', result: 'text' }));
  hear('getChat', 200, ok({ chatId: 'x' }));
  hear('getChatMessage', 200, ok({ ...MESSAGE, messageId: -1 }), { chatId: 3 });
  hear('sendMessageToChat', 200, ok({}), { chatId: 3 });
  t.ok(recording.empty, 'failures, text, bad ids and writes say nothing of the world');

  hear(
    'getChatHistory',
    200,
    ok({
      context: { type: 'DIRECT' },
      messages: [
        MESSAGE,
        {
          ...MESSAGE,
          messageId: 4,
          createdAt: '2026-12-01T09:00:00Z',
          message: undefined,
          payload: [{ name: 'a.png', url: 'u', size: 0 }],
        },
      ],
    }),
    { chatId: 3 },
  );
  hear(
    'getChat',
    200,
    ok({
      chatId: 9,
      context: { type: 'RETURN', returnId: 55, orderId: 66 },
      type: 'ARBITRAGE',
      status: 'WAITING_FOR_ARBITER',
      createdAt: '2026-12-01T08:00:00Z',
      updatedAt: '2026-12-01T08:30:00Z',
    }),
  );
  const [business] = recording.scenario().data!.businesses;
  t.same(
    business.chats,
    [
      {
        chatId: 3,
        context: { type: 'DIRECT' },
        createdAt: '2026-12-01T09:00:00Z',
        messages: [
          { messageId: 4, sender: 'CUSTOMER', payload: [{ name: 'a.png', size: 1 }], createdAt: '2026-12-01T09:00:00Z' },
          { messageId: 5, sender: 'CUSTOMER', message: 'Где заказ?', createdAt: '2026-12-01T10:00:00Z' },
        ],
      },
      {
        chatId: 9,
        context: { type: 'RETURN', id: 55, orderId: 66 },
        type: 'ARBITRAGE',
        status: 'WAITING_FOR_ARBITER',
        createdAt: '2026-12-01T08:00:00Z',
        updatedAt: '2026-12-01T08:30:00Z',
        messages: [],
      },
    ],
    'a chat only seen in its history starts with its first message; a file of 0 bytes is kept as 1',
  );
});
