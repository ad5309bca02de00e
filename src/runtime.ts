/**
 * One sandbox's parts, wired once: the world, the chat lifecycle and the services over it, the scenario
 * being played, the journal, push notifications and simulated buyers. Its state is private; the API and
 * control routes use the services it hands out and its small command and query methods.
 */
import type { Socket } from 'node:net';
import type { AccessPolicy } from './auth/access.js';
import { SimulatedBuyer, type SimulatedBuyerSettings } from './customer/simulated-buyer.js';
import { BuyerSide } from './domain/buyer-side.js';
import { ChatEvents, type ChatEventListener } from './domain/chat-events.js';
import { Feed } from './feed/feed.js';
import { ChatLifecycle } from './domain/chat-lifecycle.js';
import { ChatService } from './domain/chat-service.js';
import { FileLinks } from './domain/file-links.js';
import type { ForwardCompatibility } from './contract/forward-compatibility.js';
import type { CallId, OperationId } from './contract/operations.js';
import { buildBusiness } from './fake/scenario-world.js';
import { generateBusiness } from './fake/world-generator.js';
import { Journal } from './journal/journal.js';
import type { RateLimiter } from './limits/rate-limiter.js';
import { describeLimits, describeWindow, limiterFor } from './limits/windows.js';
import { durationMs } from './model/duration.js';
import type { BusinessRecord, FileMeta } from './model/records.js';
import {
  Notifier,
  WEBHOOK_DEFAULTS,
  type NotificationEntry,
  type NotificationFilter,
  type WebhookSettings,
} from './notifications/notifier.js';
import { makeReport, type Report } from './report/report.js';
import { RuleBook, type AppliedRule, type CallFacts } from './scenario/rules.js';
import { NamedStates, type StatesNow } from './scenario/states.js';
import { Conversations } from './conversations/conversations.js';
import { delayRange, type Scenario } from './scenario/schema.js';
import { FileStore, MEMORY_FILES_BYTES } from './store/file-store.js';
import { DEFAULT_BUSINESS_ID, DEFAULT_SEED, WorldStore } from './store/world-store.js';

/** Where the sandbox reports what goes wrong in the background (a pino logger is one). */
export interface RuntimeLog {
  warn(message: string): void;
}

export interface RuntimeOptions {
  /** Seed of generated worlds; the default one gives the committed default world. */
  seed?: number;
  /** Persist the world to this JSON file (uploaded files go to FILE.files/). */
  db?: string;
  /** Market's request limits (on unless false). */
  rateLimits?: boolean;
  /** The scenario to play (already validated and combined); see src/scenario/. */
  scenario?: Scenario;
  /** The partner's notification URL; wins over the scenario's webhook.url. */
  webhook?: string;
  /** The clock; tests move it to cross limit windows. */
  now?: () => number;
  /** both (default) or v2-only: the unprefixed paths answer 404; wins over the scenario's `paths`. */
  paths?: 'both' | 'v2-only';
  /** Generated businesses nobody wrote to that stay in memory (200); more are dropped and made again when used. */
  generatedBusinessesKept?: number;
  /** The most bytes of uploads kept in memory without --db (256 MB); tests make it small. */
  uploadsInMemoryBytes?: number;
}

export interface LimitsNow {
  enabled: boolean;
  parallel: number | null;
  businesses: {
    businessId: number;
    running: number;
    quotas: { operation: OperationId; limit: number; window: string; remaining: number; renewsAt: string | null }[];
  }[];
}

/** What a download of a payload URL finds. */
export type Download =
  | { found: true; meta: FileMeta; bytes: Buffer }
  /** `keptBytes`: how many bytes of uploads memory keeps, when the file was dropped to stay within them. */
  | { found: false; dropped: false }
  | { found: false; dropped: true; keptBytes: number };

export interface Health {
  uptimeMs: number;
  seed: number;
  businesses: number[];
  inMemory: number;
  rateLimits: boolean;
  db: string | null;
  dbWrites: number;
}

/** Where and how notifications go: the URL from the options or the scenario, the rest from the scenario. */
function webhookSettings(url: string | undefined, scenario: Scenario, seed: number): WebhookSettings | undefined {
  const target = url ?? scenario.webhook?.url;
  if (!target) return undefined;
  const { attempts = WEBHOOK_DEFAULTS.attempts, backoff, duplicates, reorder, delay, silentMessages } = scenario.webhook ?? {};
  return {
    url: target,
    attempts,
    backoffMs: backoff === undefined ? WEBHOOK_DEFAULTS.backoffMs : durationMs(backoff),
    duplicates: typeof duplicates === 'number' ? { share: duplicates } : duplicates,
    reorder,
    delay: delay === undefined ? undefined : delayRange(delay),
    silentMessages,
    seed,
  };
}

function customerSettings({ customer }: Scenario): SimulatedBuyerSettings | undefined {
  if (!customer) return undefined;
  const ms = (duration: string | undefined) => (duration === undefined ? undefined : durationMs(duration));
  return {
    replyAfterMs: ms(customer.replyAfter),
    replies: customer.replies,
    newChatsEveryMs: ms(customer.newChatsEvery),
    businesses: customer.businesses,
  };
}

/** The businesses a scenario's `data` describes, made from a seed at a moment. */
function businessesOf(scenario: Scenario) {
  return (seed: number, now: number): BusinessRecord[] =>
    (scenario.data?.businesses ?? []).map((spec, i) => buildBusiness(seed, spec, `data.businesses[${i}]`, now));
}

export class SandboxRuntime {
  /** The partner's operations. */
  readonly chats: ChatService;
  /** Everyone but the partner: buyers, Market, support, the arbiter. */
  readonly buyer: BuyerSide;
  /** Every API call, as the journal hooks record it. */
  readonly journal = new Journal();
  /** Payload links: how they are made and checked, as the scenario's `files` says. */
  readonly fileLinks: FileLinks;
  /** Everything that happens, in order, for the event stream and sandbox.events(). */
  readonly feed: Feed;

  private readonly store: WorldStore;
  private readonly files: FileStore;
  private readonly events: ChatEvents;
  private readonly notifier: Notifier;
  private readonly log: RuntimeLog;
  private readonly options: RuntimeOptions;
  private readonly startedAt: number;
  private readonly resetListeners = new Set<() => void>();
  /** Connections a `timeout` fault left unanswered: cut on reset and close. */
  private readonly hung = new Set<Socket>();
  private playing: Scenario;
  private rules: RuleBook;
  private states: NamedStates;
  private limiter: RateLimiter | undefined;
  /** The scenario's simulated buyers, when it has them. */
  private customer: SimulatedBuyer | undefined;
  /** The scenario's scripted conversations (the buyers who test the partner's bot). */
  readonly conversations: Conversations;

  private constructor(store: WorldStore, options: RuntimeOptions, log: RuntimeLog) {
    this.store = store;
    this.options = options;
    this.log = log;
    this.files = new FileStore(options.db, options.uploadsInMemoryBytes ?? MEMORY_FILES_BYTES);
    this.events = new ChatEvents((message) => log.warn(message));
    this.feed = new Feed((fileId) => `/__sandbox/files/${fileId}${this.fileLinks.query(fileId)}`);
    const lifecycle = new ChatLifecycle(store, this.events);
    this.chats = new ChatService(store, this.files, lifecycle, () => this.invents);
    this.buyer = new BuyerSide(this.chats, lifecycle);
    this.playing = options.scenario ?? {};
    this.fileLinks = new FileLinks(
      () => ({
        authRequired: this.playing.files?.auth === 'required',
        expireAfterMs: this.playing.files?.expireAfter === undefined ? undefined : durationMs(this.playing.files.expireAfter),
      }),
      () => this.now(),
    );
    this.notifier = new Notifier(webhookSettings(options.webhook, this.playing, store.seed));
    this.events.on(this.notifier.onEvent);
    this.events.on((event) => this.feed.publish({ type: 'chat', event }));
    this.journal.onCompleted((entry) => this.feed.publish({ type: 'request', entry }));
    this.notifier.onChange((entry) => this.feed.publish({ type: 'notification', entry }));
    this.events.on((event) => this.customer?.onEvent(event));
    this.limiter = this.limiterOf(this.playing);
    this.rules = new RuleBook(this.playing.rules);
    this.states = new NamedStates(this.playing.states);
    this.startedAt = store.now();
    this.conversations = new Conversations(this.playing.conversations ?? [], {
      buyer: this.buyer,
      onChatEvent: (listener) => this.events.on(listener),
      onCall: (listener) =>
        this.journal.onCompleted((entry) => {
          if (entry.operationId) listener(entry.operationId, entry.businessId);
        }),
      setState: (businessId, state) => this.states.set(businessId, state),
    });
    this.startActors();
  }

  static async create(options: RuntimeOptions, log: RuntimeLog): Promise<SandboxRuntime> {
    const seed = options.seed ?? options.scenario?.seed ?? DEFAULT_SEED;
    const store = await WorldStore.open({
      seed,
      generate: generateBusiness,
      initialBusinesses: businessesOf(options.scenario ?? {}),
      dbFile: options.db,
      now: options.now,
      generatedKept: options.generatedBusinessesKept,
      warn: (message) => log.warn(message),
    });
    return new SandboxRuntime(store, options, log);
  }

  // ------------------------------------------------------------------ queries

  /** The scenario being played. */
  get scenario(): Scenario {
    return this.playing;
  }

  /** Whether the scenario has rules at all: most have none, and then no call's facts are gathered. */
  get hasRules(): boolean {
    return !this.rules.empty;
  }

  /** Whether only the /v2 spelling of the paths is served (the option wins over the scenario). */
  get v2Only(): boolean {
    return (this.options.paths ?? this.playing.paths) === 'v2-only';
  }

  /** How answers of `operation` carry what a later API may add; undefined when they do not (the default). */
  forwardCompatibility(operation: CallId | undefined): ForwardCompatibility | undefined {
    const setting = this.playing.forwardCompatibility;
    if (!setting || operation === undefined || (setting.operations && !setting.operations.includes(operation as OperationId)))
      return undefined;
    return { unknownValues: setting.unknownValues ?? 0, extraFields: setting.extraFields ?? false, seed: this.store.seed };
  }

  /** Strict auth when the scenario asks for it. */
  get access(): AccessPolicy | undefined {
    return this.playing.auth;
  }

  /** Market's request limits in force; undefined when they are off. */
  get limits(): RateLimiter | undefined {
    return this.limiter;
  }

  /** Where each business stands against the limits now: every business called in an open window, or the one asked for. */
  limitsNow(businessId?: number): LimitsNow {
    const limiter = this.limiter;
    if (!limiter) return { enabled: false, parallel: null, businesses: [] };
    const now = this.now();
    const ids = businessId === undefined ? limiter.businessesSeen() : [businessId];
    return {
      enabled: true,
      parallel: limiter.parallel ?? null,
      businesses: ids.map((id) => {
        const standing = limiter.standing(id, now);
        return {
          ...standing,
          quotas: standing.quotas.map(({ windowMs, renewsAt, ...quota }) => ({
            ...quota,
            window: describeWindow(windowMs),
            renewsAt: renewsAt === null ? null : new Date(renewsAt).toISOString(),
          })),
        };
      }),
    };
  }

  /** The state a business is in (rules match it), or undefined for a call that names no business. */
  stateOf(businessId: number | undefined): string | undefined {
    return this.states.of(businessId);
  }

  statesNow(): StatesNow {
    return this.states.now();
  }

  /** Sets a business's state, or the global state when no business is named. */
  setState(businessId: number | undefined, state: string): void {
    this.states.set(businessId, state);
  }

  /** What the partner's integration does wrong, from the journal and the notification log as they are now. */
  report(): Report {
    // Calls and deliveries are stamped with the wall clock, whatever clock the world runs on.
    const input = {
      requests: this.journal.list(),
      notifications: this.notifier.list(),
      webhook: this.webhook !== undefined,
      now: Date.now(),
      senderOf: (businessId: number, chatId: number, messageId: number) =>
        this.store
          .existingBusiness(businessId)
          ?.chat(chatId)
          ?.messages.find((m) => m.id === messageId)?.sender,
    };
    return makeReport(input, this.playing.report);
  }

  /** The limits in force, in words. */
  describeLimits(): string {
    return describeLimits(this.limiter);
  }

  /** Whether unknown businesses, orders and returns are made up (lenient) or are 404s (strict). */
  get invents(): boolean {
    return this.playing.world !== 'strict' && this.playing.auth?.mode !== 'strict';
  }

  now(): number {
    return this.store.now();
  }

  health(): Health {
    return {
      uptimeMs: this.now() - this.startedAt,
      seed: this.store.seed,
      businesses: this.store.businessIds(),
      inMemory: this.store.inMemory,
      rateLimits: this.limiter !== undefined,
      db: this.options.db ?? null,
      dbWrites: this.store.writes,
    };
  }

  /** The bytes and description behind a payload URL, or whether they were dropped to keep memory bounded. */
  async download(fileId: string): Promise<Download> {
    const file = await this.chats.file(fileId);
    if (file) return { found: true, ...file };
    return this.files.wasDropped(fileId)
      ? { found: false, dropped: true, keptBytes: this.files.maxMemoryBytes }
      : { found: false, dropped: false };
  }

  /** Where push notifications go; undefined when nowhere. */
  get webhook(): string | undefined {
    return this.notifier.url;
  }

  notifications(filter?: NotificationFilter): NotificationEntry[] {
    return this.notifier.list(filter);
  }

  /** Notification log entries dropped because the log was full, since it was last cleared. */
  get notificationsDropped(): number {
    return this.notifier.dropped;
  }

  notificationsSettled(): Promise<void> {
    return this.notifier.settled();
  }

  // ------------------------------------------------------------------ commands

  /** Listens to every change of a chat; call what it returns to stop. */
  onChatEvent(listener: ChatEventListener): () => void {
    return this.events.on(listener);
  }

  /** Told after every reset and scenario load: what was computed from the world before is stale. */
  onReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  /** The scenario rule that applies to a call, if any (it counts as matched). */
  applyRule(call: CallFacts): AppliedRule | undefined {
    return this.rules.apply(call, this.states);
  }

  /** Keeps a connection a `timeout` fault leaves unanswered, until reset or close cuts it. */
  holdUnanswered(socket: Socket): void {
    this.hung.add(socket);
    socket.once('close', () => this.hung.delete(socket));
  }

  ping(): Promise<NotificationEntry> {
    return this.notifier.ping();
  }

  clearNotifications(): void {
    this.notifier.clear();
  }

  /** Plays another scenario from now on, from its initial world (the CLI's --seed still wins). */
  async loadScenario(scenario: Scenario): Promise<void> {
    const seed = this.options.seed ?? scenario.seed ?? DEFAULT_SEED;
    // Made before anything changes, so that an inconsistent world leaves the running scenario alone;
    // the store takes these as they are, and makes them afresh on later resets.
    const make = businessesOf(scenario);
    let made: BusinessRecord[] | undefined = make(seed, this.now());
    this.stop();
    this.notifier.clear();
    this.notifier.configure(webhookSettings(this.options.webhook, scenario, seed));
    this.playing = scenario;
    this.limiter = this.limiterOf(scenario);
    this.rules = new RuleBook(scenario.rules);
    this.states = new NamedStates(scenario.states);
    this.conversations.replace(scenario.conversations ?? []);
    this.journal.clear();
    await this.store.reseed(seed, (worldSeed, now) => {
      const businesses = made ?? make(worldSeed, now);
      made = undefined;
      return businesses;
    });
    await this.files.clear();
    this.feed.publish({ type: 'scenario', name: scenario.name ?? null });
    this.resetDone();
  }

  /** Back to the initial world, with every counter cleared. */
  async reset(): Promise<void> {
    this.stop();
    this.notifier.clear();
    await this.store.reset();
    await this.files.clear();
    this.limiter?.reset();
    this.rules.reset();
    this.states.reset();
    this.journal.clear();
    this.feed.publish({ type: 'reset' });
    this.resetDone();
  }

  /**
   * One business back to its initial world, its state, its quotas and its conversations (played again from
   * the start), every other business left as it is; its deliveries under way are cancelled. Rules count calls
   * of every business, so they are not rearmed.
   */
  async resetBusiness(businessId: number): Promise<void> {
    this.notifier.cancelBusiness(businessId);
    await this.store.resetBusiness(businessId);
    this.states.resetBusiness(businessId);
    this.limiter?.reset(businessId);
    this.conversations.stop(businessId);
    this.feed.publish({ type: 'reset', businessId });
    this.staleCaches();
    this.conversations.start(businessId);
  }

  /** Nothing happens by itself any more: simulated buyers stop, deliveries are cancelled, hung connections cut. */
  stop(): void {
    this.customer?.stop();
    this.customer = undefined;
    this.conversations.stop();
    this.notifier.cancel();
    for (const socket of this.hung) socket.destroy();
    this.hung.clear();
  }

  /** Writes the world out (with --db); call stop() first. */
  async close(): Promise<void> {
    this.resetListeners.clear();
    this.feed.close();
    await this.store.close();
  }

  private resetDone(): void {
    this.staleCaches();
    this.startActors();
  }

  private staleCaches(): void {
    for (const listener of this.resetListeners) listener();
  }

  /** What acts by itself in the scenario: simulated buyers, and the conversations, from their start. */
  private startActors(): void {
    this.startCustomer();
    this.conversations.start();
  }

  private limiterOf(scenario: Scenario): RateLimiter | undefined {
    return this.options.rateLimits === false ? undefined : limiterFor(scenario.rateLimits);
  }

  private startCustomer(): void {
    const settings = customerSettings(this.playing);
    if (!settings) return;
    this.customer = new SimulatedBuyer(settings, {
      buyer: this.buyer,
      seed: () => this.store.seed,
      businessIds: () => {
        const ids = this.store.businessIds();
        return ids.length ? ids : [DEFAULT_BUSINESS_ID];
      },
      warn: (message) => this.log.warn(message),
    });
    this.customer.start();
  }
}
