/** The sandbox's moving parts, wired once and shared by the API and control routes. */
import { marketQuotas } from './limits/windows.js';
import { DEFAULT_PARALLEL_LIMIT } from './contract/operations.js';
import { ChatService } from './domain/chat-service.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { FileStore } from './store/file-store.js';
import { DEFAULT_SEED, WorldStore } from './store/world-store.js';

export interface RuntimeOptions {
  /** Seed of generated worlds; the default one gives the committed default world. */
  seed?: number;
  /** Persist the world to this JSON file (uploaded files go to FILE.files/). */
  db?: string;
  /** Market's request limits (on unless false). */
  rateLimits?: boolean;
  /** The clock; tests move it to cross limit windows. */
  now?: () => number;
}

export class SandboxRuntime {
  readonly store: WorldStore;
  readonly files: FileStore;
  readonly chats: ChatService;
  readonly limiter: RateLimiter | undefined;
  readonly startedAt: number;
  readonly options: RuntimeOptions;

  private constructor(store: WorldStore, options: RuntimeOptions) {
    this.store = store;
    this.options = options;
    this.files = new FileStore(options.db);
    this.chats = new ChatService(store, this.files);
    this.limiter = options.rateLimits === false ? undefined : new RateLimiter(marketQuotas(), DEFAULT_PARALLEL_LIMIT);
    this.startedAt = store.now();
  }

  static async create(options: RuntimeOptions): Promise<SandboxRuntime> {
    const store = await WorldStore.open({ seed: options.seed ?? DEFAULT_SEED, dbFile: options.db, now: options.now });
    return new SandboxRuntime(store, options);
  }

  now(): number {
    return this.store.now();
  }

  /** Back to the initial world, with every counter cleared. */
  async reset(): Promise<void> {
    await this.store.reset();
    await this.files.clear();
    this.limiter?.reset();
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
