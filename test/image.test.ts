/**
 * The container image, built as `npm run image` builds it and run under a real OCI runtime (runc), as a CI
 * service would run it: health, a call of each kind, a ready-made scenario by name from the environment, a
 * non-root user, the HEALTHCHECK, SIGTERM as PID 1, and data kept across a restart in the /data volume.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { buildBinary } from '../scripts/binary.js';
import { buildImage, IMAGE, IMAGE_USER } from '../scripts/image.js';
import { eventually, freePort, PINNED_NODE_24, tempDir } from './helpers.js';
import { spawn } from './children.js';

t.setTimeout(300_000);

const tools = ['runc', 'umoci', 'skopeo'].filter((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`]);
    return false;
  } catch {
    return true;
  }
});
const root = process.getuid?.() === 0;
if (tools.length || !root) {
  const why = `the image's tests need ${tools.length ? `${tools.join(', ')} (apt-get install -y umoci skopeo runc)` : ''}${!root ? ' and root, for runc' : ''}`;
  if (process.env.CI) t.fail(`${why}: CI must run them (.ci/run installs them)`);
  else t.plan(0, `SKIPPED: ${why}`);
}

const dir = tempDir(t);
const image = root && !tools.length ? await buildImage(await buildBinary(join(dir, 'binary')), join(dir, 'sandbox.tar')) : '';

/** Unpacks the archive as a runtime bundle; `env` is added to the image's, `data` is the /data volume. */
function bundleOf(t: Test, env: string[], data: string): string {
  const work = tempDir(t);
  execFileSync('skopeo', ['copy', '--quiet', `docker-archive:${image}`, `oci:${join(work, 'oci')}:sandbox`]);
  const bundle = join(work, 'bundle');
  execFileSync('umoci', ['unpack', '--image', `${join(work, 'oci')}:sandbox`, bundle]);
  const configFile = join(bundle, 'config.json');
  const config = JSON.parse(readFileSync(configFile, 'utf8'));
  config.process.terminal = false;
  config.process.env.push(...env);
  config.linux.namespaces = config.linux.namespaces.filter((n: { type: string }) => n.type !== 'network');
  config.mounts = config.mounts.map((m: { destination: string }) =>
    m.destination === '/data' ? { destination: '/data', type: 'bind', source: data, options: ['rbind', 'rw'] } : m,
  );
  writeFileSync(configFile, JSON.stringify(config));
  return bundle;
}

function container(t: Test, bundle: string) {
  const id = `ymcs-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const child = spawn('runc', ['run', '--bundle', bundle, id]);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.teardown(async () => {
    if (child.exitCode === null) execFileSync('runc', ['kill', id, 'KILL']);
    await exited;
    execFileSync('runc', ['delete', '--force', id], { stdio: 'ignore' });
  });
  return { id, exited, output: () => output };
}

t.test('the image: its config, and the sandbox in it under runc', async (t) => {
  const files = execFileSync('tar', ['-tf', image]).toString().split('\n');
  const manifest = JSON.parse(execFileSync('tar', ['-xOf', image, 'manifest.json']).toString());
  const { config } = JSON.parse(execFileSync('tar', ['-xOf', image, manifest[0].Config]).toString());
  t.ok(files.includes('manifest.json'), 'a docker archive, as docker load and podman load read');
  t.same(Object.keys(config.ExposedPorts), ['8080/tcp'], 'EXPOSE 8080');
  t.equal(config.User, `${IMAGE_USER}:${IMAGE_USER}`, 'not root');
  t.same(Object.keys(config.Volumes), ['/data'], 'the volume /data');
  t.same(
    config.Healthcheck.Test,
    ['CMD', '/usr/local/bin/yandex-market-chats-sandbox', 'healthcheck'],
    "a HEALTHCHECK with the program's own",
  );
  t.ok(config.Env.includes('HOST=0.0.0.0') && config.Env.includes('SANDBOX_DB=/data/world.json'));
  const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
  const revision = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: join(import.meta.dirname, '..') })
    .toString()
    .trim();
  t.match(
    config.Labels,
    {
      'org.opencontainers.image.version': version,
      'org.nodejs.version': PINNED_NODE_24,
      'org.opencontainers.image.revision': revision,
    },
    "OCI labels: the sandbox's version, Node.js's, the source revision",
  );

  const data = tempDir(t);
  chownSync(data, IMAGE_USER, IMAGE_USER);
  const port = await freePort();
  const first = container(t, bundleOf(t, [`PORT=${port}`, 'SANDBOX_SCENARIO=rate-limits'], data));
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/__sandbox/health`).catch(() => undefined))?.status === 200, 30_000);
  t.match(first.output(), /^Yandex Market chats sandbox .*\n {2}API {7}http:\/\/0\.0\.0\.0:\d+/, 'its banner is in the log');
  t.match(first.output(), /sendMessageToChat 3\/minute/, 'SANDBOX_SCENARIO=rate-limits from the environment');
  t.equal((await fetch(`${url}/__sandbox/health`)).status, 200);
  const headers = { 'Api-Key': 'k', 'content-type': 'application/json' };
  const created = (await (
    await fetch(`${url}/v2/businesses/1001/chats/new`, { method: 'POST', headers, body: '{"context":{"type":"ORDER","id":77000555}}' })
  ).json()) as any;
  const chatId = created.result.chatId;
  t.equal(
    (
      await fetch(`${url}/v2/businesses/1001/chats/message?chatId=${chatId}`, {
        method: 'POST',
        headers,
        body: '{"message":"Отправили сегодня"}',
      })
    ).status,
    200,
  );
  t.equal((await fetch(`${url}/v2/businesses/1001/chat?chatId=${chatId}`, { headers })).status, 200);
  const health = execFileSync('runc', ['exec', first.id, '/usr/local/bin/yandex-market-chats-sandbox', 'healthcheck']).toString();
  t.match(health, /: 200/, 'the HEALTHCHECK command answers inside the container');
  const id = execFileSync('runc', ['exec', first.id, '/usr/local/bin/yandex-market-chats-sandbox', '--version']).toString();
  t.equal(id, `${version} (Node.js v${PINNED_NODE_24})\n`, 'the pinned Node.js 24 inside');
  execFileSync('runc', ['kill', first.id, 'TERM']);
  t.equal(await first.exited, 0, 'SIGTERM to PID 1: a clean exit');

  const second = container(t, bundleOf(t, [`PORT=${port}`], data));
  await eventually(async () => (await fetch(`${url}/__sandbox/health`).catch(() => undefined))?.status === 200, 30_000);
  const history = (await (
    await fetch(`${url}/v2/businesses/1001/chats/history?chatId=${chatId}`, { method: 'POST', headers, body: '{}' })
  ).json()) as any;
  t.equal(history.result.messages.at(-1).message, 'Отправили сегодня', 'the volume kept the world across a restart');
  execFileSync('runc', ['kill', second.id, 'TERM']);
  t.equal(await second.exited, 0);
});

t.test('npm run image without its tools says so in one line, naming them and how to install them, and leaves nothing', async (t) => {
  const script = join(import.meta.dirname, '..', 'scripts', 'image.ts');
  const child = spawn(process.execPath, [...process.execArgv, script], { env: { ...process.env, PATH: '/nonexistent' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  t.equal(code, 1);
  t.equal(stderr, "npm run image needs umoci and skopeo and tar, from Debian's packages: sudo apt-get install -y umoci skopeo tar\n");
  t.notOk(existsSync(`${IMAGE}.build`), 'no build folder left');
});
