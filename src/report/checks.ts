/**
 * The integration report's checks: pure functions over what the journal and the notification log keep (both
 * bounded), each finding what Market's published practices warn about. No HTTP, no clock of their own.
 */
import { departureKey, describeDeparture } from '../contract/conformance.js';
import type { OperationId } from '../contract/operations.js';
import { MAX_PAGE } from '../contract/schemas.js';
import type { JournalEntry } from '../journal/journal.js';
import { SECOND } from '../model/time.js';
import type { NotificationEntry } from '../notifications/notifier.js';
import type { ReportCode } from '../scenario/schema.js';
import type { TrafficReport } from '../traffic/measure.js';

export interface ReportInput {
  /** The journal, oldest first. */
  requests: readonly JournalEntry[];
  /** From when the journal knows every call (ms); undefined: since the sandbox started. */
  requestsKnownSince: number | undefined;
  /** The notification log, oldest first. */
  notifications: readonly NotificationEntry[];
  /** Whether push notifications go anywhere. */
  webhook: boolean;
  /** Whether the partner's calls go to an upstream (proxy mode): only then is Market's drift judged. */
  upstream?: boolean;
  /** Whether Market's request limits (quotas, the parallel limit) were on. */
  limits: boolean;
  now: number;
  /** Who wrote a message, while the world still has it: Market tells the partner of its own messages too. */
  senderOf: (businessId: number, chatId: number, messageId: number) => string | undefined;
  /** The traffic run, when there is one. */
  traffic?: TrafficReport;
}

/** What a check found: `kind` tells apart findings of one code; evidence names journal and notification ids. */
export interface Found {
  code: ReportCode;
  kind: string;
  /** What happened, in one sentence (capitalized, unless it starts with an operation's name), without the "why". */
  happened: string;
  requests: number[];
  notifications: number[];
  count: number;
}

export interface Thresholds {
  pingWithinMs: number;
  messageReadWithinMs: number;
  duplicateWithinMs: number;
  pollsPerMinute: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  pingWithinMs: SECOND,
  messageReadWithinMs: 60 * SECOND,
  duplicateWithinMs: 10 * SECOND,
  pollsPerMinute: 6,
};

/** A read of a chat this soon after a push about it follows the push: it is not polling. */
const PUSH_FOLLOWED_MS = 10 * SECOND;

/** A retry after a 5xx sooner than this after the one before it is too soon, whatever came before. */
const BACKOFF_FLOOR_MS = 100;

/** Evidence kept per finding: enough to look at, never the whole journal. */
const EVIDENCE_KEPT = 20;

const timeOf = (entry: JournalEntry) => Date.parse(entry.time);
const queryOf = (entry: JournalEntry) => new URL(entry.url, 'http://sandbox').searchParams;
const pageTokenOf = (entry: JournalEntry) => {
  const query = queryOf(entry);
  return query.get('pageToken') ?? query.get('page_token') ?? undefined;
};
const bodyKey = (entry: JournalEntry) => JSON.stringify(entry.requestBody ?? null);
const isClientError = (status: number | null) => status !== null && status >= 400 && status < 500 && status !== 420;
const isServerFailure = (entry: JournalEntry) => entry.status === null || entry.status >= 500;
const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const errorMessageOf = (entry: JournalEntry): string => {
  const errors = record(entry.responseBody)?.errors;
  const message = Array.isArray(errors) ? record(errors[0])?.message : undefined;
  return typeof message === 'string' ? message : '';
};

/** Findings gathered under a key: the ids that show them and how many times it happened. */
class Tally {
  private readonly found = new Map<string, Found>();

  add(code: ReportCode, kind: string, happened: string, evidence: { requests?: number[]; notifications?: number[] }, key = kind): void {
    const existing = this.found.get(`${code}|${key}`);
    if (existing) {
      existing.count++;
      existing.requests = [...new Set([...existing.requests, ...(evidence.requests ?? [])])].slice(0, EVIDENCE_KEPT);
      existing.notifications = [...new Set([...existing.notifications, ...(evidence.notifications ?? [])])].slice(0, EVIDENCE_KEPT);
      return;
    }
    this.found.set(`${code}|${key}`, {
      code,
      kind,
      happened,
      requests: (evidence.requests ?? []).slice(0, EVIDENCE_KEPT),
      notifications: (evidence.notifications ?? []).slice(0, EVIDENCE_KEPT),
      count: 1,
    });
  }

  get all(): Found[] {
    return [...this.found.values()];
  }
}

const PAGED: ReadonlySet<string> = new Set(['getChats', 'getChatHistory']);

/** A page answered with a nextPageToken that the client left unread while it went on with the same listing. */
function unfinishedPaging(input: ReportInput, tally: Tally): void {
  const open = new Map<string, { token: string; id: number }>();
  for (const entry of input.requests) {
    if (!entry.operationId || !PAGED.has(entry.operationId) || entry.status !== 200) continue;
    // One listing: the operation, business, chat and filters; the page token and limit move along it.
    const listing = `${entry.operationId}|${entry.businessId}|${entry.operationId === 'getChatHistory' ? entry.chatId : ''}|${bodyKey(entry)}`;
    const left = open.get(listing);
    if (left && pageTokenOf(entry) !== left.token) {
      tally.add(
        'UNFINISHED_PAGING',
        entry.operationId,
        `${entry.operationId} answered with a nextPageToken whose page the client never asked for, and started the same listing again`,
        { requests: [left.id, entry.id] },
      );
    }
    const next = record(record(record(entry.responseBody)?.result)?.paging)?.nextPageToken;
    if (typeof next === 'string') open.set(listing, { token: next, id: entry.id });
    else open.delete(listing);
  }
}

/** The same call repeated unchanged after a 4xx (other than 420): it can only fail again. */
function repeatedClientError(input: ReportInput, tally: Tally): void {
  const refused = new Map<string, number>();
  for (const entry of input.requests) {
    const call = `${entry.method} ${entry.url} ${bodyKey(entry)}`;
    const before = refused.get(call);
    if (before !== undefined) {
      tally.add(
        'REPEATED_CLIENT_ERROR',
        entry.operationId ?? 'call',
        `The same ${entry.operationId ?? 'call'} was sent again unchanged after Market refused it with a 4xx`,
        { requests: [before, entry.id] },
        call,
      );
    }
    if (isClientError(entry.status)) refused.set(call, before ?? entry.id);
    else refused.delete(call);
  }
}

/** Calls retried before a 420's quota renewed; 5xx retried with pauses that do not grow. */
function retryTooSoon(input: ReportInput, tally: Tally): void {
  const blockedUntil = new Map<string, { until: number; id: number }>();
  const failing = new Map<string, { ids: number[]; times: number[] }>();
  for (const entry of input.requests) {
    const quota = `${entry.businessId}|${entry.operationId}`;
    const blocked = blockedUntil.get(quota);
    if (blocked && timeOf(entry) < blocked.until) {
      tally.add(
        'RETRY_TOO_SOON',
        'after 420',
        `${entry.operationId} was called again for business ${entry.businessId} after a 420, before its quota renewed`,
        {
          requests: [blocked.id, entry.id],
        },
      );
    }
    const renews = /the quota renews at (.+)$/.exec(entry.status === 420 ? errorMessageOf(entry) : '')?.[1];
    if (renews) blockedUntil.set(quota, { until: Date.parse(renews), id: entry.id });

    const call = `${entry.method} ${entry.url} ${bodyKey(entry)}`;
    const chain = failing.get(call);
    if (chain) {
      chain.ids.push(entry.id);
      chain.times.push(timeOf(entry));
      const gaps = chain.times.slice(1).map((time, i) => time - chain.times[i]);
      // Backing off doubles the pause; under half again as long (or 100 ms) is not backing off.
      const [before, last] = gaps.slice(-2);
      if (gaps.length >= 2 && last < Math.max(1.5 * before, BACKOFF_FLOOR_MS)) {
        tally.add(
          'RETRY_TOO_SOON',
          'no backoff',
          `${entry.operationId ?? 'A call'} that failed with a 5xx or no answer was retried without a growing pause`,
          { requests: chain.ids },
          `no backoff ${call}`,
        );
      }
    }
    if (!isServerFailure(entry)) failing.delete(call);
    else if (!chain) failing.set(call, { ids: [entry.id], times: [timeOf(entry)] });
  }
}

function parallelLimit(input: ReportInput, tally: Tally): void {
  for (const entry of input.requests) {
    if (entry.status === 420 && /parallel requests/.test(errorMessageOf(entry))) {
      tally.add('PARALLEL_LIMIT', 'parallel', `More requests ran at once for business ${entry.businessId} than Market allows`, {
        requests: [entry.id],
      });
    }
  }
}

/**
 * Pushes not answered as Market expects: each notification counts once per way it failed (its retries are one
 * case), and each finding names its notification type, so the count agrees with the notifications in evidence.
 */
function notificationFailed(input: ReportInput, tally: Tally, thresholds: Thresholds): void {
  // Until the webhook first answers anything, the partner is not up yet (the sandbox may start first, as the docs
  // allow): attempts that found nobody then are not its failures. A webhook that never answers is one.
  const answers = input.notifications.flatMap((n) => n.attempts.filter((a) => a.status !== null).map((a) => Date.parse(a.at)));
  const upSince = answers.length ? Math.min(...answers) : Infinity;
  for (const notification of input.notifications) {
    const type = notification.notificationType;
    const evidence = { notifications: [notification.id] };
    const seen = new Set<string>();
    const once = (kind: string, outcome: string, happened: string) => {
      if (seen.has(outcome)) return;
      seen.add(outcome);
      tally.add('NOTIFICATION_FAILED', kind, happened, evidence, `${kind}|${type}|${outcome}`);
    };
    for (const attempt of notification.attempts) {
      if (attempt.status === null && Date.parse(attempt.at) < upSince && upSince !== Infinity) continue;
      if (attempt.status === null) {
        // A timeout is one outcome, whatever its duration said: no answer came.
        const why = attempt.error?.startsWith('timeout') ? 'no answer in time' : `no answer (${attempt.error})`;
        once('not 200', why, `A ${type} notification got ${why} instead of 200`);
      } else if (attempt.status !== 200) {
        once('not 200', `HTTP ${attempt.status}`, `A ${type} notification got HTTP ${attempt.status} instead of 200`);
      } else if (attempt.answerProblems?.length) {
        once(
          'answer shape',
          'shape',
          `A ${type} notification was answered 200 with a body Market would refuse (${attempt.answerProblems[0]})`,
        );
      } else if (type === 'PING' && attempt.durationMs > thresholds.pingWithinMs) {
        once('slow ping', 'slow', `A PING was answered 200 only after ${attempt.durationMs} ms`);
      }
    }
  }
}

const READS: ReadonlySet<string> = new Set(['getChatMessage', 'getChatHistory']);

function messageNotRead(input: Observed, tally: Tally, thresholds: Thresholds): void {
  // What the journal no longer knows cannot be judged: an older message may have been read by calls dropped since.
  // A partner that never called at all is judged all the same: nothing of it was dropped.
  const knownSince = input.requestsKnownSince ?? -Infinity;
  for (const { notification, at, sender } of input.messagePushes) {
    if (sender !== 'CUSTOMER') continue;
    const deadline = at + thresholds.messageReadWithinMs;
    if (at <= knownSince || deadline > input.now) continue;
    const read = input.requests.some(
      (entry) =>
        READS.has(entry.operationId ?? '') && entry.chatId === notification.chatId && timeOf(entry) >= at && timeOf(entry) <= deadline,
    );
    if (!read) {
      tally.add(
        'MESSAGE_NOT_READ',
        'unread',
        `A buyer's message was pushed (CHAT_MESSAGE_SENT) and the partner did not read it within ${Math.round(thresholds.messageReadWithinMs / SECOND)} s`,
        { notifications: [notification.id] },
      );
    }
  }
}

const WRITES: ReadonlySet<string> = new Set(['sendMessageToChat', 'sendFileToChat']);

function duplicateHandledTwice(input: ReportInput, tally: Tally, thresholds: Thresholds): void {
  const copies = input.notifications.filter((n) => n.copyOf !== null && n.chatId !== null && n.attempts.some((a) => a.status === 200));
  if (!copies.length) return;
  const duplicatedChats = new Map(copies.map((copy) => [copy.chatId, copy.id]));
  const lastWrite = new Map<string, JournalEntry>();
  for (const entry of input.requests) {
    if (!WRITES.has(entry.operationId ?? '') || entry.status !== 200 || !duplicatedChats.has(entry.chatId)) continue;
    const reply = `${entry.chatId}|${entry.operationId}|${bodyKey(entry)}`;
    const before = lastWrite.get(reply);
    if (before && timeOf(entry) - timeOf(before) <= thresholds.duplicateWithinMs) {
      tally.add(
        'DUPLICATE_HANDLED_TWICE',
        'same reply',
        `After a notification Market delivered twice, the same reply was sent twice in chat ${entry.chatId}`,
        { requests: [before.id, entry.id], notifications: [duplicatedChats.get(entry.chatId)!] },
      );
    }
    lastWrite.set(reply, entry);
  }
}

/** A CHAT_MESSAGE_SENT delivered (a first delivery, not Market's copy), with who wrote the message it tells of. */
interface MessagePush {
  notification: NotificationEntry;
  at: number;
  sender: string | undefined;
}

/** A report's input with what several checks (and what they exercise) read of it, worked out once. */
export interface Observed extends ReportInput {
  messagePushes: MessagePush[];
}

export function observe(input: ReportInput): Observed {
  const messagePushes = input.notifications.flatMap((notification) => {
    const { body } = notification;
    const delivered = notification.attempts.find((a) => a.status === 200);
    if (body.notificationType !== 'CHAT_MESSAGE_SENT' || notification.copyOf !== null || !delivered) return [];
    return [{ notification, at: Date.parse(delivered.at), sender: input.senderOf(body.businessId, body.chatId, Number(body.messageId)) }];
  });
  return { ...input, messagePushes };
}

/**
 * The reply loop: Market pushes CHAT_MESSAGE_SENT for the partner's own messages too, and a bot that answers every
 * push answers itself, again and again. In a chat, a write that follows a push about the partner's own message,
 * with no buyer's message pushed since its last write, is a reply to itself; two in a row are a loop (one may be a
 * second message the partner meant to send).
 */
function answersOwnMessages(input: Observed, tally: Tally): void {
  type Step = { at: number; push?: { id: number; sender: string | undefined }; write?: number };
  const byChat = new Map<number, Step[]>();
  const stepsOf = (chatId: number) => byChat.get(chatId) ?? byChat.set(chatId, []).get(chatId)!;
  for (const { notification, at, sender } of input.messagePushes) {
    stepsOf(notification.chatId!).push({ at, push: { id: notification.id, sender } });
  }
  for (const entry of input.requests) {
    if (WRITES.has(entry.operationId ?? '') && entry.status === 200 && entry.chatId !== null && byChat.has(entry.chatId)) {
      stepsOf(entry.chatId).push({ at: timeOf(entry), write: entry.id });
    }
  }
  for (const [chatId, steps] of byChat) {
    // At one instant, a push about the partner's own message follows the write that made it; a buyer's precedes
    // the write that answers it. (Under a clock frozen between moves every step is at one instant, and the order
    // of a loop cannot be told: none is found.)
    const rank = (step: Step) => (step.write !== undefined ? 1 : step.push!.sender === 'PARTNER' ? 2 : 0);
    steps.sort((a, b) => a.at - b.at || rank(a) - rank(b));
    let buyerSinceWrite = false;
    let ownSinceWrite: number | undefined;
    let loop: { requests: number[]; notifications: number[] } = { requests: [], notifications: [] };
    const close = () => {
      if (loop.requests.length >= 2) {
        tally.add(
          'ANSWERS_OWN_MESSAGES',
          'reply loop',
          `In chat ${chatId} the partner answered its own messages ${loop.requests.length} times in a row (a sendMessageToChat after each CHAT_MESSAGE_SENT about its own message)`,
          loop,
          `chat ${chatId}|${loop.requests[0]}`,
        );
      }
      loop = { requests: [], notifications: [] };
    };
    for (const step of steps) {
      if (step.push) {
        if (step.push.sender === 'PARTNER') ownSinceWrite = step.push.id;
        else buyerSinceWrite = true;
        continue;
      }
      if (!buyerSinceWrite && ownSinceWrite !== undefined) {
        loop.requests.push(step.write!);
        loop.notifications.push(ownSinceWrite);
      } else close();
      buyerSinceWrite = false;
      ownSinceWrite = undefined;
    }
    close();
  }
}

function pollingWithWebhook(input: Observed, tally: Tally, thresholds: Thresholds): void {
  if (!input.webhook) return;
  // Paging through a listing is not polling: only first pages count. Nor is reading a chat a push just told of.
  const toldAt = new Map<number, number[]>();
  for (const { notification, at } of input.messagePushes) {
    toldAt.set(notification.chatId!, [...(toldAt.get(notification.chatId!) ?? []), at]);
  }
  const followsPush = (entry: JournalEntry) =>
    entry.chatId !== null && (toldAt.get(entry.chatId) ?? []).some((at) => at <= timeOf(entry) && timeOf(entry) - at <= PUSH_FOLLOWED_MS);
  const polls = input.requests.filter((e) => e.operationId && PAGED.has(e.operationId) && !pageTokenOf(e) && !followsPush(e));
  let start = 0;
  let worst: JournalEntry[] = [];
  for (let end = 0; end < polls.length; end++) {
    while (timeOf(polls[end]) - timeOf(polls[start]) >= 60 * SECOND) start++;
    if (end - start + 1 > worst.length) worst = polls.slice(start, end + 1);
  }
  if (worst.length > thresholds.pollsPerMinute) {
    tally.add(
      'POLLING_WITH_WEBHOOK',
      'polling',
      `getChats or getChatHistory was asked for a first page ${worst.length} times in a minute while notifications are pushed to a webhook`,
      { requests: worst.map((e) => e.id) },
    );
  }
}

function deprecatedForm(input: ReportInput, tally: Tally): void {
  for (const entry of input.requests) {
    const body = record(entry.requestBody);
    if (entry.operationId === 'createChat' && body?.orderId !== undefined) {
      tally.add('DEPRECATED_FORM', 'createChat orderId', 'createChat named its order with the deprecated orderId instead of context', {
        requests: [entry.id],
      });
    }
    if (entry.operationId === 'getChats' && body?.orderIds !== undefined) {
      tally.add('DEPRECATED_FORM', 'getChats orderIds', 'getChats filtered by the deprecated orderIds instead of contexts', {
        requests: [entry.id],
      });
    }
    if (entry.operationId && entry.operationId !== 'downloadFile' && !entry.url.startsWith('/v2/')) {
      tally.add('DEPRECATED_FORM', 'unprefixed path', `${entry.operationId} was called on its older path without /v2`, {
        requests: [entry.id],
      });
    }
  }
}

const MAX_LIMIT: Record<string, number> = MAX_PAGE;

function contractMistake(input: ReportInput, tally: Tally): void {
  for (const entry of input.requests) {
    if (!isClientError(entry.status)) continue;
    const evidence = { requests: [entry.id] };
    const max = MAX_LIMIT[entry.operationId ?? ''];
    const limit = Number(queryOf(entry).get('limit'));
    if (max !== undefined && limit > max) {
      tally.add('CONTRACT_MISTAKE', 'limit', `${entry.operationId} asked for limit=${limit}; the most Market gives is ${max}`, evidence);
    }
    if (record(entry.requestBody)?.chatId !== undefined) {
      tally.add(
        'CONTRACT_MISTAKE',
        'chatId in the body',
        `${entry.operationId ?? 'A call'} sent chatId in the body; Market reads it from the query`,
        evidence,
      );
    }
    if (entry.operationId === 'sendFileToChat' && entry.status === 415) {
      tally.add(
        'CONTRACT_MISTAKE',
        'file not multipart',
        'sendFileToChat sent the file in another form than multipart/form-data',
        evidence,
      );
    }
    if (entry.status === 401) {
      tally.add('CONTRACT_MISTAKE', 'token', 'A call came with no readable token (Api-Key or Authorization)', evidence);
    }
  }
}

/** Where the upstream's answers depart from the contract (proxy mode): one finding per departure, wherever it was found. */
function marketDrift(input: ReportInput, tally: Tally): void {
  for (const entry of input.requests) {
    if (!entry.drift?.length || !entry.operationId) continue;
    const operation = entry.operationId as OperationId;
    for (const departure of entry.drift) {
      tally.add(
        'MARKET_DRIFT',
        departure.kind,
        `${operation} was answered by the upstream with what its document does not say: ${describeDeparture(departure)}`,
        { requests: [entry.id] },
        departureKey(operation, departure),
      );
    }
  }
}

/** A quota that ran out during the traffic run (420s), or that runs out at the partner's present pace before it renews. */
function trafficQuotaRunsOut(input: ReportInput, tally: Tally): void {
  const traffic = input.traffic;
  if (!traffic) return;
  for (const [operation, counts] of Object.entries(traffic.partnerCalls)) {
    if (counts['420'] > 0) {
      tally.add(
        'TRAFFIC_QUOTA_RUNS_OUT',
        'ran out',
        `${operation}'s quota ran out during the traffic run: ${counts['420']} calls were refused with 420, ${counts['2xx']} answered`,
        {},
        operation,
      );
    }
  }
  // Judged over every interval of the run, at its busiest: a sale day's peak, not its quiet end.
  for (const quota of traffic.quotas) {
    const worst = quota.worst;
    if (!worst || worst.runsOutAt === null || traffic.partnerCalls[quota.operation]?.['420']) continue;
    tally.add(
      'TRAFFIC_QUOTA_RUNS_OUT',
      'runs out',
      `At the pace of the traffic run's interval from ${worst.from} to ${worst.to} (${worst.perMinute} calls a minute), ` +
        `${quota.operation}'s quota of business ${quota.businessId} (${quota.limit} a window) would have run out at ${worst.runsOutAt}, before it renewed`,
      {},
      `${quota.businessId}:${quota.operation}`,
    );
  }
}

/** Answers that grow slower as the backlog grows: the last third of the run against the first. */
function trafficAnswersSlowing(input: ReportInput, tally: Tally): void {
  const points = input.traffic?.series.filter((point) => point.answers > 0) ?? [];
  if (points.length < 3) return;
  const third = Math.ceil(points.length / 3);
  const median = (some: typeof points) => [...some].sort((a, b) => a.p50 - b.p50)[Math.floor(some.length / 2)];
  const first = median(points.slice(0, third));
  const last = median(points.slice(-third));
  if (last.p50 < 2 * first.p50 || last.p50 < 1000 || last.backlog <= first.backlog) return;
  tally.add(
    'TRAFFIC_ANSWERS_SLOWING',
    'slowing',
    `Answers grew slower as buyers waited: the answer time's median went from ${first.p50} ms early in the traffic run ` +
      `to ${last.p50} ms late in it, while unanswered buyer messages grew from ${first.backlog} to ${last.backlog}`,
    {},
  );
}

const answered = (entry: JournalEntry, statuses: (status: number) => boolean) => entry.status !== null && statuses(entry.status);

/**
 * Whether what a check judges happened in the run: a check whose condition never occurred has seen nothing to
 * pass or fail (no duplicate was pushed, no 420 answered, no listing was longer than a page).
 */
export const EXERCISED: Record<ReportCode, (input: Observed) => boolean> = {
  UNFINISHED_PAGING: (input) =>
    input.requests.some(
      (e) =>
        e.operationId &&
        PAGED.has(e.operationId) &&
        typeof record(record(record(e.responseBody)?.result)?.paging)?.nextPageToken === 'string',
    ),
  REPEATED_CLIENT_ERROR: (input) => input.requests.some((e) => isClientError(e.status)),
  RETRY_TOO_SOON: (input) => input.requests.some((e) => isServerFailure(e) || answered(e, (s) => s === 420)),
  PARALLEL_LIMIT: (input) => input.limits && input.requests.some((e) => e.businessId !== null),
  NOTIFICATION_FAILED: (input) => input.notifications.some((n) => n.attempts.length > 0),
  MESSAGE_NOT_READ: (input) => input.messagePushes.some((push) => push.sender === 'CUSTOMER'),
  DUPLICATE_HANDLED_TWICE: (input) => input.notifications.some((n) => n.copyOf !== null && n.attempts.some((a) => a.status === 200)),
  ANSWERS_OWN_MESSAGES: (input) => input.messagePushes.some((push) => push.sender === 'PARTNER'),
  POLLING_WITH_WEBHOOK: (input) => input.webhook && input.requests.length > 0,
  DEPRECATED_FORM: (input) => input.requests.length > 0,
  CONTRACT_MISTAKE: (input) => input.requests.length > 0,
  TRAFFIC_QUOTA_RUNS_OUT: (input) => input.traffic !== undefined,
  TRAFFIC_ANSWERS_SLOWING: (input) => input.traffic !== undefined,
  MARKET_DRIFT: (input) => input.requests.some((e) => e.upstream === 'forwarded' && e.drift !== null),
};

/** Every check that is on, over the same input. */
export function runChecks(input: Observed, on: (code: ReportCode) => boolean, thresholds: Thresholds): Found[] {
  const tally = new Tally();
  const checks: [ReportCode, () => void][] = [
    ['UNFINISHED_PAGING', () => unfinishedPaging(input, tally)],
    ['REPEATED_CLIENT_ERROR', () => repeatedClientError(input, tally)],
    ['RETRY_TOO_SOON', () => retryTooSoon(input, tally)],
    ['PARALLEL_LIMIT', () => parallelLimit(input, tally)],
    ['NOTIFICATION_FAILED', () => notificationFailed(input, tally, thresholds)],
    ['MESSAGE_NOT_READ', () => messageNotRead(input, tally, thresholds)],
    ['DUPLICATE_HANDLED_TWICE', () => duplicateHandledTwice(input, tally, thresholds)],
    ['ANSWERS_OWN_MESSAGES', () => answersOwnMessages(input, tally)],
    ['POLLING_WITH_WEBHOOK', () => pollingWithWebhook(input, tally, thresholds)],
    ['DEPRECATED_FORM', () => deprecatedForm(input, tally)],
    ['CONTRACT_MISTAKE', () => contractMistake(input, tally)],
    ['TRAFFIC_QUOTA_RUNS_OUT', () => trafficQuotaRunsOut(input, tally)],
    ['TRAFFIC_ANSWERS_SLOWING', () => trafficAnswersSlowing(input, tally)],
    ['MARKET_DRIFT', () => marketDrift(input, tally)],
  ];
  for (const [code, check] of checks) if (on(code)) check();
  return tally.all;
}
