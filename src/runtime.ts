/** The sandbox's moving parts, wired once and shared by the API and control routes. */
import type { Socket } from 'node:net';
import type { AccessPolicy } from './auth/access.js';
import { ChatService } from './domain/chat-service.js';
import { buildBusiness } from './fake/scenario-world.js';
import type { RateLimiter } from './limits/rate-limiter.js';
import { limiterFor } from './limits/windows.js';
import { Journal } from './journal/journal.js';
import { RuleBook } from './scenario/rules.js';
import type { Scenario } from './scenario/schema.js';
import { FileStore } from './store/file-store.js';
import type { BusinessRecord } from './store/records.js';
import { DEFAULT_SEED, WorldStore } from './store/world-store.js';

export interface RuntimeOptions {
  /** Seed of generated worlds; the default one gives the committed default world. */
  seed?: number;
  /** Persist the world to this JSON file (uploaded files go to FILE.files/). */
  db?: string;
  /** Market's request limits (on unless false). */
  rateLimits?: boolean;
  /** The scenario to play (already validated and combined); see src/scenario/. */
  scenario?: Scenario;
  /** The clock; tests move it to cross limit windows. */
  now?: () => number;
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
    this.chats = new ChatService(store, this.files, () => this.invents);
    this.scenario = options.scenario ?? {};
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
    await this.store.reset();
    await this.files.clear();
    this.limiter?.reset();
    this.rules.reset();
    this.cutHungConnections();
    this.journal.clear();
  }

  cutHungConnections(): void {
    for (const socket of this.hung) socket.destroy();
    this.hung.clear();
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
