/**
 * The ready-made sale day, with Market's quotas on and a frozen clock moved through its hour: the reference bot
 * keeps within them and passes; a bot that reads every push with getChatMessage runs that quota out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
// @ts-expect-error the reference bot is plain JavaScript, as a user would copy it
import { startBot } from '../examples/partner-bot/bot.mjs';
import { parseScenario, type Scenario } from '../src/index.js';
import { GOOD_ANSWER, receiverFor, sandboxFor, type Client } from './helpers.js';

t.setTimeout(170_000);

const SALE_DAY = parseScenario(readFileSync(join(import.meta.dirname, '..', 'scenarios', 'sale-day.yaml'), 'utf8'), 'sale-day.yaml');

/** Moves the frozen clock through the run; the bot answers in real time between the steps. */
async function playThrough(client: Client): Promise<void> {
  while (client.sandbox.traffic().state !== 'finished') {
    await client.sandbox.clock.advance('5s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function saleDay(t: Test, scenario: Scenario, webhook: (client: Client) => Promise<string>): Promise<Client> {
  // Market's quotas: the sandbox's own (no rateLimits: false), as the scenario says.
  const client = await sandboxFor(t, { rateLimits: true, clock: { start: Date.parse('2026-11-11T09:00:00+03:00'), frozen: true } });
  await client.call('PUT', '/__sandbox/scenario', { body: { ...scenario, webhook: { url: await webhook(client) } } });
  await playThrough(client);
  return client;
}

t.test('the reference bot passes a sale day within Market’s quotas', async (t) => {
  const client = await saleDay(t, SALE_DAY, async (sandboxClient) => {
    const bot = await startBot({ api: sandboxClient.sandbox.url, port: 0 });
    t.teardown(() => bot.close());
    return bot.url;
  });
  const traffic = client.sandbox.traffic();
  t.ok(traffic.chats > 300, `${traffic.chats} buyers over the hour`);
  t.same(traffic.verdict, { state: 'passed', reasons: [] });
  t.same(
    Object.entries(traffic.partnerCalls).filter(([, counts]) => counts['420'] > 0),
    [],
    'no call refused for a quota',
  );
  const report = client.sandbox.report();
  t.same(
    report.findings.map((f) => `${f.code}: ${f.message}`),
    [],
    'the integration report has no finding, TRAFFIC_QUOTA_RUNS_OUT included',
  );
  t.equal(report.checks.find((c) => c.code === 'TRAFFIC_QUOTA_RUNS_OUT')!.state, 'passed');
});

t.test('a bot that reads every push with getChatMessage runs that quota out', async (t) => {
  const quarter: Scenario = { ...SALE_DAY, traffic: { ...SALE_DAY.traffic!, duration: '20m' } };
  const client = await saleDay(t, quarter, async (sandboxClient) => {
    const receiver = await receiverFor(t);
    // Market's advice read literally: every CHAT_MESSAGE_SENT read with getChatMessage, the buyer's answered.
    receiver.answer = (push: { notificationType: string; businessId: number; chatId: number; messageId: string }) => {
      if (push.notificationType === 'CHAT_MESSAGE_SENT') {
        const base = `/v2/businesses/${push.businessId}`;
        void sandboxClient
          .get(`${base}/chats/message?chatId=${push.chatId}&messageId=${push.messageId}`)
          .then(async (read) => {
            if (read.body.result?.sender !== 'CUSTOMER') return;
            await sandboxClient.post(`${base}/chats/message?chatId=${push.chatId}`, { message: 'Ответили вам.' });
          })
          .catch(() => undefined);
      }
      return GOOD_ANSWER();
    };
    return receiver.url;
  });
  const finding = client.sandbox.report().findings.find((f) => f.code === 'TRAFFIC_QUOTA_RUNS_OUT');
  t.match(finding, { kind: 'runs out', message: /getChatMessage's quota of business 1001 \(1000 a window\) would have run out at / });
});
