/** One delivery attempt of a notification: a POST with Market's timeout, and what the partner's answer was worth. */
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ErrorObject } from 'ajv';
import { Type, type Static } from 'typebox';
import type { Clock } from '../clock/clock.js';
import { PartnerAnswerSchema, PartnerErrorAnswerSchema, PUSH_MARKER_HEADER, type Notification } from '../contract/notifications.js';
import { Nullable } from '../contract/schemas.js';
import { compileSchema } from '../model/validator.js';
import { fieldName } from '../contract/field-name.js';
import { packageVersion } from '../package-root.js';

/** What an attempt says when the push landed on the sandbox itself, which refused it. */
export const SELF_PUSH =
  'the webhook is the sandbox itself: the push came back to it (its own routes refuse its pushes, whatever name or interface leads there); ' +
  "give your integration's notification URL";

/** How much of an answer's body is kept in the log. */
export const ANSWER_KEPT = 10_000;

/** One attempt as the log keeps it (GET /__sandbox/notifications serves it; the type is made from it). */
export const DeliveryAttemptSchema = Type.Object({
  at: Type.String({ description: 'When the attempt started (ISO 8601)' }),
  durationMs: Type.Integer(),
  status: Nullable(Type.Integer({ description: "The partner's HTTP status; null when it did not answer" })),
  error: Nullable(Type.String({ description: 'Why there was no answer (a timeout, a refused connection…)' })),
  answer: Type.Unknown({ description: `The partner's answer: parsed JSON, or text (cut at ${ANSWER_KEPT} characters)` }),
  answerProblems: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description:
      "What is wrong with the answer's shape for its status (200: {version, name, time}; 400, 500: {error: {type, message}}); " +
      'empty when right, null when not checked',
  }),
});
export type DeliveryAttempt = Static<typeof DeliveryAttemptSchema>;

const checkAnswer = compileSchema(PartnerAnswerSchema);
const checkErrorAnswer = compileSchema(PartnerErrorAnswerSchema);

function problemsOf(errors: ErrorObject[]): string[] {
  return errors.map((e) => {
    const field = e.keyword === 'required' ? fieldName(`${e.instancePath}/${String(e.params.missingProperty)}`) : fieldName(e.instancePath);
    return `${field || 'body'}: ${e.keyword === 'required' ? 'is required' : e.message}`;
  });
}

function judge(status: number, answer: unknown, isJson: boolean): string[] | null {
  const check = status === 200 ? checkAnswer : status === 400 || status === 500 ? checkErrorAnswer : undefined;
  if (!check) return null;
  if (!isJson) return ['body: is not JSON'];
  return check(answer) ? [] : problemsOf(check.errors!);
}

/**
 * Connections to the partner's webhook, kept alive between pushes: on a busy day a push does not pay for a new
 * connection (most of what one cost the sandbox). Closed with the notifier.
 */
export class WebhookConnections {
  /**
   * Sent with every push (X-Sandbox-Push) and refused by this sandbox's own routes: a push that lands on the sandbox
   * itself, by whatever name or interface it got there, is refused at once rather than looping through its routes.
   */
  readonly marker = randomUUID();
  readonly userAgent = `yandex-market-chats-sandbox/${packageVersion()}`;
  private readonly http = new HttpAgent({ keepAlive: true });
  private readonly https = new HttpsAgent({ keepAlive: true });

  agentFor(url: URL): HttpAgent {
    return url.protocol === 'https:' ? this.https : this.http;
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

/**
 * POSTs with node:http rather than fetch, which refuses the Fetch standard's "bad ports" (6000, 6665…) that Market
 * does not. The timeout and the cancel are one timer and one listener (signals combined per push cost more).
 */
function post(
  url: URL,
  payload: string,
  cancel: AbortSignal,
  timeoutMs: number,
  connections: WebhookConnections,
  again = true,
): Promise<{ status: number; text: string; self: boolean }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'user-agent': connections.userAgent,
      [PUSH_MARKER_HEADER]: connections.marker,
    };
    const request = send(url, { method: 'POST', headers, agent: connections.agentFor(url) }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        // Read to the end, keep what the log keeps (a UTF-8 character takes at most 4 bytes).
        if (size < ANSWER_KEPT * 4) chunks.push(chunk);
        size += chunk.length;
      });
      const self = response.headers[PUSH_MARKER_HEADER] === connections.marker;
      response.on('end', () => settle(() => resolve({ status: response.statusCode!, text: Buffer.concat(chunks).toString('utf8'), self })));
      response.on('close', () => response.complete || settle(() => reject(new Error('the answer was cut off'))));
    });
    const timer = setTimeout(() => request.destroy(new Error(`timeout: no answer within ${timeoutMs} ms`)), timeoutMs);
    const abort = () => request.destroy(new Error('cancelled'));
    cancel.addEventListener('abort', abort, { once: true });
    const settle = (then: () => void) => {
      clearTimeout(timer);
      cancel.removeEventListener('abort', abort);
      then();
    };
    request.on('error', (error: NodeJS.ErrnoException) => {
      settle(() => {
        // A kept connection the partner closed as it was reused: the push never reached it, so it goes again on a new one.
        if (again && request.reusedSocket && error.code === 'ECONNRESET' && !cancel.aborted) {
          post(url, payload, cancel, timeoutMs, connections, false).then(resolve, reject);
        } else reject(error);
      });
    });
    if (cancel.aborted) abort();
    request.end(payload);
  });
}

/**
 * POSTs the notification; never throws. `cancel` aborts it (the caller knows it was cancelled). The attempt is
 * stamped on the sandbox's clock; how long the partner took is real time, and so is Market's timeout.
 */
export async function deliver(
  url: string,
  body: Notification,
  timeoutMs: number,
  cancel: AbortSignal,
  clock: Pick<Clock, 'now'>,
  connections: WebhookConnections,
): Promise<DeliveryAttempt> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const attempt = { at: new Date(clock.now()).toISOString(), status: null, error: null, answer: null, answerProblems: null };
  try {
    const target = new URL(url);
    const { status, text, self } = await post(target, JSON.stringify(body), cancel, timeoutMs, connections);
    if (self) return { ...attempt, durationMs: elapsed(), status, error: SELF_PUSH };
    let parsed: unknown;
    let isJson = false;
    try {
      parsed = JSON.parse(text);
      isJson = true;
    } catch {
      // Not JSON: kept as text, and judged so.
    }
    const answer = text.length > ANSWER_KEPT ? text.slice(0, ANSWER_KEPT) : isJson ? parsed : text;
    return { ...attempt, durationMs: elapsed(), status, answer, answerProblems: judge(status, parsed, isJson) };
  } catch (error) {
    return { ...attempt, durationMs: elapsed(), error: (error as Error).message };
  }
}
