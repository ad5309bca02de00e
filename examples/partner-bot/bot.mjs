#!/usr/bin/env node
/**
 * A reference integration of Market's chats, with no dependencies: what the sandbox's report and traffic
 * verdict expect of a partner, in one file.
 *
 * - The webhook answers Market at once (200 with {version, name, time}) and does the work after: Market waits
 *   1 s for a PING and 10 s for a push, and counts anything slower as a failure.
 * - A push is handled once, however often Market delivers it.
 * - A chat is read with getChatHistory from the message the push names (or from the last one already read), and
 *   answered with sendMessageToChat only when its newest message is the buyer's. Market pushes CHAT_MESSAGE_SENT
 *   for the bot's own messages too, and sendMessageToChat returns no id: reading every push with getChatMessage
 *   would spend two calls of a 1 000-an-hour quota per buyer message, where getChatHistory's is 10 000; and a
 *   bot that answered every push would answer itself. Pushes for a chat already being read add one read at most.
 * - At start, the chats waiting for an answer are found by paging getChats to its end, and answered.
 * - A 420 is waited out until X-RateLimit-Resource-Until (measured against the answer's Date, so that a clock
 *   that differs from Market's does not matter); a 5xx or a network failure is retried with growing pauses;
 *   another 4xx is not retried.
 *
 *   node examples/partner-bot/bot.mjs --api http://127.0.0.1:8080 --port 3000
 *
 * Options (or environment): --api (MARKET_API_URL), --token (MARKET_API_KEY), --port (PORT, 0: any free port),
 * --businesses 1001,2002 (BUSINESSES: where to catch up at start; default 1001), --no-catch-up.
 */
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const NAME = 'partner-bot';
const VERSION = '1.0.0';
/** Requests to Market at once: Market refuses a fifth parallel request to one business. */
const WORKERS = 3;
/** Pushes remembered to tell a second delivery from a new one. */
const REMEMBERED = 10_000;
/** The longest wait for a quota, whatever its Until says. */
const MAX_QUOTA_WAIT_MS = 60_000;

const ANSWERS = [
  'Здравствуйте! Спасибо за обращение, уже проверяем и скоро вернёмся с ответом.',
  'Добрый день! Вопрос приняли, разбираемся. Напишем подробно в этом чате.',
  'Здравствуйте! Получили ваше сообщение, менеджер уже занимается им.',
];

/** Calls Market's API: waits out a 420, retries a 5xx or a network failure, gives up on another 4xx. */
async function market(config, method, path, body) {
  for (let attempt = 0; ; attempt++) {
    let response;
    try {
      response = await fetch(`${config.api}${path}`, {
        method,
        headers: { 'Api-Key': config.token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.any([config.closing, AbortSignal.timeout(30_000)]),
      });
    } catch (error) {
      if (attempt >= 5) throw error;
      await sleep(250 * 2 ** attempt, undefined, { signal: config.closing });
      continue;
    }
    if (response.status === 420) {
      await response.arrayBuffer();
      const until = Date.parse(response.headers.get('x-ratelimit-resource-until') ?? '');
      const serverNow = Date.parse(response.headers.get('date') ?? '') || Date.now();
      // Until is whole seconds: a little past it, the window has renewed.
      const wait = Math.min(MAX_QUOTA_WAIT_MS, Math.max(0, (Number.isNaN(until) ? serverNow + 1000 : until) - serverNow) + 50);
      await sleep(wait, undefined, { signal: config.closing });
      continue;
    }
    if (response.status >= 500 && attempt < 5) {
      await response.arrayBuffer();
      await sleep(250 * 2 ** attempt, undefined, { signal: config.closing });
      continue;
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(answer.errors ?? answer)}`);
    return answer.result;
  }
}

/** Work in order, a few at a time, apart from the webhook's answers. */
function workQueue(workers) {
  const waiting = [];
  let running = 0;
  let idle = [];
  let closed = false;
  const next = () => {
    while (running < workers && waiting.length && !closed) {
      const job = waiting.shift();
      running++;
      job()
        .catch((error) => closed || console.error(`${NAME}: ${error.message}`))
        .finally(() => {
          running--;
          next();
          if (!running && !waiting.length) for (const wake of idle.splice(0)) wake();
        });
    }
  };
  return {
    add(job) {
      waiting.push(job);
      next();
    },
    idle: () => (running || waiting.length ? new Promise((resolve) => idle.push(resolve)) : Promise.resolve()),
    /** Drops what waits; what runs ends quietly. */
    close() {
      closed = true;
      waiting.length = 0;
    },
  };
}

/** Starts the bot; resolves with its webhook's URL and a way to stop it. */
export async function startBot(options = {}) {
  const closing = new AbortController();
  const config = {
    closing: closing.signal,
    api: (options.api ?? process.env.MARKET_API_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, ''),
    token: options.token ?? process.env.MARKET_API_KEY ?? 'ACMA:partner-bot',
    port: Number(options.port ?? process.env.PORT ?? 3000),
    host: options.host ?? '127.0.0.1',
    businesses: options.businesses ?? [1001],
    catchUp: options.catchUp ?? true,
  };
  const queue = workQueue(WORKERS);
  const seen = new Set();

  const answer = async (businessId, chatId) => {
    const text = ANSWERS[chatId % ANSWERS.length];
    await market(config, 'POST', `/v2/businesses/${businessId}/chats/message?chatId=${chatId}`, { message: text });
  };

  /** Per chat, the newest message read; and the chats being read, with whether a push came meanwhile. */
  const lastRead = new Map();
  const reading = new Map();

  /** Reads what is new in a chat, every page of it, and answers when the newest message is the buyer's. */
  const readChat = async (businessId, chatId, key, from) => {
    const state = reading.get(key);
    try {
      do {
        state.again = false;
        const messageIdFrom = lastRead.has(key) ? lastRead.get(key) + 1 : from;
        const fresh = [];
        let pageToken;
        do {
          const query = `chatId=${chatId}&limit=100${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`;
          const page = await market(config, 'POST', `/v2/businesses/${businessId}/chats/history?${query}`, { messageIdFrom });
          fresh.push(...page.messages);
          pageToken = page.paging?.nextPageToken;
        } while (pageToken);
        if (!fresh.length) continue;
        lastRead.set(key, Math.max(...fresh.map((message) => message.messageId)));
        if (lastRead.size > REMEMBERED) lastRead.delete(lastRead.keys().next().value);
        if (fresh.at(-1).sender === 'CUSTOMER') await answer(businessId, chatId);
      } while (state.again);
    } finally {
      reading.delete(key);
    }
  };

  const onMessage = ({ businessId, chatId, messageId }) => {
    const key = `${businessId}:${chatId}`;
    if (Number(messageId) <= (lastRead.get(key) ?? 0)) return;
    const under = reading.get(key);
    if (under) {
      under.again = true;
      return;
    }
    reading.set(key, { again: false });
    queue.add(() => readChat(businessId, chatId, key, Number(messageId)));
  };

  /** Chats waiting for an answer, every page of them. */
  const catchUp = async (businessId) => {
    let pageToken;
    do {
      const query = pageToken ? `?limit=20&page_token=${encodeURIComponent(pageToken)}` : '?limit=20';
      const page = await market(config, 'POST', `/v2/businesses/${businessId}/chats${query}`, { statuses: ['NEW', 'WAITING_FOR_PARTNER'] });
      for (const chat of page.chats) queue.add(() => answer(businessId, chat.chatId));
      pageToken = page.paging?.nextPageToken;
    } while (pageToken);
  };

  const server = createServer((request, response) => {
    const reply = (status, body) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      let push;
      try {
        push = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { error: { type: 'WRONG_EVENT_FORMAT', message: 'the body is not JSON' } });
      }
      // Answered at once; the work is done after.
      reply(200, { version: VERSION, name: NAME, time: new Date().toISOString() });
      const key = `${push.notificationType}:${push.businessId}:${push.chatId}:${push.messageId ?? ''}`;
      if (push.notificationType !== 'CHAT_MESSAGE_SENT' || seen.has(key)) return;
      seen.add(key);
      if (seen.size > REMEMBERED) seen.delete(seen.values().next().value);
      onMessage(push);
    });
  });
  await new Promise((resolve) => server.listen(config.port, config.host, resolve));
  const url = `http://${config.host}:${server.address().port}/`;
  if (config.catchUp) for (const businessId of config.businesses) queue.add(() => catchUp(businessId));
  return {
    url,
    /** Resolves once nothing is queued or under way. */
    idle: () => queue.idle(),
    close: () =>
      new Promise((resolve) => {
        queue.close();
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      api: { type: 'string' },
      token: { type: 'string' },
      port: { type: 'string' },
      businesses: { type: 'string' },
      'no-catch-up': { type: 'boolean' },
    },
  });
  const businesses = (values.businesses ?? process.env.BUSINESSES ?? '1001').split(',').map(Number);
  const bot = await startBot({ ...values, businesses, catchUp: !values['no-catch-up'] });
  console.log(`${NAME} ${VERSION}: webhook ${bot.url}, calling ${values.api ?? process.env.MARKET_API_URL ?? 'http://127.0.0.1:8080'}`);
  process.once('SIGTERM', () => void bot.close().then(() => process.exit(0)));
  process.once('SIGINT', () => void bot.close().then(() => process.exit(0)));
}
