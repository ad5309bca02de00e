/**
 * The world persisted with `--db FILE`: a lowdb snapshot of the whole world in FILE (written atomically and in
 * turns, see world-file.ts) and, beside it, the log of what changed since (FILE.log).
 * Changes are coalesced for `flushDelayMs` and appended as one batch, so a write costs what changed, not the
 * size of the world. The log is folded into a new snapshot when it outgrows the last one.
 */
import { Low } from 'lowdb';
import { ChangeLog, replay, type Change } from './change-log.js';
import type { ChatRecord, WorldData } from '../model/records.js';
import { worldProblem } from './world-check.js';
import { WorldFile } from './world-file.js';

/** A --db file (or its log) that is not a world of the right shape: the message names the file and the path in it. */
export class WorldShapeError extends Error {
  override name = 'WorldShapeError';
}

/** The log is folded into a snapshot once it is larger than the snapshot, or than this. */
const MIN_LOG_BYTES_TO_FOLD = 4 * 1024 * 1024;

interface DirtyBusiness {
  /** New to the file: written whole. */
  whole: boolean;
  chats: Set<ChatRecord>;
  files: Set<string>;
}

/** What changed in a business: a chat (its state and new messages), an uploaded file, or all of it. */
export interface Changed {
  chat?: ChatRecord;
  fileId?: string;
  whole?: boolean;
}

export class DbFile {
  readonly db: Low<WorldData>;
  private readonly file: WorldFile;
  private readonly log: ChangeLog;
  private readonly flushDelayMs: number;
  /** The last batch appended (or held by the snapshot). */
  private seq = 0;
  private dirty = new Map<number, DirtyBusiness>();
  /** Per chat, how many of its messages the file holds already. */
  private persisted = new WeakMap<ChatRecord, number>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** A write failed: what it held is only in memory, so the next write is a whole snapshot. */
  private mustSnapshot = false;
  /** Writes to the file so far (batches appended and snapshots): shows that bursts are coalesced. */
  writes = 0;

  constructor(
    readonly path: string,
    flushDelayMs: number,
    emptyWorld: WorldData,
    private readonly warn: (message: string) => void,
  ) {
    this.file = new WorldFile(path);
    this.db = new Low(this.file, emptyWorld);
    this.log = new ChangeLog(path);
    this.flushDelayMs = flushDelayMs;
  }

  /** Reads the snapshot and replays the log onto it. True when the file should be snapshotted now. */
  async load(): Promise<{ existed: boolean; replayed: boolean }> {
    const before = this.db.data;
    await this.db.read();
    const existed = this.db.data !== before;
    const wrong = existed ? worldProblem(this.db.data) : undefined;
    if (wrong) throw new WorldShapeError(`${this.path}: ${wrong}`);
    const { batches, torn } = await this.log.read();
    try {
      this.seq = replay(this.db.data, batches);
    } catch (error) {
      throw new WorldShapeError(`${this.path}.log: does not fit the world it follows (${(error as Error).message})`);
    }
    const after = batches.length > 0 ? worldProblem(this.db.data) : undefined;
    if (after) throw new WorldShapeError(`${this.path}.log: leaves the world with ${after}`);
    return { existed, replayed: batches.length > 0 || torn };
  }

  /** Everything in `world` is in the file (just loaded or snapshotted): only later changes are written. */
  track(world: WorldData): void {
    this.dirty.clear();
    for (const business of Object.values(world.businesses)) {
      for (const chat of business.chats) this.persisted.set(chat, chat.messages.length);
    }
  }

  changed(businessId: number, what: Changed): void {
    let dirty = this.dirty.get(businessId);
    if (!dirty) {
      dirty = { whole: false, chats: new Set(), files: new Set() };
      this.dirty.set(businessId, dirty);
    }
    if (what.whole) dirty.whole = true;
    if (what.chat) dirty.chats.add(what.chat);
    if (what.fileId) dirty.files.add(what.fileId);
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), this.flushDelayMs);
    this.timer.unref();
  }

  /** Writes what changed now (after any write under way); resolves once it is on disk. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.serially(async () => {
      if (this.mustSnapshot) return this.writeSnapshot();
      const changes = this.takeChanges();
      if (!changes.length) return;
      await this.log.append({ seq: ++this.seq, changes });
      this.writes++;
      if (this.log.bytes > Math.max(this.file.chars, MIN_LOG_BYTES_TO_FOLD)) await this.writeSnapshot();
    });
  }

  /** Writes the whole world as the new snapshot and drops the log it replaces. */
  snapshot(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.serially(() => this.writeSnapshot());
  }

  private async writeSnapshot(): Promise<void> {
    await this.log.rotate();
    // The snapshot holds at least what these changes made. It is written in turns: what changes meanwhile is
    // logged after it too, and the log's replay does not add a message twice.
    this.takeChanges();
    this.db.data.seq = this.seq;
    await this.db.write();
    this.mustSnapshot = false;
    await this.log.dropRotated();
    this.writes++;
  }

  /** Runs writes one after another; a failed one is reported and the next writes the whole world. */
  private serially(write: () => Promise<void>): Promise<void> {
    this.writing = this.writing.then(write).catch((error: Error) => {
      this.mustSnapshot = true;
      this.warn(`could not write ${this.path}: ${error.message}`);
    });
    return this.writing;
  }

  private takeChanges(): Change[] {
    const changes: Change[] = [];
    for (const [businessId, dirty] of this.dirty) {
      const record = this.db.data.businesses[businessId];
      if (dirty.whole) {
        changes.push({ op: 'business', record });
        for (const chat of record.chats) this.persisted.set(chat, chat.messages.length);
        continue;
      }
      changes.push({ op: 'counters', businessId, nextChatId: record.nextChatId, nextMessageId: record.nextMessageId });
      if (dirty.files.size) {
        changes.push({ op: 'files', businessId, files: Object.fromEntries([...dirty.files].map((id) => [id, record.files[id]])) });
      }
      for (const chat of dirty.chats) {
        const { messages, ...state } = chat;
        changes.push({ op: 'chat', businessId, chat: state, messages: messages.slice(this.persisted.get(chat) ?? 0) });
        this.persisted.set(chat, messages.length);
      }
    }
    this.dirty.clear();
    return changes;
  }
}
