/**
 * Integers in paths and queries are written in decimal digits, as Market's ids are: Ajv's coercion would read
 * `0x3E9`, `01001` or `1e3` as 1001 and answer for another business or chat than the one written.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../contract/errors.js';

const DECIMAL = /^(0|-?[1-9][0-9]*)$/;

type Part = { properties?: Record<string, { type?: unknown }> } | undefined;

function notDecimal(schema: Part, values: unknown): ApiError | undefined {
  if (!schema?.properties || typeof values !== 'object' || values === null) return undefined;
  for (const [key, property] of Object.entries(schema.properties)) {
    const raw = (values as Record<string, unknown>)[key];
    if (property.type === 'integer' && typeof raw === 'string' && !DECIMAL.test(raw)) {
      return new ApiError(400, `${key}: must be an integer written in decimal digits (got "${raw.slice(0, 40)}")`);
    }
  }
  return undefined;
}

export function registerDecimalIntegers(app: FastifyInstance): void {
  // A callback hook: it runs on every call, and a promise each is a cost worth avoiding.
  app.addHook('preValidation', (request: FastifyRequest, _reply, done) => {
    const schema = request.routeOptions.schema;
    done(notDecimal(schema?.params as Part, request.params) ?? notDecimal(schema?.querystring as Part, request.query));
  });
}
