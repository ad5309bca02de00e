/**
 * `GET /__sandbox/world`: the world as it is now, as a scenario another sandbox plays. `GET /__sandbox/recording`:
 * in proxy mode, what the upstream answered, as a scenario. JSON in the envelope, or ?format=yaml as a file.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Static } from 'typebox';
import { stringify as stringifyYaml } from 'yaml';
import { ApiError } from '../contract/errors.js';
import { CONTROL_TAG } from '../contract/tags.js';
import type { Scenario } from '../scenario/schema.js';
import { ScenarioQuery } from './scenario-routes.js';

export interface WorldSources {
  exportWorld(): Scenario;
  /** Undefined unless in proxy mode. */
  recording(): Scenario | undefined;
}

function answer(reply: FastifyReply, format: 'json' | 'yaml' | undefined, scenario: Scenario, file: string) {
  if (format !== 'yaml') return { status: 'OK' as const, result: scenario };
  return reply
    .type('application/yaml; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file}"`)
    .send(stringifyYaml(scenario));
}

export function worldRoutes(app: FastifyInstance, sources: WorldSources): void {
  const tags = [CONTROL_TAG];
  app.get<{ Querystring: Static<typeof ScenarioQuery> }>(
    '/__sandbox/world',
    {
      schema: {
        tags,
        summary: 'The world as it is now, as a scenario another sandbox plays (?format=yaml: a scenario file)',
        description:
          'Every business the sandbox holds, with its chats and messages, ids and times included: `--scenario` of it answers the same. ' +
          'Uploaded files come back as files of the same name, type and size.',
        querystring: ScenarioQuery,
      },
    },
    async (request, reply) => answer(reply, request.query.format, sources.exportWorld(), 'world.yaml'),
  );
  app.get<{ Querystring: Static<typeof ScenarioQuery> }>(
    '/__sandbox/recording',
    {
      schema: {
        tags,
        summary: 'In proxy mode, what the upstream answered, as a scenario (?format=yaml: a scenario file)',
        description:
          'The businesses, chats, messages and file names the upstream’s reads answered. Buyers are anonymous unless the sandbox was started with --record-raw.',
        querystring: ScenarioQuery,
      },
    },
    async (request, reply) => {
      const recording = sources.recording();
      if (!recording) throw new ApiError(409, 'recording: there is no upstream to record; start the sandbox with --upstream URL');
      return answer(reply, request.query.format, recording, 'recording.yaml');
    },
  );
}
