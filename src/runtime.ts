/**
 * The composition root: one sandbox's core (its clock, the world and its files, the chat lifecycle and the
 * services over it, the journal and the feed) and its parts. Every part has one life: it reads its settings
 * from the scenario being loaded, stops acting, resets (all of it, or one business), starts again, and the
 * runtime drives them all in one loop, in one order. Control routes get the part they serve, never this.
 */
import { clockSettings, SandboxClock } from './clock/clock.js';
import { Conversations } from './conversations/conversations.js';
import { SimulatedBuyers } from './customer/simulated-buyer.js';
import { BuyerSide } from './domain/buyer-side.js';
import { ChatEvents, type ChatEventListener } from './domain/chat-events.js';
import { ChatLifecycle } from './domain/chat-lifecycle.js';
import { ChatService } from './domain/chat-service.js';
import { FileLinks } from './domain/file-links.js';
import { scenarioBusinesses } from './fake/scenario-world.js';
import { generateBusiness } from './fake/world-generator.js';
import { Feed } from './feed/feed.js';
import { Journal } from './journal/journal.js';
import { RequestLimits } from './limits/request-limits.js';
import { DEFAULT_BUSINESS_ID } from './model/records.js';
import { Notifier } from './notifications/notifier.js';
import { makeReport, type Report } from './report/report.js';
import type { Part } from './scenario/part.js';
import { ScenarioPolicies } from './scenario/policies.js';
import { ScenarioRules } from './scenario/scenario-rules.js';
import type { Scenario } from './scenario/schema.js';
import { FileStore, MEMORY_FILES_BYTES } from './store/file-store.js';
import { DEFAULT_SEED, WorldStore } from './store/world-store.js';
import type { Health } from './health.js';
import type { RuntimeLog, RuntimeOptions } from './options.js';
import { Traffic } from './traffic/traffic.js';
import { Recording } from './recording/recording.js';
import { worldScenario } from './recording/world-export.js';

export type { RuntimeLog, RuntimeOptions } from './options.js';

export { HealthSchema, type Health } from './health.js';

export class SandboxRuntime {
  readonly journal: Journal;
  readonly rules = new ScenarioRules();
  readonly policies: ScenarioPolicies;
  readonly limits: RequestLimits;
  readonly notifier: Notifier;
  readonly simulatedBuyers: SimulatedBuyers;
  readonly conversations: Conversations;
  readonly traffic: Traffic;
  readonly feed: Feed;
  /** The partner's operations. */
  readonly chats: ChatService;
  /** Everyone but the partner: buyers, Market, support, the arbiter. */
  readonly buyer: BuyerSide;
  /** Payload links: how they are made and checked, as the scenario's `files` says. */
  readonly fileLinks: FileLinks;
  /** In proxy mode: what the upstream answered, kept as a scenario (it outlives resets: it is Market's, not the world's). */
  readonly recording: Recording | undefined;
  private readonly events: ChatEvents;
  private readonly startedAt: number;
  /** In the order they stop, reset and start; parts of the HTTP side are attached after them. */
  private readonly parts: Part[];

  private constructor(
    readonly clock: SandboxClock,
    private readonly store: WorldStore,
    private readonly options: RuntimeOptions,
    log: RuntimeLog,
  ) {
    this.journal = new Journal(() => clock.now());
    const files = new FileStore(options.db, options.uploadsInMemoryBytes ?? MEMORY_FILES_BYTES);
    const warn = (message: string) => log.warn(message);
    const events = (this.events = new ChatEvents(warn));
    const lifecycle = new ChatLifecycle(store, events);
    const policies = (this.policies = new ScenarioPolicies(options.paths));
    this.chats = new ChatService(store, files, lifecycle, () => policies.invents);
    const buyer = (this.buyer = new BuyerSide(this.chats, lifecycle));
    const links = (this.fileLinks = new FileLinks(policies, clock, store));
    const feed = (this.feed = new Feed((fileId) => `/__sandbox/files/${fileId}${links.query(fileId)}`));
    this.limits = new RequestLimits(clock, options.rateLimits !== false);
    const notifier = (this.notifier = new Notifier(clock, options.webhook));
    const businessIds = () => (store.businessIds().length ? store.businessIds() : [DEFAULT_BUSINESS_ID]);
    this.simulatedBuyers = new SimulatedBuyers({ buyer, clock, businessIds, warn });
    const scripted = { buyer, clock, events, journal: this.journal, notifications: notifier };
    this.conversations = new Conversations({ ...scripted, states: this.rules });
    this.traffic = new Traffic({
      ...scripted,
      limits: this.limits,
      warn,
      publish: (traffic) => feed.publish({ type: 'traffic', traffic }),
    });
    events.on(notifier.onEvent);
    events.on(this.simulatedBuyers.onEvent);
    events.on((event) => feed.publish({ type: 'chat', event }));
    this.journal.onCompleted((entry) => feed.publish({ type: 'request', entry }));
    notifier.onChange((entry) => feed.publish({ type: 'notification', entry }));
    clock.onMove((now) => feed.publish({ type: 'clock', now: new Date(now).toISOString() }));
    if (options.upstream) this.recording = new Recording({ seed: store.seed, raw: options.recordRaw ?? false });
    this.parts = [policies, this.limits, this.rules, notifier, this.simulatedBuyers, this.conversations, this.traffic, this.journal, files];
    this.startedAt = clock.now();
  }

  static async create(options: RuntimeOptions, log: RuntimeLog): Promise<SandboxRuntime> {
    const scenario = options.scenario ?? {};
    const seed = options.seed ?? scenario.seed ?? DEFAULT_SEED;
    const clock = new SandboxClock({ ...clockSettings(scenario.clock, options.clock), realNow: options.now });
    const store = await WorldStore.open({
      seed,
      generate: generateBusiness,
      initialBusinesses: scenarioBusinesses(scenario),
      dbFile: options.db,
      now: () => clock.now(),
      generatedKept: options.generatedBusinessesKept,
      warn: (message) => log.warn(message),
    });
    const runtime = new SandboxRuntime(clock, store, options, log);
    runtime.notifier.check(scenario);
    // Fresh parts need no reset (with --db, a reset would drop the uploads the file keeps).
    for (const part of runtime.parts) part.configure?.(scenario, seed);
    clock.run();
    for (const part of runtime.parts) part.start?.();
    return runtime;
  }

  /** The scenario being played. */
  get scenario(): Scenario {
    return this.policies.scenario;
  }

  /** Adds a part of the HTTP side (a cache, held connections): it resets, stops and closes with the others. */
  attach(part: Part): void {
    this.parts.push(part);
  }

  /** Listens to every change of a chat; call what it returns to stop. */
  onChatEvent(listener: ChatEventListener): () => void {
    return this.events.on(listener);
  }

  health(): Health {
    const now = this.clock.now();
    const rateLimits = this.limits.limiter !== undefined;
    const upstream = this.options.upstream
      ? { url: this.options.upstream.url, writes: this.options.upstream.writes ? ('forwarded' as const) : ('held back' as const) }
      : null;
    return { uptimeMs: now - this.startedAt, now: new Date(now).toISOString(), rateLimits, upstream, ...this.store.facts() };
  }

  /** The world as it is now, every business the sandbox holds, as a scenario another sandbox plays. */
  exportWorld(): Scenario {
    const { store } = this;
    const businesses = store.businessIds().flatMap((id) => store.existingBusiness(id)?.record ?? []);
    return worldScenario(businesses, store.seed);
  }

  /** What the partner's integration does wrong, from the journal, the notification log and the traffic run as they are now. */
  report(): Report {
    const { journal, notifier, clock, store } = this;
    const input = {
      requests: journal.list(),
      requestsKnownSince: journal.knowsCallsSince(),
      notifications: notifier.list(),
      webhook: notifier.webhook !== undefined,
      upstream: this.options.upstream !== undefined,
      limits: this.limits.limiter !== undefined,
      traffic: this.traffic.ran(),
      now: clock.now(),
      senderOf: store.senderOf.bind(store),
    };
    return makeReport(input, this.scenario.report);
  }

  /** Plays another scenario from now on, from its initial world (the options' seed and clock still win). */
  async loadScenario(scenario: Scenario): Promise<void> {
    const seed = this.options.seed ?? scenario.seed ?? DEFAULT_SEED;
    this.notifier.check(scenario);
    const clock = clockSettings(scenario.clock, this.options.clock);
    // Made before anything changes, so that an inconsistent world leaves the running scenario alone.
    const make = scenarioBusinesses(scenario);
    const made = await make(seed, clock.start ?? this.clock.now());
    this.stop();
    this.clock.restart(clock);
    for (const part of this.parts) part.configure?.(scenario, seed);
    await this.store.reseed(seed, make, made);
    await this.afterReset({ type: 'scenario', name: scenario.name ?? null });
  }

  /**
   * Back to the initial world, with every counter cleared; or, with `businessId`, that business alone back to
   * its initial world, state and quotas, with its deliveries cancelled and its conversations played again.
   */
  async reset(businessId?: number): Promise<void> {
    this.stop(businessId);
    if (businessId === undefined) this.clock.rewind(clockSettings(this.scenario.clock, this.options.clock));
    await (businessId === undefined ? this.store.reset() : this.store.resetBusiness(businessId));
    await this.afterReset(businessId === undefined ? { type: 'reset' } : { type: 'reset', businessId });
  }

  /** Nothing happens by itself any more (or in one business): buyers stop, deliveries are cancelled, connections cut. */
  stop(businessId?: number): void {
    for (const part of this.parts) part.stop?.(businessId);
  }

  /** Writes the world out (with --db); call stop() first. */
  async close(): Promise<void> {
    for (const part of this.parts) await part.close?.();
    this.clock.close();
    this.feed.close();
    await this.store.close();
  }

  private async afterReset(event: { type: 'scenario'; name: string | null } | { type: 'reset'; businessId?: number }): Promise<void> {
    const businessId = event.type === 'reset' ? event.businessId : undefined;
    for (const part of this.parts) await part.reset?.(businessId);
    this.feed.publish(event);
    this.clock.run();
    for (const part of this.parts) part.start?.(businessId);
  }
}
