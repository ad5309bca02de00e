/**
 * When scripted buyers (a conversation, a traffic run) start, as their `start` says: after a while on the
 * sandbox's clock, at the partner's first call of an operation in one of their businesses, or once the
 * partner's webhook answers.
 */
import type { StartSpec } from '../scenario/conversation-schema.js';
import { durationMs } from '../model/duration.js';

export interface StartHost {
  clock: { sleep(ms: number, cancel?: AbortSignal): Promise<void> };
  journal: { onCompleted(listener: (entry: { operationId: string | null; businessId: number | null }) => void): () => void };
  notifications: { webhookAnswers(cancel: AbortSignal): Promise<void> };
}

/** Resolves when it is time to start; rejects once `cancel` aborts. */
export function startTime(start: StartSpec, host: StartHost, businessIds: number[], cancel: AbortSignal): Promise<void> {
  if ('after' in start) return host.clock.sleep(durationMs(start.after), cancel);
  if (start.on === 'webhook') return host.notifications.webhookAnswers(cancel);
  return new Promise((resolve, reject) => {
    const stop = host.journal.onCompleted(({ operationId, businessId }) => {
      if (operationId !== start.on || businessId === null || !businessIds.includes(businessId)) return;
      stop();
      resolve();
    });
    cancel.addEventListener('abort', () => (stop(), reject(cancel.reason as Error)), { once: true });
  });
}
