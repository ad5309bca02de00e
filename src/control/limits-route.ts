/** `GET /__sandbox/limits`: per business and operation, the quota, what is left of it and when it renews. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { Id, Ok } from '../contract/schemas.js';
import { CONTROL_TAG } from '../contract/tags.js';
import { LimitsNowSchema, type RequestLimits } from '../limits/request-limits.js';

const LimitsQuery = Type.Object({ businessId: Type.Optional(Id('Only this business (even one not called yet)')) });

export function limitsRoute(app: FastifyInstance, limits: Pick<RequestLimits, 'now'>): void {
  app.get<{ Querystring: Static<typeof LimitsQuery> }>(
    '/__sandbox/limits',
    {
      schema: {
        tags: [CONTROL_TAG],
        summary: 'Request limits: per business and operation, the quota, what is left and when it renews',
        querystring: LimitsQuery,
        response: { 200: Ok(LimitsNowSchema) },
      },
    },
    async (request) => ({ status: 'OK' as const, result: limits.now(request.query.businessId) }),
  );
}
