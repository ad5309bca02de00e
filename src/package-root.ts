/**
 * Files the program reads at run time (the console, the default world, ready-made scenarios, the scenario schema,
 * Swagger UI's files), found from wherever the code runs: the sources or the built dist/ on disk, or the standalone
 * binary, which carries them as assets and serves them from itself, so that it serves what it was built with
 * whatever is on the machine. Only Swagger UI, which a plugin serves from a folder, is written out: into a folder of
 * the user's own under the temporary folder, checked byte for byte at every start.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import * as sea from 'node:sea';
import { fileURLToPath } from 'node:url';
import { startupSnapshot } from 'node:v8';

/** The asset that lists the others, in the binary (scripts/binary.ts writes it). */
export const SEA_MANIFEST = 'manifest.json';

/**
 * Whether this is the standalone binary. Its startup snapshot is built with this code evaluated (scripts/binary.ts),
 * when nothing else builds one: what is read of the binary's assets is read when asked, as they exist only then.
 */
export const IN_BINARY = sea.isSea() || startupSnapshot.isBuildingSnapshot();

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json of yandex-market-chats-sandbox not found');
    dir = parent;
  }
  return dir;
}

/** The package's folder on disk: where scripts and tests find its files. The binary reads its own, never from here. */
export const PACKAGE_ROOT = IN_BINARY ? dirname(process.execPath) : findRoot();

export const packagePath = (...parts: string[]) => join(PACKAGE_ROOT, ...parts);

/** The binary's manifest: the names of its files, as paths in the package (`scenarios/rate-limits.yaml`). */
const manifest = (): string => sea.getAsset(SEA_MANIFEST, 'utf8');
const binaryFiles = (): string[] => (JSON.parse(manifest()) as { files: string[] }).files;

/** A file of the package: from the binary itself, or from disk. */
export function readPackageFile(...parts: string[]): Buffer {
  return IN_BINARY ? Buffer.from(sea.getAsset(parts.join('/'))) : readFileSync(packagePath(...parts));
}

/** The names of the files in a folder of the package (not those in folders under it). */
export function packageFolder(...parts: string[]): string[] {
  if (!IN_BINARY) return readdirSync(packagePath(...parts));
  const prefix = `${parts.join('/')}/`;
  return binaryFiles()
    .filter((file) => file.startsWith(prefix) && !file.slice(prefix.length).includes('/'))
    .map((file) => file.slice(prefix.length));
}

/**
 * A folder of this user's, made if missing. Not recursive: Node's recursive mkdir never returns under /proc
 * (TMPDIR=/proc), and every parent here is one this code makes.
 */
function makeFolder(path: string): void {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * A folder of the package on disk, for what can only serve files from a folder. In the binary: its files written
 * out under $TMPDIR/yandex-market-chats-sandbox-<uid>, a folder only this user may enter (another user's, or a
 * link, is not used), each file compared with the binary's own at every start and written again when it differs.
 * Undefined when that cannot be done (an unusable TMPDIR): the caller does without.
 */
export function packageFolderOnDisk(folder: string): string | undefined {
  if (!IN_BINARY) return packagePath(folder);
  try {
    const uid = process.getuid?.() ?? 0;
    const mine = join(tmpdir(), `yandex-market-chats-sandbox-${uid}`);
    makeFolder(mine);
    const info = lstatSync(mine);
    if (!info.isDirectory() || info.uid !== uid || (info.mode & 0o077) !== 0) return undefined;
    const root = join(mine, createHash('sha256').update(manifest()).digest('hex').slice(0, 16));
    makeFolder(root);
    for (const file of binaryFiles().filter((name) => name.startsWith(`${folder}/`))) {
      const path = join(root, file);
      const bytes = Buffer.from(sea.getAsset(file));
      let written: Buffer | undefined;
      try {
        written = readFileSync(path);
      } catch {
        // Not written yet.
      }
      if (written?.equals(bytes)) continue;
      let at = root;
      for (const step of relative(root, dirname(path)).split(sep)) makeFolder((at = join(at, step)));
      // Written whole, then renamed: a process reading it meanwhile never sees half a file.
      const partial = `${path}.${process.pid}.partial`;
      writeFileSync(partial, bytes, { mode: 0o600 });
      renameSync(partial, path);
    }
    return join(root, folder);
  } catch {
    return undefined;
  }
}

/** The sandbox's version, from its package.json. */
export const packageVersion = (): string => (JSON.parse(readPackageFile('package.json').toString('utf8')) as { version: string }).version;

/** The sandbox's version and the Node.js that runs it, as --version prints them: `0.1.0 (Node.js v24.11.1)`. */
export const versionLine = (): string => `${packageVersion()} (Node.js ${process.version})`;
