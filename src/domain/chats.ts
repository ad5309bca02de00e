/** Chat queries with no HTTP in them: list filters, and the DTOs clients see. */
import type { ChatDto, ChatsFilter, MessageDto } from '../contract/schemas.js';
import { contextKey } from '../model/chat-keys.js';
import type { ChatRecord, ContextRecord, MessageRecord } from '../model/records.js';
import { formatMarketDate } from '../model/time.js';

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
