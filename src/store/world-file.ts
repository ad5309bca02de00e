/**
 * The `--db` snapshot as a lowdb adapter. It is written in pieces, each awaited, to a temporary file that is then
 * renamed over the last (as lowdb's own DataFile does), so a world of a million messages never holds other
 * requests back while it is written. What changes meanwhile is in the log as well, and the log's replay skips
 * the messages a snapshot holds already.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import type { BusinessRecord, ChatRecord, WorldData } from '../model/records.js';

/** Text written in one go: about a megabyte, some thousands of messages. */
const PIECE_CHARS = 1 << 20;
/** Messages stringified in one call. */
const MESSAGES_A_PIECE = 1000;

export class WorldFile implements Adapter<WorldData> {
  /** The size of the snapshot last read or written, in characters. */
  chars = 0;
  private readonly temporary: string;

  constructor(private readonly path: string) {
    this.temporary = join(dirname(path), `.${basename(path)}.tmp`);
  }

  async read(): Promise<WorldData | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    this.chars = text.length;
    return JSON.parse(text) as WorldData;
  }

  async write(world: WorldData): Promise<void> {
    const file = await open(this.temporary, 'w');
    let chars = 0;
    try {
      let pending: string[] = [];
      let size = 0;
      for (const piece of worldPieces(world)) {
        pending.push(piece);
        size += piece.length;
        if (size < PIECE_CHARS) continue;
        await file.write(pending.join(''));
        chars += size;
        pending = [];
        size = 0;
      }
      await file.write(pending.join(''));
      chars += size;
    } finally {
      await file.close();
    }
    await rename(this.temporary, this.path);
    this.chars = chars;
  }
}

/** The world's JSON in pieces: a business's chats one by one, a chat's messages a thousand at a time. */
export function* worldPieces(world: WorldData): Generator<string> {
  const { businesses, ...head } = world;
  yield '{"businesses":{';
  let first = true;
  for (const [id, business] of Object.entries(businesses)) {
    yield `${first ? '' : ','}${JSON.stringify(id)}:`;
    first = false;
    yield* withArrayFirst(business, 'chats', businessChats(business));
  }
  yield `}${rest(head)}`;
}

function* businessChats(business: BusinessRecord): Generator<string> {
  for (const [i, chat] of business.chats.entries()) {
    if (i > 0) yield ',';
    yield* withArrayFirst(chat, 'messages', chatMessages(chat));
  }
}

function* chatMessages(chat: ChatRecord): Generator<string> {
  for (let from = 0; from < chat.messages.length; from += MESSAGES_A_PIECE) {
    yield `${from > 0 ? ',' : ''}${JSON.stringify(chat.messages.slice(from, from + MESSAGES_A_PIECE)).slice(1, -1)}`;
  }
}

/** An object with its long array written first, element by element (`elements`), and the rest of it in one piece. */
function* withArrayFirst<T extends object>(object: T, key: keyof T & string, elements: Iterable<string>): Generator<string> {
  const { [key]: _long, ...others } = object;
  yield `{${JSON.stringify(key)}:[`;
  yield* elements;
  yield `]${rest(others)}`;
}

/** What closes an object once its first member is written: the other members, then the brace. */
function rest(others: object): string {
  const text = JSON.stringify(others);
  return text === '{}' ? '}' : `,${text.slice(1)}`;
}
