/** Requests: the journal of the partner's calls, live, with the API's filters; a row opens the whole call and copies it as curl. */
import { useState } from 'preact/hooks';
import { CALL_IDS } from '../src/contract/operations.js';
import type { JournalCall, JournalEntry } from '../src/journal/journal.js';
import { get, query } from './api.js';
import { useLiveEvents, type Live } from './live.js';
import { Badge, Choice, clock, RowToggle, ErrorNote, Json, statusClass, useLoad } from './ui.js';

/** A journal entry as lists show it; the bodies are fetched when a row opens. */

interface Filter {
  operation: string;
  businessId: string;
  chatId: string;
  status: string;
}

function matches(entry: JournalCall, filter: Filter): boolean {
  return (
    (!filter.operation || entry.operationId === filter.operation) &&
    (!filter.businessId || entry.businessId === Number(filter.businessId)) &&
    (!filter.chatId || entry.chatId === Number(filter.chatId)) &&
    (!filter.status || entry.status === Number(filter.status))
  );
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The call as a curl command line; the token is left for the reader to fill in, as the journal does not keep it. */
export function curlOf(entry: JournalEntry): string {
  const url = new URL(entry.url, location.origin).href;
  const parts = [`curl -X ${entry.method} ${shellQuote(url)}`];
  if (entry.operationId !== 'downloadFile') parts.push(`-H "Api-Key: $MARKET_API_KEY"`);
  const body = entry.requestBody;
  if (entry.operationId === 'sendFileToChat') {
    parts.push(`-F ${shellQuote('file=@FILE')}`);
  } else if (body !== undefined && body !== null && body !== '') {
    parts.push(`-H 'Content-Type: application/json'`, `-d ${shellQuote(typeof body === 'string' ? body : JSON.stringify(body))}`);
  }
  return parts.join(' \\\n  ');
}

/**
 * A filter's text field. What is typed is the field's own state, so rows arriving while one types do not put the
 * applied value back; it applies on Enter or on leaving the field.
 */
function FilterField({ label, size, apply }: { label: string; size: number; apply: (value: string) => void }) {
  const [typed, setTyped] = useState('');
  return (
    <label>
      {label}{' '}
      <input
        value={typed}
        size={size}
        inputMode="numeric"
        onInput={(event) => setTyped((event.target as HTMLInputElement).value)}
        onChange={(event) => {
          const { value } = event.target as HTMLInputElement;
          setTyped(value);
          apply(value);
        }}
      />
    </label>
  );
}

export function RequestsView({ live, opened }: { live: Live; opened?: number }) {
  const [filter, setFilter] = useState<Filter>({ operation: '', businessId: '', chatId: '', status: '' });
  const [added, setAdded] = useState<JournalCall[]>([]);
  const [openId, setOpenId] = useState<number | undefined>(opened);
  const journal = useLoad(async () => {
    const result = await get<{ requests: JournalCall[]; dropped: number; capacity: number }>(`/__sandbox/requests${query({ ...filter })}`);
    setAdded([]);
    return result;
  }, [filter.operation, filter.businessId, filter.chatId, filter.status, live.generation]);
  // The journal keeps no more than its capacity; neither does the console.
  const kept = journal.data?.capacity ?? Infinity;
  useLiveEvents(live, (event) => {
    if (event.type === 'request' && matches(event.entry, filter)) setAdded((before) => [...before.slice(-kept), event.entry]);
  });
  const known = new Set(journal.data?.requests.map((e) => e.id));
  const entries = [...(journal.data?.requests ?? []), ...added.filter((e) => !known.has(e.id))].slice(-kept).reverse();
  // From the filter as it is, not as this render saw it: two changes before the next render both count.
  const set = (name: keyof Filter, value: string) => setFilter((before) => ({ ...before, [name]: value }));
  return (
    <section class="requests" aria-label="Requests">
      <form class="toolbar filters" onSubmit={(e) => e.preventDefault()}>
        <Choice
          label="Operation"
          any="any"
          value={filter.operation}
          values={CALL_IDS}
          onChange={(operation) => set('operation', operation)}
        />
        <FilterField label="Business" size={8} apply={(value) => set('businessId', value)} />
        <FilterField label="Chat" size={10} apply={(value) => set('chatId', value)} />
        <FilterField label="Status" size={4} apply={(value) => set('status', value)} />
        <span class="muted">
          {entries.length} {entries.length === 1 ? 'call' : 'calls'}, newest first
        </span>
      </form>
      <ErrorNote error={journal.error} />
      <table class="log">
        <thead>
          <tr>
            <th>Time</th>
            <th>Method</th>
            <th>Path</th>
            <th>Operation</th>
            <th>Status</th>
            <th>ms</th>
            <th>Rule</th>
            <th>Fault</th>
            <th>Upstream</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <>
              <tr key={entry.id} class={`row ${statusClass(entry.status)} ${openId === entry.id ? 'open' : ''}`}>
                <td>{clock(entry.time)}</td>
                <td>{entry.method}</td>
                <td class="path">
                  <RowToggle id={entry.id} openId={openId} setOpenId={setOpenId}>
                    {entry.url}
                  </RowToggle>
                </td>
                <td>{entry.operationId ?? '—'}</td>
                <td>
                  <Badge kind={statusClass(entry.status)}>{entry.status ?? 'none'}</Badge>
                </td>
                <td>{entry.durationMs ?? '—'}</td>
                <td>{entry.ruleName ?? (entry.rule === null ? '' : `rule ${entry.rule}`)}</td>
                <td>{entry.fault ?? ''}</td>
                <td>
                  <UpstreamCell entry={entry} />
                </td>
              </tr>
              {openId === entry.id && (
                <tr key={`${entry.id}-detail`} class="detail">
                  <td colSpan={9}>
                    <RequestDetail id={entry.id} />
                  </td>
                </tr>
              )}
            </>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** In proxy mode: forwarded or held back, and how many departures from the contract the upstream's answer had. */
function UpstreamCell({ entry }: { entry: JournalCall }) {
  if (!entry.upstream) return null;
  const departures = entry.drift?.length ?? 0;
  return (
    <>
      <Badge kind={entry.upstream === 'held back' ? 'held-back' : 'forwarded'}>{entry.upstream}</Badge>
      {departures > 0 && (
        <Badge kind="drift">
          {departures} {departures === 1 ? 'departure' : 'departures'}
        </Badge>
      )}
    </>
  );
}

function RequestDetail({ id }: { id: number }) {
  const entry = useLoad(() => get<JournalEntry>(`/__sandbox/requests/${id}`), [id]);
  const [copied, setCopied] = useState('');
  if (entry.error) return <ErrorNote error={entry.error} />;
  if (!entry.data) return <p class="muted">Loading…</p>;
  const curl = curlOf(entry.data);
  const copy = () =>
    navigator.clipboard.writeText(curl).then(
      () => setCopied('Copied.'),
      () => setCopied('The browser refused the clipboard: select the command above.'),
    );
  return (
    <div class="request-detail">
      <div>
        <h4>Request</h4>
        <Json value={entry.data.requestBody} />
      </div>
      <div>
        <h4>Answer</h4>
        <Json value={entry.data.responseBody} />
      </div>
      {entry.data.drift && entry.data.drift.length > 0 && (
        <div class="wide">
          <h4>Where the upstream's answer departs from the contract</h4>
          <ul class="drift">
            {entry.data.drift.map((d) => (
              <li>
                <code>{d.path}</code>: {d.kind} {d.found}
                {d.expected ? <span class="muted"> (the document has {d.expected})</span> : null}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="wide">
        <h4>As curl</h4>
        <pre class="curl">{curl}</pre>
        <button type="button" onClick={() => void copy()}>
          Copy as curl
        </button>{' '}
        <span class="muted" role="status">
          {copied}
        </span>
      </div>
    </div>
  );
}
