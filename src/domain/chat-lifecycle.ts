/**
 * The one place where a chat changes. Every change — a chat created, a message from anyone, a status
 * set, a dispute started or finished — goes through here, is checked against the rules of the chat's
 * life stated here once, is recorded in the store, and emits exactly one event.
 */
import type { ChatStatus, ChatType, Sender } from '../contract/enums.js';
import { badRequest } from '../contract/errors.js';
import * as say from '../fake/phrases.js';
import { lineFor } from '../fake/live-lines.js';
import { inventCustomer, inventOrderOfReturn } from '../fake/world-generator.js';
import type { NewChatContext } from '../model/chat-keys.js';
import { statusAfterMessage } from '../model/chat-status.js';
import type { ChatRecord, CustomerRecord, FileRef, MessageRecord } from '../model/records.js';
import { wholeSecond } from '../model/time.js';
import type { BusinessState } from '../store/business-state.js';
import type { WorldStore } from '../store/world-store.js';
import type { Actor, ChatEvent, ChatEvents } from './chat-events.js';

export interface MessageContent {
  text?: string;
  files?: FileRef[];
}

/** The partner may not write in a finished chat (a buyer may: it reopens). */
export function checkPartnerMayWrite(chat: ChatRecord): void {
  if (chat.status === 'FINISHED') {
    throw badRequest(`chatId: chat ${chat.id} is FINISHED; messages cannot be sent to a finished chat`);
  }
}

/** WAITING_FOR_ARBITER belongs to disputes: a chat of another type cannot be set to it. */
export function checkStatusFits(type: ChatType, status: ChatStatus): void {
  if (status === 'WAITING_FOR_ARBITER' && type !== 'ARBITRAGE') {
    throw badRequest(`status: WAITING_FOR_ARBITER is a dispute's status; open one with arbitrage: started`);
  }
}

export class ChatLifecycle {
  constructor(
    private readonly store: WorldStore,
    readonly events: ChatEvents,
  ) {}

  /**
   * A new chat about `about` (the caller has checked that none exists for it): buyer, campaign and the
   * order of a return are the given ones, or made up, stable for the order or return.
   */
  open(business: BusinessState, about: NewChatContext, actor: Actor, customer?: CustomerRecord): ChatRecord {
    const { seed } = this.store;
    const anchorId = about.returnId ?? about.orderId ?? business.record.nextChatId;
    const now = this.now();
    const orderId = about.type === 'DIRECT' ? undefined : (about.orderId ?? inventOrderOfReturn(seed, business.id, about.returnId));
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
    this.record(business, {
      kind: 'chat-created',
      businessId: business.id,
      chat,
      actor,
      at: now,
      statusBefore: null,
      statusAfter: chat.status,
    });
    return chat;
  }

  /**
   * Someone writes; the status moves as statusAfterMessage says, and the update time follows the message.
   * `notify` false: Market pushes nothing for it (a sticker).
   */
  write(business: BusinessState, chat: ChatRecord, sender: Sender, content: MessageContent, notify = true): MessageRecord {
    if (sender === 'PARTNER') checkPartnerMayWrite(chat);
    const lastAt = chat.messages.at(-1)?.at ?? chat.createdAt;
    const message: MessageRecord = { id: business.nextMessageId(), at: Math.max(this.now(), lastAt), sender, ...content };
    const statusBefore = chat.status;
    chat.status = statusAfterMessage(chat, sender);
    business.appendMessage(chat, message);
    this.record(business, {
      kind: 'message-sent',
      businessId: business.id,
      chat,
      message,
      notify,
      actor: sender,
      at: message.at,
      statusBefore,
      statusAfter: chat.status,
    });
    return message;
  }

  /** Sets the status outright, as Market does when it finishes a chat; setting the status a chat has changes nothing. */
  setStatus(business: BusinessState, chat: ChatRecord, status: ChatStatus, actor: Actor): void {
    checkStatusFits(chat.type, status);
    if (chat.status === status) return;
    this.transition(business, chat, 'status-changed', actor, () => (chat.status = status));
  }

  /** A dispute opens (not about a DIRECT chat, not twice); Market announces it in the chat. */
  startDispute(business: BusinessState, chat: ChatRecord, actor: Actor): void {
    if (chat.context.type === 'DIRECT') {
      throw badRequest(`arbitrage: chat ${chat.id} is a DIRECT chat; disputes are about orders and returns`);
    }
    if (chat.type === 'ARBITRAGE' && chat.status !== 'FINISHED') throw badRequest(`arbitrage: chat ${chat.id} is already in a dispute`);
    this.transition(business, chat, 'arbitrage-started', actor, () => {
      chat.statusBeforeArbitrage = chat.status;
      chat.type = 'ARBITRAGE';
      chat.status = 'WAITING_FOR_ARBITER';
    });
    this.announce(business, chat, say.ARBITRAGE_OPENED);
  }

  /** The dispute closes: the chat is a CHAT again in the status it had before; Market announces it. */
  finishDispute(business: BusinessState, chat: ChatRecord, actor: Actor): void {
    if (chat.type !== 'ARBITRAGE' || chat.status === 'FINISHED') throw badRequest(`arbitrage: chat ${chat.id} has no dispute open`);
    this.transition(business, chat, 'arbitrage-finished', actor, () => {
      chat.type = 'CHAT';
      // A dispute of the initial world has no status to go back to: the buyer's complaint is the partner's to answer.
      chat.status = chat.statusBeforeArbitrage ?? 'WAITING_FOR_PARTNER';
      delete chat.statusBeforeArbitrage;
    });
    this.announce(business, chat, say.ARBITRAGE_CLOSED);
  }

  /** A change of the chat's type or status, made by `apply`; the event tells the status before and after. */
  private transition(
    business: BusinessState,
    chat: ChatRecord,
    kind: 'status-changed' | 'arbitrage-started' | 'arbitrage-finished',
    actor: Actor,
    apply: () => void,
  ): void {
    const statusBefore = chat.status;
    apply();
    this.record(business, { kind, businessId: business.id, chat, actor, at: this.now(), statusBefore, statusAfter: chat.status });
  }

  /** Market's own message in the chat. */
  private announce(business: BusinessState, chat: ChatRecord, lines: readonly string[]): void {
    this.write(business, chat, 'MARKET', { text: lineFor(this.store.seed, business.id, chat, lines) });
  }

  /** Every change ends here: the store records it (and persists it with --db), then it is told. */
  private record(business: BusinessState, event: ChatEvent): void {
    this.store.changed(business.id, { chat: event.chat });
    this.events.emit(event);
  }

  private now(): number {
    return wholeSecond(this.store.now());
  }
}
