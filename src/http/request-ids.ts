/** The ids a call names in its path and query, when they are valid ids (schema validation reports them otherwise). */
import type { FastifyRequest } from 'fastify';

function idOf(raw: unknown): number | undefined {
  const id = Number(raw);
  return typeof raw === 'string' && /^\d+$/.test(raw) && Number.isSafeInteger(id) && id >= 1 ? id : undefined;
}

export const businessIdOf = (request: FastifyRequest): number | undefined => idOf((request.params as { businessId?: unknown }).businessId);

export const chatIdOf = (request: FastifyRequest): number | undefined => idOf((request.query as { chatId?: unknown }).chatId);
