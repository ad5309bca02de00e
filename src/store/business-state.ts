/** One business's records with the in-memory indexes that make every lookup and page cheap. */
import { contextKey, listedBefore } from '../model/chat-keys.js';
import { lowerBound } from '../model/paging.js';
import type { BusinessRecord, ChatRecord, MessageRecord } from '../model/records.js';

export class BusinessState {
  readonly record: BusinessRecord;
  private readonly chatsById = new Map<number, ChatRecord>();
  private readonly chatsByContext = new Map<string, ChatRecord>();
  /** Chats in listing order: most recently updated first. */
  readonly listing: ChatRecord[] = [];
  /** Goes up with every change to the business: what was computed from an earlier version is stale. */
  version = 0;

  constructor(record: BusinessRecord) {
    this.record = record;
    for (const chat of record.chats) this.index(chat);
  }

  get id(): number {
    return this.record.id;
  }

  chat(chatId: number): ChatRecord | undefined {
    return this.chatsById.get(chatId);
  }

  chatAbout(key: string): ChatRecord | undefined {
    return this.chatsByContext.get(key);
  }

  addChat(chat: ChatRecord): void {
    this.record.chats.push(chat);
    this.index(chat);
  }

  appendMessage(chat: ChatRecord, message: MessageRecord): void {
    const from = this.position(chat);
    this.listing.splice(from, 1);
    chat.messages.push(message);
    chat.updatedAt = Math.max(chat.updatedAt, message.at);
    this.insertListed(chat);
  }

  nextChatId(): number {
    return this.record.nextChatId++;
  }

  nextMessageId(): number {
    return this.record.nextMessageId++;
  }

  private index(chat: ChatRecord): void {
    this.chatsById.set(chat.id, chat);
    const key = contextKey(chat.context);
    if (key && !this.chatsByContext.has(key)) this.chatsByContext.set(key, chat);
    this.insertListed(chat);
  }

  private position(chat: ChatRecord): number {
    return lowerBound(this.listing, (c) => listedBefore(c, chat));
  }

  private insertListed(chat: ChatRecord): void {
    this.listing.splice(this.position(chat), 0, chat);
  }
}
