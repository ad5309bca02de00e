/** The sandbox's moving parts, wired once and shared by the API and control routes. */
import type { Socket } from 'node:net';
import type { AccessPolicy } from './auth/access.js';
import { SimulatedBuyer, type SimulatedBuyerSettings } from './customer/simulated-buyer.js';
import { BuyerSide } from './domain/buyer-side.js';
import { ChatEvents } from './domain/chat-events.js';
import { ChatService } from './domain/chat-service.js';
import { buildBusiness } from './fake/scenario-world.js';
import type { RateLimiter } from './limits/rate-limiter.js';
import { limiterFor } from './limits/windows.js';
import { Journal } from './journal/journal.js';
import { RuleBook } from './scenario/rules.js';
import { durationMs, type Scenario } from './scenario/schema.js';
import { Notifier, WEBHOOK_DEFAULTS, type WebhookSettings } from './notifications/notifier.js';
import { FileStore } from './store/file-store.js';
import type { BusinessRecord } from './store/records.js';
import { DEFAULT_BUSINESS_ID, DEFAULT_SEED, WorldStore } from './store/world-store.js';

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
}

/** Where and how notifications go: the URL from the options or the scenario, the rest from the scenario. */
function webhookSettings(url: string | undefined, scenario: Scenario): WebhookSettings | undefined {
  const target = url ?? scenario.webhook?.url;
  if (!target) return undefined;
  const { attempts = WEBHOOK_DEFAULTS.attempts, backoff } = scenario.webhook ?? {};
  return { url: target, attempts, backoffMs: backoff === undefined ? WEBHOOK_DEFAULTS.backoffMs : durationMs(backoff) };
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
  readonly store: WorldStore;
  readonly files: FileStore;
  readonly chats: ChatService;
  /** Everyone but the partner: buyers, Market, support, the arbiter. */
  readonly buyer: BuyerSide;
  readonly notifier: Notifier;
  /** The scenario's simulated buyers, when it has them. */
  private customer: SimulatedBuyer | undefined;
  /** Where the sandbox reports what went wrong in the background; the app points it at its log. */
  warn: (message: string) => void = process.emitWarning;
  limiter: RateLimiter | undefined;
  readonly startedAt: number;
  readonly options: RuntimeOptions;
  scenario: Scenario;
  rules: RuleBook;
  readonly journal = new Journal();
  /** Connections a `timeout` fault left unanswered: cut on reset and close. */
  readonly hung = new Set<Socket>();

  private constructor(store: WorldStore, options: RuntimeOptions) {
    this.store = store;
    this.options = options;
    this.files = new FileStore(options.db);
    const events = new ChatEvents();
    this.chats = new ChatService(store, this.files, () => this.invents, events);
    this.buyer = new BuyerSide(this.chats, store);
    this.scenario = options.scenario ?? {};
    this.notifier = new Notifier(webhookSettings(options.webhook, this.scenario));
    events.on(this.notifier.onEvent);
    events.on((event) => this.customer?.onEvent(event));
    this.startCustomer();
    this.limiter = this.limiterOf(this.scenario);
    this.rules = new RuleBook(this.scenario.rules);
    this.startedAt = store.now();
  }

  static async create(options: RuntimeOptions): Promise<SandboxRuntime> {
    const seed = options.seed ?? options.scenario?.seed ?? DEFAULT_SEED;
    const initialBusinesses = businessesOf(options.scenario ?? {});
    const store = await WorldStore.open({ seed, initialBusinesses, dbFile: options.db, now: options.now });
    return new SandboxRuntime(store, options);
  }

  private limiterOf(scenario: Scenario): RateLimiter | undefined {
    return this.options.rateLimits === false ? undefined : limiterFor(scenario.rateLimits);
  }

  /** Plays another scenario from now on, from its initial world (the CLI's --seed still wins). */
  async loadScenario(scenario: Scenario): Promise<void> {
    const seed = this.options.seed ?? scenario.seed ?? DEFAULT_SEED;
    // Made before anything changes, so that an inconsistent world leaves the running scenario alone;
    // the store takes these as they are, and makes them afresh on later resets.
    const make = businessesOf(scenario);
    let made: BusinessRecord[] | undefined = make(seed, this.now());
    this.stopBackground();
    this.notifier.clear();
    this.notifier.configure(webhookSettings(this.options.webhook, scenario));
    this.scenario = scenario;
    this.limiter = this.limiterOf(scenario);
    this.rules = new RuleBook(scenario.rules);
    this.cutHungConnections();
    this.journal.clear();
    await this.store.reseed(seed, (worldSeed, now) => {
      const businesses = made ?? make(worldSeed, now);
      made = undefined;
      return businesses;
    });
    await this.files.clear();
    this.startCustomer();
  }

  /** Strict auth when the scenario asks for it. */
  get access(): AccessPolicy | undefined {
    return this.scenario.auth;
  }

  /** Whether unknown businesses, orders and returns are made up (lenient) or are 404s (strict). */
  get invents(): boolean {
    return this.scenario.world !== 'strict' && this.scenario.auth?.mode !== 'strict';
  }

  now(): number {
    return this.store.now();
  }

  /** Back to the initial world, with every counter cleared. */
  async reset(): Promise<void> {
    this.stopBackground();
    this.notifier.clear();
    await this.store.reset();
    await this.files.clear();
    this.limiter?.reset();
    this.rules.reset();
    this.cutHungConnections();
    this.journal.clear();
    this.startCustomer();
  }

  /** Stops the simulated buyers and every notification under way: nothing happens by itself any more. */
  stopBackground(): void {
    this.customer?.stop();
    this.customer = undefined;
    this.notifier.cancel();
  }

  private startCustomer(): void {
    const settings = customerSettings(this.scenario);
    if (!settings) return;
    this.customer = new SimulatedBuyer(settings, {
      buyer: this.buyer,
      seed: () => this.store.seed,
      businessIds: () => {
        const ids = this.store.businessIds();
        return ids.length ? ids : [DEFAULT_BUSINESS_ID];
      },
      warn: (message) => this.warn(message),
    });
    this.customer.start();
  }

  cutHungConnections(): void {
    for (const socket of this.hung) socket.destroy();
    this.hung.clear();
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
