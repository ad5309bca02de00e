import t from 'tap';
import { sandboxFor } from './helpers.js';

t.test('a sandbox answers getChats', async (t) => {
  const client = await sandboxFor(t);
  const answer = await client.post('/v2/businesses/1001/chats');
  t.equal(answer.status, 200);
  t.equal(answer.body.result.chats.length, 10);
});
