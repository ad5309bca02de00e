/**
 * Everyone in a chat but the partner: the buyer starts chats and writes, Market and support write, an
 * arbiter opens and closes disputes. Free of HTTP: the control API and the programmatic API both call it.
 */
import type { ChatStatus, ContextType, Sender } from '../contract/enums.js';
import { badRequest } from '../contract/errors.js';
import * as say from '../fake/phrases.js';
import { lineFor } from '../fake/live-lines.js';
import type { BusinessState } from '../store/business-state.js';
import type { ChatRecord, CustomerRecord, MessageRecord } from '../store/records.js';
import type { WorldStore } from '../store/world-store.js';
import type { ChatService, NewChatContext, UploadedFile } from './chat-service.js';
import { contextKey } from './chats.js';
import { wholeSecond } from './time.js';

/** What a buyer's chat is about: an order (id), a return (id, and its order when known), or nothing (DIRECT). */
export interface BuyerContext {
  type: ContextType;
  id?: number;
  orderId?: number;
}

export interface StartChat {
  context: BuyerContext;
  /** The buyer's first message. */
  message?: string;
  /** The buyer; made up, stable for the order or return, when not given. */
  customer?: CustomerRecord;
}

export type OtherSender = Exclude<Sender, 'PARTNER'>;

export interface Writing {
  sender?: OtherSender;
  message?: string;
  files?: UploadedFile[];
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

export class BuyerSide {
  constructor(
    private readonly chats: ChatService,
    private readonly store: WorldStore,
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
    const chat = existing ?? this.chats.openChat(business, about, request.customer);
    if (request.message !== undefined) this.chats.append(business, chat, 'CUSTOMER', { text: request.message });
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
    for (const file of writing.files ?? []) files.push(await this.chats.storeFile(business, file));
    const content = { ...(writing.message !== undefined ? { text: writing.message } : {}), ...(files.length ? { files } : {}) };
    return this.chats.append(business, chat, writing.sender ?? 'CUSTOMER', content);
  }

  /** Opens or closes a dispute and/or sets the status, as Market's arbiter and support would. */
  changeStatus(businessId: number, chatId: number, change: StatusChange): ChatRecord {
    const business = this.chats.businessOf(businessId);
    const chat = this.chats.chatOf(business, chatId);
    if (!change.arbitrage && !change.status) throw badRequest('body: give arbitrage, status, or both');
    if (change.status === 'WAITING_FOR_ARBITER' && chat.type !== 'ARBITRAGE' && change.arbitrage !== 'started') {
      throw badRequest(`status: WAITING_FOR_ARBITER is a dispute's status; open one with arbitrage: started`);
    }
    if (change.arbitrage === 'started') this.startArbitrage(business, chat);
    if (change.arbitrage === 'finished') this.finishArbitrage(business, chat);
    if (change.status) {
      chat.status = change.status;
      this.store.changed(business.id, { chat });
    }
    return chat;
  }

  private startArbitrage(business: BusinessState, chat: ChatRecord): void {
    if (chat.context.type === 'DIRECT') {
      throw badRequest(`arbitrage: chat ${chat.id} is a DIRECT chat; disputes are about orders and returns`);
    }
    if (chat.type === 'ARBITRAGE' && chat.status !== 'FINISHED') throw badRequest(`arbitrage: chat ${chat.id} is already in a dispute`);
    chat.statusBeforeArbitrage = chat.status;
    chat.type = 'ARBITRAGE';
    chat.status = 'WAITING_FOR_ARBITER';
    this.chats.events.emit({ kind: 'arbitrage-started', businessId: business.id, chat, at: this.now() });
    this.announce(business, chat, say.ARBITRAGE_OPENED);
  }

  private finishArbitrage(business: BusinessState, chat: ChatRecord): void {
    if (chat.type !== 'ARBITRAGE' || chat.status === 'FINISHED') throw badRequest(`arbitrage: chat ${chat.id} has no dispute open`);
    chat.type = 'CHAT';
    // A dispute of the initial world has no status to go back to: the buyer's complaint is the partner's to answer.
    chat.status = chat.statusBeforeArbitrage ?? 'WAITING_FOR_PARTNER';
    delete chat.statusBeforeArbitrage;
    this.chats.events.emit({ kind: 'arbitrage-finished', businessId: business.id, chat, at: this.now() });
    this.announce(business, chat, say.ARBITRAGE_CLOSED);
  }

  /** Market's own message in the chat (which leaves the status alone). */
  private announce(business: BusinessState, chat: ChatRecord, lines: readonly string[]): void {
    this.chats.append(business, chat, 'MARKET', { text: lineFor(this.store.seed, business.id, chat, lines) });
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

  private now(): number {
    return wholeSecond(this.store.now());
  }
}
