/**
 * Both documented start orders with the reference bot as a real process: the sandbox first (its pushes find no one
 * until the bot listens), or the bot first (its first calls find no sandbox). A correct bot passes --report either way.
 */
import { type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { bannerOf, eventually, freePort, tempDir } from './helpers.js';
import { spawn } from './children.js';

t.setTimeout(120_000);

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'src', 'cli.ts');
const BOT = join(ROOT, 'examples', 'partner-bot', 'bot.mjs');

function started(t: Test, child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return exited;
}

function bot(t: Test, api: string, port: number): Promise<void> {
  const child = spawn(process.execPath, [BOT, '--api', api, '--port', String(port), '--no-catch-up']);
  void started(t, child);
  return new Promise((resolve) => child.stdout.on('data', (d: Buffer) => /webhook/.test(String(d)) && resolve()));
}

/** A buyer writes; resolves once the partner has answered in that chat. */
async function buyerWrites(api: string, text: string): Promise<void> {
  const chat = 38415448;
  const partnerMessages = async () => {
    const history = await fetch(`${api}/v2/businesses/1001/chats/history?chatId=${chat}&limit=100`, {
      method: 'POST',
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: '{}',
    });
    return ((await history.json()) as { result: { messages: { sender: string }[] } }).result.messages.filter((m) => m.sender === 'PARTNER')
      .length;
  };
  const before = await partnerMessages();
  await fetch(`${api}/__sandbox/businesses/1001/chats/${chat}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: text }),
  });
  await eventually(async () => (await partnerMessages()) > before, 20_000);
}

for (const order of ['sandbox first', 'bot first'] as const) {
  t.test(`${order}: the reference bot passes --report, exit 0`, async (t) => {
    const report = join(tempDir(t), 'report.xml');
    const [sandboxPort, botPort] = [await freePort(), await freePort()];
    const api = `http://127.0.0.1:${sandboxPort}`;
    const startSandbox = async () => {
      const child = spawn(process.execPath, [
        ...process.execArgv,
        CLI,
        ...['--port', String(sandboxPort), '--webhook', `http://127.0.0.1:${botPort}/`, '--report', report, '--log-level', 'silent'],
      ]);
      const exited = started(t, child);
      await bannerOf(child).url;
      return { child, exited };
    };
    let sandbox: Awaited<ReturnType<typeof startSandbox>>;
    if (order === 'sandbox first') {
      sandbox = await startSandbox();
      // Pushed while nobody listens: the push, and a PING, find no one.
      await fetch(`${api}/__sandbox/businesses/1001/chats/38415448/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"message":"Есть кто?"}',
      });
      await fetch(`${api}/__sandbox/notifications/ping`, { method: 'POST' });
      await bot(t, api, botPort);
    } else {
      await bot(t, api, botPort);
      sandbox = await startSandbox();
    }
    await buyerWrites(api, 'Здравствуйте! Когда приедет заказ?');
    const log = (await (await fetch(`${api}/__sandbox/notifications`)).json()) as {
      result: { notifications: { attempts: { status: number | null }[] }[] };
    };
    if (order === 'sandbox first') {
      t.ok(
        log.result.notifications.some((n) => n.attempts.some((a) => a.status === null)),
        'some pushes found nobody before the bot listened',
      );
    }
    const json = (await (await fetch(`${api}/__sandbox/report`)).json()) as { result: { findings: { code: string; severity: string }[] } };
    t.same(
      json.result.findings.filter((f) => f.severity === 'error'),
      [],
      'no error in the report',
    );
    sandbox.child.kill('SIGTERM');
    t.equal(await sandbox.exited, 0, '--report: exit 0');
    t.notMatch(readFileSync(report, 'utf8'), /<failure/);
  });
}
