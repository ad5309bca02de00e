/**
 * What each chat operation does to the world, free of HTTP: lookups that answer 404, paging, the chat
 * lifecycle on new messages. Routes call this; it calls the store.
 */
import { randomUUID } from 'node:crypto';
import type { AddressableContextType, Sender } from '../contract/enums.js';
import { badRequest, notFound } from '../contract/errors.js';
import type { ChatsFilter } from '../contract/schemas.js';
import { contentTypeOf, generatedFileBytes } from '../fake/file-content.js';
import { inventCustomer, inventOrderOfReturn } from '../fake/world-generator.js';
import type { BusinessState } from '../store/business-state.js';
import type { FileStore } from '../store/file-store.js';
import type { ChatRecord, CustomerRecord, FileMeta, FileRef, MessageRecord } from '../store/records.js';
import { ChatEvents } from './chat-events.js';
import type { WorldStore } from '../store/world-store.js';
import { chatMatcher, contextKey, listedBefore, statusAfterMessage } from './chats.js';
import { chatsToken, historyToken, readChatsToken, readHistoryToken } from './page-token.js';
import { lowerBound, takePage } from './paging.js';
import { wholeSecond } from './time.js';

export interface PageRequest {
  limit: number;
  pageToken?: string;
}

/** What a new chat is about: an order, a return (of an order, when known), or nothing (DIRECT). */
export type NewChatContext =
  | { type: 'ORDER'; orderId: number; returnId?: undefined }
  | { type: 'RETURN'; returnId: number; orderId?: number }
  | { type: 'DIRECT'; orderId?: undefined; returnId?: undefined };

export interface UploadedFile {
  name: string;
  contentType: string;
  bytes: Buffer;
}

/** Keeps what a client calls a file to a plain, printable name: it is shown, never used as a path. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const printable = base.replace(/[\p{Cc}\p{Cf}]/gu, '').trim().slice(0, 255);
  return printable || 'file';
}

export class ChatService {
  private readonly store: WorldStore;
  private readonly files: FileStore;
  private readonly invents: () => boolean;

  /** Told of every chat created and message written, by whichever side. */
  readonly events: ChatEvents;

  /** `invents`: whether unknown businesses, orders and returns are made up, or are 404s (a strict world). */
  constructor(store: WorldStore, files: FileStore, invents: () => boolean = () => true, events = new ChatEvents()) {
    this.store = store;
    this.files = files;
    this.invents = invents;
    this.events = events;
  }

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
    return this.openChat(business, about);
  }

  /**
   * Adds a new chat about `about` (no check for one that exists): buyer, campaign and the order of a
   * return are the given ones, or made up, stable for the order or return.
   */
  openChat(business: BusinessState, about: NewChatContext, customer?: CustomerRecord): ChatRecord {
    const { seed } = this.store;
    const anchorId = about.returnId ?? about.orderId ?? business.record.nextChatId;
    const now = wholeSecond(this.store.now());
    const orderId = about.type === 'DIRECT' ? undefined : (about.orderId ?? inventOrderOfReturn(seed, business.id, about.returnId!));
    const chat: ChatRecord = {
      id: business.nextChatId(),
      type: 'CHAT',
      status: 'NEW',
      context: {
        type: about.type,
        campaignId: business.record.campaigns[anchorId % business.record.campaigns.length],
        ...(orderId !== undefined ? { orderId } : {}),
        ...(about.returnId !== undefined ? { returnId: about.returnId } : {}),
        customer: customer ?? inventCustomer(seed, business.id, anchorId),
      },
      createdAt: now,
      updatedAt: now,
      messages: [],
    };
    business.addChat(chat);
    this.store.changed(business.id, { chat });
    this.events.emit({ kind: 'chat-created', businessId: business.id, chat });
    return chat;
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
    return this.append(business, this.writableChat(business, chatId), 'PARTNER', { text });
  }

  /** Refuses early what sendFile would refuse, before the client's upload is read. */
  checkWritable(businessId: number, chatId: number): void {
    this.writableChat(this.businessOf(businessId), chatId);
  }

  async sendFile(businessId: number, chatId: number, file: UploadedFile): Promise<MessageRecord> {
    const business = this.businessOf(businessId);
    this.writableChat(business, chatId);
    const ref = await this.storeFile(business, file);
    // Checked again: the chat may have been finished while the bytes were being written.
    const chat = this.writableChat(business, chatId);
    return this.append(business, chat, 'PARTNER', { files: [ref] });
  }

  /** Keeps an uploaded file's bytes and describes it in the business, for a message to refer to. */
  async storeFile(business: BusinessState, file: UploadedFile): Promise<FileRef> {
    const fileId = `${business.id}-${randomUUID()}`;
    const name = cleanFileName(file.name);
    await this.files.put(fileId, file.bytes);
    const meta: FileMeta = {
      name,
      size: file.bytes.length,
      contentType: file.contentType || contentTypeOf(name),
      origin: 'uploaded',
    };
    business.record.files[fileId] = meta;
    this.store.changed(business.id, { fileId });
    return { fileId, name, size: meta.size };
  }

  /** The bytes and description behind a payload URL, if the file exists. */
  async file(fileId: string): Promise<{ meta: FileMeta; bytes: Buffer } | undefined> {
    const businessId = Number(fileId.slice(0, fileId.indexOf('-')));
    const meta = this.store.existingBusiness(businessId)?.record.files[fileId];
    if (!meta) return undefined;
    const bytes =
      meta.origin === 'generated' ? generatedFileBytes(fileId, meta.name, meta.size) : await this.files.get(fileId);
    return bytes && { meta, bytes };
  }

  /** Adds a message from anyone, moving the chat's status and update time as Market does. */
  append(
    business: BusinessState,
    chat: ChatRecord,
    sender: Sender,
    content: { text?: string; files?: FileRef[] },
  ): MessageRecord {
    const lastAt = chat.messages.at(-1)?.at ?? chat.createdAt;
    const message: MessageRecord = {
      id: business.nextMessageId(),
      at: Math.max(wholeSecond(this.store.now()), lastAt),
      sender,
      ...content,
    };
    chat.status = statusAfterMessage(chat, sender);
    business.appendMessage(chat, message);
    this.store.changed(business.id, { chat });
    this.events.emit({ kind: 'message-sent', businessId: business.id, chat, message });
    return message;
  }

  chatOf(business: BusinessState, chatId: number): ChatRecord {
    const chat = business.chat(chatId);
    if (!chat) throw notFound(`chatId: chat ${chatId} not found in business ${business.id}`);
    return chat;
  }

  private writableChat(business: BusinessState, chatId: number): ChatRecord {
    const chat = this.chatOf(business, chatId);
    if (chat.status === 'FINISHED') {
      throw badRequest(`chatId: chat ${chatId} is FINISHED; messages cannot be sent to a finished chat`);
    }
    return chat;
  }
}
