/** Writes every API call into the journal: opened on arrival, completed with the answer that went out. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Journal, JournalCall } from '../journal/journal.js';
import type { Fault } from '../scenario/schema.js';
import { hideToken } from './control-routes.js';
import { businessIdOf, chatIdOf } from './request-ids.js';

declare module 'fastify' {
  interface FastifyRequest {
    journalEntry: JournalCall | null;
  }
}

/** Notes the rule that applied to a call, if one did (the entry's fields are null otherwise). */
function noteRule(request: FastifyRequest, entry: JournalCall): void {
  const applied = request.appliedRule;
  if (!applied) return;
  entry.rule = applied.index;
  entry.ruleName = applied.rule.name ?? null;
}

/** A fault leaves no answer, and a hijacked reply skips the answer hooks: the entry says what happened instead. */
export function journalFault(request: FastifyRequest, journal: Journal, fault: Fault): void {
  const entry = request.journalEntry;
  if (!entry) return;
  entry.fault = fault;
  journal.keepBodies(entry, request.body);
  noteRule(request, entry);
  journal.completed(entry);
}

/** What the journal's hooks need: the journal, the named state a business is in, and the sandbox's clock. */
export interface JournalSources {
  journal: Journal;
  rules: { stateOf(businessId: number | undefined): string | undefined };
  clock: { now(): number };
}

/** Registers the hooks on the API scope, first, so that calls refused by auth or limits are journaled too. */
export function registerJournal(api: FastifyInstance, { journal, rules, clock }: JournalSources): void {
  api.decorateRequest('journalEntry', null);
  // Callback hooks, not async ones: they run on every call, and a promise each is a cost worth avoiding.
  api.addHook('onRequest', (request: FastifyRequest, _reply, done) => {
    const businessId = businessIdOf(request);
    request.journalEntry = journal.open({
      time: new Date(clock.now()).toISOString(),
      operationId: request.routeOptions.config.operationId ?? null,
      method: request.method,
      url: hideToken(request.url),
      businessId: businessId ?? null,
      chatId: chatIdOf(request) ?? null,
      status: null,
      durationMs: null,
      rule: null,
      ruleName: null,
      state: rules.stateOf(businessId) ?? null,
      fault: null,
      upstream: null,
      drift: null,
    });
    done();
  });
  // A request refused before the journal opened its entry (the browser guard) is not one of the partner's calls.
  api.addHook('onSend', (request, reply, payload, done) => {
    const entry = request.journalEntry;
    if (!entry) return done(null, payload);
    const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : null;
    journal.keepBodies(entry, request.body, body, String(reply.getHeader('content-type') ?? ''));
    done(null, payload);
  });
  api.addHook('onResponse', (request, reply, done) => {
    const entry = request.journalEntry;
    if (!entry) return done();
    entry.status = reply.statusCode;
    entry.durationMs = Math.round(reply.elapsedTime * 10) / 10;
    noteRule(request, entry);
    journal.completed(entry);
    done();
  });
}
