/**
 * The standalone binary, built as `npm run binary` builds it and run as a CI job without Node runs it: from an
 * empty folder, with a PATH that has no node. Banner, health, every operation valid against the contract, the
 * console and /docs, a ready-made scenario by name, exit codes.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { buildBinary } from '../scripts/binary.js';
import type { OPERATIONS } from '../src/contract/operations.js';
import { tempDir } from './helpers.js';

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
  t.equal(await run(['--version']).exited, 0);
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
