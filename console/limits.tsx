/** Limits: per business and operation, the quota, what is left of it and when it renews; follows the calls live. */
import { get } from './api.js';
import { useDebounced, useLiveEvents, type Live } from './live.js';
import type { LimitsNow } from '../src/limits/request-limits.js';
import { Badge, clock, ErrorNote, fromNow, useLoad } from './ui.js';

export function LimitsView({ live }: { live: Live }) {
  const limits = useLoad(() => get<LimitsNow>('/__sandbox/limits'), [live.generation]);
  const refresh = useDebounced(limits.reload, 300);
  useLiveEvents(live, (event) => {
    if (event.type === 'request') refresh();
  });
  const data = limits.data;
  return (
    <section class="limits" aria-label="Limits">
      <ErrorNote error={limits.error} />
      {data && (
        <p>
          Request limits are <strong>{data.enabled ? 'on' : 'off'}</strong>
          {data.parallel !== null && `; at most ${data.parallel} requests at once per business`}.{' '}
          <button type="button" onClick={limits.reload}>
            Refresh
          </button>
        </p>
      )}
      {data?.businesses.length === 0 && <p class="muted">No business has called in an open window: every quota is whole.</p>}
      {data?.businesses.map((business) => (
        <table class="log" aria-label={`Business ${business.businessId}`}>
          <caption>
            Business {business.businessId} · {business.running} running now
          </caption>
          <thead>
            <tr>
              <th>Operation</th>
              <th>Quota</th>
              <th>Left</th>
              <th>Renews</th>
            </tr>
          </thead>
          <tbody>
            {business.quotas.map((quota) => (
              <tr>
                <td>{quota.operation}</td>
                <td>
                  {quota.limit} per {quota.window}
                </td>
                <td>
                  <Badge kind={quota.remaining === 0 ? 'status-420' : 'status-ok'}>{quota.remaining}</Badge>
                </td>
                <td>{quota.renewsAt ? `${clock(quota.renewsAt)} (${fromNow(quota.renewsAt, live.sandboxNow())})` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </section>
  );
}
