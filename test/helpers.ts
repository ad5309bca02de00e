/** Shared test plumbing: a sandbox per test on a free port, and a small client that speaks to it over HTTP. */
import { PINNED } from '../scripts/pinned-node.mjs';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { Test } from 'tap';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/index.js';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = addFormatsPlugin as unknown as typeof addFormatsPlugin.default;

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface Client {
  sandbox: Sandbox;
  call<T = any>(
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string>; raw?: RequestInit['body'] },
  ): Promise<Answer<T>>;
  post<T = any>(path: string, body?: unknown): Promise<Answer<T>>;
  get<T = any>(path: string): Promise<Answer<T>>;
}

/** Starts a sandbox (rate limits off unless asked) closed when the test ends. */
export async function sandboxFor(t: Test, options: SandboxOptions = {}): Promise<Client> {
  const sandbox = await startSandbox({ rateLimits: false, ...options });
  t.teardown(() => sandbox.close());
  const call: Client['call'] = async (method, path, { body, headers = {}, raw } = {}) => {
    const json = body !== undefined && raw === undefined;
    const response = await fetch(sandbox.url + path, {
      method,
      headers: { 'Api-Key': sandbox.token, ...(json ? { 'content-type': 'application/json' } : {}), ...headers },
      body: raw ?? (json ? JSON.stringify(body) : undefined),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: the test looks at text.
    }
    return { status: response.status, headers: response.headers, body: parsed as any, text };
  };
  return {
    sandbox,
    call,
    post: (path, body = {}) => call('POST', path, { body }),
    get: (path) => call('GET', path),
  };
}

/** Every chat of a business, through getChats pages. */
export async function allChats(client: Client, businessId: number, filter: object = {}, limit = 20): Promise<any[]> {
  const chats: any[] = [];
  let token: string | undefined;
  do {
    const page = await client.post(`/v2/businesses/${businessId}/chats?limit=${limit}${token ? `&pageToken=${token}` : ''}`, filter);
    if (page.status !== 200) throw new Error(`getChats answered ${page.status}: ${page.text}`);
    chats.push(...page.body.result.chats);
    token = page.body.result.paging.nextPageToken;
  } while (token);
  return chats;
}

/** Every message of a chat, through getChatHistory pages. */
export async function allMessages(client: Client, businessId: number, chatId: number, limit = 100): Promise<any[]> {
  const messages: any[] = [];
  let token: string | undefined;
  do {
    const page = await client.post(
      `/v2/businesses/${businessId}/chats/history?chatId=${chatId}&limit=${limit}${token ? `&page_token=${token}` : ''}`,
    );
    if (page.status !== 200) throw new Error(`getChatHistory answered ${page.status}: ${page.text}`);
    messages.push(...page.body.result.messages);
    token = page.body.result.paging.nextPageToken;
  } while (token);
  return messages;
}

/** A temporary folder removed after everything else the test set up (teardowns run last-in, first-out). */
export function tempDir(t: Test, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ymcs-test-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Received {
  body: any;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

type Answered = { status: number; body?: unknown } | 'hang' | 'cut';

export interface Receiver {
  url: string;
  /** Every notification received, in arrival order. */
  received: Received[];
  /** How the receiver answers the next request; by default 200 with Market's {version, name, time}. */
  answer: (body: any) => Answered | Promise<Answered>;
  /** Resolves once `count` notifications have arrived (rejects after `ms`). */
  waitFor(count: number, ms?: number): Promise<Received[]>;
}

export const GOOD_ANSWER = () => ({ status: 200, body: { version: '1.0.0', name: 'shop-bot', time: new Date().toISOString() } });

/** The partner's notification handler: a real HTTP server on a free port, closed when the test ends. */
export async function receiverFor(t: Test): Promise<Receiver> {
  const hanging = new Set<ServerResponse>();
  const receiver: Receiver = {
    url: '',
    received: [],
    answer: GOOD_ANSWER,
    async waitFor(count, ms = 5000) {
      const deadline = Date.now() + ms;
      while (receiver.received.length < count) {
        if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${count} notifications, got ${receiver.received.length}`);
        await sleep(5);
      }
      return receiver.received;
    },
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      receiver.received.push({ body, headers: request.headers, at: Date.now() });
      void Promise.resolve(receiver.answer(body)).then((answer) => respond(response, answer));
    });
  });
  const respond = (response: ServerResponse, answer: Answered) => {
    if (answer === 'hang') {
      hanging.add(response);
      return;
    }
    if (answer === 'cut') {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"version":');
      setTimeout(() => response.destroy(), 20);
      return;
    }
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {}));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/market/notification`;
  t.teardown(async () => {
    for (const response of hanging) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return receiver;
}

/**
 * What a started command line prints, and the API's URL once its banner names it; the URL rejects, with what it
 * printed, if it stops first.
 */
export function bannerOf(child: ChildProcess): { url: Promise<string>; output: () => string } {
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += d;
      const match = /API\s+(http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr?.on('data', (d) => (output += d));
    child.on('close', () => reject(new Error(`the sandbox stopped: ${output}`)));
  });
  return { url, output: () => output };
}

/** Polls `check` until it returns something truthy (rejects after `ms`). */
export async function eventually<T>(check: () => Promise<T | false> | T | false, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`nothing came within ${ms} ms`);
    await sleep(10);
  }
}

export interface FilePart {
  name: string;
  content: string | Buffer;
  type?: string;
}

/** A multipart/form-data body: text fields, then the parts named `file`. */
export function multipartForm(fields: Record<string, string>, ...files: FilePart[]): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const { name, content, type } of files) form.append('file', new Blob([content], type ? { type } : {}), name);
  return form;
}

/** The partner's sendFileToChat with one file. */
export function sendFile(client: Client, businessId: number, chatId: number, file: FilePart, fields: Record<string, string> = {}) {
  return client.call('POST', `/v2/businesses/${businessId}/chats/file/send?chatId=${chatId}`, { raw: multipartForm(fields, file) });
}

/** A call of the control API's buyer side: `path` under /__sandbox/businesses/{businessId}. */
export function control(client: Client, path: string, body: unknown, businessId = 1001) {
  return client.post(`/__sandbox/businesses/${businessId}${path}`, body);
}

/**
 * Waits past a timer of `ms` that was set before this call. Node fires timers in the order they fall due,
 * so whatever that timer was to do is done: a check that it did nothing is a real check.
 */
export function pastDue(ms: number): Promise<void> {
  return sleep(ms * 2);
}

/** Checks an answer against the response schema /openapi.json documents for its path, method and status. */
export async function schemaValidator(client: Client) {
  const openapi = (await client.get('/openapi.json')).body;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('int64', { type: 'number', validate: Number.isSafeInteger });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  // Each documented path as a pattern, {param} standing for one segment: made once, matched on every answer.
  const templates = Object.keys(openapi.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
  }));
  return (path: string, method: string, answer: Answer) => {
    const bare = path.split('?')[0];
    const templated = openapi.paths[bare] ? bare : (templates.find(({ pattern }) => pattern.test(bare))?.template ?? bare);
    const operation = openapi.paths[templated]?.[method.toLowerCase()];
    const schema = operation?.responses?.[answer.status]?.content?.['application/json']?.schema;
    if (!schema) return [`no schema documented for ${method} ${templated} ${answer.status}`];
    return ajv.validate(schema, answer.body) ? [] : ajv.errors!.map((e) => `${e.instancePath} ${e.message}`);
  };
}

/**
 * Sends `request` as written (any bytes: odd targets, odd headers), on a connection of its own; resolves with the
 * whole answer as text once its body has arrived (the server may keep the connection).
 */
export function raw(port: number | string, request: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const head = text.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
      if (head >= 0 && Buffer.byteLength(text.slice(head + 4)) >= length) socket.destroy();
    });
    socket.on('close', () => resolve(text));
  });
}

/** A port free now on this machine. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The Node.js 24 release the binary and the image are built on (scripts/pinned-node.mjs). */
export const PINNED_NODE_24 = PINNED['24'].version;
