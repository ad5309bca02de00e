/** `GET /__sandbox/conversations`: the scripted conversations' verdicts, as JSON or JUnit XML. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Nullable, stringEnum } from '../contract/schemas.js';
import { conversationsSuite } from '../conversations/junit.js';
import { junitDocument } from '../model/junit.js';
import type { SandboxRuntime } from '../runtime.js';
import { verdictRoute } from './verdict-route.js';

const VerdictSchema = Type.Object({
  name: Type.String(),
  state: stringEnum(['waiting', 'running', 'passed', 'failed'] as const, 'waiting: not started yet'),
  businessId: Type.Integer(),
  chatId: Nullable(Type.Integer()),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  reason: Nullable(Type.String({ description: 'Why it failed' })),
  steps: Type.Array(
    Type.Object({
      step: Type.String({ description: 'Where the step is in the script, e.g. steps[1].when[0].steps[0]' }),
      kind: stringEnum(['say', 'expect', 'wait', 'dispute', 'status', 'setState'] as const),
      outcome: stringEnum(['done', 'passed', 'failed'] as const),
      detail: Type.String(),
      at: Type.String(),
    }),
  ),
  partnerMessages: Type.Array(
    Type.Object({
      messageId: Type.Integer(),
      text: Nullable(Type.String()),
      files: Type.Array(Type.String()),
      at: Type.String(),
      answeredInMs: Nullable(Type.Integer({ description: "Since the buyer's last message" })),
    }),
  ),
});

export function conversationRoutes(app: FastifyInstance, runtime: SandboxRuntime): void {
  verdictRoute(
    app,
    '/__sandbox/conversations',
    {
      summary: "The scenario's scripted conversations: each running, passed or failed, with every step's outcome",
      description: '?format=junit: one test case per conversation, failed with its reason.',
      result: Type.Object({ conversations: Type.Array(VerdictSchema) }),
    },
    () => {
      const verdicts = runtime.conversations.verdicts();
      return { json: { conversations: verdicts }, junit: () => junitDocument([conversationsSuite(verdicts)]) };
    },
  );
}
