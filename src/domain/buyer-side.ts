/**
 * Everyone in a chat but the partner: the buyer starts chats and writes, Market and support write, an
 * arbiter opens and closes disputes. Free of HTTP: the control API and the programmatic API both call it.
 */
import type { ChatStatus, OtherSender } from '../contract/enums.js';
import { badRequest } from '../contract/errors.js';
import type { BuyerContext, NewChatContext } from '../model/chat-keys.js';
import { contextKey } from '../model/chat-keys.js';
import type { ChatRecord, CustomerRecord, MessageRecord } from '../model/records.js';
import { checkStatusFits, type ChatLifecycle } from './chat-lifecycle.js';
import type { ChatService, GeneratedFile, UploadedFile } from './chat-service.js';

export interface StartChat {
  context: BuyerContext;
  /** The buyer's first message. */
  message?: string;
  /** false: Market pushes no CHAT_MESSAGE_SENT for the first message (as for a sticker). */
  notify?: boolean;
  /** The buyer; made up, stable for the order or return, when not given. */
  customer?: CustomerRecord;
}

export interface Writing {
  sender?: OtherSender;
  message?: string;
  /** Uploaded bytes are kept; a generated file (no bytes) is made on request. */
  files?: (UploadedFile | GeneratedFile)[];
  /** false: Market pushes no CHAT_MESSAGE_SENT for it (as for a sticker). */
  notify?: boolean;
}

export interface StatusChange {
  /** started: the chat becomes a dispute waiting for the arbiter; finished: it goes back to what it was. */
  arbitrage?: 'started' | 'finished';
  /** Set after any arbitrage change. */
  status?: ChatStatus;
}

function newChatContext({ type, id, orderId }: BuyerContext): NewChatContext {
  if (type === 'DIRECT') {
    if (id !== undefined || orderId !== undefined) throw badRequest('context: a DIRECT chat is about no order or return; give no id');
    return { type };
  }
  if (id === undefined) throw badRequest(`context.id: is required for a${type === 'ORDER' ? 'n ORDER' : ' RETURN'} chat`);
  if (type === 'ORDER') {
    if (orderId !== undefined && orderId !== id) throw badRequest('context.orderId: an ORDER chat names its order in id');
    return { type, orderId: id };
  }
  return { type, returnId: id, orderId };
}

const TYPE_AFTER = { started: 'ARBITRAGE', finished: 'CHAT' } as const;

export class BuyerSide {
  constructor(
    private readonly chats: ChatService,
    private readonly lifecycle: ChatLifecycle,
  ) {}

  /**
   * A buyer opens a chat, or writes in the one that exists about the same order or return (Market keeps
   * one per order or return); DIRECT chats are always new.
   */
  startChat(businessId: number, request: StartChat): ChatRecord {
    const business = this.chats.businessOf(businessId);
    const about = newChatContext(request.context);
    const key = contextKey(about);
    const existing = key ? business.chatAbout(key) : undefined;
    if (existing) this.checkSameChat(existing, about, request.customer);
    const chat = existing ?? this.lifecycle.open(business, about, 'CUSTOMER', request.customer);
    if (request.message !== undefined) this.lifecycle.write(business, chat, 'CUSTOMER', { text: request.message }, request.notify);
    return chat;
  }

  chat(businessId: number, chatId: number): ChatRecord {
    return this.chats.getChat(businessId, chatId);
  }

  /** The buyer (by default), Market or support writes text, files or both. A buyer may write in a finished chat: it reopens. */
  async write(businessId: number, chatId: number, writing: Writing): Promise<MessageRecord> {
    const business = this.chats.businessOf(businessId);
    // Found before the files are stored: an unknown chat is a 404 that keeps nothing.
    const chat = this.chats.chatOf(business, chatId);
    const files = [];
    for (const file of writing.files ?? []) {
      files.push('bytes' in file ? await this.chats.storeFile(business, file) : this.chats.generatedFile(business, file));
    }
    const content = { ...(writing.message !== undefined ? { text: writing.message } : {}), ...(files.length ? { files } : {}) };
    return this.lifecycle.write(business, chat, writing.sender ?? 'CUSTOMER', content, writing.notify);
  }

  /** Opens or closes a dispute (Market's arbiter) and/or sets the status (Market), in that order. */
  changeStatus(businessId: number, chatId: number, change: StatusChange): ChatRecord {
    const business = this.chats.businessOf(businessId);
    const chat = this.chats.chatOf(business, chatId);
    if (!change.arbitrage && !change.status) throw badRequest('body: give arbitrage, status, or both');
    // Checked before anything changes, so that a refused call changes nothing.
    if (change.status) checkStatusFits(change.arbitrage ? TYPE_AFTER[change.arbitrage] : chat.type, change.status);
    if (change.arbitrage === 'started') this.lifecycle.startDispute(business, chat, 'ARBITER');
    if (change.arbitrage === 'finished') this.lifecycle.finishDispute(business, chat, 'ARBITER');
    if (change.status) this.lifecycle.setStatus(business, chat, change.status, 'MARKET');
    return chat;
  }

  /** The buyer or return named again must be the chat's own, or the caller is told what the chat has. */
  private checkSameChat(chat: ChatRecord, about: NewChatContext, customer?: CustomerRecord): void {
    if (about.orderId !== undefined && chat.context.orderId !== about.orderId) {
      throw badRequest(`context.orderId: return ${about.returnId} is of order ${chat.context.orderId} (chat ${chat.id})`);
    }
    const known = chat.context.customer;
    if (customer && known && (known.name !== customer.name || known.publicId !== customer.publicId)) {
      throw badRequest(`customer: the chat ${chat.id} about this ${about.type.toLowerCase()} is with ${known.name} (${known.publicId})`);
    }
  }
}
