/** Report: what the partner's integration does wrong, from GET /__sandbox/report, refreshed as calls and pushes come. */
import type { Report } from '../src/report/report.js';
import { get, withToken } from './api.js';
import { useDebounced, useLiveEvents, type Live } from './live.js';
import { Badge, ErrorNote, useLoad } from './ui.js';

/** A text whose `quoted` parts are code, as the report writes settings. */
const withCode = (text: string) => text.split('`').map((part, i) => (i % 2 ? <code>{part}</code> : part));

const SEVERITY_KINDS: Record<string, string> = { error: 'status-5xx', warning: 'status-4xx', advice: 'status-none' };

export function ReportView({ live, openRequest }: { live: Live; openRequest: (id: number) => void }) {
  const report = useLoad(() => get<Report>('/__sandbox/report'), [live.generation]);
  const refresh = useDebounced(report.reload, 500);
  useLiveEvents(live, (event) => {
    if (event.type === 'request' || event.type === 'notification') refresh();
  });
  const data = report.data;
  return (
    <section class="report" aria-label="Report">
      <p class="toolbar">
        <span>
          What your integration does wrong, checked against Market's practices, over the last {data?.coverage.requests ?? 0} calls and{' '}
          {data?.coverage.notifications ?? 0} notifications.{' '}
          {data && (
            <strong>
              {data.coverage.exercised} of {data.coverage.exercised + data.coverage.notExercised} checks exercised
            </strong>
          )}
        </span>
        <a href={withToken('/__sandbox/report?format=junit')} download="integration-report.xml">
          JUnit XML
        </a>
      </p>
      <ErrorNote error={report.error} />
      {data && (
        <ul class="checks" aria-label="Checks">
          {data.checks.map((check) => (
            <li class={`check-${check.state.replace(' ', '-')}`}>
              <Badge
                kind={check.state === 'passed' ? 'status-ok' : check.state === 'failed' ? SEVERITY_KINDS[check.severity] : 'status-none'}
              >
                {check.state}
              </Badge>{' '}
              <code>{check.code}</code> {check.title}
              {check.exercise && <span class="muted"> — not seen in this run; it needs {withCode(check.exercise)}</span>}
            </li>
          ))}
        </ul>
      )}
      {data?.findings.map((finding) => (
        <article class={`finding severity-${finding.severity}`} aria-label={`${finding.code} ${finding.kind}`}>
          <header>
            <Badge kind={SEVERITY_KINDS[finding.severity]}>{finding.severity}</Badge> <strong>{finding.code}</strong>{' '}
            <span class="muted">({finding.kind})</span>
          </header>
          <p>{finding.message}</p>
          <p>
            <strong>Fix:</strong> {finding.fix}
          </p>
          {finding.evidence.requests.length > 0 && (
            <p>
              Requests:{' '}
              {finding.evidence.requests.map((id) => (
                <>
                  <button type="button" class="link" onClick={() => openRequest(id)}>
                    #{id}
                  </button>{' '}
                </>
              ))}
            </p>
          )}
          {finding.evidence.notifications.length > 0 && (
            <p>Notifications: {finding.evidence.notifications.map((id) => `#${id}`).join(' ')}</p>
          )}
        </article>
      ))}
      {data?.findings.length === 0 && <p class="muted">No findings.</p>}
    </section>
  );
}
