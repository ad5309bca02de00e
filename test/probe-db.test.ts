/** The second probe, on --db: one process per file, and a file of the wrong shape refused at start naming the path in it. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { bannerOf, sandboxFor, tempDir } from './helpers.js';
import { MAX_BUSINESSES } from '../src/model/records.js';
import { startSandbox } from '../src/index.js';
import { spawn } from './children.js';

const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');

function cli(args: string[]) {
  const child = spawn(process.execPath, [...process.execArgv, CLI, '--port', '0', '--log-level', 'silent', ...args]);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, exited, banner: bannerOf(child) };
}

t.test('one process per --db file: a second is refused naming the holder; a lock left by a killed one is taken over', async (t) => {
  const db = join(tempDir(t), 'world.json');
  const first = cli(['--db', db]);
  t.teardown(() => first.child.kill('SIGKILL'));
  await first.banner.url;
  t.ok(existsSync(`${db}.lock`), 'the lock is beside the file');
  const second = cli(['--db', db]);
  second.banner.url.catch(() => undefined);
  t.equal(await second.exited, 2, 'the second: exit 2, nothing started');
  t.match(
    second.banner.output(),
    new RegExp(`--db .*world\\.json: is in use by process ${first.child.pid} on \\S+ \\(its lock is .*world\\.json\\.lock\\)`),
  );
  await t.rejects(startSandbox({ port: 0, db }), { message: /world\.json: is in use by process/ }, 'in code too');

  first.child.kill('SIGKILL');
  await first.exited;
  t.ok(existsSync(`${db}.lock`), 'a killed sandbox leaves its lock');
  const third = cli(['--db', db]);
  t.teardown(() => third.child.kill('SIGKILL'));
  t.ok(await third.banner.url, 'which the next one takes over');
  third.child.kill('SIGTERM');
  t.equal(await third.exited, 0);
  t.notOk(existsSync(`${db}.lock`), 'a sandbox that stops lets its lock go');

  const inProcess = await startSandbox({ port: 0, db });
  await t.rejects(startSandbox({ port: 0, db }), { message: /is in use by process/ }, 'two sandboxes of one process on one file: refused');
  await inProcess.close();
  const again = await startSandbox({ port: 0, db });
  await again.close();
});

t.test('a db file of the wrong shape is refused at start, naming the file and the path in it', async (t) => {
  const dir = tempDir(t);
  const world = (businesses: string) => `{"format":1,"seed":1,"businesses":${businesses}}`;
  const business = (override: string) =>
    `{"id":1001,"campaigns":[1],"nextChatId":5,"nextMessageId":5,"chats":[],"files":{}${override}}`.replace('{,', '{');
  const cases: [string, RegExp][] = [
    ['{"format":1,"businesses":{"1001":null}}', /world\.json: seed: is required$/],
    [world('{"1001":null}'), /world\.json: businesses\[1001\]: must be object$/],
    [world(`{"1001":${business('').replace('"chats":[],', '')}}`), /world\.json: businesses\[1001\]\.chats: is required$/],
    [world(`{"__proto__":${business('')}}`), /world\.json: businesses\.__proto__: is not a business id/],
    [
      world(
        `{"1001":${business('').replace('"chats":[]', '"chats":[{"id":1,"type":"CHAT","status":"NEW","context":{"type":"DIRECT"},"createdAt":0,"updatedAt":0,"messages":"x"}]')}}`,
      ),
      /world\.json: businesses\[1001\]\.chats\[0\]\.messages: must be array$/,
    ],
    [
      world(`{"1001":${business('').replace('"nextChatId":5', '"nextChatId":"abc"')}}`),
      /world\.json: businesses\[1001\]\.nextChatId: must be integer$/,
    ],
    [world(`{"1002":${business('')}}`), /world\.json: businesses\[1002\]\.id: is 1001, not the business it is kept under$/],
    ['[]', /world\.json: not a sandbox world/],
  ];
  for (const [text, message] of cases) {
    const db = join(dir, 'world.json');
    writeFileSync(db, text);
    await t.rejects(startSandbox({ port: 0, db }), { name: 'WorldStoreError', message }, text.slice(0, 80));
    t.notOk(existsSync(`${db}.lock`), 'and lets its lock go');
  }
  writeFileSync(join(dir, 'world.json'), world('{"1001":null}'));
  const refused = cli(['--db', join(dir, 'world.json')]);
  refused.banner.url.catch(() => undefined);
  t.equal(await refused.exited, 2, 'from the command line: exit 2');
  t.match(refused.banner.output(), /--db .*world\.json: businesses\[1001\]: must be object/);
});

t.test('businesses are bounded: past the cap a new one is refused naming it, health stays small, a reset frees them', async (t) => {
  const client = await sandboxFor(t);
  const known = (await client.get('/__sandbox/health')).body.result.businesses.length;
  const ids = Array.from({ length: MAX_BUSINESSES - known }, (_, i) => 2_000_000 + i);
  const statuses: number[] = [];
  const worker = async () => {
    for (let id = ids.pop(); id !== undefined; id = ids.pop()) {
      statuses.push((await client.post(`/v2/businesses/${id}/chats/new`, { context: { type: 'ORDER', id: 77_000_001 } })).status);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  t.ok(
    statuses.every((status) => status === 200),
    `${statuses.length} businesses written to`,
  );
  const refused = await client.post('/v2/businesses/3000000/chats/new', { context: { type: 'ORDER', id: 77_000_001 } });
  t.equal(refused.status, 403);
  t.match(
    refused.body.errors[0].message,
    /^businessId: the sandbox holds at most 1000 businesses and has that many; business 3000000 would be one more/,
  );
  t.equal((await client.post('/v2/businesses/3000001/chats')).status, 403, 'a read of a new one too');
  t.equal((await client.post('/v2/businesses/2000000/chats')).status, 200, 'those it holds answer');
  const health = (await client.get('/__sandbox/health')).body.result;
  t.equal(health.businesses.length, MAX_BUSINESSES, 'health lists them, bounded');
  t.equal(health.maxBusinesses, MAX_BUSINESSES);
  await client.post('/__sandbox/reset');
  t.equal((await client.post('/v2/businesses/3000000/chats')).status, 200, 'a reset frees them');
  const tooMany = await client.call('PUT', '/__sandbox/scenario', {
    body: { data: { businesses: Array.from({ length: MAX_BUSINESSES + 1 }, (_, i) => ({ id: i + 1, chats: [] })) } },
  });
  t.equal(tooMany.status, 400);
  t.match(tooMany.body.errors[0].message, /^scenario: data\.businesses: a sandbox holds at most 1000 businesses/);
});
