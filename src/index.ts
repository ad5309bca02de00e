/** The programmatic API: start a sandbox from test code, or build its Fastify app to inject into. */
import { buildApp, type AppOptions } from './app.js';
import { buyerApi, type BuyerApi } from './control/buyer-api.js';
import type { JournalEntry, JournalFilter } from './journal/journal.js';
import type { NotificationEntry, NotificationFilter } from './notifications/notifier.js';
import { checkTraffic, resolveScenario, ScenarioError, type ScenarioInput } from './scenario/load.js';
import type { FastifyInstance } from 'fastify';
import type { SandboxEvent } from './feed/feed.js';
import type { LimitsNow } from './limits/request-limits.js';
import { ClockError, type SandboxClock } from './clock/clock.js';
import { DURATION_PATTERN, durationMs } from './model/duration.js';
import type { Report } from './report/report.js';
import type { StatesNow } from './scenario/states.js';
import type { Verdict } from './conversations/conversations.js';
import type { TrafficReport } from './traffic/measure.js';
import type { TrafficSpec } from './scenario/traffic-schema.js';
import { DEFAULT_BUSINESS_ID } from './model/records.js';
import type { Scenario } from './scenario/schema.js';

export { buildApp, type AppOptions, type BuiltApp } from './app.js';
export { DEFAULT_SEED } from './store/world-store.js';
export { OPERATIONS, OPERATION_IDS, type OperationId } from './contract/operations.js';
export { ScenarioError, parseScenario, type ScenarioInput } from './scenario/load.js';
export type { Scenario, Rule } from './scenario/schema.js';
export type { JournalEntry, JournalFilter } from './journal/journal.js';
export type { FeedEvent, SandboxEvent } from './feed/feed.js';
export type { LimitsNow } from './limits/request-limits.js';
export { ClockError } from './clock/clock.js';
export type { Health } from './runtime.js';
export type { Report, Finding, Severity } from './report/report.js';
export type { ReportCode, ReportSettings } from './scenario/schema.js';
export type { StatesNow } from './scenario/states.js';
export type { Verdict, StepOutcome, PartnerAnswer, ConversationState } from './conversations/conversations.js';
export type { TrafficReport, TrafficVerdict, SeriesPoint, TrafficQuota, TrafficState } from './traffic/measure.js';
export type { TrafficSpec } from './scenario/traffic-schema.js';
export type { NotificationEntry, NotificationFilter, DeliveryState } from './notifications/notifier.js';
export type { DeliveryAttempt } from './notifications/delivery.js';
export type { Notification, NotificationType } from './contract/notifications.js';
export type { ChatDto, MessageDto } from './contract/schemas.js';
export { SandboxRequestError, type BuyerApi, type Say, type FileToSend, type InBusiness } from './control/buyer-api.js';

/** A token that works in the default (lenient) mode, where any non-empty token does. */
export const SAMPLE_TOKEN = 'ACMA:sandbox-key';
/** The business of the committed default world; any other id gets a generated world of its own. */
export const SAMPLE_BUSINESS_ID = DEFAULT_BUSINESS_ID;

export interface SandboxOptions extends Omit<AppOptions, 'scenario'> {
  /** A scenario file, several (later ones extend and override earlier ones), or the scenario as data. */
  scenario?: ScenarioInput;
  /** TCP port; 0 (the default here) takes any free one. */
  port?: number;
  /** Address to listen on; 127.0.0.1 by default. */
  host?: string;
}

export interface ClockControl {
  /** The sandbox's time. */
  now(): Date;
  /** true when time moves only when the clock is moved (clock: { frozen: true } or --clock-frozen). */
  readonly frozen: boolean;
  /** Moves the clock forward by a duration ('90s', '1h', '2d') or milliseconds; resolves with the new time. */
  advance(duration: string | number): Promise<Date>;
  /** Moves the clock forward to a time (a Date, ISO 8601 text or ms); rejects with a ClockError for a time before now. */
  set(to: Date | string | number): Promise<Date>;
}

export interface Sandbox {
  /** Base URL of the API, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  token: string;
  businessId: number;
  /** The request limits in force, in words. */
  limits: string;
  /** both: /v2/businesses/… and /businesses/… are served; v2-only: the unprefixed paths answer 404. */
  readonly paths: 'both' | 'v2-only';
  /** Plays another scenario (a file, files, or data) from its initial world; rejects with a ScenarioError. */
  loadScenario(scenario: ScenarioInput): Promise<void>;
  /** The journal of API calls, oldest first, optionally filtered. */
  requests(filter?: JournalFilter): JournalEntry[];
  /**
   * Back to the scenario's initial world: rules rearmed, limit counters, journal and notifications cleared.
   * With `businessId`, only that business goes back (its world and quotas), and the others stay as they are.
   */
  reset(options?: { businessId?: number }): Promise<void>;
  /** The other side of the chats: buyers start chats and write, Market and support write, disputes open and close. */
  buyer: BuyerApi;
  /** The same as `buyer`. */
  customer: BuyerApi;
  /** Where push notifications go (--webhook, or the scenario's webhook.url); undefined when nowhere. */
  readonly webhook: string | undefined;
  /** The name of the scenario being played (files played together: their names joined, `a, b`); undefined for none. */
  readonly scenarioName: string | undefined;
  /** The push notifications sent or being sent, oldest first, with every attempt. */
  notifications(filter?: NotificationFilter): NotificationEntry[];
  /** Resolves once every notification queued so far is delivered, has failed its last attempt, or was cancelled. */
  notificationsSettled(): Promise<void>;
  /**
   * Everything that happens, as it happens: chat changes, API calls, notifications, scenario loads and resets
   * (what GET /__sandbox/events streams). `for await (const event of sandbox.events()) …`; leave the loop, or
   * call `return()`, to stop. `lastEventId` replays what came after it, or starts with `{ type: 'reload' }`.
   */
  events(options?: { lastEventId?: number }): AsyncIterableIterator<SandboxEvent>;
  /** Where each business stands against the request limits now (GET /__sandbox/limits). */
  limitsNow(businessId?: number): LimitsNow;
  /** The scripted conversations' verdicts (GET /__sandbox/conversations). */
  conversations(): Verdict[];
  /** Resolves once every conversation has passed or failed (one waiting for a call that never comes keeps it waiting). */
  conversationsSettled(): Promise<void>;
  /** The traffic run: its figures, series and verdict (GET /__sandbox/traffic). */
  traffic(): TrafficReport;
  /** Resolves with the run's figures once it has finished or been stopped (at once when there is none). */
  trafficSettled(): Promise<TrafficReport>;
  /** Plays the scenario's traffic afresh, or `spec`; throws while a run is under way. */
  startTraffic(spec?: TrafficSpec): TrafficReport;
  /** Ends the run under way; the verdict is given. */
  stopTraffic(): TrafficReport;
  /** The named states (GET /__sandbox/state): the global one, the initial one, and businesses in another. */
  states(): StatesNow;
  /** Sets a business's named state, or the global state without `businessId` (PUT /__sandbox/state). */
  setState(state: string, options?: { businessId?: number }): void;
  /** The integration report (GET /__sandbox/report): what the partner's code does wrong, with evidence. */
  report(): Report;
  /**
   * The world as it is now, as a scenario another sandbox plays (GET /__sandbox/world): every business with its chats
   * and messages, ids and times included. `startSandbox({ scenario: sandbox.exportWorld() })` answers the same.
   */
  exportWorld(): Scenario;
  /** In proxy mode (`upstream`), what the upstream answered, as a scenario (GET /__sandbox/recording); undefined otherwise. */
  recording(): Scenario | undefined;
  /** Proxy mode: where the partner's calls go, and whether writes go there too; undefined when the sandbox answers itself. */
  readonly upstream: { url: string; writes: 'held back' | 'forwarded' } | undefined;
  /** Sends a PING to the webhook and resolves with how it went; rejects when no webhook is set. */
  ping(): Promise<NotificationEntry>;
  /**
   * The sandbox's clock, as Stripe's test clocks: `await sandbox.clock.advance('1h')` moves it forward, and
   * everything due on the way (quota windows, push retries, conversations' deadlines, buyers' replies, link
   * expiry) happens first, in order. Time never goes backwards.
   */
  clock: ClockControl;
  /** Stops listening, waits for requests under way, and writes the world out (with --db). Safe to call twice. */
  close(): Promise<void>;
  /** The Fastify app, for inject() or extra hooks in tests. */
  app: FastifyInstance;
}

function clockControl(clock: SandboxClock): ClockControl {
  const moved = async (move: Promise<number>) => new Date(await move);
  return {
    now: () => new Date(clock.now()),
    get frozen() {
      return clock.frozen;
    },
    advance: async (duration) => {
      if (typeof duration === 'string' && !new RegExp(DURATION_PATTERN).test(duration)) {
        throw new ClockError(`advance: "${duration}" is not a duration such as 800ms, 30s, 1m, 1h or 1d`);
      }
      return moved(clock.advance(typeof duration === 'string' ? durationMs(duration) : duration));
    },
    set: async (to) => moved(clock.set(to instanceof Date ? to.getTime() : typeof to === 'string' ? Date.parse(to) : to)),
  };
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const scenario = await resolveScenario(options.scenario);
  const { app, runtime } = await buildApp({ ...options, scenario }).catch((error: Error) => {
    // The world a scenario describes is made here: its errors name the scenario's source like the others.
    if (!(error instanceof ScenarioError)) throw error;
    const source =
      typeof options.scenario === 'string' ? options.scenario : Array.isArray(options.scenario) ? options.scenario.join(' + ') : 'scenario';
    throw new ScenarioError(`${source}: ${error.message}`);
  });
  try {
    await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const host = options.host ?? '127.0.0.1';
  try {
    runtime.notifier.listeningOn({ host, port });
  } catch (error) {
    await app.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const buyer = buyerApi(app, authority, SAMPLE_BUSINESS_ID, options.controlToken);
  return {
    url: `http://${authority}`,
    port,
    token: SAMPLE_TOKEN,
    businessId: SAMPLE_BUSINESS_ID,
    get limits() {
      return runtime.limits.describe();
    },
    get paths() {
      return runtime.policies.v2Only ? ('v2-only' as const) : ('both' as const);
    },
    loadScenario: async (input) => runtime.loadScenario((await resolveScenario(input))!),
    requests: (filter) => runtime.journal.list(filter),
    reset: ({ businessId } = {}) => runtime.reset(businessId),
    buyer,
    customer: buyer,
    get webhook() {
      return runtime.notifier.webhook;
    },
    get scenarioName() {
      return runtime.scenario.name;
    },
    notifications: (filter) => runtime.notifier.list(filter),
    notificationsSettled: () => runtime.notifier.settled(),
    ping: () => runtime.notifier.ping(),
    events: (options = {}) => runtime.feed.iterate(options.lastEventId),
    limitsNow: (businessId) => runtime.limits.now(businessId),
    report: () => runtime.report(),
    exportWorld: () => runtime.exportWorld(),
    recording: () => runtime.recording?.scenario(),
    upstream: runtime.health().upstream ?? undefined,
    states: () => runtime.rules.statesNow(),
    conversations: () => runtime.conversations.verdicts(),
    conversationsSettled: () => runtime.conversations.settled(),
    traffic: () => runtime.traffic.report(),
    trafficSettled: () => runtime.traffic.settled(),
    startTraffic: (spec) => runtime.traffic.startRun(spec === undefined ? undefined : checkTraffic(spec, 'traffic')),
    stopTraffic: () => runtime.traffic.stopRun(),
    setState: (state, { businessId } = {}) => runtime.rules.setState(businessId, state),
    clock: clockControl(runtime.clock),
    close: () => (closing ??= app.close()),
    app,
  };
}
