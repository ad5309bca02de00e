/**
 * How a traffic run went, as Market would see it: buyer messages, the partner's answers and how long they
 * took, the pushes, the partner's calls, per interval and in all, and the verdict against the thresholds.
 * Pure: every time is given in milliseconds of the sandbox's clock.
 */
import { Type, type Static } from 'typebox';
import { OPERATION_IDS } from '../contract/operations.js';
import { Nullable, stringEnum } from '../contract/schemas.js';
import { durationText } from '../model/duration.js';
import type { TrafficPlan } from './plan.js';

export const TRAFFIC_STATES = ['none', 'waiting', 'running', 'finished', 'stopped'] as const;
export type TrafficState = (typeof TRAFFIC_STATES)[number];

const Percentiles = Type.Object(
  { p50: Type.Integer(), p95: Type.Integer(), p99: Type.Integer(), max: Type.Integer() },
  { description: 'Answer times in ms, of the answered buyer messages (0 while none is)' },
);

const CallCounts = Type.Object({ '2xx': Type.Integer(), '420': Type.Integer(), '4xx': Type.Integer(), '5xx': Type.Integer() });
export type CallCounts = Static<typeof CallCounts>;

const ChatRef = Type.Object({ businessId: Type.Integer(), chatId: Type.Integer() });

const SeriesPointSchema = Type.Object({
  at: Type.String({ description: 'Where the interval starts (ISO 8601)' }),
  buyerMessages: Type.Integer({ description: 'Written in the interval' }),
  answers: Type.Integer({ description: 'Buyer messages answered in the interval' }),
  backlog: Type.Integer({ description: 'Buyer messages unanswered at its end' }),
  p50: Type.Integer({ description: 'Answer time of the messages answered in it, ms' }),
  p95: Type.Integer(),
  calls420: Type.Integer({ description: "The partner's calls refused with 420" }),
  errors: Type.Integer({ description: "The partner's calls answered with another 4xx or a 5xx" }),
  quotaLeft: Nullable(Type.Integer({ description: 'The least left of any quota the partner used, at its end' })),
  chats: Type.Array(ChatRef, { description: 'Chats where a buyer wrote in it (the first 100)' }),
});
export type SeriesPoint = Static<typeof SeriesPointSchema>;

const QuotaSchema = Type.Object({
  businessId: Type.Integer(),
  operation: stringEnum(OPERATION_IDS),
  limit: Type.Integer(),
  remaining: Type.Integer(),
  renewsAt: Nullable(Type.String()),
  perMinute: Type.Number({ description: "The partner's pace of this call over the last interval" }),
  runsOutAt: Nullable(Type.String({ description: 'At this pace, when nothing is left before the window renews; null if it lasts' })),
  worst: Nullable(
    Type.Object(
      {
        from: Type.String(),
        to: Type.String(),
        perMinute: Type.Number(),
        runsOutAt: Nullable(Type.String({ description: 'At that pace, when the quota would have run out before it renewed' })),
      },
      {
        description:
          'The interval of the run that judged this quota hardest: the first whose pace would have spent it before it renewed, else the busiest; null before an interval closed',
      },
    ),
  ),
});
export type TrafficQuota = Static<typeof QuotaSchema>;

export const TrafficVerdictSchema = Type.Object({
  state: stringEnum(['pending', 'passed', 'failed'] as const, 'pending until the run has finished or been stopped'),
  reasons: Type.Array(Type.String(), { description: 'Each threshold missed, and by how much' }),
});
export type TrafficVerdict = Static<typeof TrafficVerdictSchema>;

/** GET /__sandbox/traffic's answer, sandbox.traffic() (the type is made from it). */
export const TrafficReportSchema = Type.Object({
  state: stringEnum(TRAFFIC_STATES, 'none: no traffic in the scenario and none started; finished: no buyer left to answer'),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  chats: Type.Integer({ description: 'Chats buyers opened' }),
  buyerMessages: Type.Integer(),
  answered: Type.Integer(),
  unanswered: Type.Integer({ description: 'Buyer messages not answered now' }),
  gaveUp: Type.Integer({ description: 'Buyers who stopped waiting' }),
  oldestUnansweredMs: Type.Integer({ description: 'How long the oldest unanswered buyer message has waited' }),
  answerTimeMs: Percentiles,
  pushes: Type.Object({ delivered: Type.Integer(), failed: Type.Integer(), retried: Type.Integer() }),
  partnerCalls: Type.Record(Type.String(), CallCounts, { description: "The partner's calls in the run's businesses, by operation" }),
  quotas: Type.Array(QuotaSchema),
  intervalMs: Type.Integer(),
  series: Type.Array(SeriesPointSchema),
  verdict: TrafficVerdictSchema,
});
export type TrafficReport = Static<typeof TrafficReportSchema>;

/** The value below which `share` of the sorted values fall (nearest rank). */
export function percentile(sorted: number[], share: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))];
}

export interface BuyerMessage {
  businessId: number;
  chatId: number;
  at: number;
}

const classOf = (status: number | null): keyof CallCounts =>
  status === 420 ? '420' : status !== null && status < 300 ? '2xx' : status !== null && status >= 500 ? '5xx' : '4xx';

interface Interval {
  buyerMessages: number;
  answerTimes: number[];
  calls420: number;
  errors: number;
  chats: { businessId: number; chatId: number }[];
}

const emptyInterval = (): Interval => ({ buyerMessages: 0, answerTimes: [], calls420: 0, errors: 0, chats: [] });

/** A run's figures, fed as things happen. */
export class TrafficStats {
  /** Buyer messages written, and those answered within the plan's answeredWithin (counted as answers come). */
  buyerMessages = 0;
  answeredInTime = 0;
  answered = 0;
  chats = 0;
  gaveUp = 0;
  readonly partnerCalls: Record<string, CallCounts> = {};
  readonly series: SeriesPoint[] = [];
  private current = emptyInterval();
  /** In the order written, which is the order of their times: the first is the oldest. */
  private unanswered = new Set<BuyerMessage>();
  /** Answer times sorted, and those come since: merged in when percentiles are asked for, not sorted again whole. */
  private sortedTimes: number[] = [];
  private newTimes: number[] = [];

  constructor(
    readonly startedAt: number,
    private readonly answeredWithinMs: number,
  ) {}

  wrote(message: BuyerMessage): void {
    this.buyerMessages++;
    this.unanswered.add(message);
    this.current.buyerMessages++;
    if (this.current.chats.length < 100) this.current.chats.push({ businessId: message.businessId, chatId: message.chatId });
  }

  answer(message: BuyerMessage, at: number): void {
    this.unanswered.delete(message);
    this.answered++;
    if (at - message.at <= this.answeredWithinMs) this.answeredInTime++;
    this.newTimes.push(at - message.at);
    this.current.answerTimes.push(at - message.at);
  }

  called(operation: string, status: number | null): void {
    const counts = (this.partnerCalls[operation] ??= { '2xx': 0, '420': 0, '4xx': 0, '5xx': 0 });
    const kind = classOf(status);
    counts[kind]++;
    if (kind === '420') this.current.calls420++;
    else if (kind !== '2xx') this.current.errors++;
  }

  /** Closes the interval that started at `from`. */
  closeInterval(from: number, quotaLeft: number | null): SeriesPoint {
    const { buyerMessages, answerTimes, calls420, errors, chats } = this.current;
    const sorted = [...answerTimes].sort((a, b) => a - b);
    const point: SeriesPoint = {
      at: new Date(from).toISOString(),
      buyerMessages,
      answers: answerTimes.length,
      backlog: this.unanswered.size,
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      calls420,
      errors,
      quotaLeft,
      chats,
    };
    this.series.push(point);
    this.current = emptyInterval();
    return point;
  }

  oldestUnansweredMs(now: number): number {
    const oldest = this.unanswered.values().next().value;
    return oldest ? now - oldest.at : 0;
  }

  get unansweredCount(): number {
    return this.unanswered.size;
  }

  answerTimeMs(): Static<typeof Percentiles> {
    const sorted = this.sortedAnswerTimes();
    return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 };
  }

  /** Every answer time, sorted: the new ones sorted alone and merged in, as they are few next to those before. */
  private sortedAnswerTimes(): number[] {
    if (!this.newTimes.length) return this.sortedTimes;
    const added = this.newTimes.sort((a, b) => a - b);
    const before = this.sortedTimes;
    const merged = new Array<number>(before.length + added.length);
    for (let i = 0, j = 0, k = 0; k < merged.length; k++) {
      merged[k] = j >= added.length || (i < before.length && before[i] <= added[j]) ? before[i++] : added[j++];
    }
    this.sortedTimes = merged;
    this.newTimes = [];
    return merged;
  }
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** An answer time as a reader takes it in: 612ms, 4.2s, 1m 12.4s. */
function readable(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m ${((ms % 60_000) / 1000).toFixed(1)}s`;
}

/** Judges a run that has ended against its thresholds; a run under way is pending. */
export function trafficVerdict(stats: TrafficStats, plan: TrafficPlan, ended: boolean): TrafficVerdict {
  if (!ended) return { state: 'pending', reasons: [] };
  const { expect } = plan;
  const total = stats.buyerMessages;
  if (!total) return { state: 'failed', reasons: ['no buyer wrote during the run: there is nothing to judge'] };
  const reasons: string[] = [];
  const share = stats.answeredInTime / total;
  if (share < expect.answered) {
    reasons.push(
      `answered: ${percent(share)} of ${total} buyer messages were answered within ${durationText(expect.answeredWithinMs)}, ` +
        `expected at least ${percent(expect.answered)} (${((expect.answered - share) * 100).toFixed(1)} points short)`,
    );
  }
  const times = stats.answerTimeMs();
  for (const [name, limit, value] of [
    ['p50', expect.p50Ms, times.p50],
    ['p95', expect.p95Ms, times.p95],
    ['p99', expect.p99Ms, times.p99],
  ] as const) {
    if (limit === undefined) continue;
    if (!stats.answered) reasons.push(`${name}: no buyer message was answered, so no answer time is known`);
    else if (value > limit) {
      reasons.push(`${name}: answer time ${readable(value)}, expected at most ${durationText(limit)} (${readable(value - limit)} over)`);
    }
  }
  return { state: reasons.length ? 'failed' : 'passed', reasons };
}
