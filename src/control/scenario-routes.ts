/** `GET` and `PUT /__sandbox/scenario`: the scenario being played, and playing another (JSON or YAML). */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { stringify as stringifyYaml } from 'yaml';
import { ApiError } from '../contract/errors.js';
import { OkNoResultSchema, stringEnum } from '../contract/schemas.js';
import { CONTROL_TAG } from '../contract/tags.js';
import { sendError } from '../http/error-handling.js';
import { checkScenario, parseScenario, ScenarioError } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';

export const ScenarioQuery = Type.Object({ format: Type.Optional(stringEnum(['json', 'yaml'] as const, 'json (default) or yaml')) });

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'];

export interface ScenarioPlayer {
  readonly scenario: Scenario;
  loadScenario(scenario: Scenario): Promise<void>;
}

export function scenarioRoutes(app: FastifyInstance, player: ScenarioPlayer): void {
  const tags = [CONTROL_TAG];
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
        ? reply.type('application/yaml; charset=utf-8').send(stringifyYaml(player.scenario))
        : { status: 'OK' as const, result: player.scenario },
  );

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
          await player.loadScenario(scenario);
        } catch (error) {
          if (error instanceof ScenarioError) return sendError(reply, new ApiError(400, error.message));
          throw error;
        }
        return { status: 'OK' as const };
      },
    );
  });
}
