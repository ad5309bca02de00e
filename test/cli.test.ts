/** The command line, run as a user runs it: flags, environment, banner, exit codes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { run, start, stop } from './cli-helpers.js';
import { receiverFor, tempDir } from './helpers.js';

const PACKAGE = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string };

// Every child process compiles the sources on start, which takes seconds on a busy machine.
t.setTimeout(240_000);

t.test('--help documents every flag and variable; --version prints the version', async (t) => {
  const help = await run(['--help']);
  t.equal(help.code, 0);
  for (const word of [
    '--port',
    '--host',
    '--db',
    '--seed',
    '--no-rate-limits',
    '--log-level',
    'PORT',
    'HOST',
    'SANDBOX_DB',
    'SANDBOX_SEED',
    '--scenario',
    'SANDBOX_SCENARIO',
    '--webhook',
    '--report',
    'SANDBOX_REPORT',
    'SANDBOX_WEBHOOK',
    '--clock',
    'SANDBOX_CLOCK',
    '--clock-frozen',
    'SANDBOX_CLOCK_FROZEN',
  ]) {
    t.match(help.stdout, word);
  }
  const version = await run(['-v']);
  t.equal(version.code, 0);
  t.equal(version.stdout, `${PACKAGE.version} (Node.js ${process.version})\n`, 'the version, and the Node.js that runs it');
});

t.test('on a Node.js older than 22 it says which it needs, and starts nothing', async (t) => {
  // The entry checks the running version first: played here by a Node that says it is 20.
  const says20 = 'data:text/javascript,Object.defineProperty(process.versions,`node`,{value:`20.20.2`})';
  const old = await run(['--port', '0'], { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${says20}` });
  t.equal(old.code, 1);
  t.match(old.stderr, /^yandex-market-chats-sandbox: needs Node\.js 22 or later; this is v/);
  t.equal(old.stdout, '', 'no banner: nothing started');
});

t.test('bad flags exit with code 2 and a message naming the problem, starting nothing', async (t) => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['--port', 'eighty'], {}, /--port: must be an integer from 0 to 65535/],
    [['--port', '70000'], {}, /--port/],
    [[], { PORT: '-1' }, /--port/],
    [['--seed', '1.5'], {}, /--seed/],
    [['--log-level', 'loud'], {}, /--log-level: must be one of/],
    [['--bogus'], {}, /bogus/],
    [['extra'], {}, /extra/],
    [['--db', ''], {}, /--db/],
    [['--host', ' '], {}, /--host/],
    [[], { SANDBOX_RATE_LIMITS: 'maybe' }, /SANDBOX_RATE_LIMITS/],
    [['--webhook', 'localhost:9000'], {}, /--webhook: must be an http:\/\/ or https:\/\/ URL \(got "localhost:9000"\)/],
    [[], { SANDBOX_WEBHOOK: 'not a url' }, /--webhook: must be an http/],
    [[], { SANDBOX_PATHS: 'v3' }, /SANDBOX_PATHS: must be both or v2-only \(got "v3"\)/],
    [
      ['--clock', 'tomorrow'],
      {},
      /--clock: must be an ISO 8601 time with its offset, e\.g\. 2026-11-11T09:00:00\+03:00 \(got "tomorrow"\)/,
    ],
    [['--clock', '2026-11-11T09:00:00'], {}, /--clock: must be an ISO 8601 time with its offset/],
    [[], { SANDBOX_CLOCK: '2026-13-45T09:00:00Z' }, /--clock: must be an ISO 8601 time/],
    [[], { SANDBOX_CLOCK_FROZEN: 'maybe' }, /SANDBOX_CLOCK_FROZEN: must be true or false \(got "maybe"\)/],
    [['--control-token', 'short'], {}, /--control-token: must be 8 to 200 printable characters/],
  ];
  // Each run loads the TypeScript sources afresh: they run side by side to keep the test short.
  const results = await Promise.all(cases.map(([args, env]) => run(args, env)));
  for (const [i, [args, env, message]] of cases.entries()) {
    const result = results[i];
    t.equal(result.code, 2, `${args.join(' ')} ${JSON.stringify(env)}: exit 2`);
    t.match(result.stderr, message);
    t.match(result.stderr, /--help/);
    t.equal(result.stdout, '', 'nothing started');
  }
  const dir = tempDir(t, { 'bad.json': 'not json' });
  const badDb = await run(['--db', join(dir, 'bad.json'), '--port', '0']);
  t.equal(badDb.code, 2);
  t.match(badDb.stderr, /--db .*bad\.json: not a readable sandbox world/);
  const noFolder = await run(['--db', join(dir, 'not-mounted', 'world.json'), '--port', '0']);
  t.equal(noFolder.code, 2, 'a --db whose folder is missing: exit 2, not a crash loop');
  t.match(noFolder.stderr, /--db .*world\.json: its folder does not exist \(a volume not mounted, or mounted read-only\?\)/);
});

t.test('a scenario that is missing, does not parse or does not validate exits 2 naming the file and the field', async (t) => {
  const dir = tempDir(t, {
    'limits.yaml': 'rateLimits:\n  sendMessageToChat: { limit: many, window: 1m }\n',
    'broken.yaml': 'rules: [\n',
    'good.yaml': 'name: fine\n',
    'direct.yaml': 'data: { businesses: [{ id: 9, chats: [{ context: { type: DIRECT }, type: ARBITRAGE }] }] }\n',
  });
  const cases: [string[], Record<string, string>, RegExp][] = [
    [
      ['--scenario', join(dir, 'good.yaml'), '--scenario', join(dir, 'limits.yaml')],
      {},
      /limits\.yaml: rateLimits\.sendMessageToChat\.limit: must be integer/,
    ],
    [['--scenario', join(dir, 'broken.yaml')], {}, /broken\.yaml: is not valid YAML or JSON/],
    [[], { SANDBOX_SCENARIO: join(dir, 'missing.yaml') }, /missing\.yaml: no such file/],
    [
      ['--scenario', 'no-such-scenario'],
      {},
      /no-such-scenario: no such file, nor a ready-made scenario \(they are: bot-dialogue, disputes, .*rate-limits/,
    ],
    [
      ['--scenario', join(dir, 'direct.yaml')],
      {},
      /direct\.yaml: data\.businesses\[0\]\.chats\[0\]\.type: a DIRECT chat cannot be ARBITRAGE/,
    ],
  ];
  const results = await Promise.all(cases.map(([args, env]) => run([...args, '--port', '0'], env)));
  for (const [i, [, , message]] of cases.entries()) {
    t.equal(results[i].code, 2);
    t.match(results[i].stderr, /--scenario /);
    t.match(results[i].stderr, message);
    t.equal(results[i].stdout, '', 'nothing started');
  }
});

t.test('--scenario, given twice, plays both files; the banner shows their limits', async (t) => {
  const dir = tempDir(t, {
    'a.yaml': 'rateLimits: { getChats: { limit: 1, window: 1m } }\n',
    'b.json': '{"rateLimits": {"parallel": "off"}}',
  });
  const sandbox = start(t, ['--scenario', join(dir, 'a.yaml'), '--scenario', join(dir, 'b.json')]);
  const url = await sandbox.url;
  t.match(sandbox.output(), /Limits\s+no parallel limit; createChat 1000\/hour, getChats 1\/minute/);
  t.match(sandbox.output(), /Scenario\s+a, b {2}\(.*a\.yaml, .*b\.json\)/, 'the played scenario is named after both');
  const call = () =>
    fetch(`${url}/v2/businesses/1001/chats`, {
      method: 'POST',
      headers: { 'Api-Key': 'k', 'content-type': 'application/json' },
      body: '{}',
    });
  t.same([(await call()).status, (await call()).status], [200, 420]);
  t.equal(((await (await fetch(`${url}/__sandbox/scenario`)).json()) as { result: { name: string } }).result.name, 'a, b');
});

t.test('--scenario twice with two values for one field: exit 2 naming both files and the field', async (t) => {
  const dir = tempDir(t, { 'a.yaml': 'seed: 1\n', 'b.yaml': 'seed: 2\n' });
  const { code, stderr } = await run(['--port', '0', '--scenario', join(dir, 'a.yaml'), '--scenario', join(dir, 'b.yaml')]);
  t.equal(code, 2);
  t.match(stderr, /a\.yaml and .*b\.yaml: seed: is given two values \(1 and 2\); give it in one of them/);
});

t.test('the banner names the URL, docs, a token, a business and the limits; SIGINT stops it', async (t) => {
  const sandbox = start(t, []);
  const url = await sandbox.url;
  const banner = sandbox.output();
  t.match(banner, `${url}/docs`);
  t.match(banner, /Api-Key: ACMA:sandbox-key/);
  t.match(banner, /Business\s+1001/);
  t.match(banner, /Limits\s+4 parallel requests per business; createChat 1000\/hour, getChats 5000\/hour/);
  const answer = await fetch(`${url}/v2/businesses/1001/chats`, {
    method: 'POST',
    headers: { 'Api-Key': 'ACMA:sandbox-key', 'content-type': 'application/json' },
    body: '{}',
  });
  t.equal(answer.status, 200);
  t.equal(await stop(sandbox.child, sandbox.exited, 'SIGINT'), 0);
});

t.test('--webhook (or SANDBOX_WEBHOOK) pushes notifications there; the banner says where and where the log is', async (t) => {
  const receiver = await receiverFor(t);
  const sandbox = start(t, [], { SANDBOX_WEBHOOK: receiver.url });
  const url = await sandbox.url;
  t.match(sandbox.output(), new RegExp(`Webhook\\s+${receiver.url}\\s+\\(log: ${url}/__sandbox/notifications\\)`));
  const ping = (await (await fetch(`${url}/__sandbox/notifications/ping`, { method: 'POST' })).json()) as any;
  t.match(ping.result, { state: 'delivered' });
  t.match(receiver.received[0].body, { notificationType: 'PING' });
});

t.test(
  '--clock starts the clock there and --clock-frozen stops it (or SANDBOX_CLOCK, SANDBOX_CLOCK_FROZEN); the banner says so',
  async (t) => {
    for (const [args, env] of [
      [['--clock', '2026-11-11T09:00:00+03:00', '--clock-frozen'], {}],
      [[], { SANDBOX_CLOCK: '2026-11-11T09:00:00+03:00', SANDBOX_CLOCK_FROZEN: 'true' }],
    ] as const) {
      const sandbox = start(t, [...args], env);
      const url = await sandbox.url;
      t.match(sandbox.output(), /Clock {5}2026-11-11T06:00:00\.000Z \(frozen\)/);
      const chats = await fetch(`${url}/v2/businesses/1001/chats?limit=1`, {
        method: 'POST',
        headers: { 'Api-Key': 'k', 'content-type': 'application/json' },
        body: '{}',
      });
      t.match(
        ((await chats.json()) as any).result.chats[0].updatedAt,
        /^2026-11-1[01]T/,
        "the world's times are laid out from the clock's start",
      );
      // A flowing clock would have moved on by the milliseconds the calls took.
      t.equal(
        ((await (await fetch(`${url}/__sandbox/clock`)).json()) as any).result.now,
        '2026-11-11T06:00:00.000Z',
        'frozen: it has not moved',
      );
    }
  },
);

t.test('--v2-only (or SANDBOX_PATHS=v2-only) serves only the /v2 paths, and the banner says so', async (t) => {
  for (const [args, env] of [
    [['--v2-only'], {}],
    [[], { SANDBOX_PATHS: 'v2-only' }],
  ] as const) {
    const sandbox = start(t, [...args], env);
    const url = await sandbox.url;
    t.match(sandbox.output(), /operations under \/v2\/businesses\/… only/);
    const post = (path: string) =>
      fetch(url + path, { method: 'POST', headers: { 'Api-Key': 'k', 'content-type': 'application/json' }, body: '{}' });
    t.equal((await post('/businesses/1001/chats')).status, 404);
    t.equal((await post('/v2/businesses/1001/chats')).status, 200);
  }
});

t.test('environment variables configure it; flags win over them', async (t) => {
  const sandbox = start(t, ['--seed', '5'], { SANDBOX_SEED: '9', SANDBOX_RATE_LIMITS: 'off', PORT: '1' });
  const url = await sandbox.url;
  t.match(sandbox.output(), /Limits\s+off/);
  const health = (await (await fetch(`${url}/__sandbox/health`)).json()) as any;
  t.match(health.result, { seed: 5, rateLimits: false });
});
