/** Registers an operation under both of Market's path spellings, with its schemas and its operationId. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  ContextConfigDefault,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteHandlerMethod,
} from 'fastify';
import { OPERATIONS, PATH_PREFIXES, type CallId, type OperationId } from '../contract/operations.js';
import { ROUTE_SCHEMAS } from '../contract/schemas.js';
import { API_TAG } from '../contract/tags.js';

export type ApiHandler<Op extends OperationId> = RouteHandlerMethod<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  RouteGenericInterface,
  ContextConfigDefault,
  (typeof ROUTE_SCHEMAS)[Op],
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyContextConfig {
    operationId?: CallId;
  }
}

export function apiRoute<Op extends OperationId>(app: FastifyInstance, operationId: Op, handler: ApiHandler<Op>): void {
  const spec = OPERATIONS[operationId];
  for (const prefix of PATH_PREFIXES) {
    app.withTypeProvider<TypeBoxTypeProvider>().route({
      method: spec.method,
      url: prefix + spec.path,
      schema: {
        ...ROUTE_SCHEMAS[operationId],
        operationId: prefix ? operationId : `${operationId}Unprefixed`,
        summary: prefix ? spec.summary : `${spec.summary} (older unprefixed path)`,
        tags: [API_TAG],
        security: [{ ApiKey: [] }, { OAuth: [] }],
      },
      config: { operationId },
      handler,
    });
  }
}
