/** The second probe, on the clock: every move within its bounds, the clock never past its latest time, reset back to the start. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { allMessages, sandboxFor } from './helpers.js';
import { spawn } from './children.js';

const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');

t.test('a move past 366 days or past the latest time is refused, and leaves the clock where it was', async (t) => {
  const client = await sandboxFor(t, { clock: { start: Date.parse('9998-01-01T00:00:00Z'), frozen: true } });
  const nowIs = async () => (await client.get('/__sandbox/clock')).body.result.now;
  const refused = async (body: unknown, message: RegExp) => {
    const answer = await client.post('/__sandbox/clock', body);
    t.equal(answer.status, 400, JSON.stringify(body));
    t.match(answer.body, { status: 'ERROR', errors: [{ code: 'BAD_REQUEST', message }] });
    t.equal(await nowIs(), '9998-01-01T00:00:00.000Z', 'the clock stayed where it was');
  };
  await refused({ to: '9999-12-31T00:00:00Z' }, /^to: must be at or before 9999-12-01T00:00:00\.000Z, the latest time/);
  await refused(
    { to: '9999-01-03T00:00:00Z' },
    /^to: must be at most 366d ahead of the sandbox's time 9998-01-01T00:00:00\.000Z; move it in steps$/,
  );
  t.equal((await client.post('/__sandbox/clock', { advance: '366d' })).status, 200, 'a year and a day at once');
  t.equal((await client.post('/__sandbox/clock', { to: '9999-11-30T23:59:59Z' })).status, 200, 'to the last second but one day');
  const refusedAdvance = await client.post('/__sandbox/clock', { advance: '1d' });
  t.equal(refusedAdvance.status, 400);
  t.match(
    refusedAdvance.body.errors[0].message,
    /^advance: would take the clock to 9999-12-01T23:59:59\.000Z; the clock must be at or before 9999-12-01/,
  );
  t.equal((await client.get('/__sandbox/clock')).body.result.now, '9999-11-30T23:59:59.000Z', 'the clock stayed where it was');
  t.equal((await client.get('/__sandbox/health')).status, 200, 'health answers at the edge');
  // Times written at the edge keep four digits of year and their seconds.
  t.equal((await client.post('/v2/businesses/1001/chats/message?chatId=38415448', { message: 'Добрый день!' })).status, 200);
  const [message] = (await allMessages(client, 1001, 38415448)).slice(-1);
  t.equal(message.createdAt, '9999-12-01T02:59:59+03:00');
  await client.post('/__sandbox/reset');
  t.equal(await nowIs(), '9998-01-01T00:00:00.000Z', "a reset brings the clock back to the scenario's start");
});

t.test('a reset brings a real-time clock back to real time', async (t) => {
  const client = await sandboxFor(t);
  await client.post('/__sandbox/clock', { advance: '300d' });
  await client.post('/__sandbox/reset');
  const now = Date.parse((await client.get('/__sandbox/clock')).body.result.now);
  t.ok(Math.abs(now - Date.now()) < 60_000, 'the moves are undone');
});

t.test('a start outside the clock bounds is refused wherever it is given', async (t) => {
  const client = await sandboxFor(t);
  const scenario = await client.call('PUT', '/__sandbox/scenario', { body: { clock: { start: '9999-12-31T00:00:00Z' } } });
  t.equal(scenario.status, 400);
  t.match(scenario.body.errors[0].message, /^scenario: clock\.start: must be at or before 9999-12-01T00:00:00\.000Z/);
  const early = await client.call('PUT', '/__sandbox/scenario', { body: { clock: { start: '1969-12-31T00:00:00Z' } } });
  t.match(early.body.errors[0].message, /^scenario: clock\.start: must be at or after 1970-01-01T00:00:00\.000Z$/);
  const child = spawn(process.execPath, [...process.execArgv, CLI, '--port', '0', '--clock', '9999-12-31T00:00:00Z']);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.on('close', resolve));
  t.equal(code, 2, '--clock past the latest time: exit 2');
  t.match(stderr, /--clock: must be at or before 9999-12-01T00:00:00\.000Z/);
});

t.test('a webhook that never answers cannot stall the clock: a move waits for deliveries one push timeout at most', async (t) => {
  const hung = createServer(() => undefined);
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    hung.closeAllConnections();
    hung.close();
  });
  const webhook = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/notification`;
  const client = await sandboxFor(t, {
    clock: { start: Date.parse('2026-11-11T09:00:00+03:00'), frozen: true },
    scenario: { webhook: { url: webhook }, traffic: { chats: { perMinute: 60 }, duration: '10m' } },
  });
  const moves = [client.post('/__sandbox/clock', { advance: '1m' }), client.post('/__sandbox/clock', { advance: '1m' })];
  const stopped = await client.post('/__sandbox/traffic/stop');
  t.equal(stopped.status, 200, 'traffic/stop answers while the moves wait');
  // Before, each move waited for every push in turn (10 s each): these two did not answer within the test's time.
  const answered = await Promise.all(moves);
  t.same(
    answered.map((move) => move.status),
    [200, 200],
  );
  t.equal(answered[1].body.result.now, '2026-11-11T06:02:00.000Z', 'both moves made');
  t.equal((await client.get('/__sandbox/health')).status, 200);
});
