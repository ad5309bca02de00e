/**
 * Scripted conversations in a scenario: a buyer in one chat who says things, expects the partner's answers
 * within a time, branches on what the partner wrote, and does something when the partner fails.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { CHAT_STATUSES, CONTEXT_TYPES, OTHER_SENDERS } from '../contract/enums.js';
import { OPERATION_IDS } from '../contract/operations.js';
import { CustomerSchema, stringEnum } from '../contract/schemas.js';
import { Duration, StateName } from './schema-parts.js';

/** How deep `when` cases may nest steps that have cases of their own. */
const NESTING = 3;

const Matcher = {
  matches: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'A regular expression the text must match (RE2 syntax, matched in linear time: no lookaround or backreferences)',
    }),
  ),
  contains: Type.Optional(Type.String({ minLength: 1, description: 'A text the message must contain' })),
  file: Type.Optional(Type.Boolean({ description: 'true: the message must carry a file' })),
};

const FileSpec = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255, description: 'File name' }),
    size: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 5 * 1024 * 1024, description: 'Size in bytes (real PNG, JPEG or PDF bytes are made)' }),
    ),
  },
  { additionalProperties: false },
);

const Step = (keys: Record<string, TSchema>, description: string) =>
  Type.Object(
    {
      ...keys,
      setState: Type.Optional(StateName("Then the business's named state is this")),
    },
    { additionalProperties: false, description },
  );

function stepSchema(depth: number): TSchema {
  const steps = (description: string) => Type.Array(stepSchema(depth - 1), { minItems: 1, description });
  const say = Step(
    {
      say: Type.Union([
        Type.String({ minLength: 1, maxLength: 4096, description: 'What the buyer writes' }),
        Type.Object(
          {
            text: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
            files: Type.Optional(Type.Array(FileSpec, { minItems: 1, maxItems: 5 })),
            from: Type.Optional(stringEnum(OTHER_SENDERS, 'Who writes (default CUSTOMER)')),
          },
          { additionalProperties: false, description: 'Text and/or files, from the buyer, MARKET or SUPPORT' },
        ),
      ]),
    },
    'Writes in the chat, as any buyer message: statuses move and notifications go out',
  );
  const expect = Step(
    {
      expect: Type.Object(
        { within: Duration('How long the partner has to answer'), ...Matcher },
        { additionalProperties: false, description: "The partner's next message in the chat" },
      ),
      ...(depth > 0
        ? {
            when: Type.Optional(
              Type.Array(Type.Object({ ...Matcher, steps: steps('Played when this case holds') }, { additionalProperties: false }), {
                minItems: 1,
                description: 'Cases on what the partner wrote, tried in order; only the last may have no match (the fallback)',
              }),
            ),
            otherwise: Type.Optional(steps('Played when the expectation fails; the conversation is then failed')),
          }
        : {}),
    },
    "Waits for the partner's answer",
  );
  return Type.Union([
    say,
    expect,
    Step({ wait: Duration('Pause') }, 'Waits'),
    Step({ dispute: stringEnum(['started', 'finished'] as const, 'The buyer opens a dispute, or it closes') }, 'A dispute'),
    Step({ status: stringEnum(CHAT_STATUSES, 'The status to set, e.g. FINISHED') }, 'Sets the chat status'),
    Step({}, 'Only sets the named state (setState)'),
  ]);
}

export const StepSchema = stepSchema(NESTING);

/** When scripted buyers start: after a while, at the partner's first call of an operation in `where`, or once its webhook answers. */
export const StartSchema = (where: string) =>
  Type.Union(
    [
      Type.Object({ after: Duration('Starts this long after the scenario is played') }, { additionalProperties: false }),
      Type.Object(
        {
          on: stringEnum(
            [...OPERATION_IDS, 'webhook', 'partner'] as const,
            `Starts at the partner's first call of this operation in ${where}; webhook: once the partner's webhook has ` +
              'answered a PING or a push with 200 (the sandbox PINGs it every second until it does); partner: at the ' +
              `partner's first sign of life, a call of any operation in ${where} or (with a webhook) an answered PING or push, ` +
              'so that a bot that polls and one that listens both start it',
          ),
        },
        { additionalProperties: false },
      ),
    ],
    { description: 'Default: when the scenario is played' },
  );
export type StartSpec = Static<ReturnType<typeof StartSchema>>;

export const ConversationSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Names it in verdicts and JUnit' }),
    businessId: Type.Optional(Type.Integer({ minimum: 1, description: 'Default 1001' })),
    chatId: Type.Optional(Type.Integer({ minimum: 1, description: 'An existing chat; or give context for a new one' })),
    context: Type.Optional(
      Type.Object(
        {
          type: stringEnum(CONTEXT_TYPES),
          id: Type.Optional(Type.Integer({ minimum: 1, description: 'The order (ORDER) or return (RETURN) id' })),
          orderId: Type.Optional(Type.Integer({ minimum: 1, description: 'The order of a RETURN' })),
        },
        { additionalProperties: false, description: 'A chat the buyer opens (default DIRECT)' },
      ),
    ),
    customer: Type.Optional(
      Type.Object(CustomerSchema.properties, { additionalProperties: false, description: 'The buyer; made up when not given' }),
    ),
    start: Type.Optional(StartSchema('the business')),
    steps: Type.Array(StepSchema, { minItems: 1 }),
  },
  { additionalProperties: false, description: 'A scripted buyer in one chat' },
);

export type ConversationSpec = Static<typeof ConversationSchema>;

/** A step as the engine reads it (the schema's union, flattened). */
export interface StepSpec {
  say?: string | { text?: string; files?: { name: string; size?: number }[]; from?: (typeof OTHER_SENDERS)[number] };
  expect?: { within: string } & MatcherSpec;
  when?: (MatcherSpec & { steps: StepSpec[] })[];
  otherwise?: StepSpec[];
  wait?: string;
  dispute?: 'started' | 'finished';
  status?: (typeof CHAT_STATUSES)[number];
  setState?: string;
}

export interface MatcherSpec {
  matches?: string;
  contains?: string;
  file?: boolean;
}
