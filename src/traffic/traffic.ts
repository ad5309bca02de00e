/**
 * Traffic: buyers in volume. A run brings buyers at the plan's pace; each opens a chat through the domain
 * (so statuses move and pushes go out as for any buyer), waits for the partner's answer, writes its follow-ups
 * after each answer, nudges once when kept waiting past its patience, then gives up. The run measures what
 * Market would see (measure.ts) and publishes it every interval. Everything waits on the sandbox's clock, so
 * moving the clock squeezes a long run.
 */
import type { Clock } from '../clock/clock.js';
import { conflict } from '../contract/errors.js';
import type { BuyerSide } from '../domain/buyer-side.js';
import type { ChatEvent } from '../domain/chat-events.js';
import { trafficBuyerLines, type TrafficBuyerLines } from '../fake/traffic-lines.js';
import type { LimitsNow } from '../limits/request-limits.js';
import type { NotificationEntry } from '../notifications/notifier.js';
import type { Scenario } from '../scenario/schema.js';
import { TRAFFIC_DEFAULTS, type TrafficSpec } from '../scenario/traffic-schema.js';
import { durationMs } from '../model/duration.js';
import { startTime, type StartHost } from '../conversations/start.js';
import {
  trafficVerdict,
  TrafficStats,
  type BuyerMessage,
  type SeriesPoint,
  type TrafficQuota,
  type TrafficReport,
  type TrafficState,
} from './measure.js';
import { arrivalOffsets, buyerPlan, trafficPlan, type BuyerPlan, type TrafficPlan } from './plan.js';

export interface TrafficHost extends StartHost {
  buyer: BuyerSide;
  clock: Clock;
  events: { on(listener: (event: ChatEvent) => void): () => void };
  journal: {
    onCompleted(listener: (entry: { operationId: string | null; businessId: number | null; status: number | null }) => void): () => void;
  };
  notifications: StartHost['notifications'] & { onChange(listener: (entry: NotificationEntry) => void): () => void };
  limits: { now(businessId?: number): LimitsNow };
  /** Told at each interval and each change of state: the run's figures, and the interval just closed. */
  publish(traffic: TrafficEvent): void;
  /** Told when a buyer could not act (it never stops the run). */
  warn(message: string): void;
}

/** What the event stream carries of a run: its figures without the series, and the point just closed. */
export type TrafficEvent = Omit<TrafficReport, 'series'> & { point: SeriesPoint | null };

interface Buyer {
  n: number;
  plan: BuyerPlan;
  lines: TrafficBuyerLines;
  chatId: number;
  written: number;
  pending: BuyerMessage[];
  nudged: boolean;
  done: boolean;
  cancelWait?: () => void;
}

const iso = (at: number | undefined) => (at === undefined ? null : new Date(at).toISOString());
const chatKey = (businessId: number, chatId: number) => `${businessId}:${chatId}`;

class TrafficRun {
  state: Exclude<TrafficState, 'none'> = 'waiting';
  private stats: TrafficStats | undefined;
  private finishedAt: number | undefined;
  private readonly stopping = new AbortController();
  private readonly cancels = new Set<() => void>();
  private readonly unsubscribe: (() => void)[] = [];
  /** Buyers still writing or waiting, and those who gave up with messages unanswered (a late answer still counts). */
  private readonly buyers = new Map<string, Buyer>();
  /** Every chat of the run, for its pushes. */
  private readonly chatKeys = new Set<string>();
  /** Buyers arrived and not done: the run has finished when none is left and no more arrive. */
  private open = 0;
  private readonly arrivals: Generator<number>;
  private arrived = 0;
  private arrivalsOver = false;
  private intervalFrom = 0;
  /** The partner's calls by business and operation in the interval under way, and in the last one closed. */
  private pace = new Map<string, number>();
  private lastPace = new Map<string, number>();
  /** Per business and operation, the interval that judged its quota hardest so far (see TrafficQuota.worst). */
  private readonly worst = new Map<string, NonNullable<TrafficQuota['worst']>>();
  private readonly pushes = { delivered: 0, failed: 0, retried: 0 };
  /** Pushes not yet delivered or failed, and whether their retry is counted. */
  private readonly pushesUnderWay = new Map<number, boolean>();

  constructor(
    readonly plan: TrafficPlan,
    private readonly seed: number,
    private readonly host: TrafficHost,
    private readonly ended: () => void,
  ) {
    this.arrivals = arrivalOffsets(plan, seed);
  }

  arm(): void {
    if (!this.plan.start) return this.begin();
    startTime(this.plan.start, this.host, this.plan.businesses, this.stopping.signal).then(
      () => this.begin(),
      () => undefined,
    );
  }

  /** Ends the run where it is: no buyer arrives or writes any more. */
  stop(): void {
    if (this.state === 'finished' || this.state === 'stopped') return;
    const started = this.state === 'running';
    this.state = 'stopped';
    if (started) this.end();
    else {
      this.stopping.abort();
      this.ended();
    }
  }

  get startedAt(): string | null {
    return this.stats ? iso(this.stats.startedAt) : null;
  }

  report(): TrafficReport {
    const now = this.host.clock.now();
    const stats = this.stats ?? new TrafficStats(now, this.plan.expect.answeredWithinMs);
    const ended = this.state === 'finished' || this.state === 'stopped';
    return {
      state: this.state,
      startedAt: this.startedAt,
      finishedAt: iso(this.finishedAt),
      chats: stats.chats,
      buyerMessages: stats.buyerMessages,
      answered: stats.answered,
      unanswered: stats.unansweredCount,
      gaveUp: stats.gaveUp,
      oldestUnansweredMs: stats.oldestUnansweredMs(this.finishedAt ?? now),
      answerTimeMs: stats.answerTimeMs(),
      pushes: { ...this.pushes },
      partnerCalls: stats.partnerCalls,
      quotas: this.quotas(now),
      intervalMs: this.plan.intervalMs,
      series: stats.series,
      verdict: trafficVerdict(stats, this.plan, ended && this.stats !== undefined),
    };
  }

  private publish(point: SeriesPoint | null): void {
    const { series: _series, ...figures } = this.report();
    this.host.publish({ ...figures, point });
  }

  private begin(): void {
    if (this.state !== 'waiting') return;
    const now = this.host.clock.now();
    this.state = 'running';
    this.stats = new TrafficStats(now, this.plan.expect.answeredWithinMs);
    this.intervalFrom = now;
    const { events, journal, notifications } = this.host;
    this.unsubscribe.push(
      events.on((event) => this.heard(event)),
      journal.onCompleted((entry) => this.called(entry)),
      notifications.onChange((entry) => this.pushed(entry)),
    );
    this.later(this.plan.durationMs, () => {
      this.arrivalsOver = true;
      this.checkEnd();
    });
    this.later(this.plan.intervalMs, () => this.tick());
    this.nextArrival();
    this.publish(null);
  }

  private later(ms: number, run: () => void): () => void {
    const cancel = this.host.clock.schedule(Math.max(0, ms), () => {
      this.cancels.delete(cancel);
      run();
    });
    this.cancels.add(cancel);
    return cancel;
  }

  private nextArrival(): void {
    const next = this.arrivals.next();
    if (next.done) return;
    const n = this.arrived++;
    this.later(this.stats!.startedAt + next.value - this.host.clock.now(), () => {
      this.nextArrival();
      void this.host.clock.track(this.act(`buyer ${n}`, () => this.arrive(n)));
    });
  }

  private async arrive(n: number): Promise<void> {
    this.open++;
    let buyer: Buyer | undefined;
    try {
      buyer = await this.arriving(n);
    } catch (error) {
      // A buyer who could not arrive, or write its first message, is done: the run must not wait for it.
      if (buyer) this.finish(buyer, false);
      else this.open--;
      throw error;
    }
  }

  private async arriving(n: number): Promise<Buyer> {
    const plan = buyerPlan(this.plan, this.seed, n);
    const lines = trafficBuyerLines(this.seed, plan.businessId, n, plan.type, plan.messages);
    const withFile = plan.withFile[0];
    const chat = this.host.buyer.startChat(plan.businessId, {
      context: lines.context,
      customer: lines.customer,
      ...(withFile ? {} : { message: lines.messages[0] }),
    });
    const buyer: Buyer = { n, plan, lines, chatId: chat.id, written: 0, pending: [], nudged: false, done: false };
    const key = chatKey(plan.businessId, chat.id);
    this.buyers.set(key, buyer);
    this.chatKeys.add(key);
    this.stats!.chats++;
    if (withFile) await this.write(buyer, lines.messages[0], true);
    else this.wrote(buyer);
    return buyer;
  }

  /** The buyer is done: answered to the last message, or gone. Kept only while a late answer may still come. */
  private finish(buyer: Buyer, gaveUp: boolean): void {
    if (buyer.done) return;
    buyer.done = true;
    this.open--;
    if (gaveUp) this.stats!.gaveUp++;
    buyer.cancelWait?.();
    if (!buyer.pending.length) this.buyers.delete(chatKey(buyer.plan.businessId, buyer.chatId));
    this.checkEnd();
  }

  private async write(buyer: Buyer, text: string, withFile: boolean): Promise<void> {
    // Made on request, as a generated world's files are: a run in volume keeps no bytes.
    const files = withFile ? [{ name: buyer.lines.fileName, size: 60_000 }] : undefined;
    await this.host.buyer.write(buyer.plan.businessId, buyer.chatId, { message: text, files });
    if (this.state === 'running') this.wrote(buyer);
  }

  /**
   * The buyer's message is in the chat: it waits for an answer, nudging once past its patience, then giving up.
   * Times are the clock's to the millisecond (a message's own time is whole seconds, as Market's are).
   */
  private wrote(buyer: Buyer): void {
    buyer.written++;
    const message: BuyerMessage = { businessId: buyer.plan.businessId, chatId: buyer.chatId, at: this.host.clock.now() };
    buyer.pending.push(message);
    this.stats!.wrote(message);
    buyer.cancelWait?.();
    buyer.cancelWait = this.later(this.plan.patienceMs, () => this.outOfPatience(buyer));
  }

  private outOfPatience(buyer: Buyer): void {
    if (!buyer.pending.length || buyer.done) return;
    if (buyer.nudged) return this.finish(buyer, true);
    buyer.nudged = true;
    void this.host.clock.track(this.act(`buyer ${buyer.n}'s nudge`, () => this.write(buyer, buyer.lines.nudge, false)));
  }

  private heard(event: ChatEvent): void {
    if (event.kind !== 'message-sent' || event.message.sender !== 'PARTNER') return;
    const buyer = this.buyers.get(chatKey(event.businessId, event.chat.id));
    if (!buyer?.pending.length) return;
    const now = this.host.clock.now();
    for (const message of buyer.pending.splice(0)) this.stats!.answer(message, now);
    buyer.cancelWait?.();
    if (buyer.done) {
      this.buyers.delete(chatKey(buyer.plan.businessId, buyer.chatId));
      return;
    }
    if (buyer.written >= buyer.plan.messages) return this.finish(buyer, false);
    const next = buyer.lines.messages[buyer.written];
    const withFile = buyer.plan.withFile[buyer.written];
    buyer.cancelWait = this.later(buyer.plan.replyAfterMs[buyer.written], () => {
      void this.host.clock.track(this.act(`buyer ${buyer.n}'s follow-up`, () => this.write(buyer, next, withFile)));
    });
  }

  private called({
    operationId,
    businessId,
    status,
  }: {
    operationId: string | null;
    businessId: number | null;
    status: number | null;
  }): void {
    if (operationId === null || businessId === null || !this.plan.businesses.includes(businessId)) return;
    this.stats!.called(operationId, status);
    const key = `${businessId}:${operationId}`;
    this.pace.set(key, (this.pace.get(key) ?? 0) + 1);
  }

  private pushed(entry: NotificationEntry): void {
    if (entry.businessId === null || entry.chatId === null || !this.chatKeys.has(chatKey(entry.businessId, entry.chatId))) return;
    let retried = this.pushesUnderWay.get(entry.id) ?? false;
    if (!retried && entry.attempts.length > 1) {
      this.pushes.retried++;
      retried = true;
    }
    if (entry.state === 'delivered' || entry.state === 'failed') {
      this.pushes[entry.state]++;
      this.pushesUnderWay.delete(entry.id);
    } else if (entry.state === 'pending') this.pushesUnderWay.set(entry.id, retried);
    else this.pushesUnderWay.delete(entry.id);
  }

  /** What is left of each quota of the run's businesses and, at the partner's pace of the last interval, when it runs out. */
  private quotas(now: number): TrafficQuota[] {
    const minutes = this.plan.intervalMs / 60_000;
    return this.plan.businesses.flatMap((businessId) =>
      (this.host.limits.now(businessId).businesses[0]?.quotas ?? []).map((quota) => {
        const key = `${businessId}:${quota.operation}`;
        const perMinute = (this.lastPace.get(key) ?? 0) / minutes;
        // No window open: the next call opens one, which renews a window's length later.
        const renewsAt = quota.renewsAt === null ? now + quota.windowMs : Date.parse(quota.renewsAt);
        const outAt = perMinute > 0 ? now + (quota.remaining / perMinute) * 60_000 : Infinity;
        return {
          businessId,
          operation: quota.operation,
          limit: quota.limit,
          remaining: quota.remaining,
          renewsAt: quota.renewsAt,
          perMinute: Math.round(perMinute * 10) / 10,
          runsOutAt: outAt < renewsAt ? iso(Math.round(outAt))! : null,
          worst: this.worst.get(key) ?? null,
        };
      }),
    );
  }

  /** Keeps, per quota, the interval just closed if it judges the quota harder than the one kept (TrafficQuota.worst). */
  private judgeInterval(from: number, to: number): void {
    for (const quota of this.quotas(to)) {
      const key = `${quota.businessId}:${quota.operation}`;
      const kept = this.worst.get(key);
      const harder = !kept || (kept.runsOutAt === null && (quota.runsOutAt !== null || quota.perMinute > kept.perMinute));
      if (harder && quota.perMinute > 0) {
        this.worst.set(key, { from: iso(from)!, to: iso(to)!, perMinute: quota.perMinute, runsOutAt: quota.runsOutAt });
      }
    }
  }

  /** The least left of any quota the partner has used in the run; null when limits are off or none was used. */
  private quotaLeft(): number | null {
    const used = Object.keys(this.stats!.partnerCalls);
    const left = this.quotas(this.host.clock.now())
      .filter((quota) => used.includes(quota.operation))
      .map((quota) => quota.remaining);
    return left.length ? Math.min(...left) : null;
  }

  private closeInterval(): SeriesPoint {
    const point = this.stats!.closeInterval(this.intervalFrom, this.quotaLeft());
    const from = this.intervalFrom;
    this.intervalFrom = this.host.clock.now();
    this.lastPace = this.pace;
    this.pace = new Map();
    this.judgeInterval(from, this.intervalFrom);
    return point;
  }

  private tick(): void {
    this.later(this.plan.intervalMs, () => this.tick());
    this.publish(this.closeInterval());
  }

  private checkEnd(): void {
    if (this.state !== 'running' || !this.arrivalsOver) return;
    if (this.open === 0) {
      this.state = 'finished';
      this.end();
    }
  }

  private end(): void {
    this.finishedAt = this.host.clock.now();
    this.stopping.abort();
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    for (const stop of this.unsubscribe.splice(0)) stop();
    const point = this.host.clock.now() > this.intervalFrom ? this.closeInterval() : null;
    this.publish(point);
    this.ended();
  }

  /** What a buyer does runs on the clock: a failure is reported, never thrown into the process. */
  private async act(what: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.host.warn(`traffic: ${what} could not act: ${(error as Error).message}`);
    } finally {
      this.checkEnd();
    }
  }
}

/** No run: the scenario has no traffic and none was started. */
function noTraffic(intervalMs: number): TrafficReport {
  return {
    state: 'none',
    startedAt: null,
    finishedAt: null,
    chats: 0,
    buyerMessages: 0,
    answered: 0,
    unanswered: 0,
    gaveUp: 0,
    oldestUnansweredMs: 0,
    answerTimeMs: { p50: 0, p95: 0, p99: 0, max: 0 },
    pushes: { delivered: 0, failed: 0, retried: 0 },
    partnerCalls: {},
    quotas: [],
    intervalMs,
    series: [],
    verdict: { state: 'pending', reasons: [] },
  };
}

/** The scenario's traffic as a part of the sandbox: armed when it is played, played again from the start on reset. */
export class Traffic {
  private spec: TrafficSpec | undefined;
  private seed = 0;
  private run: TrafficRun | undefined;
  private waiters: (() => void)[] = [];

  constructor(private readonly host: TrafficHost) {}

  configure(scenario: Scenario, seed: number): void {
    this.spec = scenario.traffic;
    this.seed = seed;
  }

  /** Arms the scenario's traffic (one business alone changes nothing). */
  start(businessId?: number): void {
    if (businessId !== undefined || !this.spec || this.run) return;
    this.play(this.spec);
  }

  stop(businessId?: number): void {
    if (businessId === undefined) this.run?.stop();
  }

  /** A reset clears the run; start() arms the scenario's again. */
  reset(businessId?: number): void {
    if (businessId === undefined) this.run = undefined;
  }

  /** POST /__sandbox/traffic/start: plays `spec` (or the scenario's traffic) afresh; refused while a run is under way. */
  startRun(spec: TrafficSpec | undefined): TrafficReport {
    if (this.run?.state === 'running') {
      throw conflict(`a traffic run is under way (started at ${this.run.startedAt}): stop it first (POST /__sandbox/traffic/stop)`);
    }
    const playing = spec ?? this.spec;
    if (!playing) throw conflict('traffic: the scenario has none; give one in the body ({"chats":{"perMinute":60}})');
    this.run?.stop();
    this.play(playing);
    return this.report();
  }

  /** POST /__sandbox/traffic/stop: ends the run under way (or waiting to start). */
  stopRun(): TrafficReport {
    if (this.run?.state !== 'running' && this.run?.state !== 'waiting') throw conflict('no traffic run is under way');
    this.run.stop();
    return this.report();
  }

  report(): TrafficReport {
    return this.run?.report() ?? noTraffic(durationMs(this.spec?.interval ?? TRAFFIC_DEFAULTS.interval));
  }

  /** The run's figures once it has started (for the integration report); undefined before. */
  ran(): TrafficReport | undefined {
    return this.run?.startedAt ? this.run.report() : undefined;
  }

  /** Resolves once the run has finished or been stopped (at once when there is none). */
  settled(): Promise<TrafficReport> {
    const state = this.run?.state;
    if (state !== 'waiting' && state !== 'running') return Promise.resolve(this.report());
    return new Promise((resolve) => this.waiters.push(() => resolve(this.report())));
  }

  private play(spec: TrafficSpec): void {
    const run = new TrafficRun(trafficPlan(spec), this.seed, this.host, () => {
      if (this.run === run) for (const wake of this.waiters.splice(0)) wake();
    });
    this.run = run;
    run.arm();
  }
}
