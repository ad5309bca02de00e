/** The seven chat operations: how each is reached, what it may do and its hourly quota at Market. */

export const OPERATION_IDS = [
  'createChat',
  'getChats',
  'getChat',
  'getChatHistory',
  'getChatMessage',
  'sendMessageToChat',
  'sendFileToChat',
] as const;
export type OperationId = (typeof OPERATION_IDS)[number];

export interface OperationSpec {
  method: 'GET' | 'POST';
  /** Path after the optional `/v2` prefix. */
  path: string;
  /** Whether it changes state: read-only API keys may not call it. */
  writes: boolean;
  /** Requests per business per hour, from Market's current reference. */
  hourlyLimit: number;
  summary: string;
}

/** Where Market serves this API: the upstream of proxy mode (--upstream) and of the drift check. */
export const MARKET_URL = 'https://api.partner.market.yandex.ru';

export const OPERATIONS: Record<OperationId, OperationSpec> = {
  createChat: {
    method: 'POST',
    path: '/businesses/:businessId/chats/new',
    writes: true,
    hourlyLimit: 1000,
    summary: 'Create a chat about an order or a return (or get the existing one)',
  },
  getChats: {
    method: 'POST',
    path: '/businesses/:businessId/chats',
    writes: false,
    hourlyLimit: 5000,
    summary: 'List chats, most recently updated first',
  },
  getChat: {
    method: 'GET',
    path: '/businesses/:businessId/chat',
    writes: false,
    hourlyLimit: 1000,
    summary: 'Get one chat',
  },
  getChatHistory: {
    method: 'POST',
    path: '/businesses/:businessId/chats/history',
    writes: false,
    hourlyLimit: 10000,
    summary: 'Get the messages of a chat, oldest first',
  },
  getChatMessage: {
    method: 'GET',
    path: '/businesses/:businessId/chats/message',
    writes: false,
    hourlyLimit: 1000,
    summary: 'Get one message of a chat',
  },
  sendMessageToChat: {
    method: 'POST',
    path: '/businesses/:businessId/chats/message',
    writes: true,
    hourlyLimit: 1000,
    summary: 'Send a text message to a chat',
  },
  sendFileToChat: {
    method: 'POST',
    path: '/businesses/:businessId/chats/file/send',
    writes: true,
    hourlyLimit: 1000,
    summary: 'Send a file (at most 5 MB) to a chat',
  },
};

/**
 * What a journal entry and a scenario rule can name: the operations, and downloading a payload URL (served
 * by Market's file host, not the partner API, so it has no quota of its own).
 */
export const CALL_IDS = [...OPERATION_IDS, 'downloadFile'] as const;
export type CallId = (typeof CALL_IDS)[number];

/** Both spellings Market serves every operation under. */
export const PATH_PREFIXES = ['', '/v2'] as const;

/** Market's limit on requests to one business running at the same time. */
export const DEFAULT_PARALLEL_LIMIT = 4;

export const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** The same, in the megabytes messages name. */
export const MAX_FILE_MB = MAX_FILE_BYTES / 1024 / 1024;
/** The most files one message may carry (sendFileToChat sends one; a buyer's message in the sandbox, up to this). */
export const MAX_FILES_PER_MESSAGE = 5;
