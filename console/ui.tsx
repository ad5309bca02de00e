/** Small pieces every view uses: loading with errors, error notes, badges, JSON, times. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';

/** What a load gave: the data (kept while reloading), or why it failed. */
export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  reload: () => void;
}

/** Loads `load()` now and whenever a dependency changes; `reload()` loads again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [again, setAgain] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setState({ data }),
      (error: Error) => current && setState((before) => ({ data: before.data, error: error.message })),
    );
    return () => {
      current = false;
    };
  }, [...deps, again]);
  const reload = useCallback(() => setAgain((n) => n + 1), []);
  return { data: state.data, error: state.error, reload };
}

/** An action's outcome shown next to it: busy while it runs, its error in words when it fails. */
export function useAction(): {
  busy: boolean;
  error: string | undefined;
  run: (action: () => Promise<unknown>) => Promise<boolean>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (failure) {
      setError((failure as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}

export function ErrorNote({ error, id }: { error: string | undefined; id?: string }) {
  if (!error) return null;
  return (
    <p class="error" role="alert" id={id}>
      {error}
    </p>
  );
}

/** A labelled choice of values; `any` adds a first option, the empty value, so named; `names` shows values otherwise. */
export function Choice({
  label,
  value,
  values,
  onChange,
  any,
  names,
}: {
  label: string;
  value: string | number;
  values: readonly (string | number)[];
  onChange: (value: string) => void;
  any?: string;
  names?: Record<string, string>;
}) {
  return (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {any !== undefined && <option value="">{any}</option>}
        {values.map((v) => (
          <option value={v}>{names?.[v] ?? v}</option>
        ))}
      </select>
    </label>
  );
}

/** The button that opens a log row's details, and closes them again. */
export function RowToggle({
  id,
  openId,
  setOpenId,
  children,
}: {
  id: number;
  openId: number | undefined;
  setOpenId: (id: number | undefined) => void;
  children: ComponentChildren;
}) {
  return (
    <button type="button" class="link" aria-expanded={openId === id} onClick={() => setOpenId(openId === id ? undefined : id)}>
      {children}
    </button>
  );
}

export function Badge({ children, kind }: { children: ComponentChildren; kind?: string }) {
  return <span class={`badge ${kind ?? ''}`}>{children}</span>;
}

export function Json({ value }: { value: unknown }) {
  const text = value === undefined || value === null || value === '' ? '(none)' : JSON.stringify(value, null, 2);
  return <pre class="json">{typeof value === 'string' && value !== '' ? value : text}</pre>;
}

/** The class that sets a status code apart: 420, other 4xx, 5xx, no answer. */
export function statusClass(status: number | null): string {
  if (status === null) return 'status-none';
  if (status === 420) return 'status-420';
  if (status >= 500) return 'status-5xx';
  if (status >= 400) return 'status-4xx';
  return 'status-ok';
}

const pad = (n: number) => String(n).padStart(2, '0');

const MOSCOW_OFFSET_MS = 3 * 3_600_000;

/** A moment in Moscow time, Market's zone: the console shows every time in it, as its header's clock says (МСК). */
export function moscow(ms: number): { date: string; time: string } {
  const d = new Date(ms + MOSCOW_OFFSET_MS);
  return {
    date: `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  };
}

/** A moment as a clock time in Moscow, with the date when it is not today there. */
export function clock(at: string | number): string {
  const { date, time } = moscow(new Date(at).getTime());
  return date === moscow(Date.now()).date ? time : `${date} ${time}`;
}

/** How long until a moment, in words a person reads at a glance; `now`: the sandbox's time, when it is known. */
export function fromNow(at: string, now = Date.now()): string {
  const seconds = Math.round((new Date(at).getTime() - now) / 1000);
  if (seconds <= 0) return 'now';
  if (seconds < 120) return `in ${seconds} s`;
  if (seconds < 7200) return `in ${Math.round(seconds / 60)} min`;
  return `in ${Math.round(seconds / 3600)} h`;
}
