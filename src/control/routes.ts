/**
 * The control API under /__sandbox (never needs the partner's token): the one module that knows the runtime.
 * It serves the sandbox's own life (health, reset) and hands every other route module the part it serves.
 */
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { BusinessParams, Ok, OkNoResultSchema } from '../contract/schemas.js';
import { CONTROL_TAG } from '../contract/tags.js';
import type { JournalSources } from '../http/journal-hooks.js';
import type { RulePlayer } from '../http/scenario-effects.js';
import { HealthSchema, type SandboxRuntime } from '../runtime.js';
import { buyerRoutes } from './buyer-routes.js';
import { chatReadRoutes } from './chat-read-routes.js';
import { clockRoutes } from './clock-routes.js';
import { consoleRoutes } from './console-routes.js';
import { conversationRoutes } from './conversation-routes.js';
import { eventStream } from './event-stream.js';
import { fileRoutes } from './file-routes.js';
import { journalRoutes } from './journal-routes.js';
import { limitsRoute } from './limits-route.js';
import { notificationRoutes } from './notification-routes.js';
import { readyScenariosRoute } from './ready-scenarios-route.js';
import { reportRoute } from './report-route.js';
import { scenarioRoutes } from './scenario-routes.js';
import { stateRoutes } from './state-routes.js';
import { trafficRoutes } from './traffic-routes.js';
import { worldRoutes } from './world-routes.js';

/** `pipeline`: the partner API's journal and rules, which the file host's calls go through too. */
export function controlRoutes(app: FastifyInstance, runtime: SandboxRuntime, pipeline: JournalSources & RulePlayer): void {
  const tags = [CONTROL_TAG];
  const { rules } = runtime;
  buyerRoutes(app, runtime.buyer, runtime.fileLinks, (businessId, state) => rules.setState(businessId, state));
  chatReadRoutes(app, runtime.chats, runtime.fileLinks);
  notificationRoutes(app, runtime.notifier);
  scenarioRoutes(app, runtime);
  readyScenariosRoute(app);
  journalRoutes(app, runtime.journal);

  app.get(
    '/__sandbox/health',
    { schema: { tags, summary: 'Is the sandbox up', response: { 200: Ok(HealthSchema) } }, config: { controlAccess: 'open' } },
    async () => ({
      status: 'OK' as const,
      result: runtime.health(),
    }),
  );

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
      await runtime.reset(request.params.businessId);
      return { status: 'OK' as const };
    },
  );
  fileRoutes(app, { pipeline, policies: runtime.policies, fileLinks: runtime.fileLinks, chats: runtime.chats });
  limitsRoute(app, runtime.limits);
  eventStream(app, runtime.feed);
  reportRoute(app, () => runtime.report());
  stateRoutes(app, rules);
  conversationRoutes(app, runtime.conversations);
  trafficRoutes(app, runtime.traffic);
  clockRoutes(app, runtime.clock);
  worldRoutes(app, { exportWorld: () => runtime.exportWorld(), recording: () => runtime.recording?.scenario() });
  consoleRoutes(app);
}
