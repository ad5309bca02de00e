/**
 * Following the sandbox through GET /__sandbox/events. The browser's EventSource reconnects by itself and
 * sends Last-Event-ID; whenever the console may have missed something (a reload event, a reset, a scenario
 * load, or a reconnection, which may be to a restarted sandbox), `generation` moves on and every view loads
 * its state again.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FeedEvent } from '../src/feed/feed.js';
import type { ClockNow } from '../src/control/clock-routes.js';
import type { JournalCall } from '../src/journal/journal.js';
import { get, withToken } from './api.js';

/** An event as the stream carries it: a request's entry comes without its bodies (GET /__sandbox/requests/{id} has them). */
export type StreamEvent = Exclude<FeedEvent, { type: 'request' }> | { id: number; type: 'request'; entry: JournalCall };

export type Connection = 'connecting' | 'live' | 'reconnecting';

type Listener = (event: StreamEvent) => void;

const KINDS = ['chat', 'request', 'notification', 'scenario', 'reset', 'clock', 'traffic', 'reload'] as const;

export class Live {
  private readonly listeners = new Set<Listener>();
  private readonly watchers = new Set<() => void>();
  private source: EventSource | undefined;
  connection: Connection = 'connecting';
  generation = 0;
  /** The sandbox's time when last told, and the browser's time then: the sandbox's time now follows from them. */
  private sandboxTime: { at: number; seenAt: number } | undefined;
  sandboxFrozen = false;

  /** The sandbox's time now (ms), once it is known: ticking with the browser's clock unless it is frozen. */
  sandboxNow(): number | undefined {
    const time = this.sandboxTime;
    if (!time) return undefined;
    return this.sandboxFrozen ? time.at : time.at + Date.now() - time.seenAt;
  }

  setSandboxTime({ now, frozen }: Pick<ClockNow, 'now'> & Partial<Pick<ClockNow, 'frozen'>>): void {
    this.sandboxTime = { at: Date.parse(now), seenAt: Date.now() };
    this.sandboxFrozen = frozen ?? this.sandboxFrozen;
    this.changed();
  }

  start(): void {
    const loadTime = () =>
      get<ClockNow>('/__sandbox/clock')
        .then((now) => this.setSandboxTime(now))
        .catch(() => undefined);
    void loadTime();
    const source = new EventSource(withToken('/__sandbox/events'));
    this.source = source;
    source.onopen = () => {
      // The first open follows the first load; any later one may have missed events.
      if (this.connection === 'reconnecting') {
        this.generation++;
        void loadTime();
      }
      this.connection = 'live';
      this.changed();
    };
    source.onerror = () => {
      this.connection = 'reconnecting';
      this.changed();
    };
    for (const type of KINDS) {
      source.addEventListener(type, (message: MessageEvent<string>) => {
        if (type === 'reload' || type === 'reset' || type === 'scenario') {
          this.generation++;
          this.changed();
        }
        if (type === 'reload') return;
        const id = Number(message.lastEventId);
        const data = JSON.parse(message.data) as object;
        if (type === 'clock') this.setSandboxTime(data as { now: string });
        // Request and notification events carry their log entry as the data, traffic events the run's figures; the others, their fields.
        const event = (
          type === 'request' || type === 'notification'
            ? { id, type, entry: data }
            : type === 'traffic'
              ? { id, type, traffic: data }
              : { id, type, ...data }
        ) as StreamEvent;
        for (const listener of this.listeners) listener(event);
      });
    }
  }

  stop(): void {
    this.source?.close();
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  watch(watcher: () => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  private changed(): void {
    for (const watcher of this.watchers) watcher();
  }
}

/** The connection state and generation, re-rendering when they change. */
export function useLiveState(live: Live): { connection: Connection; generation: number } {
  const [, setTick] = useState(0);
  useEffect(() => live.watch(() => setTick((n) => n + 1)), [live]);
  return { connection: live.connection, generation: live.generation };
}

/** Calls `handler` for every event; the latest handler is used, so it may read the component's state. */
export function useLiveEvents(live: Live, handler: Listener): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => live.on((event) => latest.current(event)), [live]);
}

/** A function that runs `action` once, `ms` after the last of a burst of calls. */
export function useDebounced(action: () => void, ms: number): () => void {
  const latest = useRef(action);
  latest.current = action;
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => latest.current(), ms);
  };
}
