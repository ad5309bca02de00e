/**
 * Every answer's `Date` header is the sandbox's clock, as X-RateLimit-Resource-Until is: a client that computes
 * `Until − Date` (how long to wait after a 420) reads both from one clock, moved or not. Node would write real time.
 */
import type { FastifyInstance } from 'fastify';
import { formatHttpDate, SECOND } from '../model/time.js';

export function registerDateHeader(app: FastifyInstance, clock: { now(): number }): void {
  // Formatted once a second of the clock: it runs on every answer.
  let last = { second: NaN, text: '' };
  const date = () => {
    const second = Math.floor(clock.now() / SECOND);
    if (second !== last.second) last = { second, text: formatHttpDate(second * SECOND) };
    return last.text;
  };
  // On the raw response as the request arrives: Fastify's answers and those written past it (the event stream, a
  // fault) alike carry it, set once.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.raw.setHeader('date', date());
    done();
  });
}
