/** The control API under /__sandbox: never needs the partner's token. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { stringify as stringifyYaml } from 'yaml';
import { ApiError } from '../contract/errors.js';
import { BusinessParams, Ok, OkNoResultSchema, stringEnum } from '../contract/schemas.js';
import { sendError } from '../http/error-handling.js';
import { JOURNAL_CAPACITY, JournalEntrySchema, JournalFilterSchema, type JournalFilter } from '../journal/journal.js';
import type { SandboxRuntime } from '../runtime.js';
import { checkScenario, parseScenario, ScenarioError } from '../scenario/load.js';
import { buyerRoutes } from './buyer-routes.js';
import { eventStream } from './event-stream.js';
import { fileRoutes } from './file-routes.js';
import { limitsRoute } from './limits-route.js';
import { notificationRoutes } from './notification-routes.js';
import { readyScenariosRoute } from './ready-scenarios-route.js';
import { reportRoute } from './report-route.js';
import { stateRoutes } from './state-routes.js';
import { conversationRoutes } from './conversation-routes.js';
import { chatReadRoutes } from './chat-read-routes.js';
import { consoleRoutes } from './console-routes.js';
import { CONTROL_TAG } from '../contract/tags.js';

const HealthSchema = Type.Object({
  status: Type.Literal('OK'),
  result: Type.Object({
    uptimeMs: Type.Integer(),
    seed: Type.Integer(),
    businesses: Type.Array(Type.Integer(), { description: 'Businesses that exist so far' }),
    inMemory: Type.Integer({
      description:
        'Businesses whose world is in memory now: generated ones nobody wrote to are dropped past a bound, and made again when used',
    }),
    rateLimits: Type.Boolean(),
    db: Type.Union([Type.String(), Type.Null()], { description: 'The file the world is persisted to' }),
    dbWrites: Type.Integer({ description: 'Writes to that file so far: batches of coalesced changes appended to its log, and snapshots' }),
  }),
});

const ScenarioQuery = Type.Object({ format: Type.Optional(stringEnum(['json', 'yaml'] as const, 'json (default) or yaml')) });

const RequestParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'The entry id' }) });

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'];

export function controlRoutes(app: FastifyInstance, runtime: SandboxRuntime): void {
  const tags = [CONTROL_TAG];
  buyerRoutes(app, runtime.buyer, runtime.fileLinks, (businessId, state) => runtime.setState(businessId, state));
  chatReadRoutes(app, runtime.chats, runtime.fileLinks);
  notificationRoutes(app, runtime);

  app.get<{ Querystring: Static<typeof ScenarioQuery> }>(
    '/__sandbox/scenario',
    {
      schema: {
        tags,
        summary: 'The scenario being played (JSON in the envelope, or ?format=yaml as YAML text)',
        querystring: ScenarioQuery,
      },
    },
    async (request, reply) =>
      request.query.format === 'yaml'
        ? reply.type('application/yaml; charset=utf-8').send(stringifyYaml(runtime.scenario))
        : { status: 'OK' as const, result: runtime.scenario },
  );
  readyScenariosRoute(app);

  app.register(async (scope) => {
    // YAML arrives as text; JSON is parsed by Fastify. Both are validated against the same schema.
    scope.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.put(
      '/__sandbox/scenario',
      {
        schema: {
          tags,
          summary: 'Play another scenario (YAML or JSON body), from its initial world',
          description: `The body follows scenario.schema.json (shipped in the package). An invalid scenario is a 400 and the running one stays.`,
          consumes: ['application/json', ...YAML_TYPES],
          response: { 200: OkNoResultSchema },
        },
      },
      async (request, reply) => {
        try {
          const scenario =
            typeof request.body === 'string' ? parseScenario(request.body, 'scenario') : checkScenario(request.body, 'scenario');
          await runtime.loadScenario(scenario);
        } catch (error) {
          if (error instanceof ScenarioError) return sendError(reply, new ApiError(400, error.message));
          throw error;
        }
        return { status: 'OK' as const };
      },
    );
  });

  app.get<{ Querystring: JournalFilter }>(
    '/__sandbox/requests',
    {
      schema: {
        tags,
        summary: `The journal of API calls, oldest first (the last ${JOURNAL_CAPACITY} are kept)`,
        querystring: JournalFilterSchema,
        response: {
          200: Ok(
            Type.Object({
              requests: Type.Array(JournalEntrySchema),
              dropped: Type.Integer({ description: 'Entries dropped from the journal since it was last cleared' }),
              capacity: Type.Integer(),
            }),
          ),
        },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      result: { requests: runtime.journal.list(request.query), dropped: runtime.journal.dropped, capacity: JOURNAL_CAPACITY },
    }),
  );

  app.get<{ Params: Static<typeof RequestParams> }>(
    '/__sandbox/requests/:id',
    { schema: { tags, summary: 'One journal entry, with its bodies', params: RequestParams, response: { 200: Ok(JournalEntrySchema) } } },
    async (request) => {
      const entry = runtime.journal.find(request.params.id);
      if (!entry) throw new ApiError(404, `id: request ${request.params.id} is not in the journal (it keeps the last ${JOURNAL_CAPACITY})`);
      return { status: 'OK' as const, result: entry };
    },
  );

  app.delete('/__sandbox/requests', { schema: { tags, summary: 'Clear the journal', response: { 200: OkNoResultSchema } } }, async () => {
    runtime.journal.clear();
    return { status: 'OK' as const };
  });

  app.get('/__sandbox/health', { schema: { tags, summary: 'Is the sandbox up', response: { 200: HealthSchema } } }, async () => ({
    status: 'OK' as const,
    result: runtime.health(),
  }));

  app.post(
    '/__sandbox/reset',
    { schema: { tags, summary: 'Back to the initial world; limit counters cleared', response: { 200: OkNoResultSchema } } },
    async () => {
      await runtime.reset();
      return { status: 'OK' as const };
    },
  );
  app.post<{ Params: Static<typeof BusinessParams> }>(
    '/__sandbox/businesses/:businessId/reset',
    {
      schema: {
        tags,
        summary: 'One business back to its initial world, its quotas whole; every other business left as it is',
        description:
          "Its deliveries under way are cancelled. The journal, the notification log and the rules' counters are shared, and stay.",
        params: BusinessParams,
        response: { 200: OkNoResultSchema },
      },
    },
    async (request) => {
      await runtime.resetBusiness(request.params.businessId);
      return { status: 'OK' as const };
    },
  );
  fileRoutes(app, runtime);
  limitsRoute(app, runtime);
  eventStream(app, runtime.feed);
  reportRoute(app, runtime);
  stateRoutes(app, runtime);
  conversationRoutes(app, runtime);
  consoleRoutes(app);
}
