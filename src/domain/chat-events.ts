/**
 * What happens in chats, as the chat lifecycle tells it: one event for every change of a chat. Push
 * notifications, simulated buyers and anything else that reacts listen here; listeners only queue work,
 * so that the call that caused the change never waits for them.
 */
import type { ChatStatus, Sender } from '../contract/enums.js';
import type { ChatRecord, MessageRecord } from '../model/records.js';

/** Who made a change: one of a chat's senders, or Market's arbiter (disputes). */
export type Actor = Sender | 'ARBITER';

interface ChangeOf<Kind extends string> {
  kind: Kind;
  businessId: number;
  /** The chat as the change left it. */
  chat: ChatRecord;
  actor: Actor;
  /** When it happened (epoch ms, whole seconds as Market's dates have). */
  at: number;
  /** The chat's status before the change; null for a chat that did not exist. */
  statusBefore: ChatStatus | null;
  statusAfter: ChatStatus;
}

export type ChatEvent =
  /** A chat appears: the partner's createChat, or a buyer who writes first. */
  | ChangeOf<'chat-created'>
  /**
   * Anyone writes; a buyer's message in a FINISHED chat reopens it (statusBefore FINISHED). `notify` false:
   * Market sends no push for it, as for a sticker.
   */
  | (ChangeOf<'message-sent'> & { message: MessageRecord; notify: boolean })
  /** The status is set outright (a chat finished by Market, or any status a test sets). */
  | ChangeOf<'status-changed'>
  /** A dispute opens: the chat becomes ARBITRAGE, WAITING_FOR_ARBITER. */
  | ChangeOf<'arbitrage-started'>
  /** The dispute closes: the chat is a CHAT again. */
  | ChangeOf<'arbitrage-finished'>;

export type ChatEventKind = ChatEvent['kind'];
export type ChatEventListener = (event: ChatEvent) => void;

export class ChatEvents {
  private readonly listeners = new Set<ChatEventListener>();

  /** `warn`: where a listener's failure is reported; it never undoes the change or reaches the caller. */
  constructor(private readonly warn: (message: string) => void) {}

  /** Listens from now on; call what it returns to stop (a console connection comes and goes). */
  on(listener: ChatEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ChatEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.warn(`a listener of ${event.kind} failed: ${(error as Error).message}`);
      }
    }
  }
}
