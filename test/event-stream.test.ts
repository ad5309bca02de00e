/**
 * The event stream (GET /__sandbox/events) over real sockets, sandbox.events() in code, the feed's replay and
 * its bounds, and GET /__sandbox/limits.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { Feed } from '../src/feed/feed.js';
import type { NotificationEntry } from '../src/notifications/notifier.js';
import { control, eventually, receiverFor, sandboxFor } from './helpers.js';

const B = 1001;

interface StreamEvent {
  id: number | undefined;
  event: string;
  data: any;
}

/** Follows the stream over HTTP, collecting parsed events; stopped when the test ends. */
async function follow(t: Test, url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(`${url}/__sandbox/events`, { headers, signal: controller.signal });
  const events: StreamEvent[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((line) => line && !line.startsWith(':'))
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
        );
        if (fields.event)
          events.push({ id: fields.id ? Number(fields.id) : undefined, event: fields.event, data: JSON.parse(fields.data) });
      }
    }
  })().catch(() => undefined);
  t.teardown(async () => {
    controller.abort();
    await reading;
  });
  return { response, events, stop: () => controller.abort() };
}

t.test('the stream tells every chat change, API call, notification, scenario load and reset, each with an id', async (t) => {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, { webhook: receiver.url });
  const stream = await follow(t, client.sandbox.url);
  t.equal(stream.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const chat = (await control(client, '/chats', { context: { type: 'DIRECT' }, message: 'Здравствуйте!' })).body.result;
  await client.post(`/v2/businesses/${B}/chats/message?chatId=${chat.chatId}`, { message: 'Добрый день!' });
  await client.sandbox.notificationsSettled();
  // Kept before the reset clears the journal.
  const [{ requestBody: _sent, responseBody: _answered, ...summary }] = client.sandbox.requests({ operation: 'sendMessageToChat' });
  await client.sandbox.loadScenario({ name: 'тихий' });
  await client.post('/__sandbox/reset');
  await eventually(() => stream.events.some((e) => e.event === 'reset'));
  const chats = stream.events.filter((e) => e.event === 'chat').map((e) => `${e.data.kind} ${e.data.actor} ${e.data.statusAfter}`);
  t.same(chats, ['chat-created CUSTOMER NEW', 'message-sent CUSTOMER WAITING_FOR_PARTNER', 'message-sent PARTNER WAITING_FOR_CUSTOMER']);
  const sent = stream.events.find((e) => e.event === 'chat' && e.data.actor === 'PARTNER')!;
  t.match(sent.data, { businessId: B, chat: { chatId: chat.chatId }, message: { sender: 'PARTNER', message: 'Добрый день!' } });
  const request = stream.events.find((e) => e.event === 'request')!;
  t.match(request.data, { operationId: 'sendMessageToChat', method: 'POST', status: 200 });
  t.same(request.data, summary, 'a call as the journal has it, every field but the bodies (GET /__sandbox/requests has them)');
  const delivered = stream.events.filter((e) => e.event === 'notification' && e.data.state === 'delivered');
  t.equal(delivered.length, 3, 'CHAT_CREATED and two CHAT_MESSAGE_SENT, each delivered');
  const changes = (id: number) =>
    stream.events.filter((e) => e.event === 'notification' && e.data.id === id).map((e) => `${e.data.state} ${e.data.attempts.length}`);
  for (const { data } of delivered)
    t.same(changes(data.id), ['pending 0', 'delivered 1'], 'each event shows the entry as that change left it');
  t.match(
    stream.events.filter((e) => e.event === 'scenario' || e.event === 'reset'),
    [{ event: 'scenario', data: { name: 'тихий' } }, { event: 'reset' }],
  );
  const ids = stream.events.map((e) => e.id!);
  t.same(
    ids,
    [...ids].sort((a, b) => a - b),
    'ids ascend',
  );
  t.equal(new Set(ids).size, ids.length);
});

t.test('a client that reconnects with Last-Event-ID gets what it missed', async (t) => {
  const client = await sandboxFor(t);
  const first = await follow(t, client.sandbox.url);
  await client.post(`/v2/businesses/${B}/chats`);
  await eventually(() => first.events.length === 1);
  first.stop();
  await client.post(`/v2/businesses/${B}/chats?limit=5`);
  await client.post(`/v2/businesses/${B}/chats?limit=6`);
  const again = await follow(t, client.sandbox.url, { 'Last-Event-ID': String(first.events[0].id) });
  await eventually(() => again.events.length === 2);
  t.same(
    again.events.map((e) => e.data.url),
    [`/v2/businesses/${B}/chats?limit=5`, `/v2/businesses/${B}/chats?limit=6`],
  );
  const fromStart = await follow(t, `${client.sandbox.url}`, { 'Last-Event-ID': '0' });
  await eventually(() => fromStart.events.length === 3);
  t.equal(fromStart.events[0].event, 'request', 'nothing was lost yet: everything from the first event');
});

t.test('the feed keeps a bounded number of events: a follower too far behind is told to reload', async (t) => {
  const feed = new Feed((fileId) => `/__sandbox/files/${fileId}`, 3);
  for (let i = 0; i < 5; i++) feed.publish({ type: 'reset' });
  t.same(
    feed.follow(() => undefined, 3).replay?.map((e) => e.id),
    [4, 5],
    'ids 3 to 5 are kept: after 3, the two that followed',
  );
  t.equal(feed.follow(() => undefined, 1).replay, undefined, 'event 2 is gone: reload');
  t.same(feed.follow(() => undefined).replay, [], 'a new follower starts from now');
  t.same(feed.follow(() => undefined, 5).replay, [], 'a follower that saw the last event misses nothing');
  t.equal(feed.follow(() => undefined, 9).replay, undefined, 'an id this feed never gave is from an earlier run: reload');
  const client = await sandboxFor(t);
  for (let i = 0; i < 1001; i++) await client.sandbox.app.inject({ method: 'POST', url: '/__sandbox/reset' });
  const late = await follow(t, client.sandbox.url, { 'Last-Event-ID': '0' });
  await eventually(() => late.events.length > 0);
  t.equal(late.events[0].event, 'reload');
});

t.test('a client that does not read is cut off: its backlog never grows the sandbox', async (t) => {
  const client = await sandboxFor(t);
  const socket = connect(client.sandbox.port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  // The client reads nothing: what the sandbox sends piles up in the kernel's buffers, then in the sandbox's.
  socket.pause();
  socket.write('GET /__sandbox/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  const chat = (await control(client, '/chats', { context: { type: 'DIRECT' } })).body.result;
  const text = 'Очень длинное сообщение покупателя. '.repeat(110);
  // About 20 MB of events: past what loopback buffers hold (a few MB) and the sandbox's 1 MB allowance.
  for (let i = 0; i < 3000; i++) {
    await client.sandbox.app.inject({
      method: 'POST',
      url: `/__sandbox/businesses/${B}/chats/${chat.chatId}/messages`,
      payload: { message: text },
    });
  }
  // Reading again drains what was sent: a connection the sandbox cut then ends; one it kept stays open.
  let received = 0;
  socket.on('data', (chunk: Buffer) => (received += chunk.length));
  socket.resume();
  const ended = await Promise.race([
    new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
    sleep(10_000).then(() => false),
  ]);
  t.ok(
    ended,
    `the sandbox closed the connection of a client that stopped reading (${Math.round(received / 1024 / 1024)} MB had reached it)`,
  );
});

t.test('sandbox.events() follows the same feed in code, and ends when the sandbox closes', async (t) => {
  const client = await sandboxFor(t);
  const seen: string[] = [];
  const following = (async () => {
    for await (const event of client.sandbox.events()) {
      seen.push(event.type === 'chat' ? `chat ${event.kind}` : event.type);
      if (seen.length === 3) break;
    }
  })();
  await control(client, '/chats', { context: { type: 'DIRECT' }, message: 'Привет' });
  await client.post(`/v2/businesses/${B}/chats`);
  await following;
  t.same(seen, ['chat chat-created', 'chat message-sent', 'request']);
  const endless = (async () => {
    let count = 0;
    for await (const _event of client.sandbox.events({ lastEventId: 0 })) count++;
    return count;
  })();
  await client.sandbox.close();
  t.equal(await endless, 3, 'replayed from the start, then ended by close()');
});

t.test('sandbox.events() gives each notification change as it was, though the log entry goes on changing', async (t) => {
  const receiver = await receiverFor(t);
  const client = await sandboxFor(t, { webhook: receiver.url });
  const changes: NotificationEntry[] = [];
  const following = (async () => {
    for await (const event of client.sandbox.events()) {
      if (event.type === 'notification') changes.push(event.entry);
      if (changes.length === 2) break;
    }
  })();
  await control(client, '/chats', { context: { type: 'DIRECT' } });
  await following;
  const asLeft = [
    { notificationType: 'CHAT_CREATED', state: 'pending', attempts: [] },
    { notificationType: 'CHAT_CREATED', state: 'delivered', attempts: [{ status: 200 }] },
  ];
  t.match(changes, asLeft);
  const replayed: NotificationEntry[] = [];
  for await (const event of client.sandbox.events({ lastEventId: 0 })) {
    if (event.type === 'notification') replayed.push(event.entry);
    if (replayed.length === 2) break;
  }
  t.match(replayed, asLeft, 'a replay too');
});

t.test('GET /__sandbox/limits: per business and operation, the quota, what is left and when it renews', async (t) => {
  const client = await sandboxFor(t, { rateLimits: true, scenario: { rateLimits: { getChats: { limit: 3, window: '1m' } } } });
  await client.post(`/v2/businesses/${B}/chats`);
  await client.post(`/v2/businesses/${B}/chats`);
  const limits = (await client.get('/__sandbox/limits')).body.result;
  t.match(limits, { enabled: true, parallel: 4 });
  t.same(
    limits.businesses.map((b: any) => b.businessId),
    [B],
  );
  const getChats = limits.businesses[0].quotas.find((q: any) => q.operation === 'getChats');
  t.match(getChats, { limit: 3, window: 'minute', remaining: 1, renewsAt: /^\d{4}-\d\d-\d\dT/ });
  t.match(
    limits.businesses[0].quotas.find((q: any) => q.operation === 'getChatHistory'),
    { limit: 10000, window: 'hour', remaining: 10000, renewsAt: null },
  );
  const other = (await client.get('/__sandbox/limits?businessId=5005')).body.result.businesses;
  t.match(other, [{ businessId: 5005, running: 0 }], 'a business not called yet has its whole quota');
  t.same(client.sandbox.limitsNow(B).businesses[0].quotas, limits.businesses[0].quotas, 'the same from code');
  const off = await sandboxFor(t, { rateLimits: false });
  t.same((await off.get('/__sandbox/limits')).body.result, { enabled: false, parallel: null, businesses: [] });
  t.equal((await client.get('/__sandbox/limits?businessId=0')).status, 400);
});
