/**
 * What a user installs: `npm pack`, an install of the tarball in an empty project, and
 * `npx yandex-market-chats-sandbox` serving the API with the files the package ships.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { bannerOf, tempDir } from './helpers.js';
import { spawn } from './children.js';

t.setTimeout(600_000);

const ROOT = join(import.meta.dirname, '..');

/** The environment without what `npm test` put in it, so that the npm run here behaves as a user's would. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

t.test('the packed package installs and runs with npx', async (t) => {
  const dir = tempDir(t);
  execFileSync('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: ROOT, env: cleanEnv, stdio: 'pipe' });
  const [tarball] = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  t.ok(tarball, 'npm pack made a tarball');
  const listing = execFileSync('tar', ['-tzf', join(dir, tarball)], { encoding: 'utf8' });
  for (const shipped of [
    'package/dist/bundle/cli.cjs',
    'package/dist/bundle/command-line.cjs',
    'package/dist/bundle/index.js',
    'package/dist/src/index.d.ts',
    'package/dist/console/index.html',
    'package/dist/console/console.js',
    'package/dist/console/console.css',
    'package/fixtures/default-world.json',
    'package/scenario.schema.json',
    'package/scenarios/rate-limits.yaml',
    'package/README.md',
    'package/LICENSE',
    'package/examples/partner-bot/bot.mjs',
  ]) {
    t.match(listing, shipped, `ships ${shipped}`);
  }
  t.notMatch(listing, /package\/(src|test)\//, 'ships no sources or tests');
  t.notMatch(listing, /package\/dist\/src\/\S*\.js\n/, 'ships the bundle, not the modules it was made of');

  const project = join(dir, 'project');
  execFileSync('mkdir', [project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', join(dir, tarball)], {
    cwd: project,
    env: cleanEnv,
    stdio: 'pipe',
  });

  // The programmatic API, from the bundle, with a scenario file of the package (YAML parsed, schema checked).
  writeFileSync(
    join(project, 'check.mjs'),
    `import { startSandbox } from 'yandex-market-chats-sandbox';
     const sandbox = await startSandbox({ scenario: 'node_modules/yandex-market-chats-sandbox/scenarios/disputes.yaml' });
     const chat = await sandbox.buyer.startChat({ context: { type: 'ORDER', id: 5 }, message: 'Где заказ?' });
     const answer = await fetch(sandbox.url + '/v2/businesses/1001/chat?chatId=' + chat.chatId, { headers: { 'Api-Key': 'k' } });
     const consolePage = await fetch(sandbox.url + '/', { headers: { accept: 'text/html' } });
     const script = await fetch(sandbox.url + '/__sandbox/console/console.js');
     const ready = await (await fetch(sandbox.url + '/__sandbox/scenarios')).json();
     console.log(JSON.stringify({
       status: answer.status,
       chat: (await answer.json()).result.status,
       console: [consolePage.status, script.status],
       readyScenarios: ready.result.scenarios.length > 0,
     }));
     await sandbox.close();`,
  );
  const checked = JSON.parse(execFileSync(process.execPath, ['check.mjs'], { cwd: project, encoding: 'utf8' }));
  t.same(
    checked,
    { status: 200, chat: 'WAITING_FOR_PARTNER', console: [200, 200], readyScenarios: true },
    'startSandbox, scenarios, sandbox.buyer and the console work from the installed package',
  );

  // npx runs the program as its own child: both live in a process group of their own, signalled together.
  const child = spawn('npx', ['yandex-market-chats-sandbox', '--port', '0', '--log-level', 'warn'], {
    cwd: project,
    env: cleanEnv,
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group has already gone.
    }
  };
  t.teardown(async () => {
    signalGroup('SIGKILL');
    await exited;
  });
  const banner = bannerOf(child);
  const url = await banner.url;
  const headers = { 'Api-Key': 'ACMA:sandbox-key', 'content-type': 'application/json' };
  const chats = (await (await fetch(`${url}/v2/businesses/1001/chats?limit=20`, { method: 'POST', headers, body: '{}' })).json()) as any;
  t.equal(chats.status, 'OK');
  t.ok(chats.result.chats.length > 0, 'the default world is served');
  const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as any;
  t.ok(openapi.paths['/v2/businesses/{businessId}/chats/new'], 'the OpenAPI document is served');
  t.equal((await fetch(`${url}/docs`)).status, 200, 'Swagger UI is served');
  signalGroup('SIGTERM');
  await exited;
  t.match(banner.output(), /SIGTERM: writing the world out and stopping/, 'the program stops cleanly on SIGTERM');
});
