/**
 * The standalone binary, built as `npm run binary` builds it and run as a CI job without Node runs it: from an
 * empty folder, with a PATH that has no node. Banner, health, every operation valid against the contract, the
 * console and /docs, a ready-made scenario by name, exit codes.
 */
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import { buildBinary } from '../scripts/binary.js';
import type { OPERATIONS } from '../src/contract/operations.js';
import { PINNED_NODE_24, tempDir } from './helpers.js';
import { spawn } from './children.js';

t.setTimeout(300_000);

const dir = tempDir(t);
const binary = await buildBinary(join(dir, 'yandex-market-chats-sandbox-linux-x64'));
const empty = tempDir(t);
/** No node on the PATH: only what a php or python image has; the files it writes out go to the test's own folder. */
const env = { PATH: '/usr/bin:/bin', HOME: empty, TMPDIR: empty };

function run(args: string[], extraEnv: Record<string, string> = {}) {
  const child = spawn(binary, args, { cwd: empty, env: { ...env, ...extraEnv } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, exited, output: () => output };
}

t.test('it runs with no node: banner, operations, console, docs, a ready-made scenario by name', async (t) => {
  const version = run(['--version']);
  t.equal(await version.exited, 0);
  t.match(
    version.output(),
    new RegExp(`^\\d+\\.\\d+\\.\\d+ \\(Node\\.js v${PINNED_NODE_24.replaceAll('.', '\\.')}\\)\\n$`),
    'the pinned Node.js 24',
  );
  const sandbox = run(['--port', '0'], { SANDBOX_SCENARIO: 'rate-limits' });
  t.teardown(() => {
    if (sandbox.child.exitCode === null) sandbox.child.kill('SIGKILL');
  });
  let url = '';
  for (let i = 0; i < 300 && !url; i++) {
    url = /API\s+(http:\/\/\S+)/.exec(sandbox.output())?.[1] ?? '';
    if (!url) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.match(sandbox.output(), /^Yandex Market chats sandbox \d+\.\d+\.\d+/, 'the banner');
  t.match(sandbox.output(), /sendMessageToChat 3\/minute/, 'SANDBOX_SCENARIO=rate-limits: the ready-made scenario, by name');
  t.equal((await fetch(`${url}/__sandbox/health`)).status, 200, 'health');
  const port = new URL(url).port;
  t.equal(await run(['healthcheck', '--port', port]).exited, 0, 'healthcheck: 0');
  const headers = { 'Api-Key': 'k', 'content-type': 'application/json' };
  const chats: any = await (await fetch(`${url}/v2/businesses/1001/chats?limit=20`, { method: 'POST', headers, body: '{}' })).json();
  const chatId = chats.result.chats.find((c: { status: string }) => c.status !== 'FINISHED').chatId;
  const history: any = await (
    await fetch(`${url}/v2/businesses/1001/chats/history?chatId=${chatId}`, { method: 'POST', headers, body: '{}' })
  ).json();
  const messageId = history.result.messages[0].messageId;
  const form = new FormData();
  form.append('file', new Blob(['%PDF-1.4']), 'счёт.pdf');
  const calls: [keyof typeof OPERATIONS, string, RequestInit][] = [
    ['getChats', '/chats', { method: 'POST', headers, body: '{}' }],
    ['getChat', `/chat?chatId=${chatId}`, { headers }],
    ['getChatHistory', `/chats/history?chatId=${chatId}`, { method: 'POST', headers, body: '{}' }],
    ['getChatMessage', `/chats/message?chatId=${chatId}&messageId=${messageId}`, { headers }],
    ['createChat', '/chats/new', { method: 'POST', headers, body: '{"context":{"type":"ORDER","id":77000999}}' }],
    ['sendMessageToChat', `/chats/message?chatId=${chatId}`, { method: 'POST', headers, body: '{"message":"Добрый день!"}' }],
    ['sendFileToChat', `/chats/file/send?chatId=${chatId}`, { method: 'POST', headers: { 'Api-Key': 'k' }, body: form }],
  ];
  for (const [operation, path, init] of calls) {
    const answer = await fetch(`${url}/v2/businesses/1001${path}`, init);
    t.equal(answer.status, 200, `${operation}: 200`);
    t.match(await answer.json(), { status: 'OK' }, `${operation}: in the envelope`);
  }
  t.match(await (await fetch(`${url}/__sandbox/console/`)).text(), /<script type="module" src="console.js">/, 'the console');
  t.equal((await fetch(`${url}/docs/static/swagger-ui-bundle.js`)).status, 200, "Swagger UI's files");
  t.ok(((await (await fetch(`${url}/openapi.json`)).json()) as any).paths['/v2/businesses/{businessId}/chats'], 'the OpenAPI document');
  sandbox.child.kill('SIGTERM');
  t.equal(await sandbox.exited, 0, 'SIGTERM: exit 0');
});

t.test('exit codes: a bad flag, an unknown ready-made name, a health check with nothing to ask', async (t) => {
  const bad = run(['--port', 'eighty']);
  t.equal(await bad.exited, 2);
  t.match(bad.output(), /--port: must be an integer/);
  const unknown = run(['--port', '0', '--scenario', 'no-such']);
  t.equal(await unknown.exited, 2);
  t.match(unknown.output(), /no-such: no such file, nor a ready-made scenario \(they are: .*rate-limits/);
  t.equal(await run(['healthcheck', '--port', '1']).exited, 1);
});

/** Starts the binary and resolves with its URL; killed when the test ends. */
async function started(t: Test, args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  const sandbox = run(['--port', '0', ...args], extraEnv);
  t.teardown(() => {
    if (sandbox.child.exitCode === null) sandbox.child.kill('SIGKILL');
  });
  for (let i = 0; i < 300; i++) {
    const url = /API\s+(http:\/\/\S+)/.exec(sandbox.output())?.[1];
    if (url) return url;
    if (sandbox.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the binary did not start: ${sandbox.output()}`);
}

t.test('it serves what it was built with: planted or altered files are never served, an unusable TMPDIR stops nothing', async (t) => {
  const ownConsole = readFileSync(join(import.meta.dirname, '..', 'dist', 'console', 'index.html'), 'utf8');
  const ownSwagger = readFileSync(
    join(dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui')), 'static', 'index.css'),
    'utf8',
  );
  // Where earlier builds wrote their files, with no check: planted, as another user of the machine could.
  const planted = tempDir(t);
  for (const name of readdirSync(empty).filter((n) => n.startsWith('yandex-market-chats-sandbox'))) {
    cpSync(join(empty, name), join(planted, name), { recursive: true });
    // Node 22's cpSync makes folders with the umask's mode, Node 24's keeps the source's: kept here on both.
    chmodSync(join(planted, name), statSync(join(empty, name)).mode);
  }
  const evil = '<script>fetch("/__sandbox/reset",{method:"POST"})</script>';
  mkdirSync(join(planted, 'yandex-market-chats-sandbox-0123456789abcdef', 'dist', 'console'), { recursive: true });
  writeFileSync(join(planted, 'yandex-market-chats-sandbox-0123456789abcdef', 'dist', 'console', 'index.html'), evil);
  const url = await started(t, [], { TMPDIR: planted });
  t.equal(await (await fetch(`${url}/__sandbox/console/`)).text(), ownConsole, 'the console is the binary’s own');
  t.equal(await (await fetch(`${url}/docs/static/index.css`)).text(), ownSwagger, 'and so is Swagger UI');

  // Swagger UI's copy, altered after it was written, is written again at the next start.
  const uid = process.getuid!();
  const mine = join(planted, `yandex-market-chats-sandbox-${uid}`);
  t.equal(statSync(mine).mode & 0o777, 0o700, 'its copy is in a folder only this user may enter');
  const [build] = readdirSync(mine);
  writeFileSync(join(mine, build, 'swagger-ui', 'index.css'), 'body{display:none}');
  const again = await started(t, [], { TMPDIR: planted });
  t.equal(await (await fetch(`${again}/docs/static/index.css`)).text(), ownSwagger, 'an altered file is written again');

  // A folder of that name that others may write to (or another user's) is not used.
  const shared = tempDir(t);
  mkdirSync(join(shared, `yandex-market-chats-sandbox-${uid}`), { mode: 0o777 });
  chmodSync(join(shared, `yandex-market-chats-sandbox-${uid}`), 0o777);
  const careful = await started(t, [], { TMPDIR: shared });
  t.equal((await fetch(`${careful}/docs`)).status, 503, 'a folder others may write to is not used: the docs page says so');
  t.equal((await fetch(`${careful}/__sandbox/console/`)).status, 200, 'the console does not need it');

  for (const tmp of ['/proc', join(shared, 'no-such-folder'), join(import.meta.dirname, '..', 'package.json')]) {
    t.equal(await run(['--version'], { TMPDIR: tmp }).exited, 0, `TMPDIR=${tmp}: --version`);
    t.equal(await run(['healthcheck', '--port', '1'], { TMPDIR: tmp }).exited, 1, `TMPDIR=${tmp}: healthcheck answers`);
    const up = await started(t, [], { TMPDIR: tmp });
    t.equal((await fetch(`${up}/__sandbox/health`)).status, 200, `TMPDIR=${tmp}: the sandbox runs`);
    t.equal((await fetch(`${up}/__sandbox/scenarios`)).status, 200, `TMPDIR=${tmp}: its ready-made scenarios are read from itself`);
    t.match(await (await fetch(`${up}/docs`)).json(), { errors: [{ code: 'SERVICE_UNAVAILABLE', message: /^docs: Swagger UI's files/ }] });
  }
});

t.test('one binary per --db file: a second is refused naming the first', async (t) => {
  const db = join(tempDir(t), 'world.json');
  await started(t, ['--db', db]);
  const second = run(['--port', '0', '--db', db]);
  t.equal(await second.exited, 2);
  t.match(second.output(), /world\.json: is in use by process \d+/);
});
