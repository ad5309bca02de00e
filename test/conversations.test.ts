/**
 * Scripted buyers over real sockets: a partner's bot (a webhook receiver that reads and answers) against
 * conversations that say, expect, branch and escalate; verdicts as JSON and JUnit; starts, resets, bad scripts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import t, { type Test } from 'tap';
import type { Scenario } from '../src/index.js';
import { parseScenario } from '../src/index.js';
import { eventually, receiverFor, sandboxFor, type Client } from './helpers.js';

const B = 1001;
const READY = join(import.meta.dirname, '..', 'scenarios');
/**
 * A ready-made scenario, as shipped; or with its times shortened (`within` → `shorter`) where a test waits for
 * an expectation to fail: a passing one ends as soon as the partner answers.
 */
const ready = (file: string, within?: string, shorter?: string): Scenario =>
  parseScenario(readFileSync(join(READY, file), 'utf8').replaceAll(`within: ${within}`, `within: ${shorter}`), file);

/** The partner's bot: on each CHAT_MESSAGE_SENT it reads the message and, for a buyer's, answers with `reply(text)`. */
async function bot(t: Test, scenario: Scenario, reply: (text: string) => string | undefined) {
  const receiver = await receiverFor(t);
  // Answering before the sandbox is up: conversations start (and notifications go out) as it starts.
  let started: (client: Client) => void;
  const sandbox = new Promise<Client>((resolve) => (started = resolve));
  receiver.answer = (body) => {
    if (body.notificationType === 'CHAT_MESSAGE_SENT') {
      void (async () => {
        const client = await sandbox;
        const read = await client.get(`/v2/businesses/${body.businessId}/chats/message?chatId=${body.chatId}&messageId=${body.messageId}`);
        // A notification can still be answered while the test's sandbox is closing (or has closed, below).
        if (read.status !== 200) return;
        const message = read.body.result;
        const answer = message.sender === 'CUSTOMER' ? reply(message.message ?? '') : undefined;
        if (answer) await client.post(`/v2/businesses/${body.businessId}/chats/message?chatId=${body.chatId}`, { message: answer });
      })().catch(() => undefined); // the sandbox closed under a call: the test is over
    }
    return { status: 200, body: { version: '1', name: 'bot', time: new Date().toISOString() } };
  };
  const client = await sandboxFor(t, { webhook: receiver.url, scenario });
  started!(client);
  return client;
}

const verdicts = async (client: Client) => (await client.get('/__sandbox/conversations')).body.result.conversations;

t.test('bot-dialogue.yaml: a bot that names a track number at once passes; the buyer thanks it', async (t) => {
  const client = await bot(t, ready('bot-dialogue.yaml'), () => 'Ваш заказ в пути, трек-номер 80081234567890.');
  await client.sandbox.conversationsSettled();
  const [verdict] = await verdicts(client);
  t.match(verdict, { name: 'where is my order', state: 'passed', businessId: B, reason: null });
  t.same(
    verdict.steps.map((s: any) => [s.step, s.kind, s.outcome]),
    [
      ['steps[0]', 'say', 'done'],
      ['steps[1]', 'expect', 'passed'],
      ['steps[1].when[0].steps[0]', 'say', 'done'],
    ],
  );
  t.equal(verdict.partnerMessages.length, 1);
  t.ok(verdict.partnerMessages[0].answeredInMs >= 0);
  const history = (await client.post(`/v2/businesses/${B}/chats/history?chatId=${verdict.chatId}&limit=100`, {})).body.result.messages;
  t.same(
    history.map((m: any) => m.sender),
    ['CUSTOMER', 'PARTNER', 'CUSTOMER'],
    'the conversation is in the chat as any buyer messages are',
  );
});

t.test('bot-dialogue.yaml: no number at first, the buyer asks again; the second answer decides', async (t) => {
  let answers = 0;
  const client = await bot(t, ready('bot-dialogue.yaml'), () => (++answers === 1 ? 'Заказ передан в доставку.' : 'Трек: 1234567890123'));
  await client.sandbox.conversationsSettled();
  const [verdict] = await verdicts(client);
  t.equal(verdict.state, 'passed');
  t.same(
    verdict.steps.map((s: any) => s.step),
    ['steps[0]', 'steps[1]', 'steps[1].when[1].steps[0]', 'steps[1].when[1].steps[1]', 'steps[1].when[1].steps[2]'],
  );

  const never = await bot(t, ready('bot-dialogue.yaml'), () => 'Уточняем информацию.');
  await never.sandbox.conversationsSettled();
  const [failed] = await verdicts(never);
  t.equal(failed.state, 'failed');
  t.equal(failed.reason, 'steps[1].when[1].steps[1].expect: the partner wrote "Уточняем информацию.", not a message matching /\\d{10,}/');
});

t.test('escalation.yaml: no reply in time, the buyer complains and opens a dispute; the conversation fails', async (t) => {
  const client = await bot(t, ready('escalation.yaml', '10s', '200ms'), () => undefined);
  await client.sandbox.conversationsSettled();
  const [verdict] = await verdicts(client);
  t.match(verdict, { state: 'failed', reason: 'steps[1].expect: nothing came from the partner within 200ms' });
  t.same(
    verdict.steps.map((s: any) => [s.step, s.kind, s.outcome]),
    [
      ['steps[0]', 'say', 'done'],
      ['steps[1]', 'expect', 'failed'],
      ['steps[1].otherwise[0]', 'say', 'done'],
      ['steps[1].otherwise[1]', 'dispute', 'done'],
    ],
  );
  const chat = (await client.get(`/v2/businesses/${B}/chat?chatId=${verdict.chatId}`)).body.result;
  t.match(chat, { type: 'ARBITRAGE', status: 'WAITING_FOR_ARBITER' });
  const history = (await client.post(`/v2/businesses/${B}/chats/history?chatId=${verdict.chatId}&limit=100`, {})).body.result.messages;
  t.equal(history[0].payload[0].name, 'трещина.jpg', 'the photo came with the first message');

  const junit = await client.get('/__sandbox/conversations?format=junit');
  t.equal(XMLValidator.validate(junit.text), true);
  t.match(junit.text, /<testsuite name="conversations" tests="1" failures="1" errors="0" skipped="0">/);
  t.match(junit.text, /<testcase classname="conversations" name="damaged item"><failure message="steps\[1\]\.expect: nothing came/);

  const answered = await bot(t, ready('escalation.yaml'), () => 'Здравствуйте! Приносим извинения, оформим замену.');
  await answered.sandbox.conversationsSettled();
  t.equal((await verdicts(answered))[0].state, 'passed', 'a partner who answers in time');
});

t.test('starts: after a delay, or at the partner’s first call of an operation; an existing chat; states set by steps', async (t) => {
  const played = Date.now();
  const client = await sandboxFor(t, {
    scenario: {
      conversations: [
        { name: 'later', start: { after: '100ms' }, steps: [{ say: 'Добрый день' }] },
        { name: 'on getChats', chatId: 38415423, start: { on: 'getChats' }, steps: [{ say: 'Я тут', setState: 'asked' }] },
      ],
    },
  });
  t.equal((await verdicts(client))[1].state, 'waiting', 'nothing called getChats yet');
  await client.get(`/v2/businesses/2002/chat?chatId=1`);
  await client.post(`/v2/businesses/2002/chats?limit=1`, {});
  t.equal((await verdicts(client))[1].state, 'waiting', 'another operation, or another business, does not start it');
  await client.post(`/v2/businesses/${B}/chats?limit=1`, {});
  await client.sandbox.conversationsSettled();
  const [later, onCall] = await verdicts(client);
  t.equal(later.state, 'passed');
  t.ok(Date.parse(later.startedAt) - played >= 100, 'started no sooner than asked');
  t.match(onCall, { state: 'passed', chatId: 38415423 });
  t.equal(client.sandbox.states().businesses[B], 'asked', 'a step set the business state');
});

t.test('reset plays the conversations again from the start; a business reset only its own', async (t) => {
  const scenario: Scenario = {
    conversations: [
      { name: 'a', steps: [{ say: 'Раз' }, { expect: { within: '10s' } }] },
      { name: 'b', businessId: 2002, steps: [{ say: 'Два' }, { expect: { within: '10s' } }] },
    ],
  };
  const client = await sandboxFor(t, { scenario });
  const [a, b] = await verdicts(client);
  t.same([a.state, b.state], ['running', 'running']);
  await client.post('/__sandbox/businesses/2002/reset');
  const [a2, b2] = await verdicts(client);
  t.equal(a2.chatId, a.chatId, 'the other business’s conversation goes on');
  const history = (await client.post(`/v2/businesses/2002/chats/history?chatId=${b2.chatId}&limit=100`, {})).body.result.messages;
  t.same(
    history.map((m: any) => m.message),
    ['Два'],
    'the business went back to its first world, and its conversation started again in it',
  );
  t.equal(b2.state, 'running');
  await client.post('/__sandbox/reset');
  t.same(
    (await verdicts(client)).map((v: any) => v.state),
    ['running', 'running'],
  );
  await client.post(`/v2/businesses/${B}/chats/message?chatId=${(await verdicts(client))[0].chatId}`, { message: 'Отвечаем' });
  t.equal((await verdicts(client))[0].state, 'passed');
});

t.test('a bad script is refused when the scenario loads, naming the field', async (t) => {
  const client = await sandboxFor(t);
  const steps = (...list: object[]) => ({ conversations: [{ name: 'x', steps: list }] });
  for (const [scenario, message] of [
    [steps({ say: 'a' }, { shout: 'b' }), 'conversations[0].steps[1].shout: is not a known key'],
    [steps({ expect: { within: '1s', matches: '(' } }), 'conversations[0].steps[0].expect.matches: invalid regular expression'],
    [steps({ expect: { matches: 'x' } }), "conversations[0].steps[0].expect: must have required property 'within'"],
    [
      steps({ expect: { within: '1s' }, when: [{ steps: [{ say: 'a' }] }, { matches: 'x', steps: [{ say: 'b' }] }] }),
      'conversations[0].steps[0].when[0]: a case without a match must be the last (the fallback)',
    ],
    [steps({ say: 'a', setState: ' ' }), 'conversations[0].steps[0].setState: must not be blank'],
  ] as const) {
    const refused = await client.call('PUT', '/__sandbox/scenario', { body: scenario });
    t.equal(refused.status, 400);
    t.equal(refused.body.errors[0].message, `scenario: ${message}`);
  }
});

t.test('start: { on: webhook } waits while the webhook is down, PINGing it, and plays once it answers', async (t) => {
  const receiver = await receiverFor(t);
  let up = false;
  receiver.answer = () =>
    up ? { status: 200, body: { version: '1', name: 'bot', time: new Date().toISOString() } } : { status: 503, body: 'starting' };
  const scenario: Scenario = {
    conversations: [{ name: 'ждёт бота', start: { on: 'webhook' }, steps: [{ say: 'Здравствуйте!' }, { expect: { within: '30s' } }] }],
  };
  const client = await sandboxFor(t, { webhook: receiver.url, scenario });
  await receiver.waitFor(2, 5000);
  t.equal(client.sandbox.conversations()[0].state, 'waiting', 'the webhook answers 503: the buyer waits');
  t.ok(
    receiver.received.every((r) => r.body.notificationType === 'PING'),
    'the sandbox PINGs it, once a second, and the log shows each PING',
  );
  t.ok(client.sandbox.notifications({ type: 'PING' }).length >= 2);
  up = true;
  await eventually(() => client.sandbox.conversations()[0].state === 'running');
  await eventually(() => receiver.received.some((r) => r.body.notificationType === 'CHAT_MESSAGE_SENT'));
  t.pass('once it answers, the buyer writes: its message is pushed');
  const loaded = await client.call('PUT', '/__sandbox/scenario', { body: scenario });
  t.equal(loaded.status, 200, 'with a webhook given (--webhook), such a scenario loads');
  const alone = await sandboxFor(t);
  const noWebhook = await alone.call('PUT', '/__sandbox/scenario', { body: scenario });
  t.equal(noWebhook.status, 400);
  t.match(noWebhook.body.errors[0].message, /^conversations\[0\]\.start\.on: waits for the webhook, but none is set/);
});

t.test("start: { on: partner } plays at the partner's first sign of life: a call, or an answer of its webhook", async (t) => {
  const scenario = parseScenario(readFileSync(join(READY, 'bot-dialogue.yaml'), 'utf8'), 'bot-dialogue.yaml');
  // A polling bot, no webhook: the ready-made scenario loads, and its buyer waits for the bot's first call.
  const polling = await sandboxFor(t, { scenario });
  t.equal(polling.sandbox.conversations()[0].state, 'waiting', 'no webhook needed to load it');
  await polling.post('/v2/businesses/1001/chats', {});
  await eventually(() => polling.sandbox.conversations()[0].state === 'running');
  t.pass("the bot's first call starts the buyer");

  // A listening bot: its webhook's first answer starts the buyer, before it ever calls.
  const receiver = await receiverFor(t);
  const listening = await sandboxFor(t, { webhook: receiver.url, scenario });
  await eventually(() => listening.sandbox.conversations()[0].state === 'running');
  t.ok(
    listening.sandbox.requests().every((entry) => entry.operationId === null || entry.operationId === 'downloadFile'),
    'no call was needed',
  );
  await eventually(() => receiver.received.some((r) => r.body.notificationType === 'CHAT_MESSAGE_SENT'));
});
