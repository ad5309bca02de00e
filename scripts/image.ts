/**
 * `npm run image`: a container image of the standalone binary, dist/image/yandex-market-chats-sandbox.tar, in the
 * format `docker load` and `podman load` read, made with tools Debian packages (umoci builds the OCI image, skopeo
 * writes it as a docker archive, GNU tar adds the HEALTHCHECK that OCI's config has no field for); nothing is pulled
 * from a registry. The image holds the binary and the C libraries it links, runs as a non-root user, listens on
 * 0.0.0.0:8080, keeps --db data in the volume /data and checks its health with the program's own healthcheck.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PACKAGE_ROOT, packageVersion } from '../src/package-root.js';
import { BINARY, buildBinary } from './binary.js';

export const IMAGE = join(PACKAGE_ROOT, 'dist', 'image', 'yandex-market-chats-sandbox.tar');
const IMAGE_NAME = `yandex-market-chats-sandbox:${packageVersion()}`;
/** The user the sandbox runs as in the image: not root. */
export const IMAGE_USER = 10001;
const ENTRYPOINT = '/usr/local/bin/yandex-market-chats-sandbox';
const SECOND_NS = 1_000_000_000;

const run = (command: string, args: string[], cwd?: string) => execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });

/** The shared libraries a program links, as ldd lists them (their real files, and where the program looks for them). */
function librariesOf(program: string): string[] {
  return run('ldd', [program])
    .toString()
    .split('\n')
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
}

/** Adds Docker's HEALTHCHECK to the archive's image config, which is named after its own digest. */
function addHealthcheck(archive: string, work: string): void {
  const dir = join(work, 'archive');
  mkdirSync(dir);
  run('tar', ['-xf', archive, '-C', dir]);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { Config: string }[];
  const config = JSON.parse(readFileSync(join(dir, manifest[0].Config), 'utf8')) as { config: Record<string, unknown> };
  config.config.Healthcheck = {
    Test: ['CMD', ENTRYPOINT, 'healthcheck'],
    Interval: 5 * SECOND_NS,
    Timeout: 3 * SECOND_NS,
    StartPeriod: 2 * SECOND_NS,
    Retries: 3,
  };
  const text = JSON.stringify(config);
  rmSync(join(dir, manifest[0].Config));
  manifest[0].Config = `${createHash('sha256').update(text).digest('hex')}.json`;
  writeFileSync(join(dir, manifest[0].Config), text);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  rmSync(archive);
  // Entries named as docker save names them (manifest.json, not ./manifest.json).
  run('tar', ['-cf', archive, '-C', dir, ...readdirSync(dir)]);
}

/** Builds the image from `binary` (built first when not given) into `out`; resolves with its path. */
export async function buildImage(binary?: string, out = IMAGE): Promise<string> {
  const missing = ['umoci', 'skopeo', 'tar'].filter((tool) => !onPath(tool));
  if (missing.length) throw new MissingTools(missing);
  const program = binary ?? (await buildBinary(BINARY));
  const work = `${out}.build`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const layout = `${join(work, 'oci')}:sandbox`;
  run('umoci', ['init', '--layout', join(work, 'oci')]);
  run('umoci', ['new', '--image', layout]);
  const bundle = join(work, 'bundle');
  run('umoci', ['unpack', '--image', layout, bundle]);
  const rootfs = join(bundle, 'rootfs');
  for (const folder of ['usr/local/bin', 'etc', 'tmp', 'data']) mkdirSync(join(rootfs, folder), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  chownSync(join(rootfs, 'data'), IMAGE_USER, IMAGE_USER);
  copyFileSync(program, join(rootfs, ENTRYPOINT));
  chmodSync(join(rootfs, ENTRYPOINT), 0o755);
  for (const library of librariesOf(program)) {
    mkdirSync(join(rootfs, library, '..'), { recursive: true });
    copyFileSync(library, join(rootfs, library));
  }
  writeFileSync(
    join(rootfs, 'etc', 'passwd'),
    `root:x:0:0:root:/root:/sbin/nologin\nsandbox:x:${IMAGE_USER}:${IMAGE_USER}::/data:/sbin/nologin\n`,
  );
  writeFileSync(join(rootfs, 'etc', 'group'), `root:x:0:\nsandbox:x:${IMAGE_USER}:\n`);
  run('umoci', ['repack', '--image', layout, bundle]);
  run('umoci', [
    'config',
    '--image',
    layout,
    '--config.entrypoint',
    ENTRYPOINT,
    '--config.env',
    'HOST=0.0.0.0',
    '--config.env',
    'PORT=8080',
    '--config.env',
    'SANDBOX_DB=/data/world.json',
    '--config.exposedports',
    '8080/tcp',
    '--config.user',
    `${IMAGE_USER}:${IMAGE_USER}`,
    '--config.volume',
    '/data',
    '--config.workingdir',
    '/data',
    ...labelsOf(program).flatMap((label) => ['--config.label', label]),
  ]);
  mkdirSync(join(out, '..'), { recursive: true });
  rmSync(out, { force: true });
  run('skopeo', ['copy', '--quiet', `oci:${layout}`, `docker-archive:${out}:${IMAGE_NAME}`]);
  addHealthcheck(out, work);
  rmSync(work, { recursive: true, force: true });
  return out;
}

/**
 * The image's OCI labels: the sandbox's version, the Node.js inside (as the binary itself says it) and the source
 * revision it was built from (when built from a git checkout), so that a scanner or a user can tell what runs.
 */
function labelsOf(program: string): string[] {
  const node = /\(Node\.js v([\d.]+)\)/.exec(run(program, ['--version']).toString())?.[1];
  if (!node) throw new Error(`${program} --version does not name its Node.js`);
  let revision: string | undefined;
  try {
    revision = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    // Not a git checkout (an unpacked tarball): no revision to name.
  }
  return [
    'org.opencontainers.image.title=yandex-market-chats-sandbox',
    `org.opencontainers.image.version=${packageVersion()}`,
    'org.opencontainers.image.licenses=MIT',
    `org.nodejs.version=${node}`,
    ...(revision ? [`org.opencontainers.image.revision=${revision}`] : []),
  ];
}

/** What the image is built with and is not on this machine: said in one line, with how to install it. */
export class MissingTools extends Error {
  constructor(readonly tools: string[]) {
    super(`npm run image needs ${tools.join(' and ')}, from Debian's packages: sudo apt-get install -y ${tools.join(' ')}`);
  }
}

const onPath = (tool: string) => (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, tool)));

if (process.argv[1] === import.meta.filename) {
  try {
    process.stdout.write(`${await buildImage()}\n`);
  } catch (error) {
    if (!(error instanceof MissingTools)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}
