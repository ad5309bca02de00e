/**
 * `npm run screenshots`: the README's pictures of the console, made from the real console. It starts a
 * sandbox with a webhook receiver and tight limits, plays a little of a partner's integration against it,
 * and photographs each view in Debian's Chromium into docs/screenshots/.
 */
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { startSandbox } from '../src/index.js';
import { packagePath } from '../src/package-root.js';
import { findChromium, launchChromium } from './chromium.js';
import { startReferenceBot } from './reference-bot.js';

const OUT = packagePath('docs', 'screenshots');

const chromiumPath = findChromium();
if (!chromiumPath) {
  console.error('screenshots: no Chromium found: apt-get install -y chromium, or set CHROME_PATH');
  process.exit(1);
}

// The partner's notification handler: answers well, except that it forgets `time` the second time.
let answered = 0;
const receiver = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const body = { version: '1.4.2', name: 'shop-bot', ...(++answered === 2 ? {} : { time: new Date().toISOString() }) };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/market/notifications`;

const sandbox = await startSandbox({
  rateLimits: true,
  webhook,
  scenario: { name: 'screenshots', rateLimits: { getChats: { limit: 3, window: '1m' } } },
});
const partner = (path: string, body: object = {}) =>
  fetch(`${sandbox.url}/v2/businesses/${sandbox.businessId}${path}`, {
    method: 'POST',
    headers: { 'Api-Key': sandbox.token, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

// A little of an integration's life: it lists chats (past its quota), reads one, answers; a buyer writes back.
const listed = (await (await partner('/chats?limit=20', { statuses: ['WAITING_FOR_PARTNER'] })).json()) as {
  result: { chats: { chatId: number }[] };
};
const chatId = listed.result.chats[0].chatId;
await partner('/chats?limit=50');
await partner(`/chats/history?chatId=${chatId}&limit=100`);
await partner('/chats');
await partner('/chats');
await partner(`/chats/message?chatId=${chatId}`, { message: 'Здравствуйте! Заказ передан в доставку, трек-номер 80081234567890.' });
await sandbox.buyer.say(chatId, 'Спасибо! А курьер позвонит заранее?');
await partner(`/chats/message?chatId=${chatId}`, { message: 'Да, курьер позвонит за час до приезда.' });
await sandbox.notificationsSettled();

const browser = await launchChromium(chromiumPath);
const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
await mkdir(OUT, { recursive: true });

async function shot(name: string, hash: string, prepare: (page: Page) => Promise<void> = async () => undefined) {
  await page.goto(`${sandbox.url}/${hash}`);
  await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
  await prepare(page);
  await page.screenshot({ path: `${OUT}/${name}.png` });
  console.log(`docs/screenshots/${name}.png`);
}

const dispute = (await sandbox.app.inject({ url: `/__sandbox/businesses/${sandbox.businessId}/chats?status=WAITING_FOR_ARBITER` })).json<{
  result: { chats: { chat: { chatId: number } }[] };
}>().result.chats[0].chat.chatId;

await shot('chats', `#chats/${sandbox.businessId}/${chatId}`, (p) => p.locator('.message', { hasText: 'за час до приезда' }).waitFor());
await shot('dispute', `#chats/${sandbox.businessId}/${dispute}`, (p) => p.locator('.message img').first().waitFor());
await shot('requests', '#requests', async (p) => {
  await p.locator('tr.status-420 button').first().click();
  await p.locator('pre.curl').waitFor();
});
await shot('notifications', '#notifications', async (p) => {
  // A row opens on its type: the second notification, whose answer Market would refuse.
  await p
    .locator('tbody tr')
    .filter({ has: p.locator('td', { hasText: /^2$/ }) })
    .getByRole('button')
    .click();
  await p.locator('.problems').waitFor();
});
await shot('scenario', '#scenario', async (p) => {
  await p.getByLabel('Scenario (YAML)').fill('name: my-scenario\nrateLimits:\n  getChats:\n    limit: many\n    window: 1m\n');
  await p.getByRole('button', { name: 'Play this scenario' }).click();
  await p.locator('#scenario-error').waitFor();
});
await partner('/chats?limit=50');
await fetch(`${sandbox.url}/businesses/${sandbox.businessId}/chats/new`, {
  method: 'POST',
  headers: { 'Api-Key': sandbox.token, 'content-type': 'application/json' },
  body: JSON.stringify({ orderId: 77000111 }),
});
await shot('limits', '#limits', (p) => p.getByRole('table').first().waitFor());
await shot('report', '#report', (p) => p.locator('.finding').first().waitFor());

await sandbox.close();

// A short sale day: buyers for eight seconds against the reference bot, which keeps up.
const saleDay = {
  name: 'sale day',
  traffic: {
    duration: '8s',
    start: { on: 'webhook' },
    chats: { perMinute: 300, ramp: '3s' },
    messages: { perChat: { min: 1, max: 3 }, replyAfter: { min: '200ms', max: '1s' } },
    files: 0.1,
    interval: '1s',
    expect: { answered: '99%', answeredWithin: '10s', p95: '1s' },
  },
} as const;
const busy = await startSandbox();
const bot = await startReferenceBot({ api: busy.url });
await busy.loadScenario({ ...saleDay, webhook: { url: bot.url } });
await busy.trafficSettled();
await page.goto(`${busy.url}/#traffic`);
await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
await page.setViewportSize({ width: 1400, height: 1100 });
await page.getByRole('region', { name: 'Traffic' }).locator('h3 .badge', { hasText: 'finished' }).waitFor();
await page.screenshot({ path: `${OUT}/traffic.png` });
console.log('docs/screenshots/traffic.png');
await bot.close();
await busy.close();

// Proxy mode, in front of an upstream whose answers carry fields the document does not have (as a later Market's may).
const market = await startSandbox({
  scenario: { name: 'a later Market', forwardCompatibility: { extraFields: true, unknownValues: 0.3 } },
});
const proxy = await startSandbox({ upstream: { url: market.url } });
const throughProxy = (path: string, body: object = {}) =>
  fetch(`${proxy.url}/v2/businesses/${proxy.businessId}${path}`, {
    method: 'POST',
    headers: { 'Api-Key': proxy.token, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const shown = (await (await throughProxy('/chats?limit=5', { statuses: ['WAITING_FOR_PARTNER'] })).json()) as {
  result: { chats: { chatId: number }[] };
};
const proxied = shown.result.chats[0].chatId;
await throughProxy(`/chats/history?chatId=${proxied}&limit=20`);
await throughProxy(`/chats/message?chatId=${proxied}`, { message: 'Здравствуйте! Проверим и ответим сегодня.' });
await page.setViewportSize({ width: 1400, height: 860 });
await page.goto(`${proxy.url}/#requests`);
await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
await page.locator('tr.row', { hasText: 'getChats' }).getByRole('button').click();
await page.locator('ul.drift').waitFor();
await page.screenshot({ path: `${OUT}/proxy.png` });
console.log('docs/screenshots/proxy.png');
await proxy.close();
await market.close();

await browser.close();
receiver.close();
