/**
 * Proxy mode (--upstream): the partner's calls go to Market (or any server that speaks its API) and come back with
 * Market's status, headers and body, unchanged, each checked against the contract on the way. Writes (createChat,
 * sendMessageToChat, sendFileToChat) are held back unless asked: checked, answered as Market answers them, and
 * never forwarded, so that a bot can be tried on real chats without a word reaching a real buyer.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { getCACertificates } from 'node:tls';
import { departuresOf, describeDeparture, type Departure } from '../contract/conformance.js';
import { ApiError, badRequest } from '../contract/errors.js';
import type { OperationId } from '../contract/operations.js';
import type { UpstreamAnswerSeen } from '../recording/recording.js';
import { readMultipart } from './multipart.js';

/** How long a forwarded call may take in all, connecting included, before it is answered 504. */
export const UPSTREAM_TIMEOUT_MS = 30_000;
/** The largest answer taken from the upstream: chat answers are kilobytes; more is not Market's. */
export const UPSTREAM_ANSWER_MAX = 16 * 1024 * 1024;
/** How many departures the X-Sandbox-Drift header names (the journal entry has them all). */
export const DRIFT_HEADER_NAMES = 3;

/** The operations that write: held back unless --upstream-writes. */
export const WRITES: ReadonlySet<OperationId> = new Set(['createChat', 'sendMessageToChat', 'sendFileToChat']);

/** Headers of one connection, not of the exchange, and those the forwarding sets itself. */
const NOT_FORWARDED: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  // Asked for as it is (identity), so that the sandbox can read the answer it checks and journals.
  'accept-encoding',
]);

export interface UpstreamSettings {
  /** The upstream's base URL: http(s)://host[:port][/prefix]. */
  url: string;
  /** Forward the writes too (--upstream-writes); held back by default. */
  writes: boolean;
  /** The bound of a forwarded call (30 s). */
  timeoutMs?: number;
}

export interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body as it came, for forwarding it unchanged. */
    rawJson: string | null;
    /** Answered by the upstream: what the sandbox adds to its own answers does not apply. */
    forwarded: boolean;
  }
}

/** A header value in plain ASCII: what is not is written as \uXXXX, as JSON would. */
function ascii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** X-Sandbox-Drift: how many departures, then the first few, as Prism's sl-violations names them. */
export function driftHeader(departures: Departure[]): string {
  const named = departures.slice(0, DRIFT_HEADER_NAMES).map(describeDeparture);
  return ascii(`${departures.length}; ${named.join(' | ')}${departures.length > DRIFT_HEADER_NAMES ? ' | ...' : ''}`);
}

/** A multipart form with one file part (and the fields that came with it), as a browser encodes one. */
function multipartBody(fields: Record<string, string>, file: { name: string; contentType: string; bytes: Buffer }) {
  const boundary = `----sandbox-${randomUUID()}`;
  const quoted = (text: string) => text.replace(/["\r\n]/g, (c) => encodeURIComponent(c));
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(file.name)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
    ),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The upstream: where calls go, and the connections kept to it. */
export class Upstream {
  readonly url: URL;
  readonly writes: boolean;
  private readonly timeoutMs: number;
  private readonly http = new HttpAgent({ keepAlive: true });
  private https: HttpsAgent | undefined;
  /** Chat ids of chats a held-back createChat made up, past any Market hands out for a long while. */
  private nextHeldBackChatId = 9_000_000_000;

  constructor(settings: UpstreamSettings) {
    this.url = new URL(settings.url);
    this.writes = settings.writes;
    this.timeoutMs = settings.timeoutMs ?? UPSTREAM_TIMEOUT_MS;
  }

  /** Whether a call of `operation` goes to the upstream (a write only with --upstream-writes). */
  forwards(operation: OperationId): boolean {
    return this.writes || !WRITES.has(operation);
  }

  /**
   * The system's certificate authorities and Node's own (with NODE_EXTRA_CA_CERTS), made once, when the first call
   * goes to an https upstream.
   */
  private httpsAgent(): HttpsAgent {
    this.https ??= new HttpsAgent({
      keepAlive: true,
      ca: [...new Set([...getCACertificates('default'), ...getCACertificates('system')])],
    });
    return this.https;
  }

  /** Sends one call; an upstream that cannot be reached is a 502, one that does not answer in time a 504. */
  send(method: string, pathAndQuery: string, headers: Record<string, string | string[]>, body?: Buffer): Promise<UpstreamAnswer> {
    const base = this.url;
    const target = new URL(base.pathname.replace(/\/$/, '') + pathAndQuery, base);
    const secure = target.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const named = `upstream ${base.origin}`;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error: ApiError | undefined, answer?: UpstreamAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          request.destroy();
          reject(error);
        } else resolve(answer!);
      };
      const request = send(target, {
        method,
        headers: { ...headers, 'accept-encoding': 'identity', ...(body ? { 'content-length': body.length } : {}) },
        agent: secure ? this.httpsAgent() : this.http,
      });
      const timer = setTimeout(() => settle(new ApiError(504, `${named}: no answer within ${this.timeoutMs / 1000} s`)), this.timeoutMs);
      request.once('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > UPSTREAM_ANSWER_MAX) settle(new ApiError(502, `${named}: answered more than ${UPSTREAM_ANSWER_MAX / 1024 / 1024} MB`));
          else chunks.push(chunk);
        });
        response.once('end', () =>
          settle(undefined, { status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.once('error', (error) => settle(new ApiError(502, `${named}: the answer broke off (${error.message})`)));
      });
      request.once('error', (error: NodeJS.ErrnoException) => {
        const trust = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(error.code ?? '')
          ? ' (a certificate not trusted: add its authority with NODE_EXTRA_CA_CERTS)'
          : '';
        settle(new ApiError(502, `${named}: could not be reached (${error.code ?? error.message})${trust}`));
      });
      request.end(body);
    });
  }

  /** The chat id a held-back createChat answers with: a new one each time, as Market's would be for a new chat. */
  heldBackChatId(): number {
    return this.nextHeldBackChatId++;
  }

  close(): void {
    this.http.destroy();
    this.https?.destroy();
  }
}

/** The headers a call goes on with: all the partner sent (its key and token included) but those of the connection. */
function forwardedHeaders(request: FastifyRequest): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !NOT_FORWARDED.has(name)) headers[name] = value;
  }
  return headers;
}

/** A write held back: checked as Market checks it (the route's schemas already have), answered as Market answers it. */
async function heldBack(request: FastifyRequest, operation: OperationId, upstream: Upstream): Promise<object> {
  if (operation === 'sendFileToChat') {
    const [file] = (await readMultipart(request, 1)).files;
    if (!file) throw badRequest('file: the multipart part "file" is required');
  }
  return operation === 'createChat' ? { status: 'OK', result: { chatId: upstream.heldBackChatId() } } : { status: 'OK' };
}

/** The body a call is forwarded with: the JSON as it came, or a file form encoded again (its parts as they came). */
async function forwardedBody(request: FastifyRequest, operation: OperationId, headers: Record<string, string | string[]>) {
  if (operation !== 'sendFileToChat') return request.rawJson === null ? undefined : Buffer.from(request.rawJson);
  const form = await readMultipart(request, 1);
  const [file] = form.files;
  if (!file) throw badRequest('file: the multipart part "file" is required');
  const { body, contentType } = multipartBody(form.fields, file);
  headers['content-type'] = contentType;
  return body;
}

/**
 * The API scope's last hook before the handlers in proxy mode: it answers every call itself, forwarded or held
 * back, so the sandbox's own world never answers one. `seen` hears each forwarded answer (the recording).
 */
export function upstreamHandler(upstream: Upstream, seen: (answer: UpstreamAnswerSeen) => void) {
  return async function proxy(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const operation = request.routeOptions.config.operationId as OperationId;
    const entry = request.journalEntry;
    if (!upstream.forwards(operation)) {
      if (entry) entry.upstream = 'held back';
      return reply.send(await heldBack(request, operation, upstream));
    }
    if (entry) entry.upstream = 'forwarded';
    const headers = forwardedHeaders(request);
    const body = await forwardedBody(request, operation, headers);
    const answer = await upstream.send(request.method, request.url, headers, body);
    const departures = departuresOf(operation, answer.status, answer.body.toString('utf8'));
    if (entry) entry.drift = departures;
    request.forwarded = true;
    seen({
      operation,
      // Validated by now: the route's schema made it a number.
      businessId: (request.params as { businessId: number }).businessId,
      query: request.query as Record<string, unknown>,
      status: answer.status,
      body: answer.body,
    });
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !NOT_FORWARDED.has(name)) void reply.header(name, value);
    }
    if (departures.length) void reply.header('x-sandbox-drift', driftHeader(departures));
    return reply.code(answer.status).send(answer.body);
  };
}
