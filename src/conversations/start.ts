/**
 * When scripted buyers (a conversation, a traffic run) start, as their `start` says: after a while on the
 * sandbox's clock, at the partner's first call of an operation in one of their businesses, once the partner's
 * webhook answers, or at the partner's first sign of life, whichever it gives (`partner`: a call, or an answered push).
 */
import type { StartSpec } from '../scenario/conversation-schema.js';
import { durationMs } from '../model/duration.js';

export interface StartHost {
  clock: { sleep(ms: number, cancel?: AbortSignal): Promise<void> };
  journal: { onCompleted(listener: (entry: { operationId: string | null; businessId: number | null }) => void): () => void };
  notifications: { readonly webhook: string | undefined; webhookAnswers(cancel: AbortSignal): Promise<void> };
}

/** Resolves at the partner's first call in `businessIds` that `counts`; rejects once `cancel` aborts. */
function firstCall(host: StartHost, businessIds: number[], counts: (operationId: string) => boolean, cancel: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = host.journal.onCompleted(({ operationId, businessId }) => {
      if (operationId === null || !counts(operationId) || businessId === null || !businessIds.includes(businessId)) return;
      stop();
      resolve();
    });
    cancel.addEventListener('abort', () => (stop(), reject(cancel.reason as Error)), { once: true });
  });
}

/** The partner's first sign of life: a call in one of the businesses, or (with a webhook) an answered PING or push. */
async function partnerUp(host: StartHost, businessIds: number[], cancel: AbortSignal): Promise<void> {
  const settled = new AbortController();
  const stop = () => settled.abort(cancel.reason);
  cancel.addEventListener('abort', stop, { once: true });
  const signs = [firstCall(host, businessIds, () => true, settled.signal)];
  if (host.notifications.webhook !== undefined) signs.push(host.notifications.webhookAnswers(settled.signal));
  // The sign that does not come first is called off: its rejection is expected.
  for (const sign of signs) sign.catch(() => undefined);
  try {
    await Promise.race(signs);
  } finally {
    cancel.removeEventListener('abort', stop);
    settled.abort();
  }
}

/** Resolves when it is time to start; rejects once `cancel` aborts. */
export function startTime(start: StartSpec, host: StartHost, businessIds: number[], cancel: AbortSignal): Promise<void> {
  if ('after' in start) return host.clock.sleep(durationMs(start.after), cancel);
  if (start.on === 'webhook') return host.notifications.webhookAnswers(cancel);
  if (start.on === 'partner') return partnerUp(host, businessIds, cancel);
  return firstCall(host, businessIds, (operationId) => operationId === start.on, cancel);
}
