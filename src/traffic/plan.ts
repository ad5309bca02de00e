/**
 * A traffic section read into numbers, with its defaults, and the moments buyers arrive: a Poisson process
 * whose pace grows evenly over the ramp, drawn from the seed, so that one seed brings the same buyers at the
 * same offsets. Pure: no clock, no I/O.
 */
import type { ContextType } from '../contract/enums.js';
import { DEFAULT_BUSINESS_ID } from '../model/records.js';
import { durationMs } from '../model/duration.js';
import { between, seededRandom, type Random } from '../model/random.js';
import type { StartSpec } from '../scenario/conversation-schema.js';
import { TRAFFIC_DEFAULTS, type TrafficSpec } from '../scenario/traffic-schema.js';

export interface TrafficPlan {
  durationMs: number;
  rampMs: number;
  perMinute: number;
  businesses: number[];
  /** Context types with their weights, in a fixed order. */
  mix: { type: ContextType; weight: number }[];
  perChat: { min: number; max: number };
  patienceMs: number;
  replyAfter: { minMs: number; maxMs: number };
  files: number;
  intervalMs: number;
  expect: { answered: number; answeredWithinMs: number; p50Ms?: number; p95Ms?: number; p99Ms?: number };
  start?: StartSpec;
}

const optionalMs = (duration: string | undefined) => (duration === undefined ? undefined : durationMs(duration));

export function trafficPlan(spec: TrafficSpec): TrafficPlan {
  const mix = spec.mix ?? TRAFFIC_DEFAULTS.mix;
  const replyAfter = spec.messages?.replyAfter ?? TRAFFIC_DEFAULTS.replyAfter;
  const expect = spec.expect ?? {};
  return {
    durationMs: durationMs(spec.duration ?? TRAFFIC_DEFAULTS.duration),
    rampMs: optionalMs(spec.chats.ramp) ?? 0,
    perMinute: spec.chats.perMinute,
    businesses: spec.businesses ?? [DEFAULT_BUSINESS_ID],
    mix: (['ORDER', 'RETURN', 'DIRECT'] as const).map((type) => ({ type, weight: mix[type] ?? 0 })).filter((share) => share.weight > 0),
    perChat: spec.messages?.perChat ?? TRAFFIC_DEFAULTS.perChat,
    patienceMs: durationMs(spec.messages?.patience ?? TRAFFIC_DEFAULTS.patience),
    replyAfter: { minMs: durationMs(replyAfter.min), maxMs: durationMs(replyAfter.max) },
    files: spec.files ?? 0,
    intervalMs: durationMs(spec.interval ?? TRAFFIC_DEFAULTS.interval),
    expect: {
      answered: Number.parseFloat(expect.answered ?? TRAFFIC_DEFAULTS.answered) / 100,
      answeredWithinMs: durationMs(expect.answeredWithin ?? TRAFFIC_DEFAULTS.answeredWithin),
      p50Ms: optionalMs(expect.p50),
      p95Ms: optionalMs(expect.p95),
      p99Ms: optionalMs(expect.p99),
    },
    start: spec.start,
  };
}

/**
 * When buyers arrive, in milliseconds from the run's start, until its duration is over. Each gap is drawn
 * (exponentially) in units of expected arrivals, then turned into time through the expected count so far,
 * which grows as t² over the ramp and evenly after it.
 */
export function* arrivalOffsets(plan: Pick<TrafficPlan, 'durationMs' | 'rampMs' | 'perMinute'>, seed: number): Generator<number> {
  const random = seededRandom(seed ^ 0x7a11c);
  const rate = plan.perMinute / 60_000;
  const ramp = plan.rampMs;
  const rampArrivals = (rate * ramp) / 2;
  const timeOf = (expected: number) =>
    expected < rampArrivals ? Math.sqrt((2 * ramp * expected) / rate) : ramp + (expected - rampArrivals) / rate;
  for (let expected = 0; ;) {
    expected -= Math.log(1 - random());
    const at = timeOf(expected);
    if (at >= plan.durationMs) return;
    yield Math.round(at);
  }
}

/** What the `n`th buyer does, drawn from the seed and `n` alone: how many messages, which with a file, how long it takes to write again. */
export interface BuyerPlan {
  type: ContextType;
  businessId: number;
  messages: number;
  withFile: boolean[];
  replyAfterMs: number[];
}

export function buyerPlan(plan: TrafficPlan, seed: number, n: number): BuyerPlan {
  const random: Random = seededRandom((seed ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0);
  const total = plan.mix.reduce((sum, share) => sum + share.weight, 0);
  let drawn = random() * total;
  const type = plan.mix.find((share) => (drawn -= share.weight) < 0)?.type ?? plan.mix[plan.mix.length - 1].type;
  const messages = between(random, plan.perChat.min, plan.perChat.max);
  return {
    type,
    businessId: plan.businesses[n % plan.businesses.length],
    messages,
    withFile: Array.from({ length: messages }, () => random() < plan.files),
    replyAfterMs: Array.from({ length: messages }, () => between(random, plan.replyAfter.minMs, plan.replyAfter.maxMs)),
  };
}
