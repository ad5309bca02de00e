/**
 * `npm start`: builds only when a source changed since the last build (a full build takes tens of seconds on a
 * small machine), then runs the command line with the arguments given (`npm start -- --port 0`). Plain
 * JavaScript, as it runs before anything is built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'bundle', 'cli.cjs');
const SOURCES = ['src', 'console', 'scripts', 'fixtures', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest modification time under `path`, a file or a folder. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stat.mtimeMs);
}

const sourcesAt = Math.max(
  ...SOURCES.map((name) => join(root, name))
    .filter(existsSync)
    .map(newest),
);
if (!existsSync(built) || statSync(built).mtimeMs < sourcesAt) {
  process.stdout.write('Sources changed since the last build: building…\n');
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
await import(built);
