/**
 * What happens in chats, as the domain tells it: a chat appears, someone writes, a dispute opens or
 * closes. Push notifications and the simulated buyer listen; they only queue work, so that the call
 * that caused the event never waits for them.
 */
import type { ChatRecord, MessageRecord } from '../store/records.js';

export type ChatEvent =
  | { kind: 'chat-created'; businessId: number; chat: ChatRecord }
  | { kind: 'message-sent'; businessId: number; chat: ChatRecord; message: MessageRecord }
  | { kind: 'arbitrage-started' | 'arbitrage-finished'; businessId: number; chat: ChatRecord; at: number };

export type ChatEventListener = (event: ChatEvent) => void;

export class ChatEvents {
  private readonly listeners: ChatEventListener[] = [];

  on(listener: ChatEventListener): void {
    this.listeners.push(listener);
  }

  emit(event: ChatEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
