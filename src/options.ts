/** What a sandbox is started with: the programmatic API's and the CLI's options, as the runtime takes them. */
import type { Scenario } from './scenario/schema.js';

/** Where the sandbox reports what goes wrong in the background (a pino logger is one). */
export interface RuntimeLog {
  warn(message: string): void;
}

export interface RuntimeOptions {
  /** Seed of generated worlds and of everything drawn at random; the default one gives the committed default world. */
  seed?: number;
  /** Persist the world to this JSON file (uploaded files go to FILE.files/). */
  db?: string;
  /** Market's request limits (on unless false). */
  rateLimits?: boolean;
  /** The scenario to play (already validated and combined); see src/scenario/. */
  scenario?: Scenario;
  /** The partner's notification URL; wins over the scenario's webhook.url. */
  webhook?: string;
  /** Where the clock starts (ms since the epoch) and whether it is frozen; both win over the scenario's `clock`. */
  clock?: { start?: number; frozen?: boolean };
  /** The real time the clock flows with (Date.now); tests give their own. */
  now?: () => number;
  /** both (default) or v2-only: the unprefixed paths answer 404; wins over the scenario's `paths`. */
  paths?: 'both' | 'v2-only';
  /** Generated businesses nobody wrote to that stay in memory (200); more are dropped and made again when used. */
  generatedBusinessesKept?: number;
  /** The most bytes of uploads kept in memory without --db (256 MB); tests make it small. */
  uploadsInMemoryBytes?: number;
  /**
   * Proxy mode: the partner's calls go to this upstream (Market: https://api.partner.market.yandex.ru) and come back
   * unchanged; writes are held back unless `writes` is true. `timeoutMs` bounds a forwarded call (30 s).
   */
  upstream?: { url: string; writes?: boolean; timeoutMs?: number };
  /** In proxy mode, record buyers' names, ids, texts and file names as they are (made anonymous by default). */
  recordRaw?: boolean;
}
