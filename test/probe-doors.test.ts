/** The second probe's small doors: what --scenario reads, what its errors quote, and the words of a refused upload. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { multipartForm, sandboxFor, tempDir } from './helpers.js';
import { spawn } from './children.js';

const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');

async function start(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [...process.execArgv, CLI, '--port', '0', ...args]);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  return { code, output };
}

t.test('--scenario reads only a regular file of a bounded size, and quotes none of a file that is not a scenario', async (t) => {
  const dir = tempDir(t);
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const shadow = join(dir, 'shadow');
  writeFileSync(shadow, 'root:$6$s3cr3tHash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n');
  for (const [file, message] of [
    [fifo, /fifo: is not a regular file/],
    ['/dev/zero', /\/dev\/zero: is not a regular file/],
    [shadow, /shadow: has a key that is no name a scenario uses \(not shown\); is this a scenario file\? \(line 1\)/],
  ] as const) {
    const { code, output } = await start(['--scenario', file]);
    t.equal(code, 2, `${file}: exit 2, at once`);
    t.match(output, message);
    t.notMatch(output, /s3cr3t|root|daemon/, 'nothing of the file is shown');
  }
  const typo = join(dir, 'typo.yaml');
  writeFileSync(typo, 'nmae: x\n');
  t.match((await start(['--scenario', typo])).output, /typo\.yaml: nmae: is not a known key/, 'a mistyped key is still named');
});

t.test("a form past its limits is refused in the sandbox's own words, naming the limit", async (t) => {
  const client = await sandboxFor(t);
  const files = Array.from({ length: 6 }, (_, i) => ({ name: `фото-${i}.jpg`, content: Buffer.from('x') }));
  const tooMany = await client.call('POST', '/__sandbox/businesses/1001/chats/38415448/messages', { raw: multipartForm({}, ...files) });
  t.equal(tooMany.status, 413);
  t.match(tooMany.body, { status: 'ERROR', errors: [{ code: 'BAD_REQUEST', message: 'file: at most 5 files a message' }] });
  const fields = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, 'x']));
  const tooManyFields = await client.call('POST', '/__sandbox/businesses/1001/chats/38415448/messages', { raw: multipartForm(fields) });
  t.equal(tooManyFields.status, 413);
  t.match(tooManyFields.body.errors[0].message, /^body: at most (20 fields|25 parts)/);
  t.notMatch(tooManyFields.text, /reach .* limit/, "busboy's own words are not the answer");
});

t.test('a route that takes multipart is told of multipart, whatever JSON was sent', async (t) => {
  const client = await sandboxFor(t);
  for (const raw of ['', '{}', '{bad']) {
    const answer = await client.call('POST', '/v2/businesses/1001/chats/file/send?chatId=38415448', {
      raw,
      headers: { 'content-type': 'application/json' },
    });
    t.equal(answer.status, 415, JSON.stringify(raw));
    t.match(answer.body.errors[0].message, /^Content-Type: application\/json is not accepted here; send multipart\/form-data$/);
  }
});
