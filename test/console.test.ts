/**
 * The web console in a real browser: Debian's headless Chromium, driven by playwright-core, against sandboxes
 * started here. One browser for the file; a page per test, screenshotted into .tap/screenshots when it fails.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { buildConsole } from '../scripts/build-console.js';
import { findChromium, launchChromium } from '../scripts/chromium.js';
import { startSandbox } from '../src/index.js';
import { eventually, receiverFor, sandboxFor, type Client } from './helpers.js';

const chromiumPath = findChromium();
const SHOTS = join(import.meta.dirname, '..', '.tap', 'screenshots');
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let browser: Browser;
if (!chromiumPath) {
  if (process.env.CI) t.fail("no Chromium found: CI must run the console's browser tests (.ci/run installs Debian's chromium)");
  else t.plan(0, "SKIPPED: the console's browser tests need a Chromium: apt-get install -y chromium, or set CHROME_PATH");
} else {
  await buildConsole();
  browser = await launchChromium(chromiumPath);
  t.teardown(() => browser.close());
}

/** A page of its own on the console of `client`'s sandbox; screenshotted when the test fails. */
async function consoleOf(t: Test, client: Client, hash = ''): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  t.teardown(async () => {
    if (!t.passing() || pageErrors.length) {
      mkdirSync(SHOTS, { recursive: true });
      const file = join(SHOTS, `${t.name.replace(/[^\w-]+/g, '-').slice(0, 80)}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.error(`console test failed: screenshot in ${file}${pageErrors.length ? `; page errors: ${pageErrors.join('; ')}` : ''}`);
    }
    await context.close();
  });
  await page.goto(`${client.sandbox.url}/${hash}`);
  await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
  return page;
}

const history = async (client: Client, chatId: number) =>
  (await client.post(`/v2/businesses/1001/chats/history?chatId=${chatId}&limit=100`, {})).body.result.messages as any[];

/** A chat of the default world the buyer can write in, and a partner can answer. */
async function openChat(client: Client): Promise<{ chatId: number }> {
  const { chats } = (await client.get('/__sandbox/businesses/1001/chats?status=WAITING_FOR_PARTNER&type=CHAT')).body.result;
  return chats[0].chat;
}

t.test('GET / leads a browser to the console and keeps the JSON 404 for API clients', async (t) => {
  const client = await sandboxFor(t);
  const page = await client.call('GET', '/', { headers: { accept: 'text/html' } });
  t.equal(page.status, 200, 'redirect followed');
  t.match(page.text, /<script type="module" src="console.js">/);
  const api = await client.get('/');
  t.equal(api.status, 404);
  t.equal(api.body.status, 'ERROR');
  const missing = await client.get('/__sandbox/console/secrets.txt');
  t.equal(missing.status, 404);
  t.match(missing.body.errors[0].message, /asset: the console has no file secrets\.txt/);
  for (const asset of ['index.html', 'console.js', 'console.css']) {
    const served = await client.get(`/__sandbox/console/${asset}`);
    t.equal(served.status, 200, asset);
    // Namespace names (www.w3.org) are not fetched; any other address would be.
    const elsewhere = served.text.match(/https?:\/\/[^"'\s)]+/g)?.filter((url) => !url.startsWith('http://www.w3.org/'));
    t.same(elsewhere ?? [], [], `${asset} loads nothing from elsewhere`);
  }
});

t.test('the chats of the default world; the buyer writes with a file; getChatHistory and the webhook agree', async (t) => {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, { webhook: receiver.url });
  const { chatId } = await openChat(client);
  const page = await consoleOf(t, client);
  t.ok((await page.locator('.chat-item').count()) > 5, "the default world's chats are listed");
  await page.locator('.chat-item', { hasText: `#${chatId}` }).click();
  await page.getByRole('region', { name: `Chat ${chatId}` }).waitFor();
  t.match(page.url(), new RegExp(`#chats/1001/${chatId}$`), 'the address names the chat');

  await page.getByRole('textbox', { name: /^Message/ }).fill('Здравствуйте! Где мой заказ? Фото коробки прилагаю.');
  await page.getByLabel('Attach files').setInputFiles({ name: 'коробка.png', mimeType: 'image/png', buffer: PNG });
  await page.getByRole('button', { name: 'Send' }).click();
  const written = page.locator('.message.sender-CUSTOMER', { hasText: 'Где мой заказ? Фото коробки прилагаю.' });
  await written.waitFor();
  await written.locator('img[alt="коробка.png"]').waitFor();
  t.ok(
    await written.locator('img').evaluate((img) => {
      const image = img as unknown as { complete: boolean; naturalWidth: number };
      return image.complete && image.naturalWidth === 1;
    }),
    'the thumbnail loads',
  );

  const last = (await history(client, chatId)).at(-1);
  t.equal(last.sender, 'CUSTOMER');
  t.equal(last.message, 'Здравствуйте! Где мой заказ? Фото коробки прилагаю.');
  t.equal(last.payload[0].name, 'коробка.png');
  const pushed = await eventually(
    () => receiver.received.find((r) => r.body.notificationType === 'CHAT_MESSAGE_SENT' && r.body.chatId === chatId) ?? false,
  );
  t.equal(pushed.body.messageId, String(last.messageId), 'CHAT_MESSAGE_SENT names the message');
  const journal = (await client.get('/__sandbox/requests')).body.result.requests;
  t.same(
    journal.map((e: any) => e.operationId),
    ['getChatHistory'],
    'looking through the console is not one of the partner calls: only the test read the history',
  );
});

t.test("a partner's message sent through the API shows without reloading", async (t) => {
  const client = await sandboxFor(t);
  const { chatId } = await openChat(client);
  const page = await consoleOf(t, client, `#chats/1001/${chatId}`);
  await page.locator('.message').first().waitFor();
  const sent = await client.post(`/v2/businesses/1001/chats/message?chatId=${chatId}`, {
    message: 'Заказ передан в доставку, трек 1234567890.',
  });
  t.equal(sent.status, 200);
  await page.locator('.message.sender-PARTNER', { hasText: 'трек 1234567890' }).waitFor();
  await page.locator('.chat-item', { hasText: 'Partner: Заказ передан в доставку' }).waitFor();
  t.pass('thread and list follow the event stream');
});

t.test('a 420 shows in the requests view, set apart, and opens as the whole call with its curl', async (t) => {
  const client = await sandboxFor(t, { rateLimits: true, scenario: { rateLimits: { getChats: { limit: 1, window: '1m' } } } });
  const page = await consoleOf(t, client, '#requests');
  t.equal((await client.post('/v2/businesses/1001/chats', {})).status, 200);
  t.equal((await client.post('/v2/businesses/1001/chats', {})).status, 420);
  const limited = page.locator('tr.status-420');
  await limited.waitFor();
  t.equal(await limited.locator('.badge').textContent(), '420');
  await limited.getByRole('button').click();
  const detail = page.locator('.request-detail');
  await detail.waitFor();
  t.match(await detail.locator('pre.json').nth(1).textContent(), /"code": "HIT_RATE_LIMIT"/);
  t.match(await detail.locator('pre.curl').textContent(), /curl -X POST '.*\/v2\/businesses\/1001\/chats'/);

  await page.goto(`${client.sandbox.url}/#limits`);
  const quota = page.getByRole('table', { name: 'Business 1001' }).locator('tr', { hasText: 'getChats' });
  await quota.waitFor();
  t.match(await quota.textContent(), /^getChats1 per minute0\d/, 'none left of one a minute');
});

t.test('an invalid scenario is refused with its field named and its line marked; a good one plays; reset', async (t) => {
  const client = await sandboxFor(t);
  const page = await consoleOf(t, client, '#scenario');
  const editor = page.getByLabel('Scenario (YAML)');
  await editor.fill('name: broken\nrateLimits:\n  getChats:\n    limit: many\n');
  await page.getByRole('button', { name: 'Play this scenario' }).click();
  const error = page.locator('#scenario-error');
  await error.waitFor();
  t.match(await error.textContent(), /rateLimits\.getChats\.limit: must be integer \(line 4\)/);
  t.equal(await page.locator('.gutter .bad').textContent(), '4', 'the line is marked');
  t.equal((await client.get('/__sandbox/scenario')).body.result.name, undefined, 'the running scenario stays');

  await page.getByLabel('Start from a ready-made scenario').selectOption('scenarios/empty-business.yaml');
  await page.getByRole('button', { name: 'Play this scenario' }).click();
  await page.getByRole('status').filter({ hasText: 'Playing it' }).waitFor();
  t.equal((await client.get('/__sandbox/scenario')).body.result.name, 'empty-business');

  await client.post('/v2/businesses/1001/chats/new', { context: { type: 'ORDER', id: 555 } });
  await page.goto(`${client.sandbox.url}/#chats/1001`);
  await page.locator('.chat-item').first().waitFor();
  await page.getByRole('button', { name: 'Reset' }).first().click();
  await page.locator('.chat-item').first().waitFor({ state: 'detached' });
  t.equal((await client.post('/v2/businesses/1001/chats', {})).body.result.chats.length, 0, 'back to the initial world');
});

t.test("the control API's refusals are shown next to what caused them", async (t) => {
  const client = await sandboxFor(t);
  const page = await consoleOf(t, client, '#chats/1001/999999999');
  await page.getByRole('alert').filter({ hasText: 'chatId: chat 999999999 not found in business 1001' }).waitFor();

  const { chats } = (await client.get('/__sandbox/businesses/1001/chats?contextType=DIRECT')).body.result;
  await page.goto(`${client.sandbox.url}/#chats/1001/${chats[0].chat.chatId}`);
  await page.getByRole('button', { name: 'Open a dispute' }).click();
  const refusal = page.locator('.actions').getByRole('alert');
  await refusal.waitFor();
  t.match(await refusal.textContent(), /DIRECT/);

  await page
    .getByLabel('Attach files')
    .setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(5 * 1024 * 1024 + 1) });
  await page.locator('.composer').getByRole('alert').filter({ hasText: 'big.bin is larger than 5 MB' }).waitFor();
  t.pass('a file over 5 MB is refused before it is sent');
});

t.test('the console reconnects after a restart of the sandbox and loads again', async (t) => {
  const first = await startSandbox({ rateLimits: false });
  const { port } = first;
  const client = { sandbox: first } as Client;
  const page = await consoleOf(t, client);
  await page.locator('.chat-item').first().waitFor();
  await first.close();
  await page.getByRole('status').filter({ hasText: 'reconnecting' }).waitFor();
  const second = await startSandbox({ rateLimits: false, port, scenario: { data: { businesses: [{ id: 1001, chats: [] }] } } });
  t.teardown(() => second.close());
  await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
  await page.locator('.chat-item').first().waitFor({ state: 'detached' });
  t.pass('the restarted, empty world is shown');
});

t.test("the report view shows the integration's mistakes and opens their requests", async (t) => {
  const client = await sandboxFor(t);
  await client.post('/v2/businesses/1001/chats?limit=50', {});
  const page = await consoleOf(t, client, '#report');
  const finding = page.getByRole('article', { name: 'CONTRACT_MISTAKE limit' });
  await finding.waitFor();
  t.match(await finding.textContent(), /limit=50; the most Market gives is 20/);
  await client.post('/businesses/1001/chats', {});
  await page.getByRole('article', { name: 'DEPRECATED_FORM unprefixed path' }).waitFor();
  await finding.getByRole('button').first().click();
  await page.locator('.request-detail pre.curl').waitFor();
  t.match(page.url(), /#requests\/1$/);
});
