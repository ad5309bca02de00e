/**
 * The scenario's simulated buyers: one answers each partner message after a delay, new ones open chats
 * at a steady pace, so that a partner's polling or webhook loop sees life. stop() clears every timer.
 */
import type { BuyerSide } from '../domain/buyer-side.js';
import type { ChatEvent } from '../domain/chat-events.js';
import * as say from '../fake/phrases.js';
import { lineFor, openingChat } from '../fake/live-lines.js';

export interface SimulatedBuyerSettings {
  replyAfterMs?: number;
  /** Answers in turn; realistic Russian lines when absent. */
  replies?: string[];
  newChatsEveryMs?: number;
  /** Where new chats appear, in turn; by default the businesses that exist at that moment. */
  businesses?: number[];
}

export interface SimulatedBuyerWorld {
  buyer: BuyerSide;
  seed(): number;
  businessIds(): number[];
  /** Told when a simulated buyer could not act (it never stops the sandbox). */
  warn(message: string): void;
}

export class SimulatedBuyer {
  private readonly timers = new Set<NodeJS.Timeout>();
  private interval: NodeJS.Timeout | undefined;
  private replyCount = 0;
  private chatCount = 0;

  constructor(
    private readonly settings: SimulatedBuyerSettings,
    private readonly world: SimulatedBuyerWorld,
  ) {}

  /** Starts opening chats (when asked to); replies need no start, they follow partner messages. */
  start(): void {
    const every = this.settings.newChatsEveryMs;
    if (every === undefined || this.interval) return;
    this.interval = setInterval(() => void this.openChat(), every);
  }

  stop(): void {
    clearInterval(this.interval);
    this.interval = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  readonly onEvent = (event: ChatEvent): void => {
    const delay = this.settings.replyAfterMs;
    if (delay === undefined || event.kind !== 'message-sent' || event.message.sender !== 'PARTNER') return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.reply(event.businessId, event.chat.id);
    }, delay);
    this.timers.add(timer);
  };

  private reply(businessId: number, chatId: number): Promise<void> {
    return this.act(`reply in chat ${chatId}`, async () => {
      const { buyer } = this.world;
      const chat = buyer.chat(businessId, chatId);
      // A chat finished meanwhile is over: nobody answers in it.
      if (chat.status === 'FINISHED') return;
      const { replies } = this.settings;
      const message = replies
        ? replies[this.replyCount % replies.length]
        : lineFor(this.world.seed(), businessId, chat, say.CUSTOMER_REPLIES);
      this.replyCount++;
      await buyer.write(businessId, chatId, { message });
    });
  }

  private openChat(): Promise<void> {
    const businesses = this.settings.businesses ?? this.world.businessIds();
    const n = this.chatCount++;
    const businessId = businesses[n % businesses.length];
    return this.act(`new chat in business ${businessId}`, () =>
      this.world.buyer.startChat(businessId, openingChat(this.world.seed(), businessId, n)),
    );
  }

  /** What a simulated buyer does runs on a timer: a failure is reported, never thrown into the process. */
  private async act(what: string, action: () => unknown): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.world.warn(`simulated buyer: ${what} failed: ${(error as Error).message}`);
    }
  }
}
