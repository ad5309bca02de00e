/**
 * Conversations: the scripted buyers' verdicts, live: each one's state and reason, every step's outcome, and the
 * partner's answers with how long each took; its chat one click away. Refreshed as chats change and the clock
 * moves, and every second while one waits or runs (a deadline passes without any event).
 */
import { useEffect } from 'preact/hooks';
import type { Verdict } from '../src/conversations/conversations.js';
import { get, withToken } from './api.js';
import { useDebounced, useLiveEvents, type Live } from './live.js';
import { Badge, clock, ErrorNote, useLoad } from './ui.js';

const STATE_KINDS: Record<Verdict['state'], string> = {
  waiting: 'status-none',
  running: 'status-none',
  passed: 'status-ok',
  failed: 'status-5xx',
};

export function ConversationsView({ live, openChat }: { live: Live; openChat: (businessId: number, chatId: number) => void }) {
  const verdicts = useLoad(() => get<{ conversations: Verdict[] }>('/__sandbox/conversations'), [live.generation]);
  const refresh = useDebounced(verdicts.reload, 200);
  useLiveEvents(live, (event) => {
    if (event.type === 'chat' || event.type === 'clock') refresh();
  });
  const unsettled = verdicts.data?.conversations.some((v) => v.state === 'waiting' || v.state === 'running') ?? false;
  useEffect(() => {
    if (!unsettled) return undefined;
    const timer = setInterval(verdicts.reload, 1000);
    return () => clearInterval(timer);
  }, [unsettled, verdicts.reload]);
  const list = verdicts.data?.conversations ?? [];
  return (
    <section class="conversations" aria-label="Conversations">
      <p class="toolbar">
        <span>The scenario's scripted buyers and their verdicts.</span>
        <a href={withToken('/__sandbox/conversations?format=junit')} download="conversations.xml">
          JUnit XML
        </a>
      </p>
      <ErrorNote error={verdicts.error} />
      {verdicts.data && list.length === 0 && <p class="muted">The scenario has no conversations.</p>}
      {list.map((verdict) => (
        <article class="verdict" aria-label={`Conversation ${verdict.name}`}>
          <h3>
            <Badge kind={STATE_KINDS[verdict.state]}>{verdict.state}</Badge> {verdict.name}{' '}
            {verdict.chatId !== null && (
              <button type="button" class="link" onClick={() => openChat(verdict.businessId, verdict.chatId!)}>
                chat {verdict.chatId} of business {verdict.businessId}
              </button>
            )}
          </h3>
          {verdict.reason && <p class="error">{verdict.reason}</p>}
          <ol class="steps" aria-label="Steps">
            {verdict.steps.map((step) => (
              <li>
                <Badge kind={step.outcome === 'failed' ? 'status-5xx' : step.outcome === 'passed' ? 'status-ok' : 'status-none'}>
                  {step.outcome}
                </Badge>{' '}
                <code>{step.step}</code> {step.kind}: {step.detail} <span class="muted">{clock(step.at)}</span>
              </li>
            ))}
          </ol>
          {verdict.partnerMessages.length > 0 && (
            <ul class="answers" aria-label="The partner's answers">
              {verdict.partnerMessages.map((answer) => (
                <li>
                  <span class="muted">{clock(answer.at)}</span> {answer.text ?? answer.files.join(', ')}
                  {answer.answeredInMs !== null && <span class="muted"> — answered in {answer.answeredInMs} ms</span>}
                </li>
              ))}
            </ul>
          )}
        </article>
      ))}
    </section>
  );
}
