/** Notifications: the push log, live, with every attempt and what in the partner's answer Market would not accept; a PING. */
import { useState } from 'preact/hooks';
import type { NotificationEntry } from '../src/notifications/notifier.js';
import { get, post } from './api.js';
import { useLiveEvents, type Live } from './live.js';
import { Badge, clock, RowToggle, ErrorNote, Json, statusClass, useAction, useLoad } from './ui.js';

interface Log {
  webhook: string | null;
  notifications: NotificationEntry[];
  dropped: number;
}

const STATE_KINDS: Record<string, string> = {
  delivered: 'status-ok',
  pending: 'status-none',
  failed: 'status-5xx',
  cancelled: 'status-none',
  withheld: 'status-none',
  refused: 'status-4xx',
};

/** What Market would make of it: a 200 whose answer it would not accept counts as refused, not delivered. */
function stateOf(entry: NotificationEntry): string {
  const last = entry.attempts.at(-1);
  return entry.state === 'delivered' && last?.answerProblems?.length ? 'refused' : entry.state;
}

const messageIdOf = (entry: NotificationEntry) => ('messageId' in entry.body ? entry.body.messageId : undefined);

export function NotificationsView({ live }: { live: Live }) {
  const log = useLoad(() => get<Log>('/__sandbox/notifications'), [live.generation]);
  const [updates, setUpdates] = useState(new Map<number, NotificationEntry>());
  const [openId, setOpenId] = useState<number>();
  const ping = useAction();
  const [pinged, setPinged] = useState<NotificationEntry>();
  useLiveEvents(live, (event) => {
    if (event.type === 'notification') setUpdates((before) => new Map(before).set(event.entry.id, event.entry));
  });
  const byId = new Map((log.data?.notifications ?? []).map((entry) => [entry.id, entry]));
  for (const [id, entry] of updates) byId.set(id, entry);
  const entries = [...byId.values()].sort((a, b) => b.id - a.id);
  const sendPing = () => ping.run(async () => setPinged(await post<NotificationEntry>('/__sandbox/notifications/ping')));
  return (
    <section class="notifications" aria-label="Notifications">
      <div class="toolbar">
        <span>
          Webhook: <code>{log.data?.webhook ?? 'none (start with --webhook URL or set webhook.url in the scenario)'}</code>
        </span>
        <button type="button" disabled={ping.busy} onClick={() => void sendPing()}>
          Send a PING
        </button>
        {pinged && !ping.error && (
          <span role="status">
            PING: {pinged.state}{' '}
            {pinged.attempts[0] && `(${pinged.attempts[0].status ?? pinged.attempts[0].error}, ${pinged.attempts[0].durationMs} ms)`}
          </span>
        )}
        <ErrorNote error={ping.error} />
      </div>
      <ErrorNote error={log.error} />
      <table class="log">
        <thead>
          <tr>
            <th>#</th>
            <th>Type</th>
            <th>Business</th>
            <th>Chat</th>
            <th>State</th>
            <th>Attempts</th>
            <th>Next retry</th>
            <th>Message</th>
            <th>ms</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <>
              <tr key={entry.id} class={`row ${openId === entry.id ? 'open' : ''}`}>
                <td>
                  {entry.id}
                  {entry.copyOf !== null && <span class="muted"> copy of {entry.copyOf}</span>}
                </td>
                <td class="path">
                  <RowToggle id={entry.id} openId={openId} setOpenId={setOpenId}>
                    {entry.notificationType}
                  </RowToggle>
                </td>
                <td>{entry.businessId ?? '—'}</td>
                <td>{entry.chatId ?? '—'}</td>
                <td>
                  <Badge kind={STATE_KINDS[stateOf(entry)]}>{stateOf(entry)}</Badge>
                </td>
                <td>
                  {entry.attempts.map((a) => (
                    <Badge kind={statusClass(a.status)}>{a.status ?? 'error'}</Badge>
                  ))}
                </td>
                <td>{entry.nextAttemptAt ? clock(entry.nextAttemptAt) : ''}</td>
                <td>{messageIdOf(entry) ?? '—'}</td>
                <td>{entry.attempts.at(-1)?.durationMs ?? '—'}</td>
              </tr>
              {openId === entry.id && (
                <tr key={`${entry.id}-detail`} class="detail">
                  <td colSpan={9}>
                    <NotificationDetail entry={entry} />
                  </td>
                </tr>
              )}
            </>
          ))}
        </tbody>
      </table>
      {entries.length === 0 && <p class="muted">No notifications yet.</p>}
    </section>
  );
}

function NotificationDetail({ entry }: { entry: NotificationEntry }) {
  return (
    <div class="request-detail">
      <div>
        <h4>Sent</h4>
        <Json value={entry.body} />
      </div>
      <div>
        <h4>Attempts</h4>
        {entry.attempts.length === 0 && <p class="muted">None yet.</p>}
        <ol>
          {entry.attempts.map((attempt) => (
            <li>
              {clock(attempt.at)}: {attempt.status === null ? `no answer: ${attempt.error}` : `HTTP ${attempt.status}`} in{' '}
              {attempt.durationMs} ms
              {attempt.answerProblems?.length ? (
                <ul class="problems">
                  {attempt.answerProblems.map((problem) => (
                    <li>Market would not accept this answer: {problem}</li>
                  ))}
                </ul>
              ) : null}
              <Json value={attempt.answer} />
            </li>
          ))}
        </ol>
      </div>
    </div>
  );
}
