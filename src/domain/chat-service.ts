/**
 * The partner's chat operations, free of HTTP: lookups that answer 404, paging, and the changes the
 * partner makes, which go through the chat lifecycle. Routes call this.
 */
import { createHash } from 'node:crypto';
import type { AddressableContextType } from '../contract/enums.js';
import { notFound } from '../contract/errors.js';
import type { ChatsFilter } from '../contract/schemas.js';
import { contentTypeOf, generatedFileBytes } from '../fake/file-content.js';
import { contextKey, listedBefore } from '../model/chat-keys.js';
import { lowerBound, takePage } from '../model/paging.js';
import type { ChatRecord, FileMeta, FileRef, MessageRecord } from '../model/records.js';
import type { BusinessState } from '../store/business-state.js';
import type { FileStore } from '../store/file-store.js';
import type { WorldStore } from '../store/world-store.js';
import { checkPartnerMayWrite, type ChatLifecycle } from './chat-lifecycle.js';
import { chatMatcher } from './chats.js';
import { chatsToken, historyToken, readChatsToken, readHistoryToken } from './page-token.js';

export interface PageRequest {
  limit: number;
  pageToken?: string;
}

export interface UploadedFile {
  name: string;
  contentType: string;
  bytes: Buffer;
}

/** A file made on request (its type from its name), as simulated buyers send them. */
export interface GeneratedFile {
  name: string;
  size: number;
}

/** Keeps what a client calls a file to a plain, printable name: it is shown, never used as a path. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const printable = base
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
    .slice(0, 255);
  return printable || 'file';
}

/** What a download of a payload URL finds. */
export type Download =
  | { found: true; meta: FileMeta; bytes: Buffer }
  /** `keptBytes`: how many bytes of uploads memory keeps, when the file was dropped to stay within them. */
  | { found: false; dropped: false }
  | { found: false; dropped: true; keptBytes: number };

export class ChatService {
  /**
   * `invents`: whether unknown businesses, orders and returns are made up, or are 404s (a strict world).
   * Every change goes through `lifecycle`.
   */
  constructor(
    private readonly store: WorldStore,
    private readonly files: FileStore,
    private readonly lifecycle: ChatLifecycle,
    private readonly invents: () => boolean,
  ) {}

  /** The business, made up on first use in a lenient world; a 404 in a strict one. */
  businessOf(businessId: number): BusinessState {
    const existing = this.store.existingBusiness(businessId);
    if (existing) return existing;
    if (!this.invents()) throw notFound(`businessId: business ${businessId} not found`);
    return this.store.business(businessId);
  }

  /** Opens a chat about an order or return, or returns the one that already exists for it. */
  createChat(businessId: number, context: { type: AddressableContextType; id: number }): ChatRecord {
    const business = this.businessOf(businessId);
    const about = context.type === 'ORDER' ? { type: context.type, orderId: context.id } : { type: context.type, returnId: context.id };
    const existing = business.chatAbout(contextKey(about)!);
    if (existing) return existing;
    if (!this.invents()) throw notFound(`context.id: ${context.type.toLowerCase()} ${context.id} not found in business ${businessId}`);
    return this.lifecycle.open(business, about, 'PARTNER');
  }

  listChats(businessId: number, filter: ChatsFilter, page: PageRequest) {
    const { listing } = this.businessOf(businessId);
    const cursor = page.pageToken ? readChatsToken(page.pageToken) : undefined;
    // Keyset: resume right after the last chat served, wherever it now stands.
    const start = cursor ? lowerBound(listing, (chat) => !listedBefore(cursor, chat)) : 0;
    const { items, last } = takePage(listing, start, page.limit, chatMatcher(filter));
    return { chats: items, nextPageToken: last && chatsToken(last) };
  }

  getChat(businessId: number, chatId: number): ChatRecord {
    return this.chatOf(this.businessOf(businessId), chatId);
  }

  history(businessId: number, chatId: number, page: PageRequest & { messageIdFrom?: number }) {
    const chat = this.getChat(businessId, chatId);
    const after = page.pageToken ? readHistoryToken(page.pageToken).messageId + 1 : 0;
    const fromId = Math.max(after, page.messageIdFrom ?? 0);
    const start = lowerBound(chat.messages, (m) => m.id < fromId);
    const { items, last } = takePage(chat.messages, start, page.limit, () => true);
    return { chat, messages: items, nextPageToken: last && historyToken({ messageId: last.id }) };
  }

  getMessage(businessId: number, chatId: number, messageId: number): MessageRecord {
    const chat = this.getChat(businessId, chatId);
    const at = lowerBound(chat.messages, (m) => m.id < messageId);
    const message = chat.messages[at];
    if (message?.id !== messageId) throw notFound(`messageId: message ${messageId} not found in chat ${chatId}`);
    return message;
  }

  sendMessage(businessId: number, chatId: number, text: string): MessageRecord {
    const business = this.businessOf(businessId);
    return this.lifecycle.write(business, this.chatOf(business, chatId), 'PARTNER', { text });
  }

  /** Refuses early what sendFile would refuse, before the client's upload is read. */
  checkWritable(businessId: number, chatId: number): void {
    checkPartnerMayWrite(this.getChat(businessId, chatId));
  }

  async sendFile(businessId: number, chatId: number, file: UploadedFile): Promise<MessageRecord> {
    this.checkWritable(businessId, chatId);
    const business = this.businessOf(businessId);
    const ref = await this.storeFile(business, file);
    // The lifecycle checks again: the chat may have been finished while the bytes were being written.
    return this.lifecycle.write(business, this.chatOf(business, chatId), 'PARTNER', { files: [ref] });
  }

  /** Keeps an uploaded file's bytes and describes it in the business, for a message to refer to. */
  async storeFile(business: BusinessState, file: UploadedFile): Promise<FileRef> {
    const name = cleanFileName(file.name);
    // Recorded before the bytes are written: a business written to is kept, whatever happens meanwhile.
    const ref = this.describeFile(business, {
      name,
      size: file.bytes.length,
      contentType: file.contentType || contentTypeOf(name),
      origin: 'uploaded',
    });
    await this.files.put(ref.fileId, file.bytes);
    return ref;
  }

  /**
   * Describes a file whose bytes are made on request from its id, as a generated world's are: what simulated
   * buyers send in volume keeps nothing in memory but its description.
   */
  generatedFile(business: BusinessState, file: GeneratedFile): FileRef {
    const name = cleanFileName(file.name);
    return this.describeFile(business, { name, size: file.size, contentType: contentTypeOf(name), origin: 'generated' });
  }

  private describeFile(business: BusinessState, meta: FileMeta): FileRef {
    // Made from the seed and the business's files so far, not drawn: the same calls give the same links in every run.
    const nth = Object.keys(business.record.files).length;
    const fileId = `${business.id}-${createHash('sha256').update(`${this.store.seed}:${business.id}:${nth}`).digest('hex').slice(0, 32)}`;
    business.record.files[fileId] = meta;
    this.store.changed(business.id, { fileId });
    return { fileId, name: meta.name, size: meta.size };
  }

  /** The bytes and description behind a payload URL, if the file exists. */
  async file(fileId: string): Promise<{ meta: FileMeta; bytes: Buffer } | undefined> {
    const businessId = Number(fileId.slice(0, fileId.indexOf('-')));
    const meta = this.store.existingBusiness(businessId)?.record.files[fileId];
    if (!meta) return undefined;
    const bytes = meta.origin === 'generated' ? generatedFileBytes(fileId, meta.name, meta.size) : await this.files.get(fileId);
    return bytes && { meta, bytes };
  }

  /** The bytes and description behind a payload URL, or whether they were dropped to keep memory bounded. */
  async download(fileId: string): Promise<Download> {
    const file = await this.file(fileId);
    if (file) return { found: true, ...file };
    return this.files.wasDropped(fileId)
      ? { found: false, dropped: true, keptBytes: this.files.maxMemoryBytes }
      : { found: false, dropped: false };
  }

  chatOf(business: BusinessState, chatId: number): ChatRecord {
    const chat = business.chat(chatId);
    if (!chat) throw notFound(`chatId: chat ${chatId} not found in business ${business.id}`);
    return chat;
  }
}
