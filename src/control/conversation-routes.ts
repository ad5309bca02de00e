/** `GET /__sandbox/conversations`: the scripted conversations' verdicts, as JSON or JUnit XML. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { VerdictSchema, type Conversations } from '../conversations/conversations.js';
import { conversationsSuite } from '../conversations/junit.js';
import { junitDocument } from '../model/junit.js';
import { verdictRoute } from './verdict-route.js';

export function conversationRoutes(app: FastifyInstance, conversations: Pick<Conversations, 'verdicts'>): void {
  verdictRoute(
    app,
    '/__sandbox/conversations',
    {
      summary: "The scenario's scripted conversations: each running, passed or failed, with every step's outcome",
      description: '?format=junit: one test case per conversation, failed with its reason.',
      result: Type.Object({ conversations: Type.Array(VerdictSchema) }),
    },
    () => {
      const verdicts = conversations.verdicts();
      return { json: { conversations: verdicts }, junit: () => junitDocument([conversationsSuite(verdicts)]) };
    },
  );
}
