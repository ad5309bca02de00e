/** `GET /__sandbox/limits`: per business and operation, the quota, what is left of it and when it renews. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { OPERATION_IDS } from '../contract/operations.js';
import { Id, Ok, stringEnum } from '../contract/schemas.js';
import { CONTROL_TAG } from '../contract/tags.js';
import type { SandboxRuntime } from '../runtime.js';

const LimitsQuery = Type.Object({ businessId: Type.Optional(Id('Only this business (even one not called yet)')) });

const QuotaSchema = Type.Object({
  operation: stringEnum(OPERATION_IDS),
  limit: Type.Integer({ description: 'Requests allowed per window' }),
  window: Type.String({ description: 'Length of the window, e.g. 1 hour' }),
  remaining: Type.Integer({ description: 'What is left in the open window (the whole quota when none is open)' }),
  renewsAt: Type.Union([Type.String(), Type.Null()], { description: 'When the open window closes (ISO 8601); null when none is open' }),
});

const LimitsSchema = Type.Object({
  enabled: Type.Boolean({ description: 'false with --no-rate-limits or rateLimits: off' }),
  parallel: Type.Union([Type.Integer(), Type.Null()], { description: 'Requests that may run at once per business; null when unlimited' }),
  businesses: Type.Array(
    Type.Object({
      businessId: Type.Integer(),
      running: Type.Integer({ description: 'Requests running now' }),
      quotas: Type.Array(QuotaSchema),
    }),
    { description: 'Every business called in an open window (or the one asked for)' },
  ),
});

export function limitsRoute(app: FastifyInstance, runtime: SandboxRuntime): void {
  app.get<{ Querystring: Static<typeof LimitsQuery> }>(
    '/__sandbox/limits',
    {
      schema: {
        tags: [CONTROL_TAG],
        summary: 'Request limits: per business and operation, the quota, what is left and when it renews',
        querystring: LimitsQuery,
        response: { 200: Ok(LimitsSchema) },
      },
    },
    async (request) => ({ status: 'OK' as const, result: runtime.limitsNow(request.query.businessId) }),
  );
}
