/** How chats are found and ordered: by the order or return they are about, and in listing order. */
import type { ContextType } from '../contract/enums.js';
import type { ContextRecord } from './records.js';

/** What a new chat is about: an order, a return (of an order, when known), or nothing (DIRECT). */
export type NewChatContext =
  | { type: 'ORDER'; orderId: number; returnId?: undefined }
  | { type: 'RETURN'; returnId: number; orderId?: number }
  | { type: 'DIRECT'; orderId?: undefined; returnId?: undefined };

/** What a buyer's chat is about as the buyer names it: an order (id), a return (id, and its order when known), or nothing (DIRECT). */
export interface BuyerContext {
  type: ContextType;
  id?: number;
  orderId?: number;
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
