/**
 * The sandbox's time in the header: it ticks while the clock flows and stands while it is frozen, and a control
 * moves it forward (a few presets, or any duration), as POST /__sandbox/clock does.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ClockNow } from '../src/control/clock-routes.js';
import { post } from './api.js';
import { useLiveState, type Live } from './live.js';
import { ErrorNote, moscow, useAction } from './ui.js';

const PRESETS = [
  ['1m', '1 minute'],
  ['1h', '1 hour'],
  ['1d', '1 day'],
] as const;

export function ClockView({ live }: { live: Live }) {
  useLiveState(live);
  const [, tick] = useState(0);
  const [other, setOther] = useState('');
  const move = useAction();
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  const now = live.sandboxNow();
  const advance = (by: string) =>
    move.run(() => post<ClockNow>('/__sandbox/clock', { advance: by }).then((moved) => live.setSandboxTime(moved)));
  return (
    <div class="clock" role="group" aria-label="The sandbox's clock">
      <time dateTime={now === undefined ? undefined : new Date(now).toISOString()} title="The sandbox's time (GET /__sandbox/clock)">
        {now === undefined ? '…' : `${moscow(now).date} ${moscow(now).time} МСК`}
        {live.sandboxFrozen ? ' (frozen)' : ''}
      </time>
      {PRESETS.map(([by, words]) => (
        <button type="button" disabled={move.busy} aria-label={`Advance the clock ${words}`} onClick={() => void advance(by)}>
          +{by}
        </button>
      ))}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (other.trim()) void advance(other.trim());
        }}
      >
        <input
          aria-label="Advance the clock by a duration"
          placeholder="90m"
          size={5}
          value={other}
          onInput={(e) => setOther((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={move.busy}>
          Advance
        </button>
      </form>
      <ErrorNote error={move.error} />
    </div>
  );
}
