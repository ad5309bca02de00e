/**
 * The answers that list chats and messages, as JSON text made of pieces serialized once. The same chats
 * and messages are read again and again, and serializing each (Russian texts and all) on every read was
 * most of what a read cost. Every piece comes from the serializer of its schema, so the text is the one
 * serializing the whole answer would give; the contract test checks it against the served OpenAPI.
 */
import type { FastifyReply } from 'fastify';
import { ChatSchema, MessageSchema, type ChatDto } from '../contract/schemas.js';
import { chatDto, messageDto } from '../domain/chats.js';
import type { BusinessState } from '../store/business-state.js';
import type { ChatRecord, MessageRecord } from '../model/records.js';
import { sharedSerializerCompiler } from './serializers.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Sends JSON as it is: Fastify sends bytes with a JSON type unchanged. */
export function sendJsonBytes(reply: FastifyReply, json: Buffer): FastifyReply {
  return reply.type(JSON_TYPE).send(json);
}

const serializeChat = sharedSerializerCompiler({ schema: ChatSchema });
const serializeMessage = sharedSerializerCompiler({ schema: MessageSchema });

interface ChatPiece {
  updatedAt: number;
  status: ChatRecord['status'];
  type: ChatRecord['type'];
  json: Buffer;
}

const pagingJson = (nextPageToken: string | undefined) => JSON.stringify(nextPageToken ? { nextPageToken } : {});
const COMMA = Buffer.from(',');

/** `before`, the pieces separated by commas, then `after`: one copy of bytes already encoded. */
function joined(before: string, pieces: Buffer[], after: string): Buffer {
  const parts: Buffer[] = [Buffer.from(before)];
  pieces.forEach((piece, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(piece);
  });
  parts.push(Buffer.from(after));
  return Buffer.concat(parts);
}

/** How many message pieces and pages of a business are kept: a long history read through once must not double its memory. */
const MESSAGE_PIECES_KEPT = 50_000;
const PAGES_KEPT = 256;
/** A page is kept under its request (limit, token, filters): a request longer than this is answered, not kept. */
const PAGE_KEY_KEPT = 2048;

/**
 * One sandbox's JSON already made: chats, messages and whole pages, bounded, and cleared when the sandbox
 * resets or closes. Nothing is shared between sandboxes in one process.
 */
export class JsonPieces {
  /** A chat's JSON, kept while what it shows of the chat that can change (update time, status, type) stays the same. */
  private chats = new WeakMap<ChatRecord, ChatPiece>();
  /** Messages never change, but payload URLs name the host the client called: only messages without files are kept. */
  private readonly messages = new Map<MessageRecord, Buffer>();
  /**
   * Pages already answered, per business, while it has not changed: a client polling a list that stays the
   * same (most polls) gets the bytes it got before. Any change to the business makes them stale.
   */
  private pages = new WeakMap<BusinessState, { version: number; pages: Map<string, Buffer> }>();

  /** Message pieces kept now. */
  get size(): number {
    return this.messages.size;
  }

  clear(): void {
    this.chats = new WeakMap();
    this.messages.clear();
    this.pages = new WeakMap();
  }

  page(business: BusinessState, key: string, answer: () => Buffer): Buffer {
    let cache = this.pages.get(business);
    if (cache?.version !== business.version) {
      cache = { version: business.version, pages: new Map() };
      this.pages.set(business, cache);
    }
    let page = cache.pages.get(key);
    if (!page) {
      page = answer();
      if (key.length > PAGE_KEY_KEPT) return page;
      if (cache.pages.size >= PAGES_KEPT) cache.pages.clear();
      cache.pages.set(key, page);
    }
    return page;
  }

  chatsPage(chats: ChatRecord[], nextPageToken: string | undefined): Buffer {
    return joined(
      '{"status":"OK","result":{"chats":[',
      chats.map((chat) => this.chat(chat)),
      `],"paging":${pagingJson(nextPageToken)}}}`,
    );
  }

  historyPage(
    head: { orderId?: number; context: ChatDto['context'] },
    messages: MessageRecord[],
    fileUrl: (fileId: string) => string,
    nextPageToken: string | undefined,
  ): Buffer {
    const orderId = head.orderId === undefined ? '' : `"orderId":${head.orderId},`;
    const before = `{"status":"OK","result":{${orderId}"context":${JSON.stringify(head.context)},"messages":[`;
    return joined(
      before,
      messages.map((m) => this.message(m, fileUrl)),
      `],"paging":${pagingJson(nextPageToken)}}}`,
    );
  }

  private chat(chat: ChatRecord): Buffer {
    let piece = this.chats.get(chat);
    if (piece?.updatedAt !== chat.updatedAt || piece.status !== chat.status || piece.type !== chat.type) {
      piece = { updatedAt: chat.updatedAt, status: chat.status, type: chat.type, json: Buffer.from(serializeChat(chatDto(chat))) };
      this.chats.set(chat, piece);
    }
    return piece.json;
  }

  private message(message: MessageRecord, fileUrl: (fileId: string) => string): Buffer {
    if (message.files?.length) return Buffer.from(serializeMessage(messageDto(message, fileUrl)));
    let json = this.messages.get(message);
    if (json === undefined) {
      json = Buffer.from(serializeMessage(messageDto(message, fileUrl)));
      if (this.messages.size >= MESSAGE_PIECES_KEPT) this.messages.clear();
      this.messages.set(message, json);
    }
    return json;
  }
}
