/** `GET /__sandbox/scenarios`: the ready-made scenarios the package ships, as text to read, edit and load. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { parse as parseYaml } from 'yaml';
import { Nullable, Ok } from '../contract/schemas.js';
import { CONTROL_TAG } from '../contract/tags.js';
import { packageFolder, readPackageFile } from '../package-root.js';

const ReadyScenarioSchema = Type.Object({
  file: Type.String({ description: 'Its file in the package, e.g. scenarios/rate-limits.yaml' }),
  name: Nullable(Type.String()),
  description: Nullable(Type.String()),
  text: Type.String({ description: 'The YAML, comments and all; PUT /__sandbox/scenario plays it' }),
});

async function readyScenarios() {
  const files = packageFolder('scenarios')
    .filter((file) => file.endsWith('.yaml'))
    .sort();
  return Promise.all(
    files.map(async (file) => {
      const text = readPackageFile('scenarios', file).toString('utf8');
      const { name, description } = (parseYaml(text) ?? {}) as { name?: string; description?: string };
      return { file: `scenarios/${file}`, name: name ?? null, description: description?.trim() ?? null, text };
    }),
  );
}

export function readyScenariosRoute(app: FastifyInstance): void {
  app.get(
    '/__sandbox/scenarios',
    {
      schema: {
        tags: [CONTROL_TAG],
        summary: 'The ready-made scenarios shipped in the package',
        response: { 200: Ok(Type.Object({ scenarios: Type.Array(ReadyScenarioSchema) })) },
      },
    },
    async () => ({ status: 'OK' as const, result: { scenarios: await readyScenarios() } }),
  );
}
