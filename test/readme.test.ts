/** The documentation's complete examples run, as a user would copy them. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { spawn } from './children.js';

t.setTimeout(120_000);

const ROOT = join(import.meta.dirname, '..');

/** Runs the first TypeScript example after `heading` in `page`, importing the package's sources; its output. */
async function runExample(t: Test, page: string, heading: string): Promise<{ code: number | null; output: string }> {
  const text = readFileSync(join(ROOT, page), 'utf8');
  t.ok(text.includes(heading), `${page} has ${heading}`);
  const code = /```ts\n([\s\S]*?)```/.exec(text.slice(text.indexOf(heading)))![1];
  t.match(code, "from 'yandex-market-chats-sandbox'", 'it imports the package as a user does');
  // Beside the tests, so that it resolves tap and compiles as they do; the package is its sources here.
  const file = join(import.meta.dirname, 'readme-example.tmp.ts');
  writeFileSync(file, code.replace("from 'yandex-market-chats-sandbox'", "from '../src/index.js'"));
  t.teardown(() => rmSync(file, { force: true }));
  const child = spawn(process.execPath, [...process.execArgv, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exit = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code: exit, output };
}

t.test('"Testing your notification handler" passes as written', async (t) => {
  const { code, output } = await runExample(t, 'docs/buyer-side.md', '## Testing your notification handler');
  t.equal(code, 0, output);
  t.match(output, /# \{ total: 1, pass: 1 \}|^ok 1 - our handler fetches every message a buyer sends/m);
});

t.test("the README's first test waits out a 420 on the moved clock, as written", async (t) => {
  const { code, output } = await runExample(t, 'README.md', '## A first test');
  t.equal(code, 0, output);
  t.match(output, /^200 420 200$/m);
});
