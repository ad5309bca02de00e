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

/** What functions run in the page use of the browser: this file is type-checked for Node, without the DOM (a type only: they run there, not here). */
interface InPage {
  DataTransfer: new () => { items: { add(file: File): void } };
  document: { activeElement: unknown };
}

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
async function consoleOf(t: Test, client: Client, hash = '', viewport = { width: 1400, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
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

/** The chat as the partner's getChat answers it. */
const chatOf = async (client: Client, chatId: number) => (await client.get(`/v2/businesses/1001/chat?chatId=${chatId}`)).body.result;

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

t.test('proxy mode is said plainly; calls show forwarded or held back, with the departures of the answer', async (t) => {
  const upstream = await sandboxFor(t);
  const client = await sandboxFor(t, { upstream: { url: upstream.sandbox.url } });
  const page = await consoleOf(t, client, '#requests');
  const note = page.getByRole('note');
  t.match(
    await note.textContent(),
    /^Proxy mode: the partner's calls go to http:\/\/127\.0\.0\.1:\d+ and are answered as it answers\. Writes are held back/,
  );
  const [chat] = (await client.post('/v2/businesses/1001/chats?limit=1', {})).body.result.chats;
  await client.post(`/v2/businesses/1001/chats/message?chatId=${chat.chatId}`, { message: 'Добрый день!' });
  await page.locator('tr.row', { hasText: 'sendMessageToChat' }).getByText('held back').waitFor();
  t.ok(await page.locator('tr.row', { hasText: 'getChats' }).getByText('forwarded').isVisible(), 'the read: forwarded');

  const bent = await sandboxFor(t, { scenario: { forwardCompatibility: { extraFields: true } } });
  const drifting = await sandboxFor(t, { upstream: { url: bent.sandbox.url, writes: true } });
  const driftPage = await consoleOf(t, drifting, '#requests');
  t.match(await driftPage.getByRole('note').textContent(), /Writes are forwarded: messages and files reach real buyers\./);
  await drifting.post('/v2/businesses/1001/chats?limit=1', {});
  const row = driftPage.locator('tr.row', { hasText: 'getChats' });
  await row.locator('.badge.drift').waitFor();
  await row.getByRole('button').click();
  t.match(await driftPage.locator('ul.drift').textContent(), /\$\.result\.chats\[0\]\.\w+: unknown field/);
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

/** The chat ids the list shows, in its order. */
const listed = (page: Page) =>
  page.locator('.chat-item').evaluateAll((items) => items.map((item) => Number(/#(\d+)/.exec(item.textContent ?? '')?.[1])));

t.test("the list's filters show what getChats does; a buyer starts an ORDER chat; Market and support write; a dispute", async (t) => {
  const client = await sandboxFor(t);
  const page = await consoleOf(t, client, '#chats/1001');
  await page.locator('.chat-item').first().waitFor();
  const list = page.getByRole('region', { name: 'Chats' });
  for (const [label, value, parameter] of [
    ['Status', 'FINISHED', 'status'],
    ['Type', 'ARBITRAGE', 'type'],
    ['Context', 'RETURN', 'contextType'],
  ]) {
    await list.getByLabel(label).selectOption(value);
    const { chats } = (await client.get(`/__sandbox/businesses/1001/chats?${parameter}=${value}&limit=50`)).body.result;
    const expected = chats.map((c: any) => c.chat.chatId);
    t.ok(expected.length > 0, `the default world has ${value} chats`);
    t.same(await eventually(async () => String(await listed(page)) === String(expected) && expected), expected, `${label} ${value}`);
    await list.getByLabel(label).selectOption('');
  }

  await list.getByRole('button', { name: 'New chat' }).click();
  const form = page.getByRole('form', { name: 'Start a chat' });
  await form.getByLabel('About').selectOption('ORDER');
  await form.getByLabel('Order id').fill('78000123');
  await form.getByLabel("Buyer's name").fill('Ольга Смирнова');
  await form.getByLabel('First message').fill('Добрый день! Подскажите, когда привезут заказ?');
  await form.getByRole('button', { name: 'Start the chat' }).click();
  await page.waitForURL(/#chats\/1001\/\d+$/);
  const chatId = Number(/(\d+)$/.exec(page.url())![1]);
  const thread = page.getByRole('region', { name: `Chat ${chatId}` });
  await thread.getByRole('heading', { name: /Ольга Смирнова/ }).waitFor();
  const chat = await chatOf(client, chatId);
  t.match(chat, { chatId, type: 'CHAT', context: { type: 'ORDER', orderId: 78000123, customer: { name: 'Ольга Смирнова' } } });
  await page.locator('.chat-item', { hasText: 'Buyer: Добрый день! Подскажите' }).waitFor();

  const composer = thread.locator('.composer');
  await composer.getByLabel('Write as').selectOption('MARKET');
  await composer.getByRole('textbox', { name: /^Message/ }).fill('Заказ 78000123 передан в службу доставки.');
  await composer.getByRole('button', { name: 'Send' }).click();
  await thread.locator('.message.center.sender-MARKET', { hasText: 'передан в службу доставки' }).waitFor();
  await composer.getByLabel('Write as').selectOption('SUPPORT');
  await composer.getByRole('textbox', { name: /^Message/ }).fill('Служба поддержки: проверили, посылка в пути.');
  await composer.getByRole('button', { name: 'Send' }).click();
  await thread.locator('.message.center.sender-SUPPORT', { hasText: 'посылка в пути' }).waitFor();
  t.same(
    (await history(client, chatId)).map((m) => m.sender),
    ['CUSTOMER', 'MARKET', 'SUPPORT'],
  );

  await thread.getByRole('button', { name: 'Open a dispute' }).click();
  await thread.locator('.dispute-banner').waitFor();
  await thread.getByRole('article', { name: /^Market \(arbiter\)/ }).waitFor();
  t.equal((await chatOf(client, chatId)).type, 'ARBITRAGE');
  await thread.getByRole('button', { name: 'Close the dispute' }).click();
  await thread.locator('.dispute-banner').waitFor({ state: 'detached' });
  await thread.getByRole('button', { name: 'Finish the chat' }).click();
  await thread.locator('.thread-head .badge', { hasText: 'FINISHED' }).waitFor();
  t.ok(await thread.getByRole('button', { name: 'Finish the chat' }).isDisabled(), 'a finished chat cannot be finished again');
  await thread.locator('.actions').getByLabel('Status').selectOption('WAITING_FOR_PARTNER');
  await thread.getByRole('button', { name: 'Set status' }).click();
  await thread.locator('.thread-head .badge', { hasText: 'WAITING_FOR_PARTNER' }).waitFor();
  t.equal((await chatOf(client, chatId)).status, 'WAITING_FOR_PARTNER');
});

t.test('files dropped on the composer are sent with the message; one can be taken off first', async (t) => {
  const client = await sandboxFor(t);
  const { chatId } = await openChat(client);
  const page = await consoleOf(t, client, `#chats/1001/${chatId}`);
  const composer = page.locator('.composer');
  await composer.waitFor();
  const dropped = await page.evaluateHandle(
    (png) => {
      const transfer = new (globalThis as unknown as InPage).DataTransfer();
      transfer.items.add(new File(['Акт о повреждении упаковки'], 'акт.txt', { type: 'text/plain' }));
      transfer.items.add(new File([new Uint8Array(png)], 'упаковка.png', { type: 'image/png' }));
      return transfer;
    },
    [...PNG],
  );
  await composer.dispatchEvent('dragover', { dataTransfer: dropped });
  t.match(await composer.getAttribute('class'), /dragging/, 'the composer shows where files go');
  await composer.dispatchEvent('drop', { dataTransfer: dropped });
  const chosen = composer.getByRole('list', { name: 'Files to send' });
  t.same(await chosen.getByRole('listitem').allTextContents(), ['акт.txt (1 KB) ×', 'упаковка.png (1 KB) ×']);
  await chosen.getByRole('button', { name: 'Remove акт.txt' }).click();
  await composer.getByRole('textbox', { name: /^Message/ }).fill('Упаковка пришла мятой, фото ниже.');
  await composer.getByRole('button', { name: 'Send' }).click();
  await page.locator('.message.sender-CUSTOMER', { hasText: 'Упаковка пришла мятой' }).locator('img[alt="упаковка.png"]').waitFor();
  t.same(
    (await history(client, chatId)).at(-1).payload.map((file: any) => file.name),
    ['упаковка.png'],
    'only the file left in the list was sent',
  );
});

t.test('notifications: the webhook, a PING whose answer Market would refuse, a failed push waiting for its retry', async (t) => {
  const receiver = await receiverFor(t);
  receiver.answer = () => ({ status: 200, body: { ok: true } });
  const client = await sandboxFor(t, { scenario: { webhook: { url: receiver.url, backoff: '10m' } } });
  const page = await consoleOf(t, client, '#notifications');
  const view = page.getByRole('region', { name: 'Notifications' });
  await view.getByText(receiver.url).waitFor();
  await view.getByRole('button', { name: 'Send a PING' }).click();
  await view
    .getByRole('status')
    .filter({ hasText: /^PING: \w+ \(200, \d+ ms\)/ })
    .waitFor();
  const ping = view.locator('tbody tr', { hasText: 'PING' });
  await ping.getByRole('button').click();
  await view.locator('.problems li', { hasText: 'Market would not accept this answer' }).first().waitFor();

  receiver.answer = () => ({ status: 500, body: 'Internal Server Error' });
  const { chatId } = await openChat(client);
  t.equal((await client.post(`/__sandbox/businesses/1001/chats/${chatId}/messages`, { message: 'Вы здесь?' })).status, 200);
  const pushed = view.locator('tbody tr', { hasText: 'CHAT_MESSAGE_SENT' });
  await pushed.locator('.badge', { hasText: 'pending' }).waitFor();
  t.equal(await pushed.locator('.badge.status-5xx').textContent(), '500', 'the attempt and its status');
  t.match(await pushed.locator('td').nth(6).textContent(), /^\d\d:\d\d:\d\d$/, 'the next retry is shown');
  t.equal(await pushed.locator('td').nth(3).textContent(), String(chatId));
  await pushed.getByRole('button').click();
  await view.locator('.request-detail li', { hasText: /HTTP 500 in \d+ ms/ }).waitFor();
});

t.test('the requests view filters as the journal does, live', async (t) => {
  const client = await sandboxFor(t);
  const { chatId } = await openChat(client);
  const page = await consoleOf(t, client, '#requests');
  const view = page.getByRole('region', { name: 'Requests' });
  const filtered = page.waitForResponse((r) => r.url().endsWith('/__sandbox/requests?operation=getChatHistory&status=404'));
  // Both filters change before the console renders again, as fast hands or a slow machine make them: both count.
  await view.evaluate((region) => {
    const operation = region.querySelector('select')!;
    const status = region.querySelectorAll('input')[2];
    operation.value = 'getChatHistory';
    status.value = '404';
    for (const control of [operation, status]) control.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await filtered;
  await client.post('/v2/businesses/1001/chats', {});
  await client.post(`/v2/businesses/1001/chats/history?chatId=${chatId}`, {});
  await client.post('/v2/businesses/1001/chats/history?chatId=999999999', {});
  // The stream keeps the calls' order: when the last shows, the two before it have been seen and left out.
  await view.locator('tr.status-4xx', { hasText: 'chatId=999999999' }).waitFor();
  t.equal(await view.locator('tbody tr').count(), 1, 'only the 404 of getChatHistory');
  await view.getByLabel('Operation').selectOption('');
  await view.getByLabel('Status').fill('');
  await view.getByLabel('Status').press('Enter');
  await eventually(async () => (await view.locator('tbody tr').count()) === 3);
  t.pass('without filters, every call');
});

t.test('every control has a name, and a chat is opened and answered with the keyboard alone', async (t) => {
  const client = await sandboxFor(t);
  const { chatId } = await openChat(client);
  await client.post('/v2/businesses/1001/chats', {});
  const page = await consoleOf(t, client, `#chats/1001/${chatId}`);
  const unnamed = () =>
    page.locator('input, select, textarea, button').evaluateAll((controls) =>
      controls
        .filter((control) => {
          const labels = (control as unknown as { labels?: ArrayLike<{ textContent: string | null }> }).labels;
          const name =
            control.getAttribute('aria-label') ?? labels?.[0]?.textContent ?? (control.tagName === 'BUTTON' ? control.textContent : '');
          return !name?.trim();
        })
        .map((control) => control.outerHTML.slice(0, 120)),
    );
  for (const [hash, region] of [
    [`#chats/1001/${chatId}`, `Chat ${chatId}`],
    ['#chats/1001', 'Chat'],
    ['#requests/1', 'Requests'],
    ['#notifications', 'Notifications'],
    ['#report', 'Report'],
    ['#conversations', 'Conversations'],
    ['#scenario', 'Scenario'],
    ['#limits', 'Limits'],
  ]) {
    await page.goto(`${client.sandbox.url}/${hash}`);
    await page.getByRole('region', { name: region, exact: true }).waitFor();
    t.same(await unnamed(), [], `${hash}: every control has a name`);
  }

  await page.goto(`${client.sandbox.url}/#chats/1001`);
  await page.locator('.chat-item', { hasText: `#${chatId}` }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('region', { name: `Chat ${chatId}` }).waitFor();
  const message = page.getByRole('textbox', { name: /^Message/ });
  let presses = 0;
  while (!(await message.evaluate((area) => area === (globalThis as unknown as InPage).document.activeElement)) && presses++ < 60)
    await page.keyboard.press('Tab');
  t.ok(presses <= 60, `the message box is reached with Tab (${presses} presses)`);
  await page.keyboard.type('Добрый вечер! Можно поменять адрес доставки?');
  await page.keyboard.press('Control+Enter');
  await page.locator('.message.sender-CUSTOMER', { hasText: 'Можно поменять адрес доставки?' }).waitFor();
  t.equal((await history(client, chatId)).at(-1).message, 'Добрый вечер! Можно поменять адрес доставки?');
});

t.test("the header shows the sandbox's time and moves it: presets, any duration, a refusal", async (t) => {
  const client = await sandboxFor(t, { clock: { start: Date.parse('2026-11-11T09:00:00+03:00'), frozen: true } });
  const page = await consoleOf(t, client, '#limits');
  const clock = page.getByRole('group', { name: "The sandbox's clock" });
  await clock.locator('time', { hasText: '11.11.2026 09:00:00 МСК (frozen)' }).waitFor();
  await clock.getByRole('button', { name: 'Advance the clock 1 hour' }).click();
  await clock.locator('time', { hasText: '11.11.2026 10:00:00 МСК' }).waitFor();
  t.equal(client.sandbox.clock.now().toISOString(), '2026-11-11T07:00:00.000Z', 'the sandbox moved');
  await clock.getByRole('textbox', { name: 'Advance the clock by a duration' }).fill('90m');
  await clock.getByRole('button', { name: 'Advance', exact: true }).click();
  await clock.locator('time', { hasText: '11.11.2026 11:30:00 МСК' }).waitFor();
  await client.sandbox.clock.advance('1d');
  await clock.locator('time', { hasText: '12.11.2026 11:30:00 МСК' }).waitFor();
  t.pass('a move made elsewhere shows through the event stream');
  await clock.getByRole('textbox', { name: 'Advance the clock by a duration' }).fill('soon');
  await clock.getByRole('button', { name: 'Advance', exact: true }).click();
  await clock
    .getByRole('alert')
    .filter({ hasText: /^advance: must be a duration/ })
    .waitFor();
  t.equal(client.sandbox.clock.now().toISOString(), '2026-11-12T08:30:00.000Z', 'a refused move moves nothing');
});

t.test("notifications say what Market would make of them; a chat's status choice starts at its status", async (t) => {
  const receiver = await receiverFor(t);
  receiver.answer = () => ({ status: 200, body: { ok: true } });
  const client = await sandboxFor(t, { webhook: receiver.url });
  const { chatId } = await openChat(client);
  await client.post(`/__sandbox/businesses/1001/chats/${chatId}/messages`, { message: 'Добрый день!' });
  await client.sandbox.notificationsSettled();
  const [pushed] = client.sandbox.notifications({ type: 'CHAT_MESSAGE_SENT' });
  const page = await consoleOf(t, client, '#notifications');
  const row = page.getByRole('region', { name: 'Notifications' }).locator('tbody tr', { hasText: 'CHAT_MESSAGE_SENT' });
  t.equal(await row.locator('.badge').first().textContent(), 'refused', 'a 200 whose answer Market would refuse is no delivery');
  t.equal(await row.locator('td').nth(7).textContent(), (pushed.body as { messageId: string }).messageId, 'the message id');
  t.match(await row.locator('td').nth(8).textContent(), /^\d+$/, 'the duration');
  await row.getByRole('button', { name: 'CHAT_MESSAGE_SENT' }).click();
  await page.locator('.problems li', { hasText: 'Market would not accept this answer' }).first().waitFor();

  await page.goto(`${client.sandbox.url}/#chats/1001/${chatId}`);
  const status = page
    .getByRole('region', { name: `Chat ${chatId}` })
    .locator('.actions')
    .getByLabel('Status');
  t.equal(await status.inputValue(), 'WAITING_FOR_PARTNER', "the status choice starts at the chat's status");
});

t.test('conversations: verdicts live, with their steps, reasons and answers, each chat one click away', async (t) => {
  const client = await sandboxFor(t, {
    clock: { start: Date.parse('2026-11-11T09:00:00+03:00'), frozen: true },
    scenario: {
      conversations: [
        {
          name: 'ждёт ответа',
          steps: [{ say: 'Здравствуйте! Где мой заказ?' }, { expect: { within: '2h' }, otherwise: [{ say: 'Напишу в поддержку.' }] }],
        },
      ],
    },
  });
  const page = await consoleOf(t, client, '#conversations');
  const verdict = page.getByRole('region', { name: 'Conversations' }).getByRole('article', { name: 'Conversation ждёт ответа' });
  await verdict.locator('.badge', { hasText: 'running' }).first().waitFor();
  await verdict.getByRole('list', { name: 'Steps' }).locator('li', { hasText: 'Здравствуйте! Где мой заказ?' }).waitFor();
  await client.sandbox.clock.advance('2h');
  await verdict.locator('h3 .badge', { hasText: 'failed' }).waitFor();
  await verdict.locator('.error', { hasText: 'nothing came from the partner within 2h' }).waitFor();
  await verdict.locator('li', { hasText: 'Напишу в поддержку.' }).waitFor();
  const { chatId, businessId } = client.sandbox.conversations()[0];
  await verdict.getByRole('button', { name: `chat ${chatId} of business ${businessId}` }).click();
  await page
    .getByRole('region', { name: `Chat ${chatId}` })
    .locator('.message', { hasText: 'Напишу в поддержку.' })
    .waitFor();
  t.match(page.url(), new RegExp(`#chats/${businessId}/${chatId}$`), 'its chat, opened');
});

t.test('with a control token, the console is opened once with ?token= and keeps it for its calls and its stream', async (t) => {
  const client = await sandboxFor(t, { controlToken: 'console-secret-1' });
  const page = await consoleOf(t, client, '__sandbox/console/?token=console-secret-1#chats/1001');
  await page.getByRole('region', { name: 'Chat' }).locator('.chat-item').first().waitFor();
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.getByRole('group', { name: "The sandbox's clock" }).locator('time', { hasText: 'МСК' }).waitFor();
  await page.goto(`${client.sandbox.url}/__sandbox/console/#limits`);
  await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
  t.pass('reloaded without ?token=, the console still has it (the tab keeps it)');
  t.equal((await client.get('/__sandbox/requests')).status, 401, 'while a client without it is refused');
});

t.test("traffic: the verdict, the figures and charts that move live; a click on a point lists that interval's chats", async (t) => {
  const client = await sandboxFor(t, {
    scenario: {
      clock: { frozen: true },
      traffic: { duration: '1h', chats: { perMinute: 30 }, interval: '1m', messages: { patience: '30m' } },
    },
  });
  const page = await consoleOf(t, client, '#traffic');
  const view = page.getByRole('region', { name: 'Traffic' });
  await view.locator('h3 .badge', { hasText: 'running' }).waitFor();
  const charts = view.getByRole('img');
  t.equal(await charts.count(), 3, 'three charts');
  await client.sandbox.clock.advance('3m');
  await view.getByRole('img', { name: /^Buyer messages and answers per interval, and the backlog: 3 intervals/ }).waitFor();
  await client.sandbox.clock.advance('2m');
  await view
    .getByRole('img', { name: /: 5 intervals/ })
    .first()
    .waitFor();
  t.ok(Number(await view.getByRole('definition').nth(1).textContent()) > 0, 'buyer messages counted');
  t.equal(await view.locator('canvas').count(), 3, 'drawn by uPlot');

  // A click in the middle of the first chart picks a point; its chats open from the list.
  const over = view.locator('.u-over').first();
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const interval = view.getByRole('article', { name: 'Chats of the interval' });
  const first = interval.getByRole('button').first();
  await first.waitFor();
  const [, chatId, businessId] = /chat (\d+) of business (\d+)/.exec((await first.textContent())!)!;
  await first.click();
  await page.getByRole('region', { name: `Chat ${chatId}` }).waitFor();
  t.match(page.url(), new RegExp(`#chats/${businessId}/${chatId}$`), 'its chat, opened');

  await page.goto(`${client.sandbox.url}/#traffic`);
  await view.getByRole('button', { name: 'Stop' }).click();
  await view.locator('h3 .badge', { hasText: 'stopped' }).waitFor();
  await view
    .getByRole('list', { name: 'Reasons' })
    .locator('li', { hasText: /^answered: 0\.0% of \d+ buyer messages/ })
    .waitFor();
  t.pass('stopped from the console: the verdict and its reasons');
});

/** How wide the page is laid out: wider than the window, it scrolls sideways. */
const pageWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

t.test('the header fits one line at 1 400 px; at 390 px nothing runs off the side; every time is Moscow time', async (t) => {
  const client = await sandboxFor(t, { clock: { start: Date.parse('2026-11-11T09:00:00+03:00'), frozen: true } });
  await client.post('/v2/businesses/1001/chats', {});
  const wide = await consoleOf(t, client, '#requests');
  // One line: every part of the header shares one band (their vertical middles within a few pixels).
  const middles = await wide
    .locator('header.top > *')
    .evaluateAll((items) => items.map((item) => item.getBoundingClientRect()).map((box) => Math.round(box.top + box.height / 2)));
  t.ok(Math.max(...middles) - Math.min(...middles) <= 4, `one line at 1 400 px (middles: ${middles.join(', ')})`);
  const height = await wide.locator('header.top').evaluate((header) => header.getBoundingClientRect().height);
  t.ok(height < 60, `and one line high (${Math.round(height)} px)`);
  const wideWidth = await pageWidth(wide);
  t.ok(wideWidth <= 1400, `no sideways scrolling at 1 400 px (${wideWidth} px wide)`);
  await wide.getByText('1 call, newest first').waitFor();
  await wide.getByText('11.11.2026 09:00:00', { exact: false }).first().waitFor();
  t.pass("a call of 09:00 in Moscow shows as 09:00, as the header's clock (МСК)");

  const narrow = await consoleOf(t, client, '#requests', { width: 390, height: 800 });
  const overflow = await pageWidth(narrow);
  t.ok(overflow <= 390, `no sideways scrolling at 390 px (${overflow} px wide)`);
  await narrow.getByRole('link', { name: 'Report' }).click();
  await narrow.getByRole('list', { name: 'Checks' }).waitFor();
  t.pass('the views are reached at 390 px');
});
