/**
 * The integration report: what the partner's code does wrong, checked against Market's published practices,
 * with each finding's severity, why it matters on Market and how to fix it; and the same as JUnit XML.
 */
import { Type, type Static } from 'typebox';
import { Nullable, stringEnum } from '../contract/schemas.js';
import { durationMs } from '../model/duration.js';
import { junitDocument, type JunitSuite } from '../model/junit.js';
import { REPORT_CODES, type ReportCode, type ReportSettings } from '../scenario/schema.js';
import { DEFAULT_THRESHOLDS, EXERCISED, observe, runChecks, type ReportInput, type Thresholds } from './checks.js';

const SEVERITIES = ['error', 'warning', 'advice'] as const;
const CHECK_STATES = ['passed', 'failed', 'not exercised', 'off'] as const;
export type CheckState = (typeof CHECK_STATES)[number];
export type Severity = (typeof SEVERITIES)[number];

interface CheckDescription {
  severity: Severity;
  title: string;
  /** What would exercise it, when the run did not: a scenario setting or what the partner must meet. */
  exercise: string;
  /** Why it matters on Market. */
  why: string;
  /** Why, for a kind of finding the general reason does not fit. */
  whyOf?: Record<string, string>;
  fix: string;
}

export const CHECKS: Record<ReportCode, CheckDescription> = {
  UNFINISHED_PAGING: {
    exercise: 'a listing longer than a page: more than 20 chats (`data.businesses[0].chats: { generate: 25 }`) or 100 messages in a chat',
    severity: 'warning',
    title: 'pages through listings to the end',
    why: 'getChats and getChatHistory give at most 20 and 100 items a page; a client that reads only the first page misses chats and messages.',
    fix: 'Pass paging.nextPageToken back as pageToken until an answer has none.',
  },
  REPEATED_CLIENT_ERROR: {
    exercise: 'a call refused with a 4xx: a rule such as `{ match: { operation: getChat }, times: 1, respond: { status: 400 } }`',
    severity: 'error',
    title: 'does not repeat a refused call unchanged',
    why: 'Market answers a 4xx the same way every time; repeating it only spends the quota (Market: never retry a 4xx unchanged).',
    fix: "Read the error's message, fix the request (it names the field), and do not retry 4xx answers other than 420.",
  },
  RETRY_TOO_SOON: {
    exercise: 'a 420 or a 5xx: a `rateLimits` window the partner reaches (`getChats: { limit: 3, window: 1m }`), or a rule answering 500',
    severity: 'error',
    title: 'backs off after 420 and 5xx',
    why: 'Calls made before a quota renews are refused again, and retries without growing pauses make an outage worse (Market: retry 5xx with pauses, stay within limits).',
    whyOf: {
      'after 420':
        "A quota is per business and operation: after a 420, any call of that operation for that business (any chat's) before X-RateLimit-Resource-Until is refused again and spends nothing but time (Market: stay within the limits).",
      'no backoff':
        'Retries without growing pauses make an outage worse and are refused as it lasts (Market: retry 5xx and network failures with growing pauses).',
    },
    fix: 'After a 420 wait until X-RateLimit-Resource-Until; retry 5xx and network failures with exponentially growing pauses.',
  },
  PARALLEL_LIMIT: {
    exercise: "calls with Market's request limits on (`rateLimits.parallel`; not `--no-rate-limits`)",
    severity: 'warning',
    title: 'stays within the parallel limit',
    why: 'Market refuses requests beyond the parallel limit per business with 420.',
    fix: 'Limit concurrent calls per business (a queue or a semaphore) and spread the load.',
  },
  NOTIFICATION_FAILED: {
    exercise: 'a webhook to push to (`webhook.url` or `--webhook`)',
    severity: 'error',
    title: 'answers push notifications as Market expects',
    why: 'Market counts a notification delivered only on a 200 with {version, name, time}, retries the others and may stop sending; a PING must be answered within a second.',
    fix: 'Answer 200 with {"version", "name", "time"} at once, and do the work after answering.',
  },
  MESSAGE_NOT_READ: {
    exercise:
      "a buyer's message pushed to the webhook (`customer`, `conversations`, `traffic`, or POST /__sandbox/businesses/{businessId}/chats/{chatId}/messages)",
    severity: 'warning',
    title: "reads buyers' messages when told of them",
    why: 'A CHAT_MESSAGE_SENT carries only ids: a partner that never reads the chat ignores its buyer, and Market measures response times.',
    fix: 'On CHAT_MESSAGE_SENT, read the message (getChatMessage) or the history (getChatHistory) and answer it.',
  },
  DUPLICATE_HANDLED_TWICE: {
    exercise: 'a notification Market delivers twice: `webhook.duplicates: { every: 3 }`',
    severity: 'error',
    title: 'acts once on a notification delivered twice',
    why: 'Market may deliver the same notification more than once; handling both sends the buyer the same answer twice.',
    fix: 'Remember the notifications handled (chatId and messageId) and skip one seen before.',
  },
  ANSWERS_OWN_MESSAGES: {
    exercise: "a push about a message of the partner's own (Market pushes those too): a webhook and a message sent by the partner",
    severity: 'error',
    title: 'does not answer its own messages',
    why: "Market pushes CHAT_MESSAGE_SENT for the partner's own messages too: a bot that answers every push answers itself, and each answer brings another push, so the buyer gets a stream of messages and the quota runs out.",
    fix: "Read the message a push tells of (getChatMessage, or the history) and answer only the buyer's (sender CUSTOMER); never answer a push about a message of your own.",
  },
  POLLING_WITH_WEBHOOK: {
    exercise: 'calls while a webhook is set (`webhook.url` or `--webhook`)',
    severity: 'advice',
    title: 'relies on notifications instead of polling',
    why: 'With a webhook set, frequent polling spends the quota for nothing (Market: use notifications instead of frequent polling).',
    fix: 'Read chats when a notification arrives, and poll rarely, as a safety net.',
  },
  DEPRECATED_FORM: {
    exercise: "calls of the partner's",
    severity: 'warning',
    title: 'uses no deprecated forms',
    why: 'Deprecated fields and paths are switched off in time (Market: move off deprecated methods before they are switched off).',
    fix: 'Use context {type, id} in createChat, contexts in getChats, and the /v2 paths.',
  },
  TRAFFIC_QUOTA_RUNS_OUT: {
    exercise: 'a traffic run (`traffic:`, or POST /__sandbox/traffic/start)',
    severity: 'warning',
    title: 'stays within its quotas on a busy day',
    why: "Market's quotas are per business and operation, per hour (getChatMessage and sendMessageToChat 1 000, getChatHistory 10 000); once one runs out, every buyer waits for the next window.",
    fix: "Spend each quota where it is largest: read a chat with getChatHistory from the last message you read (its quota is 10 000 an hour, getChatMessage's 1 000), not each push with getChatMessage (Market pushes your own messages too); answer several of a buyer's messages at once, and queue answers to spread them over the hour.",
  },
  TRAFFIC_ANSWERS_SLOWING: {
    exercise: 'a traffic run (`traffic:`, or POST /__sandbox/traffic/start)',
    severity: 'warning',
    title: 'keeps up as buyers write faster',
    why: 'A backlog that grows while answers slow down means the integration cannot keep pace: on a sale day buyers wait for hours.',
    fix: 'Answer pushes at once and work from a queue with a few workers per business; watch the backlog, not only errors.',
  },
  MARKET_DRIFT: {
    exercise: 'a call forwarded to Market (`--upstream https://api.partner.market.yandex.ru`)',
    severity: 'warning',
    title: "Market's answers are as its documents say",
    why: "The sandbox answers as Market's documents say; where Market's real answers depart from them (a field it began to send, an enum value no document lists, an error code of its own), code tested only against the documents meets the difference in production.",
    fix: 'Read unknown fields and enum values leniently (ignore a field you do not know, map an unknown status to a default), and tell the sandbox’s maintainers what Market sends: the sandbox then learns it too.',
  },
  CONTRACT_MISTAKE: {
    exercise: "calls of the partner's",
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
        CHECK_STATES,
        'failed: it has findings (of any severity); not exercised: what it judges never happened in the run (no duplicate ' +
          'was pushed, no 420 answered…), so it neither passed nor failed; off: turned off in the scenario',
      ),
      findings: Type.Integer(),
      exercise: Nullable(Type.String({ description: 'When not exercised: what would exercise it (a scenario setting)' })),
    }),
  ),
  coverage: Type.Object(
    {
      requests: Type.Integer(),
      notifications: Type.Integer(),
      exercised: Type.Integer({ description: 'Checks whose condition happened in the run (passed or failed)' }),
      passed: Type.Integer(),
      failed: Type.Integer(),
      notExercised: Type.Integer({ description: 'Checks on whose condition never happened: the run did not cover them' }),
      off: Type.Integer(),
    },
    {
      description:
        "What the report was made from (the journal and the notification log keep only the latest entries), and the run's integration coverage: how many checks it exercised",
    },
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
  const observed = observe(input);
  const findings = runChecks(observed, on, thresholdsOf(settings)).map(
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
  // Market's drift is judged only where there is a Market to judge: in proxy mode.
  const codes = input.upstream ? REPORT_CODES : REPORT_CODES.filter((code) => code !== 'MARKET_DRIFT');
  const checks = codes.map((code) => {
    const found = findings.filter((f) => f.code === code).length;
    const { severity, title, exercise } = CHECKS[code];
    // A finding is proof enough that it was exercised.
    const state: CheckState = !on(code) ? 'off' : found ? 'failed' : EXERCISED[code](observed) ? 'passed' : 'not exercised';
    return { code, title, severity, state, findings: found, exercise: state === 'not exercised' ? exercise : null };
  });
  const count = (state: CheckState) => checks.filter((c) => c.state === state).length;
  return {
    findings,
    checks,
    coverage: {
      requests: input.requests.length,
      notifications: input.notifications.length,
      exercised: count('passed') + count('failed'),
      passed: count('passed'),
      failed: count('failed'),
      notExercised: count('not exercised'),
      off: count('off'),
    },
  };
}

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
      // Skipped, so that no CI dashboard counts it as passed: it saw nothing to pass.
      if (check.state === 'not exercised') return { name, skipped: `not exercised: it needs ${check.exercise}` };
      if (check.severity === 'error' && findings.length) {
        return { name, failure: { message: findings[0].message, type: check.code, text: lines.join('\n') } };
      }
      return { name, output: lines.join('\n') };
    }),
  };
}

export const reportJunit = (report: Report) => junitDocument([reportSuite(report)]);

/** The run's integration coverage, in words: how many checks it exercised, passed and failed. */
export function reportCoverage(report: Report): string {
  const { exercised, passed, failed, notExercised, off } = report.coverage;
  const total = exercised + notExercised;
  return `${exercised} of ${total} checks exercised (${passed} passed, ${failed} failed), ${notExercised} not exercised${off ? `, ${off} off` : ''}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A few lines for a person at a terminal: each finding, what was covered, and what the run never exercised. */
export function reportSummary(report: Report): string {
  const { requests, notifications } = report.coverage;
  const seen = `${plural(requests, 'call')}, ${plural(notifications, 'notification')}`;
  const unexercised = report.checks.filter((c) => c.state === 'not exercised').map((c) => c.code);
  const tail = unexercised.length ? `\n  not exercised: ${unexercised.join(', ')}` : '';
  if (!report.findings.length) return `Integration report: no findings; ${reportCoverage(report)} (${seen})${tail}\n`;
  const lines = report.findings.map((f) => `  ${f.severity.padEnd(7)} ${f.code} (${f.kind}): ${f.message}\n          Fix: ${f.fix}`);
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  return `Integration report: ${plural(report.findings.length, 'finding')}, ${plural(errors, 'error')}; ${reportCoverage(report)} (${seen})\n${lines.join('\n')}${tail}\n`;
}
