/** Shared test plumbing: a sandbox per test on a free port, and a small client that speaks to it over HTTP. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/index.js';

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface Client {
  sandbox: Sandbox;
  call<T = any>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; raw?: RequestInit['body'] }): Promise<Answer<T>>;
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
    const page = await client.post(
      `/v2/businesses/${businessId}/chats?limit=${limit}${token ? `&pageToken=${token}` : ''}`,
      filter,
    );
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
