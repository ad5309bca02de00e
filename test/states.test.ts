/** Named states: rules match and set them, GET/PUT /__sandbox/state, the journal, resets, and outage-state.yaml. */
import { join } from 'node:path';
import t from 'tap';
import { sandboxFor, type Client } from './helpers.js';

const B = 1001;
const chats = (client: Client, businessId = B) => client.post(`/v2/businesses/${businessId}/chats?limit=1`, {});
const state = async (client: Client) => (await client.get('/__sandbox/state')).body.result;

t.test('rules match a state and set one; a rule that only sets a state lets the call go on', async (t) => {
  const client = await sandboxFor(t, {
    scenario: {
      rules: [
        { name: 'the first getChat starts an outage', match: { operation: 'getChat', state: 'started' }, setState: 'outage' },
        { name: 'down', match: { state: 'outage', operation: ['getChats', 'getChat'] }, respond: { status: 503 } },
        {
          name: 'a send ends it',
          match: { state: 'outage', operation: 'sendMessageToChat' },
          setState: 'started',
          respond: { status: 500 },
        },
        { match: { globalState: 'maintenance' }, respond: { status: 503 } },
      ],
    },
  });
  t.equal((await chats(client)).status, 200);
  const chat = await client.get(`/v2/businesses/${B}/chat?chatId=1`);
  t.equal(chat.status, 503, 'the set-only rule went on to the next, which saw the new state');
  t.same(await state(client), { global: 'started', initial: 'started', businesses: { [B]: 'outage' } });
  t.equal((await chats(client)).status, 503);
  t.equal((await chats(client, 2002)).status, 200, 'a state is per business');
  t.equal((await client.post(`/v2/businesses/${B}/chats/message?chatId=1`, { message: 'x' })).status, 500);
  t.equal((await chats(client)).status, 200, 'back in started');

  const journal = (await client.get('/__sandbox/requests')).body.result.requests;
  t.same(
    journal.map((e: any) => e.state),
    ['started', 'started', 'outage', 'started', 'outage', 'started'],
    'the journal records the state each call came in',
  );

  t.equal((await client.call('PUT', '/__sandbox/state', { body: { state: 'maintenance' } })).status, 200);
  t.equal((await chats(client, 3003)).status, 503, 'the global state, for every business');
  client.sandbox.setState('started');
  t.equal(client.sandbox.states().global, 'started');
  t.equal((await chats(client, 3003)).status, 200);
});

t.test('PUT /__sandbox/state refuses what is not a state, naming the field; resets return to the initial states', async (t) => {
  const client = await sandboxFor(t, { scenario: { states: { initial: 'calm', global: 'day', businesses: { '2002': 'storm' } } } });
  t.same(await state(client), { global: 'day', initial: 'calm', businesses: { 2002: 'storm' } });
  for (const [body, message] of [
    [{ state: ' ' }, /^state: must not be blank$/],
    [{ businessId: 0, state: 'x' }, /^businessId: must be >= 1$/],
    [{ businessId: 1001 }, /^state: is required in the body$/],
  ] as const) {
    const refused = await client.call('PUT', '/__sandbox/state', { body });
    t.equal(refused.status, 400, JSON.stringify(body));
    t.match(refused.body.errors[0].message, message);
  }
  await client.call('PUT', '/__sandbox/state', { body: { businessId: 1001, state: 'outage' } });
  await client.call('PUT', '/__sandbox/state', { body: { businessId: 2002, state: 'sunny' } });
  await client.post('/__sandbox/businesses/1001/reset');
  t.same((await state(client)).businesses, { 2002: 'sunny' }, 'a business reset returns its state only');
  await client.post('/__sandbox/reset');
  t.same(await state(client), { global: 'day', initial: 'calm', businesses: { 2002: 'storm' } });
  const blank = await client.call('PUT', '/__sandbox/scenario', { body: { rules: [{ setState: '' }] } });
  t.match(blank.body.errors[0].message, /^scenario: rules\[0\]\.setState: must NOT have fewer than 1 characters/);
  const spaces = await client.call('PUT', '/__sandbox/scenario', { body: { states: { initial: '  ' } } });
  t.equal(spaces.body.errors[0].message, 'scenario: states.initial: must not be blank');
});

t.test('outage-state.yaml: 503 while in outage, until three calls have failed or the state is set back', async (t) => {
  const client = await sandboxFor(t, { scenario: join(import.meta.dirname, '..', 'scenarios', 'outage-state.yaml') });
  const history = () => client.post(`/v2/businesses/${B}/chats/history?chatId=1`, {});
  t.same(
    [(await chats(client)).status, (await history()).status, (await chats(client)).status, (await chats(client)).status],
    [503, 503, 503, 200],
  );
  t.equal((await state(client)).businesses[B], 'recovered');
  client.sandbox.setState('outage', { businessId: B });
  t.equal((await chats(client)).status, 503, 'set again, the outage is back');
  await client.call('PUT', '/__sandbox/state', { body: { businessId: B, state: 'recovered' } });
  t.equal((await chats(client)).status, 200, 'set back, it is over');
  t.equal((await chats(client, 2002)).status, 200, 'other businesses never had it');
});

t.test("buyer-side actions set the business's state: a start, a message (JSON or multipart), a status", async (t) => {
  const client = await sandboxFor(t);
  const chat = (await client.post(`/__sandbox/businesses/${B}/chats`, { context: { type: 'DIRECT' }, setState: 'opened' })).body.result;
  t.equal((await state(client)).businesses[B], 'opened');
  await client.post(`/__sandbox/businesses/${B}/chats/${chat.chatId}/messages`, { message: 'Ау', setState: 'asked' });
  t.equal((await state(client)).businesses[B], 'asked');
  await client.sandbox.buyer.say(chat.chatId, { message: 'Фото', files: [{ name: 'a.png', content: 'x' }], setState: 'photo-sent' });
  t.equal((await state(client)).businesses[B], 'photo-sent');
  await client.post(`/__sandbox/businesses/${B}/chats/${chat.chatId}/status`, { status: 'FINISHED', setState: 'closed' });
  t.equal((await state(client)).businesses[B], 'closed');
  const blank = await client.post(`/__sandbox/businesses/${B}/chats/${chat.chatId}/messages`, { message: 'x', setState: '' });
  t.equal(blank.status, 400);
  t.equal((await state(client)).businesses[B], 'closed', 'a refused call sets nothing');
});
