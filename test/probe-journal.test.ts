/**
 * The journal bounded by what it holds, not only by its count: a partner (or an attacker) that sends the largest
 * bodies allowed, a thousand times, leaves a sandbox whose memory is bounded, whose report and journal answer, and
 * that stops with --report and writes it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { allMessages, bannerOf, sandboxFor, tempDir } from './helpers.js';
import { JOURNAL_BODY_KEPT } from '../src/journal/journal.js';
import { spawn } from './children.js';

t.setTimeout(300_000);

const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

t.test('a thousand bodies of 0.9 MB: memory bounded, report and journal answer, a stop with --report writes it', async (t) => {
  const report = join(tempDir(t), 'report.xml');
  // A heap the journal's bodies would overflow were they kept whole (1 000 parsed bodies of 0.9 MB): it must not need it.
  const child = spawn(process.execPath, [
    ...process.execArgv,
    '--max-old-space-size=384',
    CLI,
    '--port',
    '0',
    '--log-level',
    'silent',
    '--report',
    report,
  ]);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.teardown(() => child.kill('SIGKILL'));
  const url = await bannerOf(child).url;
  // Refused for its limit (20 at most), as a partner's mistake would be; each kept whole, parsed, until now.
  const body = JSON.stringify({ statuses: ['NEW'], note: 'ж'.repeat(450_000) });
  const sent = Array.from({ length: 1000 }, (_, i) => i);
  let answered = 0;
  const worker = async () => {
    for (let i = sent.pop(); i !== undefined; i = sent.pop()) {
      const response = await fetch(`${url}/v2/businesses/1001/chats?limit=50`, {
        method: 'POST',
        headers: { 'api-key': 'k', 'content-type': 'application/json' },
        body,
      });
      await response.arrayBuffer();
      answered++;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  t.equal(answered, 1000, 'every call answered: the process lives within its heap');
  t.ok(rssMb(child.pid!) < 900, `resident memory ${Math.round(rssMb(child.pid!))} MB`);

  for (const path of ['/__sandbox/report', '/__sandbox/requests', '/__sandbox/report?format=junit']) {
    const response = await fetch(url + path);
    const text = await response.text();
    t.equal(response.status, 200, `${path}: 200`);
    if (path === '/__sandbox/requests') {
      const { requests, dropped } = JSON.parse(text).result;
      t.ok(requests.length > 50, `${requests.length} entries kept, ${dropped} dropped for their size`);
      const [last] = requests.slice(-1);
      t.equal(typeof last.requestBody, 'string', 'a body past the bound is kept cut, as text');
      t.match(last.requestBody, /^\{"statuses":\["NEW"\],"note":"жжж/);
      t.match(
        last.requestBody,
        new RegExp(
          `… \\[cut by the sandbox's journal: the body had ${body.length} characters, the first ${JOURNAL_BODY_KEPT} characters are kept\\]$`,
        ),
      );
    }
  }
  child.kill('SIGTERM');
  t.equal(await exited, 1, 'it stops (exit 1: the report found the partner repeating a refused call)');
  t.match(readFileSync(report, 'utf8'), /^<\?xml[\s\S]*<testsuites/, 'and wrote its report');
});

t.test("a file's bytes are described in the journal, not kept; JSON within the bound is kept whole", async (t) => {
  const client = await sandboxFor(t);
  const chat = await client.sandbox.buyer.startChat({ context: { type: 'DIRECT' } });
  await client.sandbox.buyer.say(chat.chatId, { message: 'Фото', files: [{ name: 'фото.png', content: Buffer.alloc(300_000, 7) }] });
  const [message] = (await allMessages(client, 1001, chat.chatId)).filter((m) => m.payload);
  t.equal((await fetch(message.payload[0].url)).status, 200);
  const [download] = client.sandbox.requests({ operation: 'downloadFile' });
  t.match(download.responseBody, /^\(300000 bytes of application\/octet-stream, not kept\)$/);
  const [history] = client.sandbox.requests({ operation: 'getChatHistory' }).slice(-1);
  t.match(history.responseBody, { status: 'OK', result: { messages: Array } }, 'a page of history is kept as JSON');
});
