/** `GET` and `PUT /__sandbox/state`: the named states that scenario rules match and set. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { Id, Ok, OkNoResultSchema } from '../contract/schemas.js';
import { CONTROL_TAG } from '../contract/tags.js';
import type { SandboxRuntime } from '../runtime.js';
import { StateName } from '../scenario/schema-parts.js';

const StatesSchema = Type.Object({
  global: Type.String({ description: 'The global state (match.globalState)' }),
  initial: Type.String({ description: 'The state businesses are in unless set otherwise' }),
  businesses: Type.Record(Type.String(), Type.String(), { description: 'Businesses in another state than the initial one, by id' }),
});

const SetStateBody = Type.Object(
  {
    businessId: Type.Optional(Id('The business whose state to set; without it, the global state is set')),
    state: StateName('The state, any non-blank name'),
  },
  { additionalProperties: false },
);

export function stateRoutes(app: FastifyInstance, runtime: SandboxRuntime): void {
  const tags = [CONTROL_TAG];
  app.get(
    '/__sandbox/state',
    { schema: { tags, summary: 'The named states: the global one and each business’s', response: { 200: Ok(StatesSchema) } } },
    async () => ({ status: 'OK' as const, result: runtime.statesNow() }),
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
      runtime.setState(request.body.businessId, request.body.state);
      return { status: 'OK' as const };
    },
  );
}
