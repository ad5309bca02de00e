/**
 * The scenario's simulated buyers (`customer:`): one answers each partner message after a delay, new ones open
 * chats at a steady pace, so that a partner's polling or webhook loop sees life. Their waits are on the
 * sandbox's clock, so moving it makes them reply; stop() cancels every one.
 */
import type { Clock } from '../clock/clock.js';
import type { BuyerSide } from '../domain/buyer-side.js';
import type { ChatEvent } from '../domain/chat-events.js';
import * as say from '../fake/phrases.js';
import { lineFor, openingChat } from '../fake/live-lines.js';
import { durationMs } from '../model/duration.js';
import type { Scenario } from '../scenario/schema.js';

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
  clock: Clock;
  businessIds(): number[];
  /** Told when a simulated buyer could not act (it never stops the sandbox). */
  warn(message: string): void;
}

/** What a scenario's `customer` asks of simulated buyers; undefined when it has none. */
function simulatedBuyerSettings({ customer }: Scenario): SimulatedBuyerSettings | undefined {
  if (!customer) return undefined;
  const ms = (duration: string | undefined) => (duration === undefined ? undefined : durationMs(duration));
  return {
    replyAfterMs: ms(customer.replyAfter),
    replies: customer.replies,
    newChatsEveryMs: ms(customer.newChatsEvery),
    businesses: customer.businesses,
  };
}

export class SimulatedBuyers {
  private settings: SimulatedBuyerSettings | undefined;
  private seed = 0;
  private readonly cancels = new Set<() => void>();
  private acting = false;
  private replyCount = 0;
  private chatCount = 0;

  constructor(private readonly world: SimulatedBuyerWorld) {}

  configure(scenario: Scenario, seed: number): void {
    this.settings = simulatedBuyerSettings(scenario);
    this.seed = seed;
  }

  /** Starts acting: opening chats (when asked to) and replying to the partner. One business alone changes nothing. */
  start(businessId?: number): void {
    if (businessId !== undefined || !this.settings || this.acting) return;
    this.acting = true;
    this.replyCount = 0;
    this.chatCount = 0;
    const every = this.settings.newChatsEveryMs;
    if (every !== undefined) this.later(every, () => this.openChatsEvery(every));
  }

  /** Stops acting: every wait is cancelled. One business alone changes nothing. */
  stop(businessId?: number): void {
    if (businessId !== undefined) return;
    this.acting = false;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
  }

  readonly onEvent = (event: ChatEvent): void => {
    const delay = this.settings?.replyAfterMs;
    if (!this.acting || delay === undefined || event.kind !== 'message-sent' || event.message.sender !== 'PARTNER') return;
    this.later(delay, () => this.reply(event.businessId, event.chat.id));
  };

  private later(ms: number, act: () => Promise<void>): void {
    const cancel = this.world.clock.schedule(ms, () => {
      this.cancels.delete(cancel);
      void this.world.clock.track(act());
    });
    this.cancels.add(cancel);
  }

  private openChatsEvery(every: number): Promise<void> {
    this.later(every, () => this.openChatsEvery(every));
    return this.openChat();
  }

  private reply(businessId: number, chatId: number): Promise<void> {
    return this.act(`reply in chat ${chatId}`, async () => {
      const { buyer } = this.world;
      const chat = buyer.chat(businessId, chatId);
      // A chat finished meanwhile is over: nobody answers in it.
      if (chat.status === 'FINISHED') return;
      const replies = this.settings?.replies;
      const message = replies ? replies[this.replyCount % replies.length] : lineFor(this.seed, businessId, chat, say.CUSTOMER_REPLIES);
      this.replyCount++;
      await buyer.write(businessId, chatId, { message });
    });
  }

  private openChat(): Promise<void> {
    const businesses = this.settings?.businesses ?? this.world.businessIds();
    const n = this.chatCount++;
    const businessId = businesses[n % businesses.length];
    return this.act(`new chat in business ${businessId}`, () =>
      this.world.buyer.startChat(businessId, openingChat(this.seed, businessId, n)),
    );
  }

  /** What a simulated buyer does runs on the clock: a failure is reported, never thrown into the process. */
  private async act(what: string, action: () => unknown): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.world.warn(`simulated buyer: ${what} failed: ${(error as Error).message}`);
    }
  }
}
