/**
 * Plays the scenario's rules on API calls, after auth and limits and before validation, so that a rule
 * can script an answer to any call: a delay, a scripted answer, or a fault of the connection.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorEnvelope } from '../contract/errors.js';
import type { AppliedRule, CallFacts } from '../scenario/rules.js';
import type { RuleToPlay } from '../scenario/scenario-rules.js';
import type { Fault, Rule } from '../scenario/schema.js';
import type { Journal } from '../journal/journal.js';
import type { HeldConnections } from './held-connections.js';
import { journalFault } from './journal-hooks.js';
import { businessIdOf, chatIdOf } from './request-ids.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The scenario rule that applied to this call, if one did. */
    appliedRule: AppliedRule | null;
  }
}

/** What scenario rules need of the sandbox: which rule applies, and where unanswered connections wait. */
export interface RulePlayer {
  rules: { readonly hasRules: boolean; apply(call: CallFacts): RuleToPlay | undefined };
  /** Where a fault's call is recorded: a hijacked reply skips the journal's hooks. */
  journal: Journal;
  held: HeldConnections;
}

function factsOf(request: FastifyRequest): CallFacts {
  const query = (request.query ?? {}) as Record<string, unknown>;
  return {
    operation: request.routeOptions.config.operationId,
    method: request.method,
    path: request.url.split('?')[0].replace(/^\/v2(?=\/)/, ''),
    businessId: businessIdOf(request),
    chatId: chatIdOf(request),
    query,
    body: request.body,
    headers: request.headers,
  };
}

function playFault(fault: Fault, request: FastifyRequest, reply: FastifyReply, player: RulePlayer): void {
  journalFault(request, player.journal, fault);
  reply.hijack();
  const socket = request.raw.socket;
  switch (fault) {
    case 'connection-reset':
      socket.resetAndDestroy();
      return;
    case 'timeout':
      player.held.hold(socket);
      return;
    case 'malformed-json':
      reply.raw.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      reply.raw.end('{"status":"OK","result":{"chats":[{"chatId":');
      return;
  }
}

function scriptedAnswer(respond: NonNullable<Rule['respond']>, ruleName: string, reply: FastifyReply): FastifyReply {
  const body = respond.body ?? errorEnvelope(respond.status, `Scripted by scenario ${ruleName}`);
  reply.code(respond.status).headers(respond.headers ?? {});
  if (typeof body === 'string') return reply.send(body);
  return reply.type('application/json; charset=utf-8').serializer(JSON.stringify).send(body);
}

export function scenarioEffects(app: FastifyInstance, player: RulePlayer) {
  app.decorateRequest('appliedRule', null);
  return async function playRules(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    // Most scenarios have no rules: then nothing about the call is gathered.
    if (!player.rules.hasRules) return undefined;
    const applied = player.rules.apply(factsOf(request));
    if (!applied) return undefined;
    request.appliedRule = applied;
    const { index, rule, delayMs } = applied;
    // Real time, not the sandbox's clock: a rule's delay imitates the network.
    if (delayMs > 0) await sleep(delayMs);
    if (rule.fault) {
      playFault(rule.fault, request, reply, player);
      return reply;
    }
    if (rule.respond)
      return scriptedAnswer(rule.respond, rule.name === undefined ? `rule ${index}` : `rule ${index} (${rule.name})`, reply);
    return undefined;
  };
}
