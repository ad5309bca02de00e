/** The command line, run as a user runs it: flags, environment, banner, exit codes, signals. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { bannerOf, eventually, receiverFor, tempDir } from './helpers.js';

const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');

// Every child process compiles the sources on start, which takes seconds on a busy machine.
t.setTimeout(240_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI (through the same TypeScript loader as this test) to its end. */
function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts the CLI and resolves with its base URL once the banner is out. */
function start(t: Test, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [...process.execArgv, CLI, '--port', '0', '--log-level', 'warn', ...args], {
    env: { ...process.env, ...env },
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.teardown(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, exited, ...bannerOf(child) };
}

async function stop(child: ChildProcess, exited: Promise<number | null>, signal: NodeJS.Signals) {
  child.kill(signal);
  return exited;
}

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
  t.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
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
  t.match(sandbox.output(), /Scenario\s+.*a\.yaml, .*b\.json/);
  const call = () =>
    fetch(`${url}/v2/businesses/1001/chats`, {
      method: 'POST',
      headers: { 'Api-Key': 'k', 'content-type': 'application/json' },
      body: '{}',
    });
  t.same([(await call()).status, (await call()).status], [200, 420]);
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

const JSON_HEADERS = { 'Api-Key': 'k', 'content-type': 'application/json' };

/** Sends partner messages one after another until stopped or refused; records each one acknowledged and when. */
async function streamOfWrites(url: string) {
  const chats = (await (
    await fetch(`${url}/v2/businesses/1001/chats`, { method: 'POST', headers: JSON_HEADERS, body: '{"statuses":["WAITING_FOR_PARTNER"]}' })
  ).json()) as any;
  const chatId: number = chats.result.chats[0].chatId;
  const acknowledged: { text: string }[] = [];
  let stopping = false;
  const done = (async () => {
    for (let i = 0; !stopping && i < 5000; i++) {
      const text = `Ответ продавца №${i}`;
      try {
        const r = await fetch(`${url}/v2/businesses/1001/chats/message?chatId=${chatId}`, {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify({ message: text }),
        });
        if (r.status === 200) acknowledged.push({ text });
      } catch {
        return;
      }
    }
  })();
  return { chatId, acknowledged, stop: () => ((stopping = true), done) };
}

async function historyTexts(url: string, chatId: number): Promise<string[]> {
  const texts: string[] = [];
  let token = '';
  do {
    const page = (await (
      await fetch(`${url}/v2/businesses/1001/chats/history?chatId=${chatId}&limit=100${token && `&page_token=${token}`}`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: '{}',
      })
    ).json()) as any;
    texts.push(...page.result.messages.map((m: { message?: string }) => m.message));
    token = page.result.paging.nextPageToken ?? '';
  } while (token);
  return texts;
}

t.test('SIGTERM during a stream of writes loses nothing that was acknowledged', async (t) => {
  const db = join(tempDir(t), 'world.json');
  const first = start(t, ['--db', db]);
  const writes = await streamOfWrites(await first.url);
  while (writes.acknowledged.length < 30) await new Promise((resolve) => setTimeout(resolve, 5));
  const code = await stop(first.child, first.exited, 'SIGTERM');
  await writes.stop();
  t.equal(code, 0);
  t.match(first.output(), /SIGTERM: writing the world out/);

  const second = start(t, ['--db', db]);
  const texts = await historyTexts(await second.url, writes.chatId);
  const missing = writes.acknowledged.filter(({ text }) => !texts.includes(text));
  t.strictSame(missing, [], `all ${writes.acknowledged.length} acknowledged messages are there after the restart`);
});

t.test('SIGKILL during a stream of writes leaves a file that loads, missing at most the last moments', async (t) => {
  const db = join(tempDir(t), 'world.json');
  const first = start(t, ['--db', db]);
  const url = await first.url;
  const writes = await streamOfWrites(url);
  while (writes.acknowledged.length < 100) await new Promise((resolve) => setTimeout(resolve, 5));
  // A checkpoint: once two more writes of the file have finished, everything acknowledged before it is on disk
  // (a write under way at the checkpoint may have taken its changes before some of them).
  const checkpoint = writes.acknowledged.length;
  const dbWrites = async () => ((await (await fetch(`${url}/__sandbox/health`)).json()) as any).result.dbWrites as number;
  const writesAtCheckpoint = await dbWrites();
  while ((await dbWrites()) < writesAtCheckpoint + 2) await new Promise((resolve) => setTimeout(resolve, 5));
  first.child.kill('SIGKILL');
  await first.exited;
  await writes.stop();

  const second = start(t, ['--db', db]);
  const texts = await historyTexts(await second.url, writes.chatId);
  const missing = writes.acknowledged.filter(({ text }) => !texts.includes(text));
  t.strictSame(
    writes.acknowledged.slice(0, checkpoint).filter(({ text }) => !texts.includes(text)),
    [],
    `nothing acknowledged before the last finished writes is lost (${checkpoint} messages)`,
  );
  t.ok(texts.length > 0, `the file loaded; ${missing.length} of ${writes.acknowledged.length} acknowledged messages were lost`);
  const firstIndexes = writes.acknowledged.map(({ text }) => texts.indexOf(text)).filter((i) => i >= 0);
  t.strictSame(
    firstIndexes,
    [...firstIndexes].sort((x, y) => x - y),
    'what survived is a prefix, in order',
  );
});

t.test('--report FILE: the report is printed when the sandbox stops, written as JUnit, and an error fails the exit code', async (t) => {
  const dir = tempDir(t);
  const failing = start(t, ['--report', join(dir, 'report.xml')]);
  const answer = await fetch(`${await failing.url}/v2/businesses/1001/chats?limit=50`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: '{}',
  });
  t.equal(answer.status, 400);
  t.equal(await stop(failing.child, failing.exited, 'SIGTERM'), 1, 'an error-severity finding: exit code 1');
  t.match(
    failing.output(),
    /Integration report: 1 findings, 1 errors\n {2}error {3}CONTRACT_MISTAKE \(limit\): GetChats asked for limit=50/i,
  );
  const junit = readFileSync(join(dir, 'report.xml'), 'utf8');
  t.match(junit, /<testsuite name="integration report" tests="12" failures="1"/);

  const clean = start(t, [], { SANDBOX_REPORT: join(dir, 'clean.xml') });
  await fetch(`${await clean.url}/v2/businesses/1001/chats?limit=20`, { method: 'POST', headers: JSON_HEADERS, body: '{}' });
  t.equal(await stop(clean.child, clean.exited, 'SIGINT'), 0);
  t.match(clean.output(), /Integration report: no findings \(1 calls/);
  t.match(readFileSync(join(dir, 'clean.xml'), 'utf8'), /failures="0"/);

  const scenario = join(dir, 'conversation.yaml');
  writeFileSync(scenario, 'conversations:\n  - name: nobody answers\n    steps:\n      - say: Алло?\n      - expect: { within: 50ms }\n');
  const unanswered = start(t, ['--scenario', scenario, '--report', join(dir, 'conversation.xml')]);
  const base = await unanswered.url;
  await eventually(
    async () => ((await (await fetch(`${base}/__sandbox/conversations`)).json()) as any).result.conversations[0].state === 'failed',
  );
  t.equal(await stop(unanswered.child, unanswered.exited, 'SIGTERM'), 1, 'a failed conversation: exit code 1');
  t.match(
    unanswered.output(),
    /Conversations: 0 of 1 passed\n {2}failed {2}nobody answers: steps\[1\]\.expect: nothing came from the partner within 50ms/,
  );
  t.match(readFileSync(join(dir, 'conversation.xml'), 'utf8'), /<testsuite name="conversations" tests="1" failures="1"/);

  const refused = await run(['--report', ' ']);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /--report: must name a file/);

  const traffic = join(dir, 'traffic.yaml');
  writeFileSync(
    traffic,
    'traffic:\n  duration: 300ms\n  chats: { perMinute: 600 }\n  messages: { perChat: { min: 1, max: 1 }, patience: 100ms }\n',
  );
  const ignored = start(t, ['--scenario', traffic, '--report', join(dir, 'traffic.xml')]);
  const at = await ignored.url;
  await eventually(async () => ((await (await fetch(`${at}/__sandbox/traffic`)).json()) as any).result.state === 'finished');
  t.equal(await stop(ignored.child, ignored.exited, 'SIGTERM'), 1, 'a failed traffic verdict: exit code 1');
  t.match(ignored.output(), /Traffic: finished, failed \(\d+ chats, 0 of \d+ buyer messages answered, p95 0 ms\)\n {2}answered: 0\.0% of/);
  t.match(readFileSync(join(dir, 'traffic.xml'), 'utf8'), /<testsuite name="traffic" tests="1" failures="1"/);

  writeFileSync(traffic, 'traffic:\n  chats: { perMinute: 1 }\n  expect: { answered: 120% }\n');
  const bad = await run(['--scenario', traffic]);
  t.equal(bad.code, 2, 'a bad traffic section: exit code 2');
  t.match(bad.stderr, /traffic\.expect\.answered: must be a percentage from 0% to 100%/);
});

t.test('at the default log level the banner is what it prints: no line per request', async (t) => {
  const child = spawn(process.execPath, [...process.execArgv, CLI, '--port', '0']);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.teardown(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = await eventually(() => /API\s+(http:\/\/\S+)/.exec(output)?.[1] ?? false, 60_000);
  for (let i = 0; i < 5; i++) {
    await fetch(`${url}/v2/businesses/1001/chats`, {
      method: 'POST',
      headers: { 'Api-Key': 'k', 'content-type': 'application/json' },
      body: '{}',
    });
  }
  child.kill('SIGTERM');
  t.equal(await exited, 0);
  t.match(output, /^Yandex Market chats sandbox/, 'the banner comes first');
  t.notMatch(output, /"level":|"msg":/, 'no JSON log line at all');
  t.match(output, /SIGTERM: writing the world out and stopping/, 'and what it says when it stops');
});

t.test('npm start builds only when a source changed since the last build', async (t) => {
  const startScript = join(import.meta.dirname, '..', 'scripts', 'start.mjs');
  const runStart = () =>
    new Promise<Run>((resolve) => {
      // Outside the coverage (tap hooks every Node it spawns): it runs the built bundle, not the sources covered.
      const child = spawn('env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', process.execPath, startScript, '--version']);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  // The first may build (a source changed since the last build); the second finds the build fresh.
  t.equal((await runStart()).code, 0);
  const second = await runStart();
  t.equal(second.code, 0);
  t.match(second.stdout, /^\d+\.\d+\.\d+\n$/, 'it runs the command line at once, with the arguments given');
  t.notMatch(second.stdout, /building/);
});

t.test('ready-made scenarios by name, from a flag or the environment; a path still works', async (t) => {
  const byFlag = start(t, ['--scenario', 'rate-limits']);
  await byFlag.url;
  t.match(byFlag.output(), /sendMessageToChat 3\/minute/, '--scenario rate-limits plays scenarios/rate-limits.yaml');
  const byEnv = start(t, [], { SANDBOX_SCENARIO: 'rate-limits,disputes' });
  const url = await byEnv.url;
  const scenario = (await (await fetch(`${url}/__sandbox/scenario`)).json()) as any;
  t.equal(scenario.result.name, 'disputes', 'SANDBOX_SCENARIO=rate-limits,disputes: both, the later over the earlier');
  t.equal(scenario.result.rateLimits.sendMessageToChat.limit, 3);
  const dir = tempDir(t, { 'mine.yaml': 'name: mine\n' });
  const byPath = start(t, ['--scenario', join(dir, 'mine.yaml')]);
  await byPath.url;
  t.match(byPath.output(), /Scenario {2}.*mine\.yaml/);
});

t.test('healthcheck: 0 when a sandbox answers on PORT and HOST, 1 at once when none does', async (t) => {
  const sandbox = start(t, []);
  const port = new URL(await sandbox.url).port;
  const up = await run(['healthcheck', '--port', port]);
  t.equal(up.code, 0, up.stdout);
  t.equal(
    (await run(['healthcheck'], { PORT: port, HOST: '0.0.0.0' })).code,
    0,
    'from the environment; every interface is asked on loopback',
  );
  const down = await run(['healthcheck', '--port', '1']);
  t.equal(down.code, 1);
  t.match(down.stdout, /no answer/);
  t.equal((await run(['healthcheck', '--port', 'x'])).code, 2, 'a bad port: exit 2');
  t.match((await run(['--help'])).stdout, /healthcheck/, '--help lists it');
});

t.test('a reader of its output that went away does not keep it from stopping well and writing its world out', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'world.json');
  const started = start(t, ['--db', db]);
  const url = await started.url;
  const sent = await fetch(`${url}/v2/businesses/1001/chats/message?chatId=38415448`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ message: 'Записали, спасибо.' }),
  });
  t.equal(sent.status, 200);
  // The pipe of its output is closed, as when `| head` or a CI runner stops reading: what it prints at stop goes nowhere.
  started.child.stdout.destroy();
  t.equal(await stop(started.child, started.exited, 'SIGTERM'), 0, 'exit code 0');
  t.match(readFileSync(db, 'utf8') + readFileSync(`${db}.log`, 'utf8'), /Записали, спасибо\./, 'the last write is in the file');
});
