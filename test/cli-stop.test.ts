/** The command line, run as a user runs it: stopping with signals, the report on stop, health checks, its output's reader. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { CLI, run, start, stop, type Run } from './cli-helpers.js';
import { eventually, tempDir } from './helpers.js';
import { spawn } from './children.js';

// Every child process compiles the sources on start, which takes seconds on a busy machine.
t.setTimeout(240_000);

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
    /Integration report: 1 finding, 1 error; \d+ of 13 checks exercised [^\n]*\n {2}error {3}CONTRACT_MISTAKE \(limit\): GetChats asked for limit=50/i,
  );
  const junit = readFileSync(join(dir, 'report.xml'), 'utf8');
  t.match(junit, /<testsuite name="integration report" tests="13" failures="1"/);

  const clean = start(t, [], { SANDBOX_REPORT: join(dir, 'clean.xml') });
  await fetch(`${await clean.url}/v2/businesses/1001/chats?limit=20`, { method: 'POST', headers: JSON_HEADERS, body: '{}' });
  t.equal(await stop(clean.child, clean.exited, 'SIGINT'), 0);
  t.match(
    clean.output(),
    /Integration report: no findings; \d+ of 13 checks exercised \(\d+ passed, 0 failed\), \d+ not exercised \(1 call, 0 notifications\)/,
  );
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
  t.match(second.stdout, /^\d+\.\d+\.\d+ \(Node\.js v[\d.]+\)\n$/, 'it runs the command line at once, with the arguments given');
  t.notMatch(second.stdout, /building/);
});

t.test('ready-made scenarios by name, from a flag or the environment; a path still works', async (t) => {
  const byFlag = start(t, ['--scenario', 'rate-limits']);
  await byFlag.url;
  t.match(byFlag.output(), /sendMessageToChat 3\/minute/, '--scenario rate-limits plays scenarios/rate-limits.yaml');
  const byEnv = start(t, [], { SANDBOX_SCENARIO: 'rate-limits,disputes' });
  const url = await byEnv.url;
  const scenario = (await (await fetch(`${url}/__sandbox/scenario`)).json()) as any;
  t.equal(scenario.result.name, 'rate-limits, disputes', 'SANDBOX_SCENARIO=rate-limits,disputes: both, named after both');
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
