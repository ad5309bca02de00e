/**
 * The scenario format, as one TypeBox schema: it validates scenario files, types the code that applies
 * them, and is written out as scenario.schema.json for editors (`npm run fixtures`).
 */
import { Type, type Static, type TOptional, type TSchema, type TUnion } from 'typebox';
import { CHAT_STATUSES, CHAT_TYPES, CONTEXT_TYPES, SENDERS } from '../contract/enums.js';
import { CALL_IDS, OPERATION_IDS, type OperationId } from '../contract/operations.js';
import { stringEnum } from '../contract/schemas.js';
import { SCOPES } from '../auth/access.js';
import { durationMs, MAX_DELAY_MS } from '../model/duration.js';
import { packagePath } from '../package-root.js';
import { ConversationSchema } from './conversation-schema.js';
import { TrafficSchema } from './traffic-schema.js';
import {
  BUSINESS_ID_PATTERN,
  Duration,
  HEADER_NAME_PATTERN,
  HEADER_VALUE_PATTERN,
  INITIAL_STATE,
  StateName,
  URL_PATTERN,
} from './schema-parts.js';
/** The shortest newChatsEvery: a faster pace would only flood the world. */
export const MIN_NEW_CHATS_MS = 10;

const Off = Type.Literal('off', { description: 'Turn this off' });

/** The largest chat id a scenario may give: the sandbox hands out new ids after the largest, and they must stay exact. */
const MAX_SCENARIO_CHAT_ID = 1_000_000_000_000_000;

const OperationLimit = Type.Object(
  {
    limit: Type.Integer({ minimum: 0, description: 'Requests allowed per window, per business' }),
    window: Duration('Length of the window, which opens with the first request'),
  },
  { additionalProperties: false, description: "A quota for this operation instead of Market's hourly one" },
);

const OperationLimits = Object.fromEntries(OPERATION_IDS.map((op) => [op, Type.Optional(Type.Union([OperationLimit, Off]))])) as Record<
  OperationId,
  TOptional<TUnion<[typeof OperationLimit, typeof Off]>>
>;

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
    description: "Request limits: off, or per operation { limit, window } and parallel; operations not named keep Market's",
  },
);

const Json = Type.Unknown();

const MatchSchema = Type.Object(
  {
    state: Type.Optional(StateName("The state of the call's business must be this")),
    globalState: Type.Optional(StateName('The global state must be this')),
    operation: Type.Optional(
      Type.Union([stringEnum(CALL_IDS), Type.Array(stringEnum(CALL_IDS), { minItems: 1, uniqueItems: true })], {
        description: 'operationId of the call (downloadFile: a payload URL), or a list of them',
      }),
    ),
    method: Type.Optional(stringEnum(['GET', 'POST'] as const, 'HTTP method')),
    path: Type.Optional(Type.String({ minLength: 1, description: 'Path (without the query), exact; the /v2 prefix is ignored' })),
    businessId: Type.Optional(Type.Integer({ minimum: 1, description: 'Business in the path' })),
    chatId: Type.Optional(Type.Integer({ minimum: 1, description: 'chatId of the query' })),
    query: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Query parameters that must have these values' })),
    body: Type.Optional(
      Type.Record(Type.String(), Json, { description: 'A subset the JSON body must contain (objects compared key by key)' }),
    ),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'Headers that must have these values (names in any case)' }),
    ),
  },
  { additionalProperties: false, description: 'What a call must be for the rule to apply; every key given must hold' },
);

const Delay = (description: string, maxMs?: number) =>
  Type.Union(
    [
      Duration('A fixed delay', maxMs),
      Type.Object(
        { min: Duration('Shortest delay', maxMs), max: Duration('Longest delay', maxMs) },
        { additionalProperties: false, description: 'A delay drawn evenly between min and max' },
      ),
    ],
    { description },
  );
// Real time, as the network's delays are: a client's timeout meets it.
const DelaySchema = Delay('Wait before answering (normally or as scripted)', MAX_DELAY_MS);
export type DelaySetting = Static<typeof DelaySchema>;

/** A delay setting as the range it is drawn from, in milliseconds (a fixed one has min = max). */
export function delayRange(delay: DelaySetting): { minMs: number; maxMs: number } {
  if (typeof delay === 'string') return { minMs: durationMs(delay), maxMs: durationMs(delay) };
  const minMs = durationMs(delay.min);
  return { minMs, maxMs: Math.max(minMs, durationMs(delay.max)) };
}

const Share = (description: string) => Type.Number({ minimum: 0, maximum: 1, description: `${description}: a share from 0 to 1` });

const RespondSchema = Type.Object(
  {
    status: Type.Integer({ minimum: 200, maximum: 599, description: 'HTTP status, 200 to 599 (an informational 1xx is not an answer)' }),
    body: Type.Optional(Type.Unknown({ description: 'Body to send; by default the error envelope fitting the status' })),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String({ pattern: HEADER_VALUE_PATTERN, maxLength: 8192 }), {
        propertyNames: { pattern: HEADER_NAME_PATTERN },
        description: 'Extra response headers',
      }),
    ),
  },
  { additionalProperties: false, description: 'Answer this instead of the normal answer' },
);

export const FAULTS = ['connection-reset', 'timeout', 'malformed-json'] as const;
export type Fault = (typeof FAULTS)[number];

export const RuleSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ description: "Shown in the journal (ruleName) and in a scripted answer's message" })),
    match: Type.Optional(MatchSchema),
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'Let the first N matching calls through untouched' })),
    times: Type.Optional(Type.Integer({ minimum: 1, description: 'Apply to the next N matching calls only' })),
    respond: Type.Optional(RespondSchema),
    delay: Type.Optional(DelaySchema),
    fault: Type.Optional(
      stringEnum(FAULTS, 'connection-reset: the socket is reset; timeout: no answer ever; malformed-json: a 200 with broken JSON'),
    ),
    setState: Type.Optional(
      StateName("Then the call's business is in this state (a rule that only sets states lets the call go on to the next rules)"),
    ),
    setGlobalState: Type.Optional(StateName('Then the global state is this')),
  },
  { additionalProperties: false, description: 'A rule: the first whose match holds applies to a call' },
);

const TokenGrantSchema = Type.Object(
  {
    token: Type.String({ minLength: 1, description: 'The token, as sent in Api-Key or Authorization' }),
    businesses: Type.Array(Type.Integer({ minimum: 1 }), { description: 'Businesses the token may act on' }),
    scopes: Type.Array(stringEnum(SCOPES, 'A Market scope'), {
      minItems: 1,
      description: 'all-methods, all-methods:read-only (no createChat or sending) or communication',
    }),
  },
  { additionalProperties: false },
);

const AuthSchema = Type.Object(
  {
    mode: stringEnum(['lenient', 'strict'] as const, 'lenient: any non-empty token; strict: only the tokens listed (403 otherwise)'),
    tokens: Type.Optional(Type.Array(TokenGrantSchema, { description: 'Tokens known in strict mode' })),
  },
  { additionalProperties: false, description: 'Who may call what' },
);

const Generate = (max: number, what: string) =>
  Type.Object(
    { generate: Type.Integer({ minimum: 0, maximum: max, description: `How many ${what} to generate` }) },
    { additionalProperties: false, description: `Generated ${what}, realistic and seeded` },
  );

const DateTime = (description: string) => Type.String({ format: 'date-time', description: `${description} (ISO 8601)` });

const PayloadSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255, description: 'File name shown to the partner' }),
    size: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 5 * 1024 * 1024, description: 'Size in bytes; the URL serves exactly that many' }),
    ),
    contentType: Type.Optional(Type.String({ minLength: 1, description: 'Content type; by default from the name' })),
  },
  { additionalProperties: false },
);

const MessageSpecSchema = Type.Object(
  {
    messageId: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: "Id; by default the business's next one (a recording or an exported world gives them)",
      }),
    ),
    sender: stringEnum(SENDERS, 'Who wrote it'),
    message: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'The text' })),
    payload: Type.Optional(Type.Array(PayloadSchema, { minItems: 1, description: 'Files attached' })),
    createdAt: Type.Optional(DateTime('When it was written; by default spread up to now')),
  },
  { additionalProperties: false, description: 'A message; without text or payload, a realistic text is made up' },
);

const ChatSpecSchema = Type.Object(
  {
    chatId: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_SCENARIO_CHAT_ID,
        description: 'Id; by default the next one (the sandbox hands out ids after it)',
      }),
    ),
    context: Type.Object(
      {
        type: stringEnum(CONTEXT_TYPES, 'What the chat is about'),
        id: Type.Optional(
          Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Order id (ORDER) or return id (RETURN)' }),
        ),
        orderId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The order of a RETURN' })),
        campaignId: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: Number.MAX_SAFE_INTEGER,
            description: 'The campaign (store); by default one of the business’s',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    type: Type.Optional(stringEnum(CHAT_TYPES, 'CHAT (default) or ARBITRAGE (a dispute; not for DIRECT)')),
    status: Type.Optional(stringEnum(CHAT_STATUSES, 'By default from who wrote last')),
    customer: Type.Optional(
      Type.Object({ name: Type.String({ minLength: 1 }), publicId: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    ),
    createdAt: Type.Optional(DateTime('When the chat started')),
    updatedAt: Type.Optional(DateTime('When it last changed; by default its last message’s time')),
    messages: Type.Optional(
      Type.Union([Generate(1_000_000, 'messages'), Type.Array(MessageSpecSchema)], { description: 'The history, oldest first' }),
    ),
  },
  { additionalProperties: false, description: 'A chat; omitted fields are filled in realistically' },
);

const BusinessSpecSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Business id' }),
    campaigns: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, description: 'Campaign (store) ids' })),
    chats: Type.Union([Generate(2_000, 'chats'), Type.Array(ChatSpecSchema)], { description: 'Generated chats, or these chats' }),
  },
  { additionalProperties: false, description: 'A business that has exactly this world' },
);

const DataSchema = Type.Object(
  { businesses: Type.Array(BusinessSpecSchema, { description: 'Businesses with a world of their own' }) },
  { additionalProperties: false, description: 'The world: businesses listed here have exactly this; others are generated' },
);

const CustomerSchema = Type.Object(
  {
    replyAfter: Type.Optional(Duration('The buyer answers each partner message after this long')),
    replies: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), {
        minItems: 1,
        description: 'What the buyer answers, in turn; realistic Russian lines when not given',
      }),
    ),
    newChatsEvery: Type.Optional(Duration('A new buyer opens a chat with a first message this often (at least 10ms)')),
    businesses: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), {
        minItems: 1,
        description: 'Where new chats appear, in turn; by default the businesses that exist at that moment',
      }),
    ),
  },
  { additionalProperties: false, description: 'Simulated buyers: replies to the partner, and new chats' },
);

export const WebhookSchema = Type.Object(
  {
    url: Type.Optional(
      Type.String({ pattern: URL_PATTERN, description: "The partner's notification URL (--webhook and SANDBOX_WEBHOOK win)" }),
    ),
    attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, description: 'Attempts per notification in all (default 5)' })),
    backoff: Type.Optional(Duration('Wait before the first retry, doubled for each later one (default 1s)')),
    duplicates: Type.Optional(
      Type.Union(
        [
          Share('Notifications delivered twice'),
          Type.Object(
            { every: Type.Integer({ minimum: 1, description: 'Every Nth notification is delivered twice' }) },
            { additionalProperties: false },
          ),
        ],
        { description: 'The same notification delivered again, as Market says it may: a share, or { every: N }' },
      ),
    ),
    reorder: Type.Optional(Type.Boolean({ description: 'Within a chat, a later notification may be delivered before an earlier one' })),
    delay: Type.Optional(Delay('Wait before delivering each notification: 2s, or { min, max }')),
    silentMessages: Type.Optional(
      Share('Buyer messages pushed with no CHAT_MESSAGE_SENT, as Market does for stickers; the partner must notice them by reading'),
    ),
  },
  { additionalProperties: false, description: 'Push notifications to the partner, as Market sends them' },
);

const ForwardCompatibilitySchema = Type.Object(
  {
    unknownValues: Type.Optional(
      Share('Chats and messages whose status, type, context type or sender is a value the reference does not list yet'),
    ),
    extraFields: Type.Optional(Type.Boolean({ description: 'Answers carry fields the reference does not have' })),
    operations: Type.Optional(
      Type.Array(stringEnum(OPERATION_IDS, 'operationId'), {
        minItems: 1,
        uniqueItems: true,
        description: 'Only the answers of these operations (by default, all)',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "Answers as a later API may give them, as Market's best practices ask clients to tolerate; off by default",
  },
);

const FilesSchema = Type.Object(
  {
    auth: Type.Optional(
      stringEnum(['none', 'required'] as const, "required: payload URLs need the partner's token (401 without, 403 for another business)"),
    ),
    expireAfter: Type.Optional(Duration('A payload URL answers 403 once it is older than this')),
  },
  { additionalProperties: false, description: 'Payload links as Market serves them' },
);

/** The checks of the integration report, each under its stable code. */
export const REPORT_CODES = [
  'UNFINISHED_PAGING',
  'REPEATED_CLIENT_ERROR',
  'RETRY_TOO_SOON',
  'PARALLEL_LIMIT',
  'NOTIFICATION_FAILED',
  'MESSAGE_NOT_READ',
  'DUPLICATE_HANDLED_TWICE',
  'ANSWERS_OWN_MESSAGES',
  'POLLING_WITH_WEBHOOK',
  'DEPRECATED_FORM',
  'CONTRACT_MISTAKE',
  'TRAFFIC_QUOTA_RUNS_OUT',
  'TRAFFIC_ANSWERS_SLOWING',
  'MARKET_DRIFT',
] as const;
export type ReportCode = (typeof REPORT_CODES)[number];

/** A check's setting: off, or its thresholds (none for a check that has none). */
const Check = (thresholds: Record<string, TSchema> = {}) =>
  Type.Union([
    Off,
    Type.Object(Object.fromEntries(Object.entries(thresholds).map(([k, v]) => [k, Type.Optional(v)])), { additionalProperties: false }),
  ]);

export const ReportSettingsSchema = Type.Object(
  {
    UNFINISHED_PAGING: Type.Optional(Check()),
    REPEATED_CLIENT_ERROR: Type.Optional(Check()),
    RETRY_TOO_SOON: Type.Optional(Check()),
    PARALLEL_LIMIT: Type.Optional(Check()),
    NOTIFICATION_FAILED: Type.Optional(Check({ pingWithin: Duration('A PING answered slower than this fails (default 1s)') })),
    MESSAGE_NOT_READ: Type.Optional(
      Check({ within: Duration('A buyer message must be read (getChatMessage or getChatHistory) within this (default 1m)') }),
    ),
    DUPLICATE_HANDLED_TWICE: Type.Optional(
      Check({ within: Duration('The same reply twice in a chat within this is a duplicate acted on (default 10s)') }),
    ),
    ANSWERS_OWN_MESSAGES: Type.Optional(Check()),
    POLLING_WITH_WEBHOOK: Type.Optional(
      Check({
        perMinute: Type.Integer({
          minimum: 1,
          description: 'First pages of getChats and getChatHistory allowed in any minute (default 6)',
        }),
      }),
    ),
    DEPRECATED_FORM: Type.Optional(Check()),
    CONTRACT_MISTAKE: Type.Optional(Check()),
    TRAFFIC_QUOTA_RUNS_OUT: Type.Optional(Check()),
    TRAFFIC_ANSWERS_SLOWING: Type.Optional(Check()),
    MARKET_DRIFT: Type.Optional(Check()),
  },
  {
    additionalProperties: false,
    description: "The integration report's checks (GET /__sandbox/report): `CODE: off`, or a check's thresholds",
  },
);
export type ReportSettings = Static<typeof ReportSettingsSchema>;

export const ScenarioSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String({ description: 'Where editors find this schema' })),
    name: Type.Optional(Type.String({ description: 'Name of the scenario' })),
    description: Type.Optional(Type.String({ description: 'What the scenario is for' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Seed of generated data' })),
    data: Type.Optional(DataSchema),
    auth: Type.Optional(AuthSchema),
    world: Type.Optional(
      stringEnum(
        ['lenient', 'strict'] as const,
        'lenient: unknown businesses and orders are invented; strict (also with strict auth): 404',
      ),
    ),
    rateLimits: Type.Optional(RateLimitsSchema),
    rules: Type.Optional(Type.Array(RuleSchema, { description: 'Ordered; the first that matches a call applies' })),
    customer: Type.Optional(CustomerSchema),
    webhook: Type.Optional(WebhookSchema),
    forwardCompatibility: Type.Optional(ForwardCompatibilitySchema),
    files: Type.Optional(FilesSchema),
    report: Type.Optional(ReportSettingsSchema),
    conversations: Type.Optional(
      Type.Array(ConversationSchema, { description: 'Scripted buyers who test the partner: see conversation-schema.ts' }),
    ),
    traffic: Type.Optional(TrafficSchema),
    states: Type.Optional(
      Type.Object(
        {
          initial: Type.Optional(StateName(`The state every business starts in (default ${INITIAL_STATE})`)),
          global: Type.Optional(StateName(`The global state to start with (default ${INITIAL_STATE})`)),
          businesses: Type.Optional(
            Type.Record(Type.String(), StateName('The state this business starts in'), {
              propertyNames: { pattern: BUSINESS_ID_PATTERN },
              description: 'Businesses that start in another state, by id',
            }),
          ),
        },
        {
          additionalProperties: false,
          description: 'Named states: rules match them (match.state) and set them (setState); reset returns here',
        },
      ),
    ),
    clock: Type.Optional(
      Type.Object(
        {
          start: Type.Optional(DateTime("Where the sandbox's clock starts; the world's times are laid out from it (--clock wins)")),
          frozen: Type.Optional(
            Type.Boolean({ description: 'Time moves only when the clock is moved (POST /__sandbox/clock); --clock-frozen wins' }),
          ),
        },
        {
          additionalProperties: false,
          description: "The sandbox's clock: where it starts and whether it flows. Move it with POST /__sandbox/clock",
        },
      ),
    ),
    paths: Type.Optional(
      stringEnum(
        ['both', 'v2-only'] as const,
        'both (default): /v2/businesses/… and the older /businesses/…; v2-only: the unprefixed paths answer 404',
      ),
    ),
  },
  {
    additionalProperties: false,
    title: 'yandex-market-chats-sandbox scenario',
    description:
      'Scripts the sandbox: its world, auth, request limits, rules for errors, delays and faults, simulated buyers and push notifications',
  },
);

export type Scenario = Static<typeof ScenarioSchema>;
export type BusinessSpec = Static<typeof BusinessSpecSchema>;
export type ChatSpec = Static<typeof ChatSpecSchema>;
export type Rule = Static<typeof RuleSchema>;
export type RateLimitsSetting = Static<typeof RateLimitsSchema>;

/** Where the package ships the schema for editors (regenerated by `npm run fixtures`). */
export const SCENARIO_SCHEMA_FILE = packagePath('scenario.schema.json');

/** The schema as a standalone JSON Schema document. */
export function scenarioJsonSchema(): TSchema & Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...(JSON.parse(JSON.stringify(ScenarioSchema)) as TSchema) };
}
