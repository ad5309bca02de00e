/**
 * Plays the scenario's rules on API calls, after auth and limits and before validation, so that a rule
 * can script an answer to any call: a delay, a scripted answer, or a fault of the connection.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorEnvelope } from '../contract/errors.js';
import type { SandboxRuntime } from '../runtime.js';
import { businessIdOf, chatIdOf } from './request-ids.js';
import type { CallFacts } from '../scenario/rules.js';
import { durationMs, type Fault, type Rule } from '../scenario/schema.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Index of the scenario rule that applied to this call. */
    appliedRule?: number;
  }
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

function delayMs(delay: NonNullable<Rule['delay']>): number {
  if (typeof delay === 'string') return durationMs(delay);
  const min = durationMs(delay.min);
  const max = Math.max(min, durationMs(delay.max));
  return min + Math.round(Math.random() * (max - min));
}

function playFault(fault: Fault, request: FastifyRequest, reply: FastifyReply, runtime: SandboxRuntime): void {
  // A hijacked reply skips the journal's answer hooks: the entry says what happened instead.
  if (request.journalEntry) Object.assign(request.journalEntry, { fault, rule: request.appliedRule, requestBody: request.body ?? null });
  reply.hijack();
  const socket = request.raw.socket;
  if (fault === 'connection-reset') {
    socket.resetAndDestroy();
  } else if (fault === 'timeout') {
    runtime.hung.add(socket);
    socket.once('close', () => runtime.hung.delete(socket));
  } else {
    reply.raw.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    reply.raw.end('{"status":"OK","result":{"chats":[{"chatId":');
  }
}

function scriptedAnswer(respond: NonNullable<Rule['respond']>, index: number, reply: FastifyReply): FastifyReply {
  const body = respond.body ?? errorEnvelope(respond.status, `Scripted by scenario rule ${index}`);
  reply.code(respond.status).headers(respond.headers ?? {});
  if (typeof body === 'string') return reply.send(body);
  return reply.type('application/json; charset=utf-8').serializer(JSON.stringify).send(body);
}

export function scenarioEffects(runtime: SandboxRuntime) {
  return async function playRules(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (runtime.rules.empty) return undefined;
    const applied = runtime.rules.apply(factsOf(request));
    if (!applied) return undefined;
    const { index, rule } = applied;
    request.appliedRule = index;
    if (rule.delay) await sleep(delayMs(rule.delay));
    if (rule.fault) {
      playFault(rule.fault, request, reply, runtime);
      return reply;
    }
    if (rule.respond) return scriptedAnswer(rule.respond, index, reply);
    return undefined;
  };
}
