/**
 * Push notifications to the partner's URL, as Market sends them: in the background (no API answer waits),
 * in order within a chat, retried with doubling waits while the partner answers anything but 200, and
 * logged with every attempt. A scenario makes them as rough as Market's: some delivered twice, out of
 * order, late, or (buyer messages, like stickers) not at all. Waits between attempts are on the sandbox's
 * clock (moving it makes a retry due); reset and close cancel what is under way and leave no timer behind.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Type, type Static } from 'typebox';
import type { Clock } from '../clock/clock.js';
import { NOTIFICATION_TYPES, NotificationSchema, type Notification } from '../contract/notifications.js';
import { Id, Nullable, stringEnum } from '../contract/schemas.js';
import type { ChatEvent } from '../domain/chat-events.js';
import { formatPushDate } from '../model/time.js';
import { BoundedLog } from '../model/bounded-log.js';
import { between, seededRandom } from '../model/random.js';
import { durationMs, MAX_DURATION_MS } from '../model/duration.js';
import { fieldName } from '../contract/field-name.js';
import { ScenarioError } from '../scenario/load.js';
import type { StartSpec } from '../scenario/conversation-schema.js';
import { delayRange, type Scenario } from '../scenario/schema.js';
import { deliver, DeliveryAttemptSchema, SELF_PUSH, WebhookConnections } from './delivery.js';
import { notificationOf } from './payloads.js';
import { pointsAtItself, selfLoopMessage, type Listening } from './self-address.js';

export interface WebhookSettings {
  url: string;
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the first retry; each later one waits twice as long as the one before. */
  backoffMs: number;
  /** Which notifications are delivered a second time: a share of them, or every Nth. */
  duplicates?: { share: number } | { every: number };
  /** Within a chat, the next notification delivered is any of those waiting, not the oldest. */
  reorder?: boolean;
  /** Wait before the first attempt of each notification, drawn from this range. */
  delay?: { minMs: number; maxMs: number };
  /** The share of buyer messages Market sends no CHAT_MESSAGE_SENT for (as for stickers). */
  silentMessages?: number;
  /** Seed of what is drawn at random: the same scenario repeats. */
  seed: number;
}

/** How often the sandbox PINGs a webhook that something waits for (start: { on: webhook }), until it answers 200. */
const WEBHOOK_WAIT_PING_MS = 1000;

/** Suited to a test run rather than to production: a failing handler is known within seconds. */
export const WEBHOOK_DEFAULTS = { attempts: 5, backoffMs: 1000 };
/** Market's patience: 10 s for a notification, 1 s for a PING. */
export const NOTIFICATION_TIMEOUT_MS = 10_000;
export const PING_TIMEOUT_MS = 1_000;
/** The most log entries kept: older ones are dropped first (their delivery goes on). */
export const NOTIFICATION_LOG_CAPACITY = 1000;
/**
 * With `reorder`, a chat's pushes written in a burst are gathered before the first goes, so that they can be
 * delivered out of order: until none has joined for REORDER_QUIET_MS of real time, REORDER_GATHER_MS at most.
 * (Delivered at once on kept connections, a burst would otherwise leave one waiting at a time, in order.)
 */
const REORDER_QUIET_MS = 50;
const REORDER_GATHER_MS = 1000;

export const DELIVERY_STATES = ['pending', 'delivered', 'failed', 'cancelled', 'withheld'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** A notification as the log keeps it, with every attempt (GET /__sandbox/notifications serves it; the type is made from it). */
export const NotificationEntrySchema = Type.Object({
  id: Type.Integer(),
  notificationType: stringEnum(NOTIFICATION_TYPES),
  businessId: Nullable(Type.Integer()),
  chatId: Nullable(Type.Integer()),
  body: NotificationSchema,
  copyOf: Nullable(
    Type.Integer({ description: 'For a second delivery of the same notification (webhook.duplicates): the entry it copies' }),
  ),
  state: stringEnum(
    DELIVERY_STATES,
    'pending until a 200 (delivered), the last attempt (failed), or a reset or close (cancelled); withheld: Market sends ' +
      'none for this buyer message (a sticker, silentMessages, or a call with notify: false)',
  ),
  attempts: Type.Array(DeliveryAttemptSchema),
  nextAttemptAt: Nullable(Type.String({ description: 'When the next retry is due (ISO 8601), while one is waited for' })),
});
export type NotificationEntry = Static<typeof NotificationEntrySchema>;

/** What the log may be filtered by: the query of GET /__sandbox/notifications, and sandbox.notifications(). */
export const NotificationFilterSchema = Type.Object({
  type: Type.Optional(stringEnum(NOTIFICATION_TYPES, 'notificationType')),
  businessId: Type.Optional(Id('Business id')),
  chatId: Type.Optional(Id('Chat id')),
  state: Type.Optional(stringEnum(DELIVERY_STATES)),
});
export type NotificationFilter = Static<typeof NotificationFilterSchema>;

/** Where and how notifications go: the URL given (--webhook) or the scenario's, the rest from the scenario. */
function webhookSettings(url: string | undefined, scenario: Scenario, seed: number): WebhookSettings | undefined {
  const target = url ?? scenario.webhook?.url;
  if (!target) return undefined;
  const { attempts = WEBHOOK_DEFAULTS.attempts, backoff, duplicates, reorder, delay, silentMessages } = scenario.webhook ?? {};
  return {
    url: target,
    attempts,
    backoffMs: backoff === undefined ? WEBHOOK_DEFAULTS.backoffMs : durationMs(backoff),
    duplicates: typeof duplicates === 'number' ? { share: duplicates } : duplicates,
    reorder,
    delay: delay === undefined ? undefined : delayRange(delay),
    silentMessages,
    seed,
  };
}

export const NO_WEBHOOK = 'webhook: no URL is set; start with --webhook URL (or SANDBOX_WEBHOOK), or give the scenario webhook.url';

/** A chat's notifications: the one being delivered, and those that wait. */
interface ChatQueue {
  current: NotificationEntry | undefined;
  waiting: NotificationEntry[];
  /** Cancels this queue: alone (a business reset), or with every other (a stop). */
  cancelling: AbortController;
}

export class Notifier {
  private settings: WebhookSettings | undefined;
  private listening: Listening | undefined;
  /** Whether the webhook has answered anything with 200 (it is up); what waits for it asks. */
  private answered = false;
  private pinging: Promise<NotificationEntry> | undefined;
  private readonly log = new BoundedLog<NotificationEntry>(NOTIFICATION_LOG_CAPACITY);
  private nextId = 1;
  /** Notifications queued so far: every Nth is duplicated. */
  private queued = 0;
  private random = seededRandom(0);
  private readonly queues = new Map<string, ChatQueue>();
  private cancelling = new AbortController();
  private settledWaiters: (() => void)[] = [];
  private readonly changeListeners = new Set<(entry: NotificationEntry) => void>();
  private readonly connections = new WebhookConnections();

  /** `givenUrl` (--webhook) wins over every scenario's webhook.url. */
  constructor(
    private readonly clock: Clock,
    private readonly givenUrl?: string,
  ) {}

  /** Where notifications go; undefined when nowhere. */
  get webhook(): string | undefined {
    return this.settings?.url;
  }

  /** What every push carries (X-Sandbox-Push): the sandbox's own routes refuse a request that has it. */
  get pushMarker(): string {
    return this.connections.marker;
  }

  /** Where the sandbox listens, once it does: a webhook there is refused (a push to itself would loop). */
  listeningOn(listening: Listening): void {
    this.listening = listening;
    this.refuseSelf(this.settings?.url);
  }

  /** What a scenario would have: throws when its webhook is the sandbox itself, or when it waits for a webhook it has not. */
  check(scenario: Scenario): void {
    const url = this.givenUrl ?? scenario.webhook?.url;
    this.refuseSelf(url);
    if (url !== undefined) return;
    // Scripted buyers that start once the webhook answers would wait for ever.
    const onWebhook = (start: StartSpec | undefined) => start !== undefined && 'on' in start && start.on === 'webhook';
    const conversation = scenario.conversations?.findIndex((c) => onWebhook(c.start)) ?? -1;
    const waitingField =
      conversation >= 0
        ? ['conversations', conversation, 'start', 'on']
        : onWebhook(scenario.traffic?.start)
          ? ['traffic', 'start', 'on']
          : undefined;
    if (waitingField) {
      const field = fieldName(`/${waitingField.join('/')}`);
      const message = `${field}: waits for the webhook, but none is set; start with --webhook URL (or SANDBOX_WEBHOOK), or give the scenario webhook.url`;
      throw new ScenarioError(message, waitingField);
    }
  }

  /** The scenario's settings apply to what is sent from now on; what is drawn at random starts again from their seed. */
  configure(scenario: Scenario, seed: number): void {
    const url = this.settings?.url;
    this.settings = webhookSettings(this.givenUrl, scenario, seed);
    // Another webhook has yet to show it is up.
    if (this.settings?.url !== url) this.answered = false;
    this.restartDraws();
  }

  private refuseSelf(url: string | undefined): void {
    if (url !== undefined && this.listening && pointsAtItself(url, this.listening)) {
      throw new ScenarioError(selfLoopMessage(url, this.listening), ['webhook', 'url']);
    }
  }

  /** Queues the notification a chat event calls for; nothing when no URL is set. */
  readonly onEvent = (event: ChatEvent): void => {
    const { settings } = this;
    if (!settings) return;
    const body = notificationOf(event);
    if (!body) return;
    const entry = this.record(body, null);
    if (event.kind === 'message-sent' && event.message.sender === 'CUSTOMER' && (!event.notify || this.drawn(settings.silentMessages))) {
      this.finish(entry, 'withheld');
      return;
    }
    this.enqueue(entry, settings);
    if (this.duplicated(settings)) this.enqueue(this.record(body, entry.id), settings);
  };

  /** Sends a PING now and answers with how it went: one attempt, 1 s to answer, no retry. */
  async ping(): Promise<NotificationEntry> {
    if (!this.settings) throw new Error(NO_WEBHOOK);
    const entry = this.record({ notificationType: 'PING', time: formatPushDate(this.clock.now()) }, null);
    const attempt = await deliver(this.settings.url, entry.body, PING_TIMEOUT_MS, this.cancelling.signal, this.clock, this.connections);
    entry.attempts.push(attempt);
    this.finish(entry, attempt.status === 200 ? 'delivered' : 'failed');
    return entry;
  }

  /**
   * Resolves once the partner's webhook has answered a PING or a push with 200 (at once if it has): until then a
   * PING goes out every second of real time, as a service waits for another to come up. Rejects when `cancel` aborts.
   */
  async webhookAnswers(cancel: AbortSignal): Promise<void> {
    while (!this.answered) {
      cancel.throwIfAborted();
      // One PING at a time, however many wait: the others wait for its answer.
      this.pinging ??= this.ping().finally(() => (this.pinging = undefined));
      const entry = await this.pinging;
      if (entry.state === 'delivered' || this.answered) return;
      await sleep(WEBHOOK_WAIT_PING_MS, undefined, { signal: cancel });
    }
  }

  /** Listens to every change of a log entry: queued, attempted, delivered, failed, cancelled or withheld. */
  onChange(listener: (entry: NotificationEntry) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
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

  /** Stops every delivery under way and every retry waited for, or one business's. */
  stop(businessId?: number): void {
    if (businessId === undefined) this.cancel();
    else this.cancelBusiness(businessId);
  }

  /** After a reset the log is empty and what is drawn at random starts again (a business reset keeps both). */
  reset(businessId?: number): void {
    if (businessId !== undefined) return;
    this.log.clear();
    this.restartDraws();
  }

  /** Stops every delivery under way and every retry waited for. */
  private cancel(): void {
    this.cancelling.abort();
    this.cancelling = new AbortController();
    for (const queue of this.queues.values()) {
      queue.cancelling.abort();
      for (const entry of [queue.current, ...queue.waiting]) if (entry) this.finish(entry, 'cancelled');
    }
    this.queues.clear();
    this.wakeSettled();
  }

  private cancelBusiness(businessId: number): void {
    for (const [key, queue] of this.queues) {
      if (!key.startsWith(`${businessId}:`)) continue;
      queue.cancelling.abort();
      for (const entry of [queue.current, ...queue.waiting]) if (entry) this.finish(entry, 'cancelled');
      this.queues.delete(key);
    }
    if (this.queues.size === 0) this.wakeSettled();
  }

  /** The sandbox is closing: kept connections to the webhook go. */
  close(): void {
    this.connections.close();
  }

  /** Cancels, empties the log, and starts what is drawn at random again from the seed (a reset repeats the run). */
  clear(): void {
    this.stop();
    this.reset();
  }

  private restartDraws(): void {
    this.random = seededRandom(this.settings?.seed ?? 0);
    this.queued = 0;
  }

  private record(body: Notification, copyOf: number | null): NotificationEntry {
    const chat = 'chatId' in body ? body : undefined;
    const entry = this.log.add({
      id: this.nextId++,
      notificationType: body.notificationType,
      businessId: chat?.businessId ?? null,
      chatId: chat?.chatId ?? null,
      body,
      state: 'pending',
      copyOf,
      attempts: [],
      nextAttemptAt: null,
    });
    this.changed(entry);
    return entry;
  }

  private drawn(share: number | undefined): boolean {
    return share !== undefined && share > 0 && this.random() < share;
  }

  private duplicated(settings: WebhookSettings): boolean {
    const rule = settings.duplicates;
    const nth = ++this.queued;
    if (!rule) return false;
    return 'every' in rule ? nth % rule.every === 0 : this.drawn(rule.share);
  }

  private enqueue(entry: NotificationEntry, settings: WebhookSettings): void {
    const key = `${entry.businessId}:${entry.chatId}`;
    const queue = this.queues.get(key);
    if (queue) {
      queue.waiting.push(entry);
      return;
    }
    const fresh: ChatQueue = { current: undefined, waiting: [entry], cancelling: new AbortController() };
    this.queues.set(key, fresh);
    // Its own signal, which a stop of everything aborts too: a combined signal per queue costs every push.
    void this.drain(key, fresh, settings, fresh.cancelling.signal);
  }

  private async drain(key: string, queue: ChatQueue, settings: WebhookSettings, cancel: AbortSignal): Promise<void> {
    if (settings.reorder) await this.gather(queue, cancel);
    while (queue.waiting.length && !cancel.aborted) {
      const next = settings.reorder ? between(this.random, 0, queue.waiting.length - 1) : 0;
      [queue.current] = queue.waiting.splice(next, 1);
      await this.deliverWithRetries(queue.current, settings, cancel);
      queue.current = undefined;
    }
    if (this.queues.get(key) === queue) this.queues.delete(key);
    if (this.queues.size === 0) this.wakeSettled();
  }

  /** Waits while a burst of a chat's pushes is still being written (see REORDER_QUIET_MS). */
  private async gather(queue: ChatQueue, cancel: AbortSignal): Promise<void> {
    const started = performance.now();
    for (let seen = -1; seen !== queue.waiting.length && performance.now() - started < REORDER_GATHER_MS;) {
      seen = queue.waiting.length;
      await sleep(REORDER_QUIET_MS, undefined, { signal: cancel }).catch(() => undefined);
      if (cancel.aborted) return;
    }
  }

  private async deliverWithRetries(entry: NotificationEntry, settings: WebhookSettings, cancel: AbortSignal): Promise<void> {
    if (settings.delay && !(await this.wait(entry, between(this.random, settings.delay.minMs, settings.delay.maxMs), cancel))) return;
    for (let attempt = 1; ; attempt++) {
      const result = await this.clock.track(
        deliver(settings.url, entry.body, NOTIFICATION_TIMEOUT_MS, cancel, this.clock, this.connections),
      );
      if (cancel.aborted) return;
      entry.attempts.push(result);
      if (result.status === 200) return this.finish(entry, 'delivered');
      // Retrying a push to the sandbox itself could only come back again.
      if (attempt >= settings.attempts || result.error === SELF_PUSH) return this.finish(entry, 'failed');
      // Doubling, up to the longest wait anything on the clock takes.
      if (!(await this.wait(entry, Math.min(settings.backoffMs * 2 ** (attempt - 1), MAX_DURATION_MS), cancel))) return;
    }
  }

  /** Waits before the next attempt, showing when it is due; false when cancelled meanwhile (cancel() has marked the entry). */
  private async wait(entry: NotificationEntry, ms: number, cancel: AbortSignal): Promise<boolean> {
    entry.nextAttemptAt = new Date(this.clock.now() + ms).toISOString();
    this.changed(entry);
    try {
      await this.clock.sleep(ms, cancel);
    } catch {
      return false;
    }
    entry.nextAttemptAt = null;
    return true;
  }

  private finish(entry: NotificationEntry, state: DeliveryState): void {
    if (state === 'delivered') this.answered = true;
    entry.state = state;
    entry.nextAttemptAt = null;
    this.changed(entry);
  }

  private changed(entry: NotificationEntry): void {
    for (const listener of this.changeListeners) listener(entry);
  }

  private wakeSettled(): void {
    for (const wake of this.settledWaiters.splice(0)) wake();
  }
}
