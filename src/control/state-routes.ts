/** `GET` and `PUT /__sandbox/state`: the named states that scenario rules match and set. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { Id, Ok, OkNoResultSchema } from '../contract/schemas.js';
import { CONTROL_TAG } from '../contract/tags.js';
import type { ScenarioRules } from '../scenario/scenario-rules.js';
import { StateName } from '../scenario/schema-parts.js';
import { StatesNowSchema } from '../scenario/states.js';

const SetStateBody = Type.Object(
  {
    businessId: Type.Optional(Id('The business whose state to set; without it, the global state is set')),
    state: StateName('The state, any non-blank name'),
  },
  { additionalProperties: false },
);

export function stateRoutes(app: FastifyInstance, states: Pick<ScenarioRules, 'statesNow' | 'setState'>): void {
  const tags = [CONTROL_TAG];
  app.get(
    '/__sandbox/state',
    { schema: { tags, summary: 'The named states: the global one and each business’s', response: { 200: Ok(StatesNowSchema) } } },
    async () => ({ status: 'OK' as const, result: states.statesNow() }),
  );
  app.put<{ Body: Static<typeof SetStateBody> }>(
    '/__sandbox/state',
    {
      schema: {
        tags,
        summary: "Set a business's state ({ businessId, state }) or the global state ({ state })",
        body: SetStateBody,
        response: { 200: OkNoResultSchema },
      },
    },
    async (request) => {
      states.setState(request.body.businessId, request.body.state);
      return { status: 'OK' as const };
    },
  );
}
