/**
 * Everything that happens in a sandbox, as one ordered feed with ids: chat changes, API calls as the journal
 * records them, notification deliveries, scenario loads and resets. The event stream and `sandbox.events()`
 * follow it; a follower that comes back with the last id it saw gets what it missed from a bounded buffer,
 * or is told to reload when that is gone. Nothing is serialized here: a follower formats what it sends.
 */
import type { ChatDto, MessageDto } from '../contract/schemas.js';
import type { Actor, ChatEventKind } from '../domain/chat-events.js';
import type { JournalEntry } from '../journal/journal.js';
import type { NotificationEntry } from '../notifications/notifier.js';

export type FeedItem =
  | {
      type: 'chat';
      kind: ChatEventKind;
      businessId: number;
      actor: Actor;
      at: number;
      statusBefore: string | null;
      statusAfter: string;
      /** The chat as the change left it. */
      chat: ChatDto;
      /** For message-sent: the message, its payload URLs relative to the sandbox. */
      message?: MessageDto;
    }
  /** An API call, once answered (or left unanswered by a fault). */
  | { type: 'request'; entry: JournalEntry }
  /** A notification queued, attempted, delivered, failed, cancelled or withheld. */
  | { type: 'notification'; entry: NotificationEntry }
  | { type: 'scenario'; name: string | null }
  | { type: 'reset' };

export type FeedEvent = FeedItem & { id: number };
export type FeedType = FeedItem['type'];

/** Events kept for followers that come back. */
export const FEED_KEPT = 1000;

type Follower = (event: FeedEvent) => void;

/** What `sandbox.events()` yields: the feed's events, and `reload` when some were missed. */
export type SandboxEvent = FeedEvent | { type: 'reload' };

/** Events a follower in code may have waiting before it is told to reload instead. */
export const FOLLOWER_BACKLOG = 10_000;

export class Feed {
  private readonly kept: FeedEvent[] = [];
  private nextId = 1;
  private readonly followers = new Set<Follower>();

  constructor(private readonly capacity = FEED_KEPT) {}

  publish(item: FeedItem): void {
    const event = { ...item, id: this.nextId++ };
    this.kept.push(event);
    if (this.kept.length > this.capacity) this.kept.shift();
    for (const follower of this.followers) follower(event);
  }

  /**
   * Follows from now on, after replaying what came after `lastId` (when given). `replay` is undefined when
   * some of that is no longer kept: the follower should reload what it shows.
   */
  follow(follower: Follower, lastId?: number): { replay: FeedEvent[] | undefined; stop: () => void } {
    let replay: FeedEvent[] | undefined = [];
    if (lastId !== undefined && lastId + 1 < this.nextId) {
      const oldest = this.kept[0]?.id ?? this.nextId;
      replay = lastId + 1 < oldest ? undefined : this.kept.filter((event) => event.id > lastId);
    }
    this.followers.add(follower);
    return { replay, stop: () => this.followers.delete(follower) };
  }

  /** Ends every follower in code (the sandbox is closing). */
  close(): void {
    for (const end of this.ends) end();
  }

  private readonly ends = new Set<() => void>();

  /**
   * The feed as an async iterator, from now on (after what came after `lastId`, when given). It never holds
   * more than FOLLOWER_BACKLOG events: past that it drops them and yields `reload`. `return()` stops it.
   */
  iterate(lastId?: number): AsyncIterableIterator<SandboxEvent> {
    const queue: SandboxEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const { replay, stop } = this.follow((event) => {
      if (queue.length >= FOLLOWER_BACKLOG) queue.splice(0, queue.length, { type: 'reload' });
      queue.push(event);
      wake?.();
    }, lastId);
    queue.push(...(replay ?? [{ type: 'reload' as const }]));
    const end = () => {
      ended = true;
      stop();
      this.ends.delete(end);
      wake?.();
    };
    this.ends.add(end);
    const iterator: AsyncIterableIterator<SandboxEvent> = {
      [Symbol.asyncIterator]: () => iterator,
      next: async () => {
        while (!queue.length && !ended) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        const value = queue.shift();
        return value ? { done: false, value } : { done: true, value: undefined };
      },
      return: async () => {
        end();
        return { done: true, value: undefined };
      },
    };
    return iterator;
  }
}
