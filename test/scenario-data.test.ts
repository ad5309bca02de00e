/** A scenario's `data`: businesses with exactly the world it describes, filled in where it is silent. */
import t from 'tap';
import type { Scenario } from '../src/scenario/schema.js';
import { allChats, allMessages, sandboxFor } from './helpers.js';

const WORLD: Scenario = {
  seed: 7,
  data: {
    businesses: [
      {
        id: 4004,
        campaigns: [21_000_001],
        chats: [
          {
            chatId: 500,
            context: { type: 'ORDER', id: 77_000_111 },
            customer: { name: 'Ирина К.', publicId: 'irina-k' },
            createdAt: '2026-11-01T10:00:00+03:00',
            messages: [
              { sender: 'CUSTOMER', message: 'Где мой заказ?', createdAt: '2026-11-01T10:00:00+03:00' },
              { sender: 'PARTNER', message: 'Передали в доставку, будет завтра.', createdAt: '2026-11-01T10:05:00+03:00' },
              {
                sender: 'CUSTOMER',
                payload: [
                  { name: 'коробка.png', size: 20_000 },
                  { name: 'акт.pdf', size: 5000, contentType: 'application/pdf' },
                ],
              },
            ],
          },
          { context: { type: 'RETURN', id: 9_001, orderId: 77_000_222 }, type: 'ARBITRAGE', messages: [{ sender: 'MARKET' }] },
          { context: { type: 'DIRECT' }, status: 'FINISHED', messages: { generate: 5 } },
          { context: { type: 'ORDER' } },
        ],
      },
      { id: 4005, chats: { generate: 3 } },
      { id: 4006, chats: [] },
    ],
  },
};

t.test('a business in data has exactly its chats, with what was given and the rest filled in', async (t) => {
  const client = await sandboxFor(t, { scenario: WORLD });
  const chats = await allChats(client, 4004);
  t.equal(chats.length, 4);
  const order = chats.find((c) => c.chatId === 500);
  t.match(order, {
    context: { type: 'ORDER', orderId: 77_000_111, campaignId: 21_000_001, customer: { name: 'Ирина К.', publicId: 'irina-k' } },
    type: 'CHAT',
    status: 'WAITING_FOR_PARTNER',
    createdAt: '2026-11-01T10:00:00+03:00',
  });
  const history = await allMessages(client, 4004, 500);
  t.same(
    history.map((m) => m.sender),
    ['CUSTOMER', 'PARTNER', 'CUSTOMER'],
  );
  t.equal(history[0].message, 'Где мой заказ?');
  t.equal(history[2].message, undefined, 'files only, as given');
  t.same(
    history[2].payload.map((p: any) => [p.name, p.size]),
    [
      ['коробка.png', 20_000],
      ['акт.pdf', 5000],
    ],
  );
  const file = await fetch(history[2].payload[1].url);
  t.same([file.headers.get('content-type'), (await file.arrayBuffer()).byteLength], ['application/pdf', 5000], 'the payload downloads');
  t.equal(order.updatedAt, history[2].createdAt, 'updatedAt is the newest message');

  const dispute = chats.find((c) => c.context.type === 'RETURN');
  t.match(dispute, { type: 'ARBITRAGE', status: 'WAITING_FOR_ARBITER', context: { returnId: 9_001, orderId: 77_000_222 } });
  const [market] = await allMessages(client, 4004, dispute.chatId);
  t.match(market, { sender: 'MARKET', message: /[а-я]/ }, 'a message with neither text nor files gets a realistic text');
  const direct = chats.find((c) => c.context.type === 'DIRECT');
  t.same([direct.status, direct.context.orderId, (await allMessages(client, 4004, direct.chatId)).length], ['FINISHED', undefined, 5]);
  const bare = chats.find((c) => c.context.type === 'ORDER' && c.chatId !== 500);
  t.match(bare, { status: 'NEW', context: { orderId: Number, customer: { name: String } } });

  t.equal((await allChats(client, 4005)).length, 3, 'generate: N makes N chats');
  t.same(await allChats(client, 4006), [], 'an empty business');
  t.equal((await allChats(client, 1001)).length > 0, true, 'businesses not listed are generated as usual');

  await client.post(`/v2/businesses/4004/chats/message?chatId=500`, { message: 'Спасибо!' });
  await client.post('/__sandbox/reset');
  t.equal((await allMessages(client, 4004, 500)).length, 3, 'reset restores the scenario world');
});

t.test('a history of 100 000 generated messages pages from first to last', async (t) => {
  const client = await sandboxFor(t, {
    scenario: {
      data: { businesses: [{ id: 4010, chats: [{ chatId: 1, context: { type: 'ORDER', id: 5 }, messages: { generate: 100_000 } }] }] },
    },
  });
  const first = await client.post('/v2/businesses/4010/chats/history?chatId=1&limit=100');
  t.equal(first.body.result.messages.length, 100);
  const ids = first.body.result.messages.map((m: any) => m.messageId);
  const lastId = ids[0] + 99_999;
  const last = await client.post('/v2/businesses/4010/chats/history?chatId=1&limit=100', { messageIdFrom: lastId - 99 });
  t.equal(last.body.result.messages.length, 100);
  t.equal(last.body.result.messages[99].messageId, lastId);
  t.equal(last.body.result.paging.nextPageToken, undefined, 'the last page');
  const times = last.body.result.messages.map((m: any) => Date.parse(m.createdAt));
  t.ok(
    times.every((time: number, i: number) => i === 0 || time >= times[i - 1]),
    'times ascend',
  );
  t.ok(Date.parse(last.body.result.messages[99].createdAt) <= Date.now());
});

t.test('an inconsistent world is refused naming the field, and through PUT the running scenario stays', async (t) => {
  const client = await sandboxFor(t, { scenario: WORLD });
  const bad = async (chats: unknown[]) =>
    client.call('PUT', '/__sandbox/scenario', { body: { data: { businesses: [{ id: 4004, chats }] } } });
  const cases: [unknown[], string][] = [
    [[{ context: { type: 'DIRECT' }, type: 'ARBITRAGE' }], 'data.businesses[0].chats[0].type: a DIRECT chat cannot be ARBITRAGE'],
    [[{ context: { type: 'DIRECT', id: 3 } }], 'data.businesses[0].chats[0].context: a DIRECT chat has no order or return id'],
    [
      [
        { chatId: 9, context: { type: 'ORDER' } },
        { chatId: 9, context: { type: 'ORDER' } },
      ],
      'data.businesses[0].chats[1].chatId: 9 is used by another chat',
    ],
    [
      [{ context: { type: 'ORDER', id: 1 } }, { context: { type: 'ORDER', id: 1 } }],
      'data.businesses[0].chats[1].context: another chat is about the same order',
    ],
    [[{ context: { type: 'ORDER' }, createdAt: '2999-01-01T00:00:00Z' }], 'data.businesses[0].chats[0].createdAt: is in the future'],
    [
      [
        {
          context: { type: 'ORDER' },
          createdAt: '2026-01-01T00:00:00Z',
          messages: [{ sender: 'CUSTOMER', createdAt: '2025-01-01T00:00:00Z' }],
        },
      ],
      "data.businesses[0].chats[0].messages[0].createdAt: is before the chat's createdAt",
    ],
    [
      [{ context: { type: 'ORDER' }, createdAt: 'yesterday' }],
      'scenario: data.businesses[0].chats[0].createdAt: must match format "date-time"',
    ],
    [
      [{ context: { type: 'ORDER' }, messages: [{ sender: 'BOT' }] }],
      'scenario: data.businesses[0].chats[0].messages[0].sender: must be one of "PARTNER", "CUSTOMER", "MARKET", "SUPPORT"',
    ],
  ];
  for (const [chats, message] of cases) {
    const answer = await bad(chats);
    t.equal(answer.status, 400, message);
    t.match(answer.body.errors[0].message, message);
  }
  t.equal((await allChats(client, 4004)).length, 4, 'the running scenario stays');
});

t.test('buyer and partner messages without text get the opening lines of a conversation', async (t) => {
  const client = await sandboxFor(t, {
    scenario: {
      data: {
        businesses: [
          {
            id: 4020,
            chats: [{ chatId: 3, context: { type: 'ORDER', id: 8 }, messages: [{ sender: 'CUSTOMER' }, { sender: 'PARTNER' }] }],
          },
        ],
      },
    },
  });
  const [question, answer] = await allMessages(client, 4020, 3);
  t.match(question, { sender: 'CUSTOMER', message: /[а-яё]/i });
  t.match(answer, { sender: 'PARTNER', message: /[а-яё]/i });
  t.match((await client.get('/v2/businesses/4020/chat?chatId=3')).body.result, { status: 'WAITING_FOR_CUSTOMER' });
});
