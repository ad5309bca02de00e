/**
 * The chat lifecycle: every change of a chat, by whichever side, emits exactly one event carrying what a
 * listener needs; listeners come and go. Driven over a real socket through the partner and control APIs.
 */
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import type { ChatEvent } from '../src/domain/chat-events.js';
import { buildApp } from '../src/index.js';

const B = 1001;

async function listening(t: Test) {
  const built = await buildApp({ rateLimits: false });
  t.teardown(() => built.app.close());
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}`;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(url + path, {
      method: 'POST',
      headers: { 'Api-Key': 'ACMA:test', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { code: response.status, result: ((await response.json()) as { result?: any }).result };
  };
  const events: ChatEvent[] = [];
  const stop = built.runtime.onChatEvent((event) => events.push(event));
  /** The events the call made, in order, as kind/actor/status before→after. */
  const madeBy = async (call: () => Promise<{ code: number }>, code = 200) => {
    events.length = 0;
    t.equal((await call()).code, code);
    return events.map((e) => `${e.kind} ${e.actor} ${e.statusBefore ?? '-'}→${e.statusAfter}`);
  };
  return { ...built, post, events, stop, madeBy };
}

t.test('each kind of change emits one event with the business, chat, actor and statuses before and after', async (t) => {
  const { post, events, madeBy } = await listening(t);
  const control = (chatId: number, path: string, body: unknown) => post(`/__sandbox/businesses/${B}/chats/${chatId}${path}`, body);

  let chatId = 0;
  t.same(
    await madeBy(async () => {
      const answer = await post(`/v2/businesses/${B}/chats/new`, { context: { type: 'ORDER', id: 555_000_111 } });
      chatId = answer.result.chatId;
      return answer;
    }),
    ['chat-created PARTNER -→NEW'],
    "the partner's createChat",
  );
  t.match(events[0], { businessId: B, chat: { id: chatId, context: { orderId: 555_000_111 } } });
  t.same(
    await madeBy(() => post(`/v2/businesses/${B}/chats/new`, { context: { type: 'ORDER', id: 555_000_111 } })),
    [],
    'the chat that exists already: nothing changes',
  );
  t.same(
    await madeBy(() => post(`/v2/businesses/${B}/chats/message?chatId=${chatId}`, { message: 'Здравствуйте! Заказ собран.' })),
    ['message-sent PARTNER NEW→WAITING_FOR_CUSTOMER'],
    'a partner message',
  );
  t.match(events[0], { kind: 'message-sent', message: { sender: 'PARTNER', text: 'Здравствуйте! Заказ собран.' } });
  t.same(
    await madeBy(() => control(chatId, '/messages', { message: 'Спасибо! А когда привезут?' })),
    ['message-sent CUSTOMER WAITING_FOR_CUSTOMER→WAITING_FOR_PARTNER'],
    'a buyer message',
  );
  t.same(
    await madeBy(() => control(chatId, '/messages', { sender: 'SUPPORT', message: 'Поддержка Маркета на связи.' })),
    ['message-sent SUPPORT WAITING_FOR_PARTNER→WAITING_FOR_PARTNER'],
    'support writes; the status stays',
  );
  t.same(
    await madeBy(() => control(chatId, '/status', { arbitrage: 'started' })),
    ['arbitrage-started ARBITER WAITING_FOR_PARTNER→WAITING_FOR_ARBITER', 'message-sent MARKET WAITING_FOR_ARBITER→WAITING_FOR_ARBITER'],
    'a dispute opens, and Market announces it',
  );
  t.match(events[0], { chat: { type: 'ARBITRAGE' } });
  t.same(
    await madeBy(() => control(chatId, '/status', { arbitrage: 'finished' })),
    ['arbitrage-finished ARBITER WAITING_FOR_ARBITER→WAITING_FOR_PARTNER', 'message-sent MARKET WAITING_FOR_PARTNER→WAITING_FOR_PARTNER'],
    'the dispute closes back to the status it had',
  );
  t.same(
    await madeBy(() => control(chatId, '/status', { status: 'FINISHED' })),
    ['status-changed MARKET WAITING_FOR_PARTNER→FINISHED'],
    'a status set outright: the chat finishes',
  );
  t.same(await madeBy(() => control(chatId, '/status', { status: 'FINISHED' })), [], 'the status it has already: nothing changes');
  t.same(
    await madeBy(() => post(`/v2/businesses/${B}/chats/message?chatId=${chatId}`, { message: 'Ещё вопрос' }), 400),
    [],
    'a refused change emits nothing',
  );
  t.same(
    await madeBy(() => control(chatId, '/messages', { message: 'Товар сломался!' })),
    ['message-sent CUSTOMER FINISHED→WAITING_FOR_PARTNER'],
    'a buyer message reopens the finished chat',
  );
  t.same(
    await madeBy(() => post(`/__sandbox/businesses/${B}/chats`, { context: { type: 'DIRECT' }, message: 'Есть в наличии?' })),
    ['chat-created CUSTOMER -→NEW', 'message-sent CUSTOMER NEW→WAITING_FOR_PARTNER'],
    'a buyer starts a chat with a first message',
  );
});

t.test('a listener that unsubscribes hears nothing more; a failing listener never fails the call', async (t) => {
  const { post, events, stop, runtime, app } = await listening(t);
  const warnings: string[] = [];
  app.log.warn = (message: string) => void warnings.push(message);
  const stopFailing = runtime.onChatEvent(() => {
    throw new Error('listener broke');
  });
  const started = await post(`/__sandbox/businesses/${B}/chats`, { context: { type: 'DIRECT' } });
  t.equal(started.code, 200, 'the call succeeds all the same');
  t.same(warnings, ['a listener of chat-created failed: listener broke']);
  t.equal(events.length, 1, 'the other listener heard it');
  stopFailing();
  stop();
  await post(`/__sandbox/businesses/${B}/chats/${started.result.chatId}/messages`, { message: 'Алло?' });
  t.equal(events.length, 1, 'nothing more after unsubscribing');
  t.equal(warnings.length, 1);
});
