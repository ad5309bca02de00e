/**
 * Scenario text → a validated Scenario, with errors a person can act on: the source, the path of the bad
 * field and what was expected. Several scenarios combine: later ones extend and override earlier ones.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { packageFolder, readPackageFile } from '../package-root.js';
import type { ErrorObject } from 'ajv';
import { isNode, LineCounter, parseDocument, YAMLParseError } from 'yaml';
import { fieldName } from '../contract/field-name.js';
import { compileSchema } from '../model/validator.js';
import { durationMs } from '../model/duration.js';
import { MAX_JSON_DEPTH, tooDeep } from '../model/json-depth.js';
import { timeOutOfBounds } from '../model/time.js';
import { MAX_BUSINESSES } from '../model/records.js';
import type { StepSpec } from './conversation-schema.js';
import { MIN_NEW_CHATS_MS, ScenarioSchema, type Scenario } from './schema.js';
import { compilePattern } from './pattern.js';
import { patternMeaning } from './schema-parts.js';
import { TrafficSchema, trafficProblem, type TrafficSpec } from './traffic-schema.js';

export class ScenarioError extends Error {
  override name = 'ScenarioError';
  /** `field`: where in the scenario the mistake is, as path steps; `line`: its line in the text, when there was one. */
  constructor(
    message: string,
    readonly field?: (string | number)[],
    readonly line?: number,
  ) {
    super(line === undefined ? message : `${message} (line ${line})`);
  }
}

const validate = compileSchema<Scenario>(ScenarioSchema);

/** `/rules/0/match/chatId` → `rules[0].match.chatId` */
const fieldPath = (pointer: string, extra?: string) => fieldName(pointer, extra) || '(top level)';

type Field = (string | number)[];

/** What is wrong at `field` (path steps), named as every error of a scenario names its field. */
const fieldError = (source: string, field: Field, what: string) =>
  new ScenarioError(`${source}: ${fieldPath(`/${field.join('/')}`)}: ${what}`, field);

const stepsOf = (pointer: string, extra?: string): (string | number)[] => [
  ...pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
  ...(extra === undefined ? [] : [extra]),
];

/** What a mistyped key of a scenario looks like: a name (`nmae`, `rate_limits`, `X-Request-Id`), quoted in errors. */
const KEY_LIKE = /^[A-Za-z_][\w-]{0,63}$/;

/** The one error worth showing: the deepest, with the alternatives of a union gathered; and where it is. */
function describe(errors: ErrorObject[]): { message: string; field: (string | number)[] } {
  const depth = (e: ErrorObject) => e.instancePath.split('/').length;
  const deepest = Math.max(...errors.map(depth));
  const here = errors.filter((e) => depth(e) === deepest);
  const unknown = here.find((e) => e.keyword === 'additionalProperties');
  if (unknown) {
    const key = (unknown.params as { additionalProperty: string }).additionalProperty;
    // A key no scenario could mean is not quoted: a file given by mistake (--scenario /etc/shadow) is not shown.
    if (!KEY_LIKE.test(key)) {
      const parent = unknown.instancePath ? `${fieldPath(unknown.instancePath)}: ` : '';
      return {
        message: `${parent}has a key that is no name a scenario uses (not shown); is this a scenario file?`,
        field: stepsOf(unknown.instancePath, key),
      };
    }
    return { message: `${fieldPath(unknown.instancePath, key)}: is not a known key`, field: stepsOf(unknown.instancePath, key) };
  }
  const constants = here
    .flatMap((e) =>
      e.keyword === 'const' ? [e.params.allowedValue as unknown] : e.keyword === 'enum' ? (e.params.allowedValues as unknown[]) : [],
    )
    .map((v) => JSON.stringify(v));
  // A key that is not a name it may be (propertyNames): the error is the key's, named with it.
  const badKey = here.find((e) => e.propertyName !== undefined && e.keyword === 'pattern');
  if (badKey) {
    const meaning = patternMeaning(badKey.params.pattern as string) ?? badKey.message;
    return {
      message: `${fieldPath(badKey.instancePath, badKey.propertyName)}: ${meaning}`,
      field: stepsOf(badKey.instancePath, badKey.propertyName),
    };
  }
  const others = here
    .filter((e) => !['const', 'enum', 'anyOf'].includes(e.keyword))
    .map((e) => (e.keyword === 'pattern' ? (patternMeaning(e.params.pattern as string) ?? e.message) : e.message));
  const expected = [...(constants.length ? [`must be one of ${constants.join(', ')}`] : []), ...others];
  return { message: `${fieldPath(here[0].instancePath)}: ${[...new Set(expected)].join(', or ')}`, field: stepsOf(here[0].instancePath) };
}

const validateTraffic = compileSchema<TrafficSpec>(TrafficSchema);

/** Validates a traffic section given alone (POST /__sandbox/traffic/start's body); `source` names it in errors. */
export function checkTraffic(data: unknown, source: string): TrafficSpec {
  if (!validateTraffic(data)) {
    const { message, field } = describe(validateTraffic.errors!);
    throw new ScenarioError(`${source}: ${message}`, field);
  }
  const problem = trafficProblem(data);
  if (problem) throw fieldError(source, problem.field, problem.message);
  return data;
}

/** Parses YAML or JSON (YAML is a superset) and validates it; `source` names it in errors. */
export function parseScenario(text: string, source: string): Scenario {
  const lines = new LineCounter();
  const document = parseDocument(text, { uniqueKeys: true, lineCounter: lines });
  let data: unknown;
  try {
    if (document.errors.length) throw document.errors[0];
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The YAML reader recurses: text nested thousands of levels deep ends its stack, which says nothing to a reader.
    if (/Maximum call stack size exceeded/.test((error as Error).message)) {
      throw new ScenarioError(`${source}: is nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    const line = error instanceof YAMLParseError ? error.linePos?.[0].line : undefined;
    const why = (error as Error).message
      .split('\n')[0]
      .replace(/ at line \d+, column \d+:?$/, '')
      .replace(/:$/, '');
    throw new ScenarioError(`${source}: is not valid YAML or JSON: ${why}`, undefined, line);
  }
  try {
    return checkScenario(data ?? {}, source);
  } catch (error) {
    if (!(error instanceof ScenarioError) || !error.field) throw error;
    // The field itself, or the nearest of its parents that is written (a missing key is its parent's).
    let node: unknown;
    for (let steps = error.field; !isNode(node) && steps.length; steps = steps.slice(0, -1)) node = document.getIn(steps, true);
    const offset = isNode(node) ? node.range?.[0] : undefined;
    throw new ScenarioError(error.message, error.field, offset === undefined ? undefined : lines.linePos(offset).line);
  }
}

/** Validates a scenario given as data; `source` names it in errors. */
export function checkScenario(data: unknown, source: string): Scenario {
  // Before the schema: a value nested thousands of levels deep breaks whatever walks it recursively.
  const deep = tooDeep(data);
  if (deep) {
    throw fieldError(source, deep.slice(0, 4), `is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  if (!validate(data)) {
    const { message, field } = describe(validate.errors!);
    throw new ScenarioError(`${source}: ${message}`, field);
  }
  const every = data.customer?.newChatsEvery;
  if (every !== undefined && durationMs(every) < MIN_NEW_CHATS_MS) {
    throw new ScenarioError(`${source}: customer.newChatsEvery: must be at least ${MIN_NEW_CHATS_MS}ms`, ['customer', 'newChatsEvery']);
  }
  const start = data.clock?.start;
  const out = start === undefined ? undefined : timeOutOfBounds(Date.parse(start));
  if (out) throw fieldError(source, ['clock', 'start'], out);
  data.conversations?.forEach((conversation, i) => checkSteps(conversation.steps as StepSpec[], ['conversations', i, 'steps'], source));
  const traffic = data.traffic && trafficProblem(data.traffic);
  if (traffic) throw fieldError(source, ['traffic', ...traffic.field], traffic.message);
  checkGenerated(data, source);
  return data;
}

/**
 * The most a scenario's world may generate in all, so that making it (at load and at every reset) takes a
 * moment and its memory stays bounded: a generated chat counts as the most messages it may hold.
 */
const MAX_GENERATED_MESSAGES = 1_000_000;
const MAX_GENERATED_CHATS = 2_000;
const MESSAGES_A_GENERATED_CHAT = 80;

function checkGenerated(scenario: Scenario, source: string): void {
  let chats = 0;
  let messages = 0;
  const over = (field: Field, what: string) => fieldError(source, field, what);
  if ((scenario.data?.businesses?.length ?? 0) > MAX_BUSINESSES) {
    throw over(['data', 'businesses'], `a sandbox holds at most ${MAX_BUSINESSES} businesses`);
  }
  scenario.data?.businesses?.forEach((business, b) => {
    const at = ['data', 'businesses', b, 'chats'];
    if (!Array.isArray(business.chats)) {
      chats += business.chats.generate;
      messages += business.chats.generate * MESSAGES_A_GENERATED_CHAT;
      if (chats > MAX_GENERATED_CHATS)
        throw over([...at, 'generate'], `a scenario may generate at most ${MAX_GENERATED_CHATS} chats in all`);
    } else {
      business.chats.forEach((chat, c) => {
        if (Array.isArray(chat.messages) || chat.messages === undefined) return;
        messages += chat.messages.generate;
        if (messages > MAX_GENERATED_MESSAGES) throw over([...at, c, 'messages', 'generate'], messagesBound);
      });
    }
    if (messages > MAX_GENERATED_MESSAGES) throw over([...at, 'generate'], messagesBound);
  });
}

const messagesBound =
  `a scenario may generate at most ${MAX_GENERATED_MESSAGES} messages in all ` +
  `(a generated chat counts as ${MESSAGES_A_GENERATED_CHAT}, the most it may hold)`;

/** What the schema cannot say of a script: regular expressions that compile, and only the last `when` case a fallback. */
function checkSteps(steps: StepSpec[], at: (string | number)[], source: string): void {
  const fail = (field: Field, why: string) => {
    throw fieldError(source, field, why);
  };
  const checkRegex = (pattern: string | undefined, field: (string | number)[]) => {
    if (pattern === undefined) return;
    try {
      compilePattern(pattern);
    } catch {
      // RE2's syntax: as JavaScript's, without lookaround and backreferences (the docs say so).
      fail([...field, 'matches'], 'invalid regular expression');
    }
  };
  steps.forEach((step, i) => {
    const here = [...at, i];
    checkRegex(step.expect?.matches, [...here, 'expect']);
    step.when?.forEach((branch, j) => {
      checkRegex(branch.matches, [...here, 'when', j]);
      const fallback = branch.matches === undefined && branch.contains === undefined && branch.file === undefined;
      if (fallback && j < step.when!.length - 1) fail([...here, 'when', j], 'a case without a match must be the last (the fallback)');
      checkSteps(branch.steps, [...here, 'when', j, 'steps'], source);
    });
    if (step.otherwise) checkSteps(step.otherwise, [...here, 'otherwise'], source);
  });
}

/** What a scenario option may be: a file, several files (later over earlier), or the scenario itself. */
export type ScenarioInput = string | string[] | Scenario;

export async function resolveScenario(input: ScenarioInput | undefined): Promise<Scenario | undefined> {
  if (input === undefined) return undefined;
  if (typeof input === 'string') return readScenarioFile(input);
  if (Array.isArray(input)) {
    const scenarios = await Promise.all(input.map(readScenarioFile));
    return input.length === 1 ? scenarios[0] : combineScenarios(scenarios.map((scenario, i) => ({ source: input[i], scenario })));
  }
  return checkScenario(input, 'scenario');
}

/** The ready-made scenarios the package ships, by name (`rate-limits` for scenarios/rate-limits.yaml). */
async function readyScenarioNames(): Promise<string[]> {
  return packageFolder('scenarios')
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort();
}

/** A bare name (no folder, no extension) is a ready-made scenario's; anything else is a file's path. */
const isName = (text: string) => /^[a-z0-9][a-z0-9-]*$/i.test(text);

/** The most a scenario file may hold: a world of explicit messages fits, a mistaken path to a disk image does not. */
const MAX_SCENARIO_FILE_BYTES = 64 * 1024 * 1024;

/**
 * A regular file's text. Opened without waiting (a FIFO would hold the start until something writes to it) and
 * checked as the file opened, so nothing but a regular file of a bounded size is ever read.
 */
async function readRegularFile(file: string): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ScenarioError(`${file}: is not a regular file (a scenario is read from a file)`);
    if (info.size > MAX_SCENARIO_FILE_BYTES) {
      throw new ScenarioError(
        `${file}: is ${info.size} bytes; a scenario file may hold at most ${MAX_SCENARIO_FILE_BYTES / 1024 / 1024} MB`,
      );
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** A scenario file, or a ready-made scenario by its name (`--scenario rate-limits`). */
export async function readScenarioFile(file: string): Promise<Scenario> {
  const names = isName(file) ? await readyScenarioNames() : [];
  if (names.includes(file)) return parseScenario(readPackageFile('scenarios', `${file}.yaml`).toString('utf8'), file);
  let text: string;
  try {
    text = await readRegularFile(file);
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && names.length) {
      throw new ScenarioError(`${file}: no such file, nor a ready-made scenario (they are: ${names.join(', ')})`);
    }
    throw new ScenarioError(`${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return parseScenario(text, file);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys whose values are told together rather than merged: a combined scenario is named after all of its files. */
const JOINED: Record<string, string> = { name: ', ', description: '\n' };

/**
 * Scenario files played together (`--scenario a --scenario b`): maps merge key by key, lists are appended in the
 * order of the files (conversations, rules: the first file's rules are tried first), names and descriptions are
 * joined, and the same value given twice is one value. Two different values for one field are a conflict, refused
 * naming both files and the field. `source`: each file as the user named it.
 */
export function combineScenarios(parts: { source: string; scenario: Scenario }[]): Scenario {
  const valueAt = (scenario: unknown, path: string[]) =>
    path.reduce<unknown>((at, key) => (isPlainObject(at) ? at[key] : undefined), scenario);
  /** The file that gave a value: the first of the earlier ones that has it there. */
  const sourceOf = (path: string[], value: unknown, before: number) =>
    parts.slice(0, before).find((part) => JSON.stringify(valueAt(part.scenario, path)) === JSON.stringify(value))?.source;
  const merge = (earlier: unknown, later: unknown, path: string[], index: number): unknown => {
    if (isPlainObject(earlier) && isPlainObject(later)) {
      const out: Record<string, unknown> = { ...earlier };
      for (const [key, value] of Object.entries(later)) {
        out[key] = Object.hasOwn(out, key) ? merge(out[key], value, [...path, key], index) : value;
      }
      return out;
    }
    if (Array.isArray(earlier) && Array.isArray(later)) return [...(earlier as unknown[]), ...(later as unknown[])];
    if (JSON.stringify(earlier) === JSON.stringify(later)) return later;
    if (path.length === 1 && Object.hasOwn(JOINED, path[0]) && typeof earlier === 'string' && typeof later === 'string') {
      return `${earlier}${JOINED[path[0]]}${later}`;
    }
    const before = sourceOf(path, earlier, index) ?? parts[0].source;
    throw new ScenarioError(
      `${before} and ${parts[index].source}: ${fieldPath(`/${path.join('/')}`)}: is given two values ` +
        `(${JSON.stringify(earlier)} and ${JSON.stringify(later)}); give it in one of them`,
      path,
    );
  };
  return parts.reduce<Scenario>((combined, { source, scenario }, index) => {
    const named = { ...scenario, name: scenario.name ?? basename(source).replace(/\.(ya?ml|json)$/, '') };
    return merge(combined, named, [], index) as Scenario;
  }, {});
}
