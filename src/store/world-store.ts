/**
 * The world, kept by lowdb: in memory, or persisted with `--db` (see db-file.ts), with the per-business
 * indexes that make lookups cheap.
 */
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Low, Memory } from 'lowdb';
import { Type, type Static } from 'typebox';
import { ApiError } from '../contract/errors.js';
import { packagePath, readPackageFile } from '../package-root.js';
import { BusinessState } from './business-state.js';
import { ChangeLogError } from './change-log.js';
import { DbFile, WorldShapeError, type Changed } from './db-file.js';
import { DbLockError, lockDbFile } from './db-lock.js';
import { DEFAULT_SEED, MAX_BUSINESSES, type BusinessRecord, type Fixture, type WorldData } from '../model/records.js';

export { DEFAULT_SEED } from '../model/records.js';
/** Generated businesses nobody wrote to kept in memory: with what reads keep of them, a few hundred KB each. */
export const GENERATED_KEPT = 200;
const FIXTURE_IN_PACKAGE = ['fixtures', 'default-world.json'];
export const DEFAULT_FIXTURE = packagePath(...FIXTURE_IN_PACKAGE);

/** Makes the world of a business no one has described, the same for the same seed and id. */
export type BusinessGenerator = (seed: number, businessId: number, now: number) => BusinessRecord;

export interface WorldStoreOptions {
  seed: number;
  /** Where businesses that are not in the initial world come from (the store itself invents nothing). */
  generate: BusinessGenerator;
  /** Where a failed write of the --db file is reported (the next write then saves the whole world). */
  warn: (message: string) => void;
  /** Persist to this JSON file; in memory when absent. */
  dbFile?: string;
  /** Longest time a change waits before it is written. */
  flushDelayMs?: number;
  now?: () => number;
  /** Generated businesses nobody wrote to that are kept in memory; more are dropped, least recently used first (default 200). */
  generatedKept?: number;
  /** Businesses the initial world has exactly (a scenario's `data`), made afresh at each reset. */
  initialBusinesses?: (seed: number, now: number) => BusinessRecord[] | Promise<BusinessRecord[]>;
}

/** What the health check tells of the world (GET /__sandbox/health; the type is made from it). */
export const StoreFactsSchema = Type.Object({
  seed: Type.Integer(),
  businesses: Type.Array(Type.Integer(), { description: `Businesses that exist so far (at most ${MAX_BUSINESSES})` }),
  maxBusinesses: Type.Integer({ description: 'The most businesses the sandbox holds at once; past it a new one is refused until a reset' }),
  inMemory: Type.Integer({
    description:
      'Businesses whose world is in memory now: generated ones nobody wrote to are dropped past a bound, and made again when used',
  }),
  db: Type.Union([Type.String(), Type.Null()], { description: 'The file the world is persisted to' }),
  dbWrites: Type.Integer({ description: 'Writes to that file so far: batches of coalesced changes appended to its log, and snapshots' }),
});
export type StoreFacts = Static<typeof StoreFactsSchema>;

export class WorldStoreError extends Error {
  override name = 'WorldStoreError';
}

export class WorldStore {
  private readonly db: Low<WorldData>;
  private readonly file: DbFile | undefined;
  private readonly options: Required<Omit<WorldStoreOptions, 'dbFile' | 'initialBusinesses'>> &
    Pick<WorldStoreOptions, 'dbFile' | 'initialBusinesses'>;
  private states = new Map<number, BusinessState>();
  /** Lets the --db file's lock go (nothing without --db). */
  private unlock = () => {};
  /** Generated businesses nobody wrote to, least recently used first: the first are dropped past the bound. */
  private readonly pristine = new Map<number, BusinessState>();
  /** When each generated business was made (in memory only): made again from that moment, it is the same. */
  private readonly generatedAt = new Map<number, number>();

  private constructor(options: WorldStoreOptions) {
    this.options = {
      ...options,
      flushDelayMs: options.flushDelayMs ?? 50,
      now: options.now ?? Date.now,
      generatedKept: Math.max(1, options.generatedKept ?? GENERATED_KEPT),
    };
    this.file = options.dbFile ? new DbFile(options.dbFile, this.options.flushDelayMs, emptyWorld(options.seed), options.warn) : undefined;
    this.db = this.file?.db ?? new Low(new Memory<WorldData>(), emptyWorld(options.seed));
  }

  static async open(options: WorldStoreOptions): Promise<WorldStore> {
    const store = new WorldStore(options);
    const { file } = store;
    if (!file) {
      store.db.data = await store.initialWorld();
      store.indexAll();
      return store;
    }
    // Refused at once rather than warned of at every write: a volume mounted read-only, or not at all.
    try {
      accessSync(dirname(resolve(options.dbFile!)), constants.W_OK);
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : 'its folder cannot be written to';
      throw new WorldStoreError(`${options.dbFile}: ${why} (a volume not mounted, or mounted read-only?)`);
    }
    try {
      store.unlock = lockDbFile(options.dbFile!);
    } catch (error) {
      if (error instanceof DbLockError) throw new WorldStoreError(error.message);
      throw new WorldStoreError(`${options.dbFile}: could not take its lock (${(error as Error).message})`);
    }
    let loaded;
    try {
      loaded = await file.load();
    } catch (error) {
      store.unlock();
      // A damaged log names its own file and line; anything else is the snapshot's.
      if (error instanceof ChangeLogError || error instanceof WorldShapeError) throw new WorldStoreError(error.message);
      throw new WorldStoreError(`${options.dbFile}: not a readable sandbox world (${(error as Error).message})`);
    }
    const empty = Object.keys(store.db.data.businesses).length === 0;
    if (empty) store.db.data = await store.initialWorld();
    store.indexAll();
    // A new file gets its first snapshot; a replayed log is folded into one, which also drops a torn last line.
    if (empty || !loaded.existed || loaded.replayed) await file.snapshot();
    return store;
  }

  /** Writes (batches appended, snapshots) to the --db file so far. */
  get writes(): number {
    return this.file?.writes ?? 0;
  }

  get seed(): number {
    return this.options.seed;
  }

  now(): number {
    return this.options.now();
  }

  /** A business's state; one never seen before is generated from the seed and its id. */
  business(businessId: number): BusinessState {
    const state = this.states.get(businessId);
    if (!state) return this.generate(businessId);
    if (this.pristine.delete(businessId)) this.pristine.set(businessId, state);
    return state;
  }

  /** A business's state if it exists already (a generated one that was dropped is made again); nothing new is generated. */
  existingBusiness(businessId: number): BusinessState | undefined {
    if (!this.states.has(businessId) && this.generatedAt.has(businessId)) return this.generate(businessId);
    return this.states.get(businessId);
  }

  /** Ids of the businesses that exist so far, dropped generated ones included. */
  businessIds(): number[] {
    return [...new Set([...this.states.keys(), ...this.generatedAt.keys()])];
  }

  /** Businesses whose world is in memory now. */
  get inMemory(): number {
    return this.states.size;
  }

  /** Records what changed in a business: it is written (with --db) within flushDelayMs; one written to is never dropped. */
  changed(businessId: number, what: Changed): void {
    const state = this.states.get(businessId);
    if (state) state.version++;
    if (what.chat || what.fileId) this.pristine.delete(businessId);
    this.file?.changed(businessId, what);
  }

  /**
   * Generates a business, from the moment it was first generated when it was before (so that it is the same
   * world: ids, texts and times), and drops the least recently used generated businesses nobody wrote to
   * past the bound. With --db every business stays: the file is the world, and a restart must find it.
   */
  private generate(businessId: number): BusinessState {
    const again = this.generatedAt.get(businessId);
    if (again === undefined && this.businessIds().length >= MAX_BUSINESSES) {
      throw new ApiError(
        403,
        `businessId: the sandbox holds at most ${MAX_BUSINESSES} businesses and has that many; business ${businessId} would be one more ` +
          '(POST /__sandbox/reset starts again from the initial world)',
      );
    }
    const at = again ?? this.now();
    const record = this.options.generate(this.options.seed, businessId, at);
    this.db.data.businesses[businessId] = record;
    const state = new BusinessState(this.raiseIds(record));
    this.states.set(businessId, state);
    if (again === undefined) this.changed(businessId, { whole: true });
    if (this.file) return state;
    this.generatedAt.set(businessId, at);
    this.pristine.set(businessId, state);
    for (const [oldest] of this.pristine) {
      if (this.pristine.size <= this.options.generatedKept) break;
      this.pristine.delete(oldest);
      this.states.delete(oldest);
      delete this.db.data.businesses[oldest];
    }
    return state;
  }

  /** Writes what changed now; resolves once it is on disk. */
  async flush(): Promise<void> {
    await this.file?.flush();
  }

  /** Back to the initial world: the default fixture (or nothing, for another seed), written at once. */
  async reset(): Promise<void> {
    this.rememberIds();
    const { idsFrom } = this.db.data;
    this.db.data = { ...(await this.initialWorld()), idsFrom };
    this.indexAll();
    await this.file?.snapshot();
  }

  /**
   * One business back to its initial world, the others left as they are: the fixture's or the scenario's
   * business made afresh, or a generated one made again as it first was (from the seed, at the same moment).
   */
  async resetBusiness(businessId: number): Promise<void> {
    const initial = (await this.initialWorld()).businesses[businessId];
    this.rememberIds();
    this.states.delete(businessId);
    this.pristine.delete(businessId);
    delete this.db.data.businesses[businessId];
    if (initial) {
      this.db.data.businesses[businessId] = initial;
      this.states.set(businessId, new BusinessState(this.raiseIds(initial)));
    }
    await this.file?.snapshot();
  }

  /**
   * Another seed and scenario world from now on: the world is reset to what they make. `made`: the businesses
   * made already (to check them before anything changed), taken as they are this time, made afresh on later resets.
   */
  async reseed(
    seed: number,
    initialBusinesses: NonNullable<WorldStoreOptions['initialBusinesses']>,
    made?: BusinessRecord[],
  ): Promise<void> {
    this.options.seed = seed;
    this.options.initialBusinesses = made ? () => made : initialBusinesses;
    await this.reset();
    this.options.initialBusinesses = initialBusinesses;
  }

  /** Who wrote a message, while the world still has it. */
  senderOf(businessId: number, chatId: number, messageId: number): string | undefined {
    return this.existingBusiness(businessId)
      ?.chat(chatId)
      ?.messages.find((m) => m.id === messageId)?.sender;
  }

  /** What the health check tells of the world. */
  facts(): StoreFacts {
    return {
      seed: this.seed,
      businesses: this.businessIds(),
      maxBusinesses: MAX_BUSINESSES,
      inMemory: this.inMemory,
      db: this.options.dbFile ?? null,
      dbWrites: this.writes,
    };
  }

  async close(): Promise<void> {
    await this.flush();
    this.unlock();
  }

  /** Notes the next ids each business in memory would hand out, before its world is made again. */
  private rememberIds(): void {
    const from = (this.db.data.idsFrom ??= {});
    for (const { record } of this.states.values()) {
      const kept = from[record.id];
      from[record.id] = { chat: Math.max(kept?.chat ?? 0, record.nextChatId), message: Math.max(kept?.message ?? 0, record.nextMessageId) };
    }
  }

  /** A business made again (a reset, a new scenario) hands out ids from where it had got to, never the same ones again. */
  private raiseIds(record: BusinessRecord): BusinessRecord {
    const from = this.db.data.idsFrom?.[record.id];
    if (from) {
      record.nextChatId = Math.max(record.nextChatId, from.chat);
      record.nextMessageId = Math.max(record.nextMessageId, from.message);
    }
    return record;
  }

  private indexAll(): void {
    this.states = new Map(Object.values(this.db.data.businesses).map((record) => [record.id, new BusinessState(this.raiseIds(record))]));
    this.pristine.clear();
    this.generatedAt.clear();
    this.file?.track(this.db.data);
  }

  /** The initial world; a scenario's may be made in turns of the event loop (a long history). */
  private async initialWorld(): Promise<WorldData> {
    const world = emptyWorld(this.options.seed);
    const fixture = this.options.seed === DEFAULT_SEED ? loadFixture(readPackageFile(...FIXTURE_IN_PACKAGE), this.now()) : [];
    const given = (await this.options.initialBusinesses?.(this.options.seed, this.now())) ?? [];
    for (const business of [...fixture, ...given]) world.businesses[business.id] = business;
    return world;
  }
}

function emptyWorld(seed: number): WorldData {
  return { format: 1, seed, businesses: {} };
}

/** Reads a fixture (its JSON) and moves its times forward so that its newest moment is `now`. */
export function loadFixture(json: Buffer | string, now: number): BusinessRecord[] {
  const fixture = JSON.parse(json.toString()) as Fixture;
  const shift = Math.floor((now - fixture.anchor) / 1000) * 1000;
  for (const business of fixture.businesses) {
    for (const chat of business.chats) {
      chat.createdAt += shift;
      chat.updatedAt += shift;
      for (const message of chat.messages) message.at += shift;
    }
  }
  return fixture.businesses;
}
