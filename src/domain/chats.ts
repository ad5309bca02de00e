/** Chat rules with no HTTP in them: status moves, filters, listing order, and the DTOs clients see. */
import type { ChatStatus, Sender } from '../contract/enums.js';
import type { ChatDto, ChatsFilter, MessageDto } from '../contract/schemas.js';
import type { ChatRecord, ContextRecord, MessageRecord } from '../store/records.js';
import { formatMarketDate } from './time.js';

/**
 * The status a chat moves to when someone writes: a partner message waits for the buyer, a buyer
 * message waits for the partner. A dispute's status belongs to the arbiter and does not move.
 */
export function statusAfterMessage(chat: ChatRecord, sender: Sender): ChatStatus {
  if (chat.type === 'ARBITRAGE') return chat.status;
  if (sender === 'PARTNER') return 'WAITING_FOR_CUSTOMER';
  if (sender === 'CUSTOMER') return 'WAITING_FOR_PARTNER';
  return chat.status;
}

/** The key that identifies the order or return a chat is about; DIRECT chats have none. */
export function contextKey(context: Pick<ContextRecord, 'type' | 'orderId' | 'returnId'>): string | undefined {
  if (context.type === 'ORDER' && context.orderId) return `ORDER:${context.orderId}`;
  if (context.type === 'RETURN' && context.returnId) return `RETURN:${context.returnId}`;
  return undefined;
}

export interface ListingKey {
  updatedAt: number;
  id: number;
}

/** Listing order: most recently updated first, then the newer chat id first. */
export function listedBefore(a: ListingKey, b: ListingKey): boolean {
  return a.updatedAt > b.updatedAt || (a.updatedAt === b.updatedAt && a.id > b.id);
}

/** Every filter present must hold (AND); within one filter any listed value matches (OR). */
const ANY_CHAT = () => true;

export function chatMatcher(filter: ChatsFilter): (chat: ChatRecord) => boolean {
  // The common call asks for no filter at all.
  if (Object.keys(filter).length === 0) return ANY_CHAT;
  const statuses = filter.statuses && new Set<string>(filter.statuses);
  const types = filter.types && new Set<string>(filter.types);
  const contextTypes = filter.contextTypes && new Set<string>(filter.contextTypes);
  const orderIds = filter.orderIds && new Set(filter.orderIds);
  const contexts = filter.contexts && new Set(filter.contexts.map((c) => `${c.type}:${c.id}`));
  return (chat) =>
    (!statuses || statuses.has(chat.status)) &&
    (!types || types.has(chat.type)) &&
    (!contextTypes || contextTypes.has(chat.context.type)) &&
    (!orderIds || (chat.context.orderId !== undefined && orderIds.has(chat.context.orderId))) &&
    (!contexts || contexts.has(contextKey(chat.context) ?? ''));
}

export function contextDto(context: ContextRecord): ChatDto['context'] {
  const dto: ChatDto['context'] = { type: context.type };
  if (context.customer) dto.customer = { ...context.customer };
  if (context.campaignId !== undefined) dto.campaignId = context.campaignId;
  if (context.orderId !== undefined) dto.orderId = context.orderId;
  if (context.returnId !== undefined) dto.returnId = context.returnId;
  return dto;
}

export function chatDto(chat: ChatRecord): ChatDto {
  const dto: ChatDto = {
    chatId: chat.id,
    context: contextDto(chat.context),
    type: chat.type,
    status: chat.status,
    createdAt: formatMarketDate(chat.createdAt),
    updatedAt: formatMarketDate(chat.updatedAt),
  };
  if (chat.context.orderId !== undefined) dto.orderId = chat.context.orderId;
  return dto;
}

export function messageDto(message: MessageRecord, fileUrl: (fileId: string) => string): MessageDto {
  const dto: MessageDto = {
    messageId: message.id,
    createdAt: formatMarketDate(message.at),
    sender: message.sender,
  };
  if (message.text !== undefined) dto.message = message.text;
  if (message.files?.length) {
    dto.payload = message.files.map((f) => ({ name: f.name, url: fileUrl(f.fileId), size: f.size }));
  }
  return dto;
}
