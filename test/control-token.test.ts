/** A control API that can be closed: with a control token, /__sandbox needs it, but health and payload links. */
import t from 'tap';
import { allMessages, sandboxFor } from './helpers.js';

const TOKEN = 'ci-secret-2026';

t.test('with a control token, the control API needs it; health, payload links and the partner API do not', async (t) => {
  const client = await sandboxFor(t, { controlToken: TOKEN });
  const control = (path: string, headers: Record<string, string> = {}, method = 'POST') =>
    fetch(`${client.sandbox.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: method === 'POST' ? '{}' : undefined,
    });
  const refused = await control('/__sandbox/reset');
  t.equal(refused.status, 401, 'no token: 401');
  t.match(await refused.json(), {
    status: 'ERROR',
    errors: [{ code: 'UNAUTHORIZED', message: /^Authorization: the control API needs the control token/ }],
  });
  t.equal((await control('/__sandbox/reset', { authorization: 'Bearer wrong-token-1' })).status, 401, 'a wrong token: 401');
  t.equal((await control('/__sandbox/reset', { authorization: `Bearer ${TOKEN}` })).status, 200, 'Authorization: Bearer');
  t.equal((await control(`/__sandbox/events?token=${TOKEN}`, {}, 'GET')).status, 200, '?token= where a browser sends no header');
  t.equal((await control(`/__sandbox/requests?token=${TOKEN}`, {}, 'GET')).status, 401, 'and only there');
  t.equal((await control('/__sandbox/health', {}, 'GET')).status, 200, 'health needs none');
  t.equal((await control('/__sandbox/console/index.html', {}, 'GET')).status !== 401, true, "the console's own files need none");
  t.equal((await client.post('/v2/businesses/1001/chats', {})).status, 200, "the partner API's rules are its own");
  const chat = await client.sandbox.buyer.startChat({ context: { type: 'DIRECT' } });
  await client.sandbox.buyer.say(chat.chatId, { message: 'Фото брака', files: [{ name: 'брак.png', content: Buffer.from('x') }] });
  t.ok(chat.chatId, 'sandbox.buyer in code carries the token');
  const [message] = (await allMessages(client, 1001, chat.chatId)).filter((m) => m.payload);
  t.equal((await fetch(message.payload[0].url)).status, 200, 'the partner downloads payload links without it');
  const events = await fetch(`${client.sandbox.url}/__sandbox/events`);
  t.equal(events.status, 401, 'the event stream needs it');
  await events.body?.cancel();
});
