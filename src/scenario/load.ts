/**
 * Scenario text → a validated Scenario, with errors a person can act on: the source, the path of the bad
 * field and what was expected. Several scenarios combine: later ones extend and override earlier ones.
 */
import { readFile } from 'node:fs/promises';
import type { ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { fieldName } from '../contract/field-name.js';
import { compileSchema } from '../contract/validator.js';
import { DURATION_PATTERN, durationMs } from '../model/duration.js';
import { MIN_NEW_CHATS_MS, ScenarioSchema, URL_PATTERN, type Scenario } from './schema.js';

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

const validate = compileSchema<Scenario>(ScenarioSchema);

const PATTERN_MEANINGS: Record<string, string> = {
  [DURATION_PATTERN]: 'must be a duration such as 800ms, 30s, 1m or 1h',
  [URL_PATTERN]: 'must be an http:// or https:// URL',
};

/** `/rules/0/match/chatId` → `rules[0].match.chatId` */
const fieldPath = (pointer: string, extra?: string) => fieldName(pointer, extra) || '(top level)';

/** The one error worth showing: the deepest, with the alternatives of a union gathered. */
function describe(errors: ErrorObject[]): string {
  const depth = (e: ErrorObject) => e.instancePath.split('/').length;
  const deepest = Math.max(...errors.map(depth));
  const here = errors.filter((e) => depth(e) === deepest);
  const unknown = here.find((e) => e.keyword === 'additionalProperties');
  if (unknown) {
    const key = (unknown.params as { additionalProperty: string }).additionalProperty;
    return `${fieldPath(unknown.instancePath, key)}: is not a known key`;
  }
  const constants = here
    .flatMap((e) =>
      e.keyword === 'const' ? [e.params.allowedValue as unknown] : e.keyword === 'enum' ? (e.params.allowedValues as unknown[]) : [],
    )
    .map((v) => JSON.stringify(v));
  const others = here
    .filter((e) => !['const', 'enum', 'anyOf'].includes(e.keyword))
    .map((e) => (e.keyword === 'pattern' ? (PATTERN_MEANINGS[e.params.pattern as string] ?? e.message) : e.message));
  const expected = [...(constants.length ? [`must be one of ${constants.join(', ')}`] : []), ...others];
  return `${fieldPath(here[0].instancePath)}: ${[...new Set(expected)].join(', or ')}`;
}

/** Parses YAML or JSON (YAML is a superset) and validates it; `source` names it in errors. */
export function parseScenario(text: string, source: string): Scenario {
  let data: unknown;
  try {
    data = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    throw new ScenarioError(`${source}: is not valid YAML or JSON: ${(error as Error).message.split('\n')[0].replace(/:$/, '')}`);
  }
  return checkScenario(data ?? {}, source);
}

/** Validates a scenario given as data; `source` names it in errors. */
export function checkScenario(data: unknown, source: string): Scenario {
  if (!validate(data)) throw new ScenarioError(`${source}: ${describe(validate.errors!)}`);
  const every = data.customer?.newChatsEvery;
  if (every !== undefined && durationMs(every) < MIN_NEW_CHATS_MS) {
    throw new ScenarioError(`${source}: customer.newChatsEvery: must be at least ${MIN_NEW_CHATS_MS}ms`);
  }
  return data;
}

/** What a scenario option may be: a file, several files (later over earlier), or the scenario itself. */
export type ScenarioInput = string | string[] | Scenario;

export async function resolveScenario(input: ScenarioInput | undefined): Promise<Scenario | undefined> {
  if (input === undefined) return undefined;
  if (typeof input === 'string') return readScenarioFile(input);
  if (Array.isArray(input)) return combineScenarios(await Promise.all(input.map(readScenarioFile)));
  return checkScenario(input, 'scenario');
}

export async function readScenarioFile(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ScenarioError(`${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return parseScenario(text, file);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Later over earlier: objects merge key by key, a later value replaces an earlier one, and a later
 * scenario's rules are tried before the earlier ones.
 */
export function combineScenarios(scenarios: Scenario[]): Scenario {
  const merge = (earlier: unknown, later: unknown): unknown => {
    if (!isPlainObject(earlier) || !isPlainObject(later)) return later;
    const out: Record<string, unknown> = { ...earlier };
    for (const [key, value] of Object.entries(later)) out[key] = key in out ? merge(out[key], value) : value;
    return out;
  };
  return scenarios.reduce<Scenario>((combined, next) => {
    const merged = merge(combined, next) as Scenario;
    if (combined.rules || next.rules) merged.rules = [...(next.rules ?? []), ...(combined.rules ?? [])];
    return merged;
  }, {});
}
