/** Regenerates fixtures/default-world.json, the committed default world, from the default seed. */
import { writeFileSync } from 'node:fs';
import { SAMPLE_BUSINESS_ID } from '../src/index.js';
import { DEFAULT_FIXTURE, DEFAULT_SEED, fixtureOf } from '../src/store/world-store.js';

writeFileSync(DEFAULT_FIXTURE, `${JSON.stringify(fixtureOf(DEFAULT_SEED, [SAMPLE_BUSINESS_ID]), null, 1)}\n`);
console.log(`wrote ${DEFAULT_FIXTURE}`);
