/**
 * Traffic: the run's verdict and figures, and charts that move with each interval's traffic event (uPlot):
 * buyer messages and answers with the backlog, answer times, the partner's 420s and errors with the quota left.
 * A click on a chart lists the chats of that interval, each one click from its chat.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import type { SeriesPoint, TrafficReport } from '../src/traffic/measure.js';
import { get, post, withToken } from './api.js';
import { useLiveEvents, type Live } from './live.js';
import { Badge, clock, ErrorNote, useAction, useLoad } from './ui.js';

const STATE_KINDS: Record<TrafficReport['state'], string> = {
  none: 'status-none',
  waiting: 'status-none',
  running: 'status-none',
  finished: 'status-ok',
  stopped: 'status-4xx',
};

const VERDICT_KINDS = { pending: 'status-none', passed: 'status-ok', failed: 'status-5xx' } as const;

interface ChartLine {
  label: string;
  value: (point: SeriesPoint) => number | null;
  stroke: string;
}

const CHARTS: { title: string; lines: ChartLine[] }[] = [
  {
    title: 'Buyer messages and answers per interval, and the backlog',
    lines: [
      { label: 'buyer messages', value: (p) => p.buyerMessages, stroke: '#2563eb' },
      { label: 'answers', value: (p) => p.answers, stroke: '#16a34a' },
      { label: 'unanswered', value: (p) => p.backlog, stroke: '#dc2626' },
    ],
  },
  {
    title: 'Answer time, ms',
    lines: [
      { label: 'p50', value: (p) => p.p50, stroke: '#0891b2' },
      { label: 'p95', value: (p) => p.p95, stroke: '#9333ea' },
    ],
  },
  {
    title: "The partner's 420s and errors, and the quota left",
    lines: [
      { label: '420', value: (p) => p.calls420, stroke: '#ea580c' },
      { label: 'errors', value: (p) => p.errors, stroke: '#dc2626' },
      { label: 'quota left', value: (p) => p.quotaLeft, stroke: '#4b5563' },
    ],
  },
];

/** One uPlot chart over the series; `onPick` gets the index of the point clicked. */
function Chart({
  title,
  lines,
  series,
  onPick,
}: {
  title: string;
  lines: ChartLine[];
  series: SeriesPoint[];
  onPick: (index: number) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const pick = useRef(onPick);
  pick.current = onPick;
  const data = [series.map((p) => Date.parse(p.at) / 1000), ...lines.map((line) => series.map(line.value))] as uPlot.AlignedData;
  useEffect(() => {
    const made = new uPlot(
      {
        width: Math.max(320, (box.current!.parentElement?.clientWidth ?? 640) - 16),
        height: 180,
        legend: { show: true },
        // The sandbox's world is Russian: its times read in Moscow time, as the header's do.
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Europe/Moscow'),
        series: [{}, ...lines.map(({ label, stroke }) => ({ label, stroke, width: 2, points: { show: true } }))],
        axes: [{}, { size: 50 }],
      },
      data,
      box.current!,
    );
    made.over.addEventListener('click', () => {
      if (made.cursor.idx !== null && made.cursor.idx !== undefined) pick.current(made.cursor.idx);
    });
    plot.current = made;
    return () => made.destroy();
  }, []);
  useEffect(() => plot.current?.setData(data), [series]);
  return (
    <figure class="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title}: ${series.length} intervals; click one for its chats`} />
    </figure>
  );
}

export function TrafficView({ live, openChat }: { live: Live; openChat: (businessId: number, chatId: number) => void }) {
  const loaded = useLoad(() => get<TrafficReport>('/__sandbox/traffic'), [live.generation]);
  const [report, setReport] = useState<TrafficReport>();
  const [picked, setPicked] = useState<number>();
  const action = useAction();
  useEffect(() => setReport(loaded.data), [loaded.data]);
  useLiveEvents(live, (event) => {
    if (event.type !== 'traffic') return;
    const { point, ...figures } = event.traffic;
    setReport((before) => ({
      ...figures,
      series: [...(before?.startedAt === figures.startedAt ? before.series : []), ...(point ? [point] : [])],
    }));
  });
  const run = (path: string) => action.run(async () => setReport(await post<TrafficReport>(path)));
  const point = picked === undefined ? undefined : report?.series[picked];
  return (
    <section class="traffic" aria-label="Traffic">
      <p class="toolbar">
        <span>Buyers in volume, and how the partner keeps up.</span>
        <button type="button" disabled={action.busy || report?.state === 'running'} onClick={() => void run('/__sandbox/traffic/start')}>
          Start
        </button>
        <button
          type="button"
          disabled={action.busy || (report?.state !== 'running' && report?.state !== 'waiting')}
          onClick={() => void run('/__sandbox/traffic/stop')}
        >
          Stop
        </button>
        <a href={withToken('/__sandbox/traffic?format=junit')} download="traffic.xml">
          JUnit XML
        </a>
      </p>
      <ErrorNote error={loaded.error ?? action.error} />
      {report?.state === 'none' && (
        <p class="muted">The scenario has no traffic, and none was started: give one in the scenario, or Start it from code.</p>
      )}
      {report && report.state !== 'none' && (
        <>
          <h3>
            <Badge kind={STATE_KINDS[report.state]}>{report.state}</Badge> verdict{' '}
            <Badge kind={VERDICT_KINDS[report.verdict.state]}>{report.verdict.state}</Badge>
            {report.startedAt && <span class="muted"> since {clock(report.startedAt)}</span>}
          </h3>
          {report.verdict.reasons.length > 0 && (
            <ul class="reasons" aria-label="Reasons">
              {report.verdict.reasons.map((reason) => (
                <li class="error">{reason}</li>
              ))}
            </ul>
          )}
          <dl class="figures" aria-label="Figures">
            <dt>chats</dt>
            <dd>{report.chats}</dd>
            <dt>buyer messages</dt>
            <dd>{report.buyerMessages}</dd>
            <dt>answered</dt>
            <dd>{report.answered}</dd>
            <dt>unanswered now</dt>
            <dd>{report.unanswered}</dd>
            <dt>gave up</dt>
            <dd>{report.gaveUp}</dd>
            <dt>oldest unanswered</dt>
            <dd>{Math.round(report.oldestUnansweredMs / 1000)} s</dd>
            <dt>answer time p50 / p95 / p99 / max</dt>
            <dd>
              {report.answerTimeMs.p50} / {report.answerTimeMs.p95} / {report.answerTimeMs.p99} / {report.answerTimeMs.max} ms
            </dd>
            <dt>pushes delivered / failed / retried</dt>
            <dd>
              {report.pushes.delivered} / {report.pushes.failed} / {report.pushes.retried}
            </dd>
          </dl>
          {CHARTS.map((chart) => (
            <Chart {...chart} series={report.series} onPick={setPicked} />
          ))}
          {point && (
            <article class="interval" aria-label="Chats of the interval">
              <h4>
                From {clock(point.at)}: {point.buyerMessages} buyer messages, {point.answers} answers
              </h4>
              <ul>
                {point.chats.map(({ businessId, chatId }) => (
                  <li>
                    <button type="button" class="link" onClick={() => openChat(businessId, chatId)}>
                      chat {chatId} of business {businessId}
                    </button>
                  </li>
                ))}
              </ul>
            </article>
          )}
          <table class="log" aria-label="The partner's calls">
            <thead>
              <tr>
                <th>Operation</th>
                <th>2xx</th>
                <th>420</th>
                <th>4xx</th>
                <th>5xx</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(report.partnerCalls).map(([operation, counts]) => (
                <tr>
                  <td>{operation}</td>
                  <td>{counts['2xx']}</td>
                  <td>{counts['420']}</td>
                  <td>{counts['4xx']}</td>
                  <td>{counts['5xx']}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table class="log" aria-label="Quotas">
            <thead>
              <tr>
                <th>Business</th>
                <th>Operation</th>
                <th>Left</th>
                <th>Calls a minute</th>
                <th>Runs out</th>
              </tr>
            </thead>
            <tbody>
              {report.quotas
                .filter((quota) => quota.perMinute > 0 || quota.remaining < quota.limit)
                .map((quota) => (
                  <tr>
                    <td>{quota.businessId}</td>
                    <td>{quota.operation}</td>
                    <td>
                      {quota.remaining} of {quota.limit}
                    </td>
                    <td>{quota.perMinute}</td>
                    <td>{quota.runsOutAt ? clock(quota.runsOutAt) : '—'}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
