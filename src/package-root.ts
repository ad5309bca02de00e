/**
 * Files the program reads at run time (the console, the default world, ready-made scenarios, the scenario schema,
 * Swagger UI's files), found from wherever the code runs: the sources, the built dist/, or the standalone binary,
 * which carries them as assets and writes them out once into a folder of its version under the temporary folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as sea from 'node:sea';
import { fileURLToPath } from 'node:url';

/** The asset that lists the others, in the binary (scripts/binary.ts writes it). */
export const SEA_MANIFEST = 'manifest.json';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json of yandex-market-chats-sandbox not found');
    dir = parent;
  }
  return dir;
}

/** The binary's files written out, once per build (the manifest's hash names the folder). */
function extractedRoot(): string {
  const manifest = sea.getAsset(SEA_MANIFEST, 'utf8');
  const { files } = JSON.parse(manifest) as { files: string[] };
  const root = join(tmpdir(), `yandex-market-chats-sandbox-${createHash('sha256').update(manifest).digest('hex').slice(0, 16)}`);
  const complete = join(root, '.complete');
  if (!existsSync(complete)) {
    // Two processes writing at once write the same bytes: the last one done marks the folder complete.
    for (const file of files) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), Buffer.from(sea.getAsset(file)));
    }
    writeFileSync(complete, '');
  }
  return root;
}

/** Whether this is the standalone binary. */
export const IN_BINARY = sea.isSea();

export const PACKAGE_ROOT = IN_BINARY ? extractedRoot() : findRoot();

export const packagePath = (...parts: string[]) => join(PACKAGE_ROOT, ...parts);

export const PACKAGE_VERSION = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
