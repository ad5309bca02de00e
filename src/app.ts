/** Composes the sandbox's Fastify app: errors, docs, multipart, the API behind its guard, the control API. */
import multipart from '@fastify/multipart';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Ajv } from 'ajv';
import { maxDurationKeyword } from './model/duration.js';
import { controlRoutes } from './control/routes.js';
import { apiGuard } from './http/api-guard.js';
import { registerForwardCompatibility } from './http/forward-compatibility-hook.js';
import { answerClientError } from './http/client-errors.js';
import { registerBrowserGuard } from './http/browser-guard.js';
import { registerDateHeader } from './http/date-header.js';
import { registerSelfPushGuard } from './http/self-push-guard.js';
import { hideToken } from './http/control-routes.js';
import { registerControlToken } from './http/control-token.js';
import { registerDecimalIntegers } from './http/decimal-integers.js';
import { HeldConnections } from './http/held-connections.js';
import { registerJsonBodies } from './http/json-bodies.js';
import { MULTIPART_LIMITS } from './http/multipart.js';
import { registerJournal } from './http/journal-hooks.js';
import { frameworkErrors, registerErrorHandling } from './http/error-handling.js';
import { registerOpenApi } from './http/openapi.js';
import { scenarioEffects } from './http/scenario-effects.js';
import { JsonPieces } from './http/json-pages.js';
import { lazyValidators } from './http/lazy-compilers.js';
import { Upstream, upstreamHandler } from './http/upstream.js';
import { sharedSerializerCompiler } from './http/serializers.js';
import { chatRoutes } from './routes/chats.js';
import { messageRoutes } from './routes/messages.js';
import { SandboxRuntime, type RuntimeOptions } from './runtime.js';

export interface AppOptions extends RuntimeOptions {
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  logLevel?: string;
  /** How long a request may take to arrive whole, its body included, before it is answered 408 (25 s). */
  requestTimeoutMs?: number;
  /** When set, every /__sandbox route but the health check and payload links needs it (Authorization: Bearer, or ?token=). */
  controlToken?: string;
}

/**
 * A client that stops sending its body mid-way gets a 408 this long after it started, rather than held for ever;
 * Node looks for such requests once a second, so the 408 comes within 26 s.
 */
export const REQUEST_TIMEOUT_MS = 25_000;

export interface BuiltApp {
  app: FastifyInstance;
  runtime: SandboxRuntime;
  /** The JSON this sandbox serialized and keeps for its next answers (freed by reset and close). */
  pieces: JsonPieces;
}

export async function buildApp(options: AppOptions = {}): Promise<BuiltApp> {
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: {
      level: options.logLevel ?? 'silent',
      // Fastify's own request serializer, but that a control token given in the query never reaches the log.
      serializers: {
        req: (request: FastifyRequest) => ({
          method: request.method,
          url: hideToken(request.url),
          host: request.host,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        }),
      },
    },
    // A line per request only when asked for (debug, trace): the journal and the console are where requests are read.
    logController: new LogController({ disableRequestLogging: !['debug', 'trace'].includes(options.logLevel ?? 'silent') }),
    // The schemas are the sandbox's own, checked by its tests: checking them against the meta-schema again
    // at every start would only cost time. Without Ajv's optimizing pass a route's validator compiles in half
    // the time (the first call of a route waits on it) and checks about as fast.
    ajv: {
      customOptions: { formats: { int64: true, int32: true }, validateSchema: false, code: { optimize: false } },
      plugins: [(ajv: Ajv) => ajv.addKeyword(maxDurationKeyword)],
    },
    schemaController: { compilersFactory: { buildValidator: lazyValidators() } },
    clientErrorHandler: answerClientError,
    requestTimeout,
    // Given to Node's server as it is made: set afterwards, its checks keep the defaults' pace (60 s).
    http: { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout) },
    frameworkErrors,
  });
  const runtime = await SandboxRuntime.create(options, app.log).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  const pieces = new JsonPieces();
  const held = new HeldConnections();
  // What was serialized from the world is stale once it is reset; unanswered connections go with a reset.
  runtime.attach({ reset: () => pieces.clear(), close: () => pieces.clear() });
  runtime.attach(held);
  const pipeline = { journal: runtime.journal, rules: runtime.rules, clock: runtime.clock, held };
  app.setSerializerCompiler(sharedSerializerCompiler);
  registerErrorHandling(app);
  registerSelfPushGuard(app, runtime.notifier.pushMarker);
  registerDateHeader(app, runtime.clock);
  registerBrowserGuard(app);
  registerControlToken(app, options.controlToken);
  registerJsonBodies(app);
  registerDecimalIntegers(app);
  await registerOpenApi(app);
  await app.register(multipart, { limits: MULTIPART_LIMITS });

  const upstream = options.upstream && new Upstream({ ...options.upstream, writes: options.upstream.writes ?? false });
  await app.register(async (api) => {
    api.decorateRequest('forwarded', false);
    registerForwardCompatibility(api, runtime.policies);
    registerJournal(api, pipeline);
    api.addHook('onRequest', apiGuard(runtime, upstream));
    api.addHook('preValidation', scenarioEffects(api, pipeline));
    // In proxy mode every call is answered here, forwarded or held back, before the sandbox's own handlers.
    if (upstream)
      api.addHook(
        'preHandler',
        upstreamHandler(upstream, (forwarded) => runtime.recording?.observe(forwarded)),
      );
    chatRoutes(api, runtime.chats, pieces);
    messageRoutes(api, runtime.chats, pieces, runtime.fileLinks);
  });
  controlRoutes(app, runtime, pipeline);
  // Nothing may start by itself once closing has begun: simulated buyers stop, deliveries are cancelled.
  app.addHook('preClose', async () => runtime.stop());
  app.addHook('onClose', async () => {
    upstream?.close();
    await runtime.close();
  });
  await app.ready();
  return { app, runtime, pieces };
}
