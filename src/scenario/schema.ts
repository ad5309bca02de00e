/**
 * The scenario format, as one TypeBox schema: it validates scenario files, types the code that applies
 * them, and is written out as scenario.schema.json for editors (`npm run scenario-schema`).
 */
import { Type, type Static, type TOptional, type TSchema, type TUnion } from 'typebox';
import { OPERATION_IDS, type OperationId } from '../contract/operations.js';
import { SCOPES } from '../auth/access.js';
import { packagePath } from '../package-root.js';

export const DURATION_PATTERN = '^\\d+(\\.\\d+)?(ms|s|m|h)$';

const Duration = (description: string) =>
  Type.String({ pattern: DURATION_PATTERN, description: `${description}, e.g. 800ms, 30s, 1m, 1h` });

const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), { description });

const Off = Type.Literal('off', { description: 'Turn this off' });

const OperationLimit = Type.Object(
  {
    limit: Type.Integer({ minimum: 0, description: 'Requests allowed per window, per business' }),
    window: Duration('Length of the window, which opens with the first request'),
  },
  { additionalProperties: false, description: 'A quota for this operation instead of Market\'s hourly one' },
);

const OperationLimits = Object.fromEntries(
  OPERATION_IDS.map((op) => [op, Type.Optional(Type.Union([OperationLimit, Off]))]),
) as Record<OperationId, TOptional<TUnion<[typeof OperationLimit, typeof Off]>>>;

export const RateLimitsSchema = Type.Union(
  [
    Off,
    Type.Object(
      {
        parallel: Type.Optional(
          Type.Union([Type.Integer({ minimum: 1 }), Off], {
            description: 'Requests that may run at once for one business (Market: 4), or off',
          }),
        ),
        ...OperationLimits,
      },
      { additionalProperties: false },
    ),
  ],
  {
    description:
      "Request limits: off, or per operation { limit, window } and parallel; operations not named keep Market's",
  },
);

const Json = Type.Unknown();

const MatchSchema = Type.Object(
  {
    operation: Type.Optional(literals(OPERATION_IDS, 'operationId of the call')),
    method: Type.Optional(literals(['GET', 'POST'] as const, 'HTTP method')),
    path: Type.Optional(Type.String({ minLength: 1, description: 'Path (without the query), exact; the /v2 prefix is ignored' })),
    businessId: Type.Optional(Type.Integer({ minimum: 1, description: 'Business in the path' })),
    chatId: Type.Optional(Type.Integer({ minimum: 1, description: 'chatId of the query' })),
    query: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Query parameters that must have these values' })),
    body: Type.Optional(Type.Record(Type.String(), Json, { description: 'A subset the JSON body must contain (objects compared key by key)' })),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'Headers that must have these values (names in any case)' }),
    ),
  },
  { additionalProperties: false, description: 'What a call must be for the rule to apply; every key given must hold' },
);

const DelaySchema = Type.Union(
  [
    Duration('A fixed delay'),
    Type.Object(
      { min: Duration('Shortest delay'), max: Duration('Longest delay') },
      { additionalProperties: false, description: 'A delay drawn evenly between min and max' },
    ),
  ],
  { description: 'Wait before answering (normally or as scripted)' },
);

const RespondSchema = Type.Object(
  {
    status: Type.Integer({ minimum: 100, maximum: 599, description: 'HTTP status' }),
    body: Type.Optional(Type.Unknown({ description: 'Body to send; by default the error envelope fitting the status' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Extra response headers' })),
  },
  { additionalProperties: false, description: 'Answer this instead of the normal answer' },
);

export const FAULTS = ['connection-reset', 'timeout', 'malformed-json'] as const;
export type Fault = (typeof FAULTS)[number];

export const RuleSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ description: 'Shown in the journal' })),
    match: Type.Optional(MatchSchema),
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'Let the first N matching calls through untouched' })),
    times: Type.Optional(Type.Integer({ minimum: 1, description: 'Apply to the next N matching calls only' })),
    respond: Type.Optional(RespondSchema),
    delay: Type.Optional(DelaySchema),
    fault: Type.Optional(
      literals(FAULTS, 'connection-reset: the socket is reset; timeout: no answer ever; malformed-json: a 200 with broken JSON'),
    ),
  },
  { additionalProperties: false, description: 'A rule: the first whose match holds applies to a call' },
);

const TokenGrantSchema = Type.Object(
  {
    token: Type.String({ minLength: 1, description: 'The token, as sent in Api-Key or Authorization' }),
    businesses: Type.Array(Type.Integer({ minimum: 1 }), { description: 'Businesses the token may act on' }),
    scopes: Type.Array(literals(SCOPES, 'A Market scope'), {
      minItems: 1,
      description: 'all-methods, all-methods:read-only (no createChat or sending) or communication',
    }),
  },
  { additionalProperties: false },
);

const AuthSchema = Type.Object(
  {
    mode: literals(['lenient', 'strict'] as const, 'lenient: any non-empty token; strict: only the tokens listed (403 otherwise)'),
    tokens: Type.Optional(Type.Array(TokenGrantSchema, { description: 'Tokens known in strict mode' })),
  },
  { additionalProperties: false, description: 'Who may call what' },
);

export const ScenarioSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String({ description: 'Where editors find this schema' })),
    name: Type.Optional(Type.String({ description: 'Name of the scenario' })),
    description: Type.Optional(Type.String({ description: 'What the scenario is for' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Seed of generated data' })),
    auth: Type.Optional(AuthSchema),
    world: Type.Optional(
      literals(['lenient', 'strict'] as const, 'lenient: unknown businesses and orders are invented; strict (also with strict auth): 404'),
    ),
    rateLimits: Type.Optional(RateLimitsSchema),
    rules: Type.Optional(Type.Array(RuleSchema, { description: 'Ordered; the first that matches a call applies' })),
  },
  {
    additionalProperties: false,
    title: 'yandex-market-chats-sandbox scenario',
    description: 'Scripts the sandbox: seed, request limits and rules for errors, delays and faults',
  },
);

export type Scenario = Static<typeof ScenarioSchema>;
export type Rule = Static<typeof RuleSchema>;
export type RateLimitsSetting = Static<typeof RateLimitsSchema>;

/** Where the package ships the schema for editors (regenerated by `npm run fixtures`). */
export const SCENARIO_SCHEMA_FILE = packagePath('scenario.schema.json');

/** The schema as a standalone JSON Schema document. */
export function scenarioJsonSchema(): TSchema & Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(ScenarioSchema)) };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "800ms", "30s", "1m", "1.5h" in milliseconds (the schema has checked the form). */
export function durationMs(text: string): number {
  const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text)!;
  return Math.round(Number(amount) * UNIT_MS[unit]);
}
