/** The world as it is stored (and persisted by lowdb): plain JSON, times in epoch milliseconds. */
import type { ChatStatus, ChatType, ContextType, Sender } from '../contract/enums.js';

export interface CustomerRecord {
  name: string;
  publicId: string;
}

export interface ContextRecord {
  type: ContextType;
  campaignId?: number;
  orderId?: number;
  returnId?: number;
  customer?: CustomerRecord;
}

export interface FileRef {
  fileId: string;
  name: string;
  size: number;
}

export interface MessageRecord {
  id: number;
  at: number;
  sender: Sender;
  text?: string;
  files?: FileRef[];
}

export interface ChatRecord {
  id: number;
  type: ChatType;
  status: ChatStatus;
  context: ContextRecord;
  createdAt: number;
  updatedAt: number;
  /** While a dispute opened in the sandbox is on: the status the chat goes back to when it closes. */
  statusBeforeArbitrage?: ChatStatus;
  /** Ascending by id (and so by time). */
  messages: MessageRecord[];
}

export interface FileMeta {
  name: string;
  size: number;
  contentType: string;
  /** generated: bytes are made on request from the id; uploaded: bytes are kept by the file store. */
  origin: 'generated' | 'uploaded';
}

export interface BusinessRecord {
  id: number;
  campaigns: number[];
  nextChatId: number;
  nextMessageId: number;
  chats: ChatRecord[];
  files: Record<string, FileMeta>;
}

/** The committed default world: generated from its seed at `anchor`, shifted to the present on load. */
export interface Fixture {
  seed: number;
  anchor: number;
  businesses: BusinessRecord[];
}

export interface WorldData {
  format: 1;
  seed: number;
  /** With --db: the last batch of the change log this snapshot holds. */
  seq?: number;
  businesses: Record<string, BusinessRecord>;
}

/** The business of the committed default world, and where whatever names no business happens. */
export const DEFAULT_BUSINESS_ID = 1001;

/** The seed of the committed default world in fixtures/. */
export const DEFAULT_SEED = 20251121;
