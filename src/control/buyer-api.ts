/**
 * `sandbox.buyer`: the control API's buyer routes for test code. Calls go through the routes themselves
 * (in-process, no socket), so they are validated and answered exactly as over HTTP.
 */
import type { FastifyInstance } from 'fastify';
import type { ChatStatus, OtherSender } from '../contract/enums.js';
import type { ChatDto, MessageDto } from '../contract/schemas.js';
import type { BuyerContext } from '../model/chat-keys.js';
import type { CustomerRecord } from '../model/records.js';

/** A control call the sandbox refused: status and message as the Yandex envelope gave them. */
export class SandboxRequestError extends Error {
  override name = 'SandboxRequestError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface FileToSend {
  name: string;
  content: Buffer | Uint8Array | string;
  contentType?: string;
}

export interface Say {
  message?: string;
  /** CUSTOMER by default. */
  sender?: OtherSender;
  /** false: Market pushes no CHAT_MESSAGE_SENT for this buyer message (as for a sticker). */
  notify?: boolean;
  files?: FileToSend[];
  /** Then the business is in this named state. */
  setState?: string;
}

export interface InBusiness {
  /** The default world's business (1001) when not given. */
  businessId?: number;
}

export interface BuyerApi {
  /** A buyer starts a chat (DIRECT unless a context is given), optionally with a first message. */
  startChat(request?: InBusiness & { context?: BuyerContext; message?: string; customer?: CustomerRecord }): Promise<ChatDto>;
  /** The buyer writes text (a string), or the buyer, Market or support writes text and/or files. */
  say(chatId: number, what: string | Say, options?: InBusiness): Promise<MessageDto>;
  /** A dispute opens: the chat becomes ARBITRAGE, WAITING_FOR_ARBITER. */
  dispute(chatId: number, options?: InBusiness): Promise<ChatDto>;
  /** The dispute closes: the chat goes back to a CHAT in its earlier status, or in `status`. */
  endDispute(chatId: number, options?: InBusiness & { status?: ChatStatus }): Promise<ChatDto>;
  setStatus(chatId: number, status: ChatStatus, options?: InBusiness): Promise<ChatDto>;
}

function formOf(say: Say): FormData {
  const form = new FormData();
  if (say.message !== undefined) form.append('message', say.message);
  if (say.sender !== undefined) form.append('sender', say.sender);
  if (say.notify !== undefined) form.append('notify', String(say.notify));
  if (say.setState !== undefined) form.append('setState', say.setState);
  for (const file of say.files ?? []) {
    form.append('file', new Blob([file.content], { type: file.contentType ?? 'application/octet-stream' }), file.name);
  }
  return form;
}

/**
 * `host`: the sandbox's address as clients reach it (host:port), which payload URLs are made from; `controlToken`:
 * the control API's token, when it has one.
 */
export function buyerApi(app: FastifyInstance, host: string, defaultBusinessId: number, controlToken?: string): BuyerApi {
  const headers = { host, ...(controlToken ? { authorization: `Bearer ${controlToken}` } : {}) };
  const call = async <T>(path: string, payload: object | FormData, businessId = defaultBusinessId): Promise<T> => {
    const response = await app.inject({ method: 'POST', url: `/__sandbox/businesses/${businessId}${path}`, headers, payload });
    const body = response.json<{ result: T; errors: { message: string }[] }>();
    if (response.statusCode !== 200) throw new SandboxRequestError(response.statusCode, body.errors[0].message);
    return body.result;
  };
  const status = (chatId: number, change: object, businessId?: number) => call<ChatDto>(`/chats/${chatId}/status`, change, businessId);
  return {
    startChat: ({ businessId, context = { type: 'DIRECT' }, ...rest } = {}) => call('/chats', { context, ...rest }, businessId),
    say: (chatId, what, options = {}) => {
      const say = typeof what === 'string' ? { message: what } : what;
      return call(`/chats/${chatId}/messages`, say.files?.length ? formOf(say) : say, options.businessId);
    },
    dispute: (chatId, options = {}) => status(chatId, { arbitrage: 'started' }, options.businessId),
    endDispute: (chatId, { businessId, status: then } = {}) =>
      status(chatId, { arbitrage: 'finished', ...(then ? { status: then } : {}) }, businessId),
    setStatus: (chatId, to, options = {}) => status(chatId, { status: to }, options.businessId),
  };
}
