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
import { OPERATIONS, OPERATION_IDS, PATH_PREFIXES, type OperationId } from '../contract/operations.js';
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
    operationId?: OperationId;
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

/** Methods served at a concrete path, when it is an operation's path at all: tells 405 from 404. */
const PATH_METHODS = OPERATION_IDS.map((op) => ({
  pattern: new RegExp(`^(?:/v2)?${OPERATIONS[op].path.replace(':businessId', '[^/]+')}/?$`),
  method: OPERATIONS[op].method,
}));

export function methodsAt(path: string): string[] | undefined {
  const methods = PATH_METHODS.filter((p) => p.pattern.test(path)).map((p) => p.method);
  return methods.length ? [...new Set(methods)] : undefined;
}
