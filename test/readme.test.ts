/** The README's complete example of testing a notification handler runs, as a user would copy it. */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

t.setTimeout(120_000);

t.test('"Testing your notification handler" passes as written', async (t) => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Testing your notification handler'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
  t.match(code, "from 'yandex-market-chats-sandbox'", 'it imports the package as a user does');
  // Beside the tests, so that it resolves tap and compiles as they do; the package is its sources here.
  const file = join(import.meta.dirname, 'readme-example.tmp.ts');
  writeFileSync(file, code.replace("from 'yandex-market-chats-sandbox'", "from '../src/index.js'"));
  t.teardown(() => rmSync(file, { force: true }));
  const child = spawn(process.execPath, [...process.execArgv, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code_ = await new Promise((resolve) => child.on('close', resolve));
  t.equal(code_, 0, output);
  t.match(output, /# \{ total: 1, pass: 1 \}|^ok 1 - our handler fetches every message a buyer sends/m);
});
