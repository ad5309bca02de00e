/**
 * The sandbox's web console: Market's side of the chats, live. Where it is (view, business, chat) lives in the
 * address's hash, so a reload or a shared link opens the same place.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, post } from './api.js';
import { ChatsView } from './chats.js';
import { ClockView } from './clock.js';
import { ConversationsView } from './conversations.js';
import { LimitsView } from './limits.js';
import { Live, useLiveState } from './live.js';
import { NotificationsView } from './notifications.js';
import { ReportView } from './report.js';
import { RequestsView } from './requests.js';
import { ScenarioView } from './scenario.js';
import { TrafficView } from './traffic.js';
import { ErrorNote, useAction, useLoad } from './ui.js';
import type { Health } from '../src/runtime.js';

const VIEWS = {
  chats: 'Chats',
  requests: 'Requests',
  notifications: 'Notifications',
  report: 'Report',
  conversations: 'Conversations',
  traffic: 'Traffic',
  scenario: 'Scenario',
  limits: 'Limits',
} as const;
type View = keyof typeof VIEWS;

interface Place {
  view: View;
  businessId?: number;
  chatId?: number;
  /** The journal entry opened in the requests view. */
  requestId?: number;
}

/** `#chats/1001/38415449`, `#requests/42` ↔ a place. */
function placeOf(hash: string): Place {
  const [name, first, second] = hash.replace(/^#\/?/, '').split('/');
  const id = (text: string | undefined) => (text && /^\d+$/.test(text) ? Number(text) : undefined);
  const view = name in VIEWS ? (name as View) : 'chats';
  return view === 'requests' ? { view, requestId: id(first) } : { view, businessId: id(first), chatId: id(second) };
}

const hashOf = (place: Place) =>
  `#${[place.view, place.requestId ?? place.businessId, place.chatId].filter((p) => p !== undefined).join('/')}`;

function App({ live }: { live: Live }) {
  const [place, setPlace] = useState(() => placeOf(location.hash));
  const { connection, generation } = useLiveState(live);
  const health = useLoad(() => get<Health>('/__sandbox/health'), [generation]);
  const reset = useAction();
  useEffect(() => {
    const follow = () => setPlace(placeOf(location.hash));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  const go = (next: Place) => {
    location.hash = hashOf(next);
    setPlace(next);
  };
  const businesses = health.data?.businesses ?? [];
  const businessId = place.businessId ?? businesses[0] ?? 1001;
  return (
    <>
      <header class="top">
        <h1>Market chats sandbox</h1>
        <nav aria-label="Views">
          {(Object.keys(VIEWS) as View[]).map((view) => (
            <a
              href={hashOf({ view, businessId: view === 'chats' ? place.businessId : undefined })}
              aria-current={place.view === view ? 'page' : undefined}
            >
              {VIEWS[view]}
            </a>
          ))}
        </nav>
        <ClockView live={live} />
        <span class={`connection ${connection}`} role="status" title="The event stream (GET /__sandbox/events)">
          {connection === 'live' ? '● live' : connection === 'connecting' ? '○ connecting…' : '○ reconnecting…'}
        </span>
        <button type="button" disabled={reset.busy} onClick={() => void reset.run(() => post('/__sandbox/reset'))}>
          Reset
        </button>
        <ErrorNote error={reset.error} />
      </header>
      <main>
        <ErrorNote error={health.error} />
        {health.data?.upstream && <ProxyNote upstream={health.data.upstream} />}
        {place.view === 'chats' && (
          <ChatsView
            live={live}
            businesses={businesses}
            businessId={businessId}
            chatId={place.chatId}
            open={(id, chatId) => go({ view: 'chats', businessId: id, chatId })}
          />
        )}
        {place.view === 'requests' && <RequestsView live={live} opened={place.requestId} />}
        {place.view === 'report' && <ReportView live={live} openRequest={(requestId) => go({ view: 'requests', requestId })} />}
        {place.view === 'notifications' && <NotificationsView live={live} />}
        {place.view === 'conversations' && (
          <ConversationsView live={live} openChat={(id, chatId) => go({ view: 'chats', businessId: id, chatId })} />
        )}
        {place.view === 'traffic' && <TrafficView live={live} openChat={(id, chatId) => go({ view: 'chats', businessId: id, chatId })} />}
        {place.view === 'scenario' && <ScenarioView live={live} />}
        {place.view === 'limits' && <LimitsView live={live} />}
      </main>
    </>
  );
}

/** Proxy mode, said plainly on every view: the partner's calls reach a real server, and what happens to writes. */
function ProxyNote({ upstream }: { upstream: NonNullable<Health['upstream']> }) {
  return (
    <p class={`proxy-note ${upstream.writes === 'forwarded' ? 'writes-forwarded' : ''}`} role="note">
      <strong>Proxy mode</strong>: the partner's calls go to <code>{upstream.url}</code> and are answered as it answers.{' '}
      {upstream.writes === 'forwarded' ? (
        <strong>Writes are forwarded: messages and files reach real buyers.</strong>
      ) : (
        <>Writes are held back: createChat, sendMessageToChat and sendFileToChat are answered by the sandbox and never sent.</>
      )}
    </p>
  );
}

const live = new Live();
live.start();
const root = document.getElementById('app')!;
// The page's placeholder text goes: Preact renders beside what is there.
root.textContent = '';
render(<App live={live} />, root);
