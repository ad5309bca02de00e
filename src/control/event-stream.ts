/**
 * `GET /__sandbox/events`: the sandbox's feed as server-sent events, so that a console or a test follows what
 * happens without polling. A client that reconnects with `Last-Event-ID` gets what it missed, or a `reload`
 * event when that is no longer kept. A client that reads too slowly is disconnected (it reconnects and
 * catches up): its backlog never makes the sandbox's memory grow.
 *
 * Every stream shares one subscription to the feed, taken while a client is connected: each event is written
 * out once, and what came in FLUSH_MS is framed and written to every client together, so that a console
 * following a busy sandbox costs it little, and none costs nothing.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { CONTROL_TAG } from '../contract/tags.js';
import { FEED_KEPT, type Feed, type FeedEvent } from '../feed/feed.js';

/** How long events gather before they are written to the clients together. */
const FLUSH_MS = 50;

/** What a follower may have waiting in its socket before it is cut off. */
export const STREAM_BACKLOG_BYTES = 1024 * 1024;
/** A comment line this often keeps proxies and clients from taking a quiet stream for a dead one. */
const KEEP_ALIVE_MS = 15_000;

const StreamQuery = Type.Object({
  lastEventId: Type.Optional(Type.Integer({ minimum: 0, description: 'The last event id seen (the Last-Event-ID header wins)' })),
});

/** What an event's data says: request and notification entries without the bodies the journal keeps. */
function eventData(event: FeedEvent): unknown {
  switch (event.type) {
    case 'chat': {
      const { type: _type, id: _id, ...rest } = event;
      return rest;
    }
    case 'request':
      return event.entry;
    case 'notification':
      return event.entry;
    case 'scenario':
      return { name: event.name };
    case 'reset':
      return event.businessId === undefined ? {} : { businessId: event.businessId };
    case 'clock':
      return { now: event.now };
    case 'traffic':
      return event.traffic;
  }
}

function frame(event: FeedEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(eventData(event))}\n\n`;
}

const RELOAD = 'event: reload\ndata: {"reason":"some events are no longer kept; load the state again"}\n\n';

export function eventStream(app: FastifyInstance, feed: Feed): void {
  const open = new Map<ServerResponse, (text: string | Buffer) => void>();
  // Events are framed when they go out, together: the call that published one only leaves a reference.
  let gathered: FeedEvent[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  let stopFollowing: (() => void) | undefined;
  const flush = () => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (!gathered.length) return;
    // Each frame encoded on its own, then copied once: joining thousands of strings costs more than making them.
    const bytes = Buffer.concat(gathered.map((event) => Buffer.from(frame(event))));
    gathered = [];
    for (const send of open.values()) send(bytes);
  };
  const gather = (event: FeedEvent) => {
    gathered.push(event);
    flushTimer ??= setTimeout(flush, FLUSH_MS);
  };
  // Streams never end by themselves: closing the sandbox ends them, or it would wait for them for ever.
  app.addHook('preClose', async () => {
    flush();
    for (const response of open.keys()) response.end();
  });

  app.get<{ Querystring: Static<typeof StreamQuery> }>(
    '/__sandbox/events',
    {
      schema: {
        tags: [CONTROL_TAG],
        summary: 'Everything that happens, as server-sent events (text/event-stream)',
        description:
          'Events: chat (a change of a chat: kind, businessId, actor, at, statusBefore, statusAfter, chat, message), ' +
          'request (an API call, as the journal has it, without bodies), notification (a push queued, attempted, ' +
          'delivered, failed, cancelled or withheld), scenario (a scenario loaded), reset, clock (the clock moved: now); each with an id. ' +
          `Reconnect with Last-Event-ID to get what was missed from the last ${FEED_KEPT} events, or a reload event when ` +
          `they are no longer kept. A client that reads too slowly (${STREAM_BACKLOG_BYTES / 1024 / 1024} MB behind) is disconnected.`,
        querystring: StreamQuery,
        produces: ['text/event-stream'],
      },
      // EventSource sends no header: the token comes in the query.
      config: { controlAccess: 'link' },
    },
    (request, reply) => {
      const header = request.headers['last-event-id'];
      const fromHeader = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined;
      const lastId = fromHeader ?? request.query.lastEventId;
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const send = (text: string | Buffer) => {
        if (response.writableLength > STREAM_BACKLOG_BYTES) {
          response.destroy();
          return;
        }
        response.write(text);
      };
      // What the others are about to get was published before this client came: its replay has it.
      flush();
      const replay = feed.since(lastId);
      response.write(`retry: 1000\n\n`);
      send(replay ? replay.map(frame).join('') : RELOAD);
      open.set(response, send);
      stopFollowing ??= feed.follow(gather).stop;
      const keepAlive = setInterval(() => send(': keep-alive\n\n'), KEEP_ALIVE_MS);
      keepAlive.unref();
      response.once('close', () => {
        clearInterval(keepAlive);
        open.delete(response);
        if (open.size) return;
        stopFollowing?.();
        stopFollowing = undefined;
        clearTimeout(flushTimer);
        flushTimer = undefined;
        gathered = [];
      });
    },
  );
}
