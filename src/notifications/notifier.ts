/**
 * Push notifications to the partner's URL, as Market sends them: in the background (no API answer waits),
 * in order within a chat, retried with doubling waits while the partner answers anything but 200, and
 * logged with every attempt. Reset and close cancel what is under way and leave no timer behind.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Type, type Static } from 'typebox';
import { NOTIFICATION_TYPES, type Notification, type NotificationType } from '../contract/notifications.js';
import { Id, stringEnum } from '../contract/schemas.js';
import type { ChatEvent } from '../domain/chat-events.js';
import { formatMarketDate } from '../model/time.js';
import { BoundedLog } from '../model/bounded-log.js';
import { deliver, type DeliveryAttempt } from './delivery.js';
import { notificationOf } from './payloads.js';

export interface WebhookSettings {
  url: string;
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the first retry; each later one waits twice as long as the one before. */
  backoffMs: number;
}

/** Suited to a test run rather than to production: a failing handler is known within seconds. */
export const WEBHOOK_DEFAULTS = { attempts: 5, backoffMs: 1000 };
/** Market's patience: 10 s for a notification, 1 s for a PING. */
export const NOTIFICATION_TIMEOUT_MS = 10_000;
export const PING_TIMEOUT_MS = 1_000;
/** The most log entries kept: older ones are dropped first (their delivery goes on). */
export const NOTIFICATION_LOG_CAPACITY = 1000;

export const DELIVERY_STATES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface NotificationEntry {
  id: number;
  notificationType: NotificationType;
  businessId: number | null;
  chatId: number | null;
  /** What was (or is to be) POSTed. */
  body: Notification;
  /** pending until a 200 (delivered), the last attempt (failed), or a reset or close (cancelled). */
  state: DeliveryState;
  attempts: DeliveryAttempt[];
  /** When the next retry is due (ISO 8601), while one is waited for. */
  nextAttemptAt: string | null;
}

/** What the log may be filtered by: the query of GET /__sandbox/notifications, and sandbox.notifications(). */
export const NotificationFilterSchema = Type.Object({
  type: Type.Optional(stringEnum(NOTIFICATION_TYPES, 'notificationType')),
  businessId: Type.Optional(Id('Business id')),
  chatId: Type.Optional(Id('Chat id')),
  state: Type.Optional(stringEnum(DELIVERY_STATES)),
});
export type NotificationFilter = Static<typeof NotificationFilterSchema>;

export const NO_WEBHOOK = 'webhook: no URL is set; start with --webhook URL (or SANDBOX_WEBHOOK), or give the scenario webhook.url';

export class Notifier {
  private settings: WebhookSettings | undefined;
  private readonly log = new BoundedLog<NotificationEntry>(NOTIFICATION_LOG_CAPACITY);
  private nextId = 1;
  /** Per chat: what waits to be delivered, the one being delivered first. */
  private readonly queues = new Map<string, NotificationEntry[]>();
  private cancelling = new AbortController();
  private settledWaiters: (() => void)[] = [];

  constructor(settings?: WebhookSettings) {
    this.settings = settings;
  }

  get url(): string | undefined {
    return this.settings?.url;
  }

  /** New settings apply to what is sent from now on. */
  configure(settings: WebhookSettings | undefined): void {
    this.settings = settings;
  }

  /** Queues the notification a chat event calls for; nothing when no URL is set. */
  readonly onEvent = (event: ChatEvent): void => {
    if (!this.settings) return;
    const body = notificationOf(event);
    if (!body) return;
    const entry = this.record(body);
    const key = `${entry.businessId}:${entry.chatId}`;
    const queue = this.queues.get(key);
    if (queue) {
      queue.push(entry);
      return;
    }
    const fresh = [entry];
    this.queues.set(key, fresh);
    void this.drain(key, fresh, this.settings, this.cancelling.signal);
  };

  /** Sends a PING now and answers with how it went: one attempt, 1 s to answer, no retry. */
  async ping(): Promise<NotificationEntry> {
    if (!this.settings) throw new Error(NO_WEBHOOK);
    const entry = this.record({ notificationType: 'PING', time: formatMarketDate(Date.now()) });
    const attempt = await deliver(this.settings.url, entry.body, PING_TIMEOUT_MS, this.cancelling.signal);
    entry.attempts.push(attempt);
    entry.state = attempt.status === 200 ? 'delivered' : 'failed';
    return entry;
  }

  /** Entries dropped from the log because it was full, since the last clear. */
  get dropped(): number {
    return this.log.dropped;
  }

  list(filter: NotificationFilter = {}): NotificationEntry[] {
    const { type, businessId, chatId, state } = filter;
    return this.log.where({ notificationType: type, businessId, chatId, state });
  }

  /** Resolves once nothing waits to be delivered: each notification queued so far is delivered, failed or cancelled. */
  settled(): Promise<void> {
    if (this.queues.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** Stops every delivery under way and every retry waited for. */
  cancel(): void {
    this.cancelling.abort();
    this.cancelling = new AbortController();
    for (const queue of this.queues.values()) {
      for (const entry of queue) this.finish(entry, 'cancelled');
    }
    this.queues.clear();
    this.wakeSettled();
  }

  /** Cancels, and empties the log. */
  clear(): void {
    this.cancel();
    this.log.clear();
  }

  private record(body: Notification): NotificationEntry {
    const chat = 'chatId' in body ? body : undefined;
    return this.log.add({
      id: this.nextId++,
      notificationType: body.notificationType,
      businessId: chat?.businessId ?? null,
      chatId: chat?.chatId ?? null,
      body,
      state: 'pending',
      attempts: [],
      nextAttemptAt: null,
    });
  }

  private async drain(key: string, queue: NotificationEntry[], settings: WebhookSettings, cancel: AbortSignal): Promise<void> {
    while (queue.length && !cancel.aborted) {
      await this.deliverWithRetries(queue[0], settings, cancel);
      queue.shift();
    }
    if (this.queues.get(key) === queue) this.queues.delete(key);
    if (this.queues.size === 0) this.wakeSettled();
  }

  private async deliverWithRetries(entry: NotificationEntry, settings: WebhookSettings, cancel: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const result = await deliver(settings.url, entry.body, NOTIFICATION_TIMEOUT_MS, cancel);
      if (cancel.aborted) return;
      entry.attempts.push(result);
      if (result.status === 200) return this.finish(entry, 'delivered');
      if (attempt >= settings.attempts) return this.finish(entry, 'failed');
      const wait = settings.backoffMs * 2 ** (attempt - 1);
      entry.nextAttemptAt = new Date(Date.now() + wait).toISOString();
      try {
        await sleep(wait, undefined, { signal: cancel });
      } catch {
        return; // Cancelled: cancel() has marked the entry.
      }
      entry.nextAttemptAt = null;
    }
  }

  private finish(entry: NotificationEntry, state: DeliveryState): void {
    entry.state = state;
    entry.nextAttemptAt = null;
  }

  private wakeSettled(): void {
    for (const wake of this.settledWaiters.splice(0)) wake();
  }
}
