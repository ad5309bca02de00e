/**
 * Everything that happens in a sandbox, as one ordered feed with ids: chat changes, API calls as the journal
 * records them, notification deliveries, scenario loads, resets, moves of the clock and traffic's figures. The event stream and `sandbox.events()`
 * follow it; a follower that comes back with the last id it saw gets what it missed from a bounded buffer,
 * or is told to reload when that is gone. It runs on every call, so it keeps references in a ring and makes
 * nothing else (but a copy of a notification's log entry, which goes on changing): what followers see (DTOs,
 * JSON) is made only when someone follows.
 */
import type { ChatDto, MessageDto } from '../contract/schemas.js';
import type { Actor, ChatEvent, ChatEventKind } from '../domain/chat-events.js';
import { chatDto, messageDto } from '../domain/chats.js';
import type { JournalCall } from '../journal/journal.js';
import type { NotificationEntry } from '../notifications/notifier.js';
import type { TrafficEvent } from '../traffic/traffic.js';

/** What is published: references, nothing copied. */
export type FeedItem =
  | { type: 'chat'; event: ChatEvent }
  /** An API call, once answered (or left unanswered by a fault). */
  | { type: 'request'; entry: JournalCall }
  /** A notification queued, attempted, delivered, failed, cancelled or withheld. */
  | { type: 'notification'; entry: NotificationEntry }
  | { type: 'scenario'; name: string | null }
  /** Everything reset, or one business (`businessId`). */
  | { type: 'reset'; businessId?: number }
  /** The sandbox's clock was moved to `now` (ISO 8601), after what fell due on the way happened. */
  | { type: 'clock'; now: string }
  /** A traffic run's figures: at each interval (with the point just closed) and each change of its state. */
  | { type: 'traffic'; traffic: TrafficEvent };

/** What followers see. */
export type FeedEvent = { id: number } & (
  | {
      type: 'chat';
      kind: ChatEventKind;
      businessId: number;
      actor: Actor;
      at: number;
      statusBefore: string | null;
      statusAfter: string;
      /** The chat as it is when the event is seen (statusBefore and statusAfter tell the change). */
      chat: ChatDto;
      /** For message-sent: the message, its payload URLs relative to the sandbox. */
      message?: MessageDto;
    }
  | { type: 'request'; entry: JournalCall }
  /** The log entry as this change left it (replays too). */
  | { type: 'notification'; entry: NotificationEntry }
  | { type: 'scenario'; name: string | null }
  | { type: 'reset'; businessId?: number }
  | { type: 'clock'; now: string }
  | { type: 'traffic'; traffic: TrafficEvent }
);

/** What `sandbox.events()` yields: the feed's events, and `reload` when some were missed. */
export type SandboxEvent = FeedEvent | { type: 'reload' };

/** Events kept for followers that come back. */
export const FEED_KEPT = 1000;
/** Events a follower in code may have waiting before it is told to reload instead. */
export const FOLLOWER_BACKLOG = 10_000;

type Follower = (event: FeedEvent) => void;

export class Feed {
  /** The last `capacity` items, by id modulo capacity. */
  private readonly ring: (FeedItem | undefined)[];
  private nextId = 1;
  private readonly followers = new Set<Follower>();
  private readonly ends = new Set<() => void>();

  /** `fileUrl`: where a payload downloads from, relative to the sandbox. */
  constructor(
    private readonly fileUrl: (fileId: string) => string,
    private readonly capacity = FEED_KEPT,
  ) {
    this.ring = new Array<FeedItem | undefined>(capacity);
  }

  publish(published: FeedItem): void {
    // A log entry goes on changing as its delivery does: the feed keeps the state this change left it in.
    const item: FeedItem =
      published.type === 'notification'
        ? { type: 'notification', entry: { ...published.entry, attempts: [...published.entry.attempts] } }
        : published;
    const id = this.nextId++;
    this.ring[id % this.capacity] = item;
    if (this.followers.size === 0) return;
    const event = this.present(id, item);
    for (const follower of this.followers) follower(event);
  }

  /**
   * Follows from now on, after replaying what came after `lastId` (when given). `replay` is undefined when
   * some of that is no longer kept: the follower should reload what it shows.
   */
  follow(follower: Follower, lastId?: number): { replay: FeedEvent[] | undefined; stop: () => void } {
    const replay = this.since(lastId);
    this.followers.add(follower);
    return { replay, stop: () => this.followers.delete(follower) };
  }

  /** What came after `lastId` (nothing when none is given), or undefined when some of it is no longer kept. */
  since(lastId?: number): FeedEvent[] | undefined {
    if (lastId === undefined) return [];
    // An id this feed never gave comes from an earlier run of the sandbox: all of this one is news to the follower.
    if (lastId >= this.nextId) return undefined;
    if (lastId + 1 < Math.max(1, this.nextId - this.capacity)) return undefined;
    const replay: FeedEvent[] = [];
    for (let id = lastId + 1; id < this.nextId; id++) replay.push(this.present(id, this.ring[id % this.capacity]!));
    return replay;
  }

  /** Ends every follower in code (the sandbox is closing). */
  close(): void {
    for (const end of this.ends) end();
  }

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

  // Built field by field: a spread of the item costs a follower about a microsecond a call.
  private present(id: number, item: FeedItem): FeedEvent {
    switch (item.type) {
      case 'request':
        return { id, type: 'request', entry: item.entry };
      case 'notification':
        return { id, type: 'notification', entry: item.entry };
      case 'scenario':
        return { id, type: 'scenario', name: item.name };
      case 'reset':
        return item.businessId === undefined ? { id, type: 'reset' } : { id, type: 'reset', businessId: item.businessId };
      case 'clock':
        return { id, type: 'clock', now: item.now };
      case 'traffic':
        return { id, type: 'traffic', traffic: item.traffic };
      case 'chat':
        return this.presentChat(id, item.event);
    }
  }

  private presentChat(id: number, event: ChatEvent): FeedEvent {
    const { kind, businessId, actor, at, statusBefore, statusAfter } = event;
    const seen: FeedEvent = { id, type: 'chat', kind, businessId, actor, at, statusBefore, statusAfter, chat: chatDto(event.chat) };
    if (event.kind === 'message-sent') seen.message = messageDto(event.message, this.fileUrl);
    return seen;
  }
}
