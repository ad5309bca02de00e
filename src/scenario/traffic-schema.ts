/**
 * The scenario's `traffic:` section (and the body of POST /__sandbox/traffic/start): buyers arriving at a
 * pace and writing, and the thresholds the partner's answers are judged by.
 */
import { Type, type Static } from 'typebox';
import { CONTEXT_TYPES } from '../contract/enums.js';
import { durationMs } from '../model/duration.js';
import { StartSchema } from './conversation-schema.js';
import { Duration, PERCENT_PATTERN } from './schema-parts.js';

const Share = (description: string) => Type.Number({ minimum: 0, maximum: 1, description: `${description}: a share from 0 to 1` });
const Count = (description: string) => Type.Integer({ minimum: 1, maximum: 50, description });

/** The most buyers a minute a run may bring: a hundred new chats a second. */
export const MAX_CHATS_A_MINUTE = 6000;
/** The most buyers a run may bring (its pace times its duration): every one is a chat the world keeps. */
export const MAX_BUYERS = 200_000;
/** The shortest interval of the series, and the most points a run's series may have. */
export const MIN_INTERVAL_MS = 100;
export const MAX_SERIES_POINTS = 10_000;

/** What a traffic section leaves out. */
export const TRAFFIC_DEFAULTS = {
  duration: '10m',
  mix: { ORDER: 0.7, RETURN: 0.2, DIRECT: 0.1 },
  perChat: { min: 1, max: 3 },
  patience: '2m',
  replyAfter: { min: '3s', max: '20s' },
  interval: '10s',
  answered: '95%',
  answeredWithin: '5m',
} as const;

export const TrafficSchema = Type.Object(
  {
    duration: Type.Optional(Duration('How long new buyers keep arriving (default 10m)', 7 * 24 * 3_600_000)),
    start: Type.Optional(StartSchema("the traffic's businesses")),
    businesses: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'A business id' }), {
        minItems: 1,
        maxItems: 100,
        description: 'New chats are spread over these in turn (default [1001])',
      }),
    ),
    chats: Type.Object(
      {
        perMinute: Type.Number({
          exclusiveMinimum: 0,
          maximum: MAX_CHATS_A_MINUTE,
          description: `New buyer chats a minute, once the ramp is over (at most ${MAX_CHATS_A_MINUTE})`,
        }),
        ramp: Type.Optional(Duration('How long the pace takes to grow from nothing to perMinute (default 0: at once)')),
      },
      { additionalProperties: false, description: 'How fast buyers arrive: at random moments, on average at this pace' },
    ),
    mix: Type.Optional(
      Type.Object(Object.fromEntries(CONTEXT_TYPES.map((type) => [type, Type.Optional(Share(`Chats about ${type}`))])), {
        additionalProperties: false,
        description: 'What the chats are about, by context type; weighed against each other (default ORDER 0.7, RETURN 0.2, DIRECT 0.1)',
      }),
    ),
    messages: Type.Optional(
      Type.Object(
        {
          perChat: Type.Optional(
            Type.Object(
              { min: Count('The fewest messages a buyer writes'), max: Count('The most messages a buyer writes') },
              {
                additionalProperties: false,
                description: 'How many messages a buyer writes, each after the answer to the one before (default 1 to 3)',
              },
            ),
          ),
          patience: Type.Optional(
            Duration('A buyer not answered within this writes once more ("Ау, вы здесь?"), and gives up after as long again (default 2m)'),
          ),
          replyAfter: Type.Optional(
            Type.Object(
              { min: Duration('The least a buyer takes'), max: Duration('The most a buyer takes') },
              { additionalProperties: false, description: 'How long a buyer takes to write again once answered (default 3s to 20s)' },
            ),
          ),
        },
        { additionalProperties: false, description: 'How each buyer writes' },
      ),
    ),
    files: Type.Optional(Share('Buyer messages with a photo or a PDF (default 0)')),
    interval: Type.Optional(Duration('The length of a point of the series, and how often a traffic event is published (default 10s)')),
    expect: Type.Optional(
      Type.Object(
        {
          answered: Type.Optional(
            Type.String({
              pattern: PERCENT_PATTERN,
              description: 'The share of buyer messages answered within answeredWithin, at least (default 95%)',
            }),
          ),
          answeredWithin: Type.Optional(Duration('A buyer message counts as answered if answered within this (default 5m)')),
          p50: Type.Optional(Duration('The answer time half of the answered messages stay within, at most')),
          p95: Type.Optional(Duration('The answer time 95% of the answered messages stay within, at most')),
          p99: Type.Optional(Duration('The answer time 99% of the answered messages stay within, at most')),
        },
        { additionalProperties: false, description: "The verdict's thresholds" },
      ),
    ),
  },
  { additionalProperties: false, description: 'Buyers in volume: see docs/traffic.md' },
);

export type TrafficSpec = Static<typeof TrafficSchema>;

/** What a schema cannot say of a traffic section; `field` is its path within the section. */
export function trafficProblem(spec: TrafficSpec): { field: (string | number)[]; message: string } | undefined {
  const perChat = spec.messages?.perChat;
  if (perChat && perChat.min > perChat.max) return { field: ['messages', 'perChat', 'min'], message: 'must not be more than max' };
  const replyAfter = spec.messages?.replyAfter;
  if (replyAfter && durationMs(replyAfter.min) > durationMs(replyAfter.max)) {
    return { field: ['messages', 'replyAfter', 'min'], message: 'must not be longer than max' };
  }
  if (spec.mix && !Object.values(spec.mix).some((share) => (share ?? 0) > 0)) {
    return { field: ['mix'], message: 'must give some context type a share above 0' };
  }
  if (spec.interval !== undefined && durationMs(spec.interval) < MIN_INTERVAL_MS) {
    return { field: ['interval'], message: `must be at least ${MIN_INTERVAL_MS}ms` };
  }
  const duration = durationMs(spec.duration ?? TRAFFIC_DEFAULTS.duration);
  const buyers = (spec.chats.perMinute * duration) / 60_000;
  if (buyers > MAX_BUYERS) {
    return {
      field: ['chats', 'perMinute'],
      message: `brings about ${Math.round(buyers)} buyers over the duration: at most ${MAX_BUYERS} a run (each is a chat the world keeps)`,
    };
  }
  const points = duration / durationMs(spec.interval ?? TRAFFIC_DEFAULTS.interval);
  if (points > MAX_SERIES_POINTS) {
    return {
      field: ['interval'],
      message: `makes ${Math.ceil(points)} points of the duration: at most ${MAX_SERIES_POINTS}; take a longer one`,
    };
  }
  return undefined;
}
