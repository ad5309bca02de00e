/** A process a test starts ends with the test, even when tap stops the test on a timeout (SIGTERM) before its teardown. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { spawn } from './children.js';
import { eventually, tempDir } from './helpers.js';

t.test('a test stopped by SIGTERM takes the processes it started with it', async (t) => {
  const holder = join(tempDir(t), 'holder.mts');
  // A test file in small: it starts a long-lived process, says its pid, and never ends by itself.
  writeFileSync(
    holder,
    `import { spawn } from ${JSON.stringify(join(import.meta.dirname, 'children.ts'))};\n` +
      `const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);\n` +
      'console.log(child.pid);\nsetInterval(() => {}, 1000);\n',
  );
  const test = spawn(process.execPath, [...process.execArgv, holder]);
  const pid = await new Promise<number>((resolve) => test.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  t.ok(alive(), `its process ${pid} runs`);
  test.kill('SIGTERM');
  const [, signal] = await new Promise<[number | null, string | null]>((resolve) => test.once('exit', (code, sig) => resolve([code, sig])));
  t.equal(signal, 'SIGTERM', 'the test ends as SIGTERM ends it');
  await eventually(() => !alive(), 5000);
  t.pass('and its process ended with it');
});
