/** Writes every API call into the journal: opened on arrival, completed with the answer that went out. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Journal, JournalEntry } from '../journal/journal.js';
import { businessIdOf, chatIdOf } from './request-ids.js';

declare module 'fastify' {
  interface FastifyRequest {
    journalEntry?: JournalEntry;
  }
}

/** Registers the hooks on the API scope, first, so that calls refused by auth or limits are journaled too. */
export function registerJournal(api: FastifyInstance, journal: Journal): void {
  api.addHook('onRequest', async (request: FastifyRequest) => {
    request.journalEntry = journal.open({
      time: new Date().toISOString(),
      operationId: request.routeOptions.config.operationId ?? null,
      method: request.method,
      url: request.url,
      businessId: businessIdOf(request) ?? null,
      chatId: chatIdOf(request) ?? null,
      status: null,
      requestBody: null,
      responseBody: null,
      durationMs: null,
      rule: null,
      fault: null,
    });
  });
  api.addHook('onSend', async (request, _reply, payload) => {
    const entry = request.journalEntry;
    if (entry) {
      entry.requestBody = request.body ?? null;
      journal.answered(entry, typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : null);
    }
    return payload;
  });
  api.addHook('onResponse', async (request, reply) => {
    const entry = request.journalEntry;
    if (!entry) return;
    entry.status = reply.statusCode;
    entry.durationMs = Math.round(reply.elapsedTime * 10) / 10;
    entry.rule = request.appliedRule ?? null;
  });
}
