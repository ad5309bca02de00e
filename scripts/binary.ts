/**
 * `npm run binary`: the standalone Linux binary, dist/binary/yandex-market-chats-sandbox-linux-x64, for CI jobs with
 * no Node (Node's single executable applications): the command line bundled into one CommonJS script, the files it
 * reads at run time (console, default world, ready-made scenarios, scenario schema, Swagger UI) as assets, injected
 * with postject into a copy of the pinned Node 24 (scripts/pinned-node.mjs), whatever Node runs this script. The
 * binary starts from a V8 startup snapshot of the program (src/binary-entry.ts).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { inject } from 'postject';
import { PACKAGE_ROOT, SEA_MANIFEST } from '../src/package-root.js';

const root = PACKAGE_ROOT;
export const BINARY = join(root, 'dist', 'binary', `yandex-market-chats-sandbox-${process.platform}-${process.arch}`);

/** Every file under `dir`, as paths relative to `base`. */
function filesUnder(dir: string, base: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, base) : [relative(base, path)];
  });
}

/** The pinned Node.js 24 the binary is made of, fetched from the registry when not yet cached. */
export function pinnedNode24(): string {
  return execFileSync(process.execPath, [join(root, 'scripts', 'pinned-node.mjs'), '24'], { stdio: ['ignore', 'pipe', 'inherit'] })
    .toString()
    .trim();
}

/** Builds the binary into `binary` (by default dist/binary/…); resolves with its path. */
export async function buildBinary(binary = BINARY): Promise<string> {
  const node = pinnedNode24();
  const work = `${binary}.build`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const main = join(work, 'cli.cjs');
  await build({
    entryPoints: [join(root, 'src', 'binary-entry.ts')],
    outfile: main,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    // The binary finds its files as assets, never from import.meta.url (package-root.ts).
    define: { 'import.meta.url': 'undefined' },
    logLevel: 'error',
    minifyWhitespace: true,
    minifySyntax: true,
  });
  const swaggerUi = join(createRequire(import.meta.url).resolve('@fastify/swagger-ui'), '..', 'static');
  const assets: Record<string, string> = {};
  for (const file of [
    'package.json',
    'scenario.schema.json',
    ...filesUnder(join(root, 'fixtures'), root),
    ...filesUnder(join(root, 'scenarios'), root),
  ]) {
    assets[file] = join(root, file);
  }
  for (const file of filesUnder(join(root, 'dist', 'console'), root)) assets[file] = join(root, file);
  for (const file of filesUnder(swaggerUi, swaggerUi)) assets[`swagger-ui/${file}`] = join(swaggerUi, file);
  const manifest = join(work, SEA_MANIFEST);
  writeFileSync(manifest, JSON.stringify({ files: Object.keys(assets) }));
  const blob = join(work, 'sea.blob');
  const config = join(work, 'sea-config.json');
  writeFileSync(
    config,
    JSON.stringify({
      main,
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: true,
      assets: { ...assets, [SEA_MANIFEST]: manifest },
    }),
  );
  // Node prints a warning per built-in module it has not verified in snapshots; the binary's tests run what it built.
  execFileSync(node, ['--experimental-sea-config', config], { stdio: ['ignore', 'inherit', 'pipe'] });
  // A copy of the binary that is running cannot be written over (ETXTBSY); a new file can take its name.
  rmSync(binary, { force: true });
  copyFileSync(node, binary);
  chmodSync(binary, 0o755);
  await inject(binary, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2' });
  rmSync(work, { recursive: true, force: true });
  return binary;
}

if (process.argv[1] === import.meta.filename) {
  process.stdout.write(`${await buildBinary()}\n`);
}
