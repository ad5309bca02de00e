/**
 * The integration report: what the partner's code does wrong, checked against Market's published practices,
 * with each finding's severity, why it matters on Market and how to fix it; and the same as JUnit XML.
 */
import { Type, type Static } from 'typebox';
import { stringEnum } from '../contract/schemas.js';
import { durationMs } from '../model/duration.js';
import { junitDocument, type JunitSuite } from '../model/junit.js';
import { REPORT_CODES, type ReportCode, type ReportSettings } from '../scenario/schema.js';
import { DEFAULT_THRESHOLDS, runChecks, type ReportInput, type Thresholds } from './checks.js';

const SEVERITIES = ['error', 'warning', 'advice'] as const;
export type Severity = (typeof SEVERITIES)[number];

interface CheckDescription {
  severity: Severity;
  /** What it judges: with none of it (no call, no notification, no traffic run), there is nothing to judge. */
  judges: 'calls' | 'notifications' | 'traffic';
  title: string;
  /** Why it matters on Market. */
  why: string;
  /** Why, for a kind of finding the general reason does not fit. */
  whyOf?: Record<string, string>;
  fix: string;
}

export const CHECKS: Record<ReportCode, CheckDescription> = {
  UNFINISHED_PAGING: {
    judges: 'calls',
    severity: 'warning',
    title: 'pages through listings to the end',
    why: 'getChats and getChatHistory give at most 20 and 100 items a page; a client that reads only the first page misses chats and messages.',
    fix: 'Pass paging.nextPageToken back as pageToken until an answer has none.',
  },
  REPEATED_CLIENT_ERROR: {
    judges: 'calls',
    severity: 'error',
    title: 'does not repeat a refused call unchanged',
    why: 'Market answers a 4xx the same way every time; repeating it only spends the quota (Market: never retry a 4xx unchanged).',
    fix: "Read the error's message, fix the request (it names the field), and do not retry 4xx answers other than 420.",
  },
  RETRY_TOO_SOON: {
    judges: 'calls',
    severity: 'error',
    title: 'backs off after 420 and 5xx',
    why: 'Calls made before a quota renews are refused again, and retries without growing pauses make an outage worse (Market: retry 5xx with pauses, stay within limits).',
    whyOf: {
      'after 420': 'Calls made before a quota renews are refused again and spend nothing but time (Market: stay within the limits).',
      'no backoff':
        'Retries without growing pauses make an outage worse and are refused as it lasts (Market: retry 5xx and network failures with growing pauses).',
    },
    fix: 'After a 420 wait until X-RateLimit-Resource-Until; retry 5xx and network failures with exponentially growing pauses.',
  },
  PARALLEL_LIMIT: {
    judges: 'calls',
    severity: 'warning',
    title: 'stays within the parallel limit',
    why: 'Market refuses requests beyond the parallel limit per business with 420.',
    fix: 'Limit concurrent calls per business (a queue or a semaphore) and spread the load.',
  },
  NOTIFICATION_FAILED: {
    judges: 'notifications',
    severity: 'error',
    title: 'answers push notifications as Market expects',
    why: 'Market counts a notification delivered only on a 200 with {version, name, time}, retries the others and may stop sending; a PING must be answered within a second.',
    fix: 'Answer 200 with {"version", "name", "time"} at once, and do the work after answering.',
  },
  MESSAGE_NOT_READ: {
    judges: 'notifications',
    severity: 'warning',
    title: "reads buyers' messages when told of them",
    why: 'A CHAT_MESSAGE_SENT carries only ids: a partner that never reads the chat ignores its buyer, and Market measures response times.',
    fix: 'On CHAT_MESSAGE_SENT, read the message (getChatMessage) or the history (getChatHistory) and answer it.',
  },
  DUPLICATE_HANDLED_TWICE: {
    judges: 'notifications',
    severity: 'error',
    title: 'acts once on a notification delivered twice',
    why: 'Market may deliver the same notification more than once; handling both sends the buyer the same answer twice.',
    fix: 'Remember the notifications handled (chatId and messageId) and skip one seen before.',
  },
  POLLING_WITH_WEBHOOK: {
    judges: 'calls',
    severity: 'advice',
    title: 'relies on notifications instead of polling',
    why: 'With a webhook set, frequent polling spends the quota for nothing (Market: use notifications instead of frequent polling).',
    fix: 'Read chats when a notification arrives, and poll rarely, as a safety net.',
  },
  DEPRECATED_FORM: {
    judges: 'calls',
    severity: 'warning',
    title: 'uses no deprecated forms',
    why: 'Deprecated fields and paths are switched off in time (Market: move off deprecated methods before they are switched off).',
    fix: 'Use context {type, id} in createChat, contexts in getChats, and the /v2 paths.',
  },
  TRAFFIC_QUOTA_RUNS_OUT: {
    judges: 'traffic',
    severity: 'warning',
    title: 'stays within its quotas on a busy day',
    why: "Market's quotas are hourly (sendMessageToChat: 1 000 a business); once one runs out, every buyer waits for the next window.",
    fix: 'Spend fewer calls per buyer message (read with getChatMessage, not the whole history), answer several messages at once, and queue answers to spread them over the hour.',
  },
  TRAFFIC_ANSWERS_SLOWING: {
    judges: 'traffic',
    severity: 'warning',
    title: 'keeps up as buyers write faster',
    why: 'A backlog that grows while answers slow down means the integration cannot keep pace: on a sale day buyers wait for hours.',
    fix: 'Answer pushes at once and work from a queue with a few workers per business; watch the backlog, not only errors.',
  },
  CONTRACT_MISTAKE: {
    judges: 'calls',
    severity: 'error',
    title: 'calls the API as its contract says',
    why: 'Market refuses these requests: they never work in production.',
    fix: 'Keep limit within the maximum, send chatId in the query, send files as multipart/form-data in a part named file, and send a token with every call.',
  },
};

const Ids = (description: string) => Type.Array(Type.Integer(), { description });

export const FindingSchema = Type.Object({
  code: stringEnum(REPORT_CODES),
  severity: stringEnum(SEVERITIES, 'error fails the JUnit test case; warning and advice are told'),
  kind: Type.String({ description: 'Tells apart findings of one code, e.g. which contract mistake' }),
  message: Type.String({ description: 'What happened and why it matters on Market' }),
  evidence: Type.Object({
    requests: Ids('Journal entry ids (GET /__sandbox/requests/{id})'),
    notifications: Ids('Notification log ids'),
  }),
  count: Type.Integer({ description: 'How many times it happened' }),
  fix: Type.String(),
});
export type Finding = Static<typeof FindingSchema>;

export const ReportSchema = Type.Object({
  findings: Type.Array(FindingSchema),
  checks: Type.Array(
    Type.Object({
      code: stringEnum(REPORT_CODES),
      title: Type.String(),
      severity: stringEnum(SEVERITIES),
      state: stringEnum(
        ['passed', 'failed', 'off', 'unjudged'] as const,
        'failed: it has findings (of any severity); unjudged: nothing it judges happened (no call was made, or no notification sent)',
      ),
      findings: Type.Integer(),
    }),
  ),
  coverage: Type.Object(
    { requests: Type.Integer(), notifications: Type.Integer() },
    { description: 'What the report was made from: the journal and the notification log keep only the latest entries' },
  ),
});
export type Report = Static<typeof ReportSchema>;

/** Thresholds from the scenario's `report:` over the defaults. */
function thresholdsOf(settings: ReportSettings): Thresholds {
  const of = (code: ReportCode) => (settings[code] === 'off' ? undefined : (settings[code] as Record<string, string | number> | undefined));
  const duration = (value: string | number | undefined, fallback: number) => (typeof value === 'string' ? durationMs(value) : fallback);
  return {
    pingWithinMs: duration(of('NOTIFICATION_FAILED')?.pingWithin, DEFAULT_THRESHOLDS.pingWithinMs),
    messageReadWithinMs: duration(of('MESSAGE_NOT_READ')?.within, DEFAULT_THRESHOLDS.messageReadWithinMs),
    duplicateWithinMs: duration(of('DUPLICATE_HANDLED_TWICE')?.within, DEFAULT_THRESHOLDS.duplicateWithinMs),
    pollsPerMinute: Number(of('POLLING_WITH_WEBHOOK')?.perMinute ?? DEFAULT_THRESHOLDS.pollsPerMinute),
  };
}

export function makeReport(input: ReportInput, settings: ReportSettings = {}): Report {
  const on = (code: ReportCode) => settings[code] !== 'off';
  const findings = runChecks(input, on, thresholdsOf(settings)).map(
    ({ code, kind, happened, requests, notifications, count }): Finding => ({
      code,
      severity: CHECKS[code].severity,
      kind,
      message: `${happened}${count > 1 ? ` (${count} times)` : ''}. ${CHECKS[code].whyOf?.[kind] ?? CHECKS[code].why}`,
      evidence: { requests, notifications },
      count,
      fix: CHECKS[code].fix,
    }),
  );
  return {
    findings,
    checks: REPORT_CODES.map((code) => {
      const found = findings.filter((f) => f.code === code).length;
      const { severity, title, judges } = CHECKS[code];
      const judged =
        judges === 'traffic' ? input.traffic !== undefined : (judges === 'calls' ? input.requests : input.notifications).length > 0;
      const state = !on(code) ? 'off' : found ? 'failed' : judged ? 'passed' : 'unjudged';
      return { code, title, severity, state, findings: found };
    }),
    coverage: { requests: input.requests.length, notifications: input.notifications.length },
  };
}

const NOTHING_TO_JUDGE = {
  calls: 'nothing to judge: no call was made',
  notifications: 'nothing to judge: no notification was sent',
  traffic: 'nothing to judge: no traffic run',
};

/**
 * One test case per check: failed when it found an error-severity finding; warnings and advice are told in
 * the case's output, so a CI shows them without failing, and so is a check that had nothing to judge; a check
 * turned off is skipped.
 */
export function reportSuite(report: Report): JunitSuite {
  return {
    name: 'integration report',
    classname: 'integration-report',
    cases: report.checks.map((check) => {
      const findings = report.findings.filter((f) => f.code === check.code);
      const lines = findings.map(
        (f) =>
          `[${f.severity}] ${f.message} Fix: ${f.fix} Evidence: requests ${f.evidence.requests.join(', ') || '-'}; notifications ${f.evidence.notifications.join(', ') || '-'}.`,
      );
      const name = `${check.code}: ${check.title}`;
      if (check.state === 'off') return { name, skipped: 'turned off in the scenario' };
      // Told, not skipped: skipped is a check turned off; this one was on, and found nothing to look at.
      if (check.state === 'unjudged') return { name, output: NOTHING_TO_JUDGE[CHECKS[check.code].judges] };
      if (check.severity === 'error' && findings.length) {
        return { name, failure: { message: findings[0].message, type: check.code, text: lines.join('\n') } };
      }
      return { name, output: lines.join('\n') };
    }),
  };
}

export const reportJunit = (report: Report) => junitDocument([reportSuite(report)]);

/** A few lines for a person at a terminal: each finding, that all is well, or that there was nothing to judge. */
export function reportSummary(report: Report): string {
  const { requests, notifications } = report.coverage;
  if (!requests && !notifications) return 'Integration report: nothing to judge: no call was made and no notification sent.\n';
  const unjudged = report.checks.filter((c) => c.state === 'unjudged').map((c) => c.code);
  const note = unjudged.length ? `; not judged, ${requests ? 'no notification was sent' : 'no call was made'}: ${unjudged.join(', ')}` : '';
  if (!report.findings.length)
    return `Integration report: no findings (${requests} calls, ${notifications} notifications checked${note}).\n`;
  const lines = report.findings.map((f) => `  ${f.severity.padEnd(7)} ${f.code} (${f.kind}): ${f.message}\n          Fix: ${f.fix}`);
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  return `Integration report: ${report.findings.length} findings, ${errors} errors\n${lines.join('\n')}\n`;
}
