/**
 * Regenerates the committed generated files: fixtures/default-world.json, the default world, from the
 * default seed; and scenario.schema.json, the scenario format for editors, from its TypeBox schema.
 */
import { writeFileSync } from 'node:fs';
import { SAMPLE_BUSINESS_ID } from '../src/index.js';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchema } from '../src/scenario/schema.js';
import { fixtureOf } from '../src/fake/world-generator.js';
import { DEFAULT_FIXTURE, DEFAULT_SEED } from '../src/store/world-store.js';

writeFileSync(DEFAULT_FIXTURE, `${JSON.stringify(fixtureOf(DEFAULT_SEED, [SAMPLE_BUSINESS_ID]), null, 1)}\n`);
console.log(`wrote ${DEFAULT_FIXTURE}`);
writeFileSync(SCENARIO_SCHEMA_FILE, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
console.log(`wrote ${SCENARIO_SCHEMA_FILE}`);
