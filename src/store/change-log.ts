/**
 * The append-only log beside a `--db` snapshot: each coalesced batch of changes is one JSON line, so a write
 * costs what changed, not the size of the world. A line cut short by a SIGKILL is the log's end; a snapshot
 * records the last batch it contains, so batches it holds already are skipped when the log is replayed.
 */
import { appendFile, readFile, rename, rm } from 'node:fs/promises';
import type { BusinessRecord, ChatRecord, FileMeta, MessageRecord, WorldData } from '../model/records.js';

export type Change =
  /** A business seen for the first time, whole. */
  | { op: 'business'; record: BusinessRecord }
  | { op: 'counters'; businessId: number; nextChatId: number; nextMessageId: number }
  /** A chat as it now is, but for its messages: those appended since the last batch. */
  | { op: 'chat'; businessId: number; chat: Omit<ChatRecord, 'messages'>; messages: MessageRecord[] }
  | { op: 'files'; businessId: number; files: Record<string, FileMeta> };

export interface Batch {
  seq: number;
  changes: Change[];
}

export class ChangeLogError extends Error {
  override name = 'ChangeLogError';
}

const ignoreMissing = (error: NodeJS.ErrnoException) => {
  if (error.code !== 'ENOENT') throw error;
};

export class ChangeLog {
  private readonly file: string;
  /** The log of a snapshot being written: replayed too, should that write never finish. */
  private readonly rotated: string;
  /** Bytes appended since the last rotation. */
  bytes = 0;

  constructor(dbFile: string) {
    this.file = `${dbFile}.log`;
    this.rotated = `${dbFile}.log.old`;
  }

  async append(batch: Batch): Promise<void> {
    const line = `${JSON.stringify(batch)}\n`;
    await appendFile(this.file, line);
    this.bytes += Buffer.byteLength(line);
  }

  /** Every batch in both files, in order; `torn` when the last line was cut short. */
  async read(): Promise<{ batches: Batch[]; torn: boolean }> {
    const batches: Batch[] = [];
    let torn = false;
    for (const file of [this.rotated, this.file]) {
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (ignoreMissing(error), ''));
      const lines = text.split('\n');
      // A complete line ends with a newline: what follows the last one was being written when the process died.
      const tail = lines.pop();
      if (tail) torn = true;
      lines.forEach((line, i) => {
        try {
          batches.push(JSON.parse(line) as Batch);
        } catch {
          throw new ChangeLogError(`${file}: line ${i + 1} is not a batch of changes`);
        }
      });
    }
    return { batches, torn };
  }

  /** New batches go to a fresh file; the old one stays until the snapshot that holds it is written. */
  async rotate(): Promise<void> {
    await rename(this.file, this.rotated).catch(ignoreMissing);
    this.bytes = 0;
  }

  async dropRotated(): Promise<void> {
    await rm(this.rotated, { force: true });
  }
}

/** Applies batches newer than the snapshot's to its world. */
export function replay(world: WorldData, batches: Batch[]): number {
  let last = world.seq ?? 0;
  const chatIndexes = new Map<BusinessRecord, Map<number, number>>();
  const indexOf = (business: BusinessRecord) => {
    let index = chatIndexes.get(business);
    if (!index) {
      index = new Map(business.chats.map((chat, i) => [chat.id, i]));
      chatIndexes.set(business, index);
    }
    return index;
  };
  for (const batch of batches) {
    if (batch.seq <= last) continue;
    last = batch.seq;
    for (const change of batch.changes) {
      if (change.op === 'business') {
        world.businesses[change.record.id] = change.record;
        continue;
      }
      const business = world.businesses[change.businessId];
      if (change.op === 'counters') {
        business.nextChatId = change.nextChatId;
        business.nextMessageId = change.nextMessageId;
      } else if (change.op === 'files') {
        Object.assign(business.files, change.files);
      } else {
        const index = indexOf(business);
        const at = index.get(change.chat.id);
        const messages = at === undefined ? [] : business.chats[at].messages;
        // A snapshot written while the chat changed may hold some of these already: ids only grow in a chat.
        for (const message of change.messages) {
          const newest = messages[messages.length - 1];
          if (!newest || message.id > newest.id) messages.push(message);
        }
        const chat = { ...change.chat, messages };
        if (at === undefined) index.set(chat.id, business.chats.push(chat) - 1);
        else business.chats[at] = chat;
      }
    }
  }
  return last;
}
