/**
 * Opaque keyset page tokens: each encodes the position after the last item served, not an offset, so
 * that items added between two pages are neither skipped nor repeated.
 */
import { badRequest } from '../contract/errors.js';

export interface ChatsCursor {
  updatedAt: number;
  id: number;
}

export interface HistoryCursor {
  messageId: number;
}

type Kind = 'c' | 'h';

function encode(kind: Kind, values: number[]): string {
  return Buffer.from(`${kind}:${values.join(':')}`, 'utf8').toString('base64url');
}

function decode(kind: Kind, token: string, arity: number): number[] {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const parts = text.split(':');
  const values = parts.slice(1).map(Number);
  const valid =
    parts[0] === kind &&
    values.length === arity &&
    values.every((v) => Number.isSafeInteger(v) && v >= 0) &&
    Buffer.from(text, 'utf8').toString('base64url') === token;
  if (!valid) throw badRequest('pageToken: cannot be decoded; pass paging.nextPageToken from a previous page unchanged');
  return values;
}

export const chatsToken = (c: ChatsCursor) => encode('c', [c.updatedAt, c.id]);
export function readChatsToken(token: string): ChatsCursor {
  const [updatedAt, id] = decode('c', token, 2);
  return { updatedAt, id };
}

export const historyToken = (c: HistoryCursor) => encode('h', [c.messageId]);
export function readHistoryToken(token: string): HistoryCursor {
  const [messageId] = decode('h', token, 1);
  return { messageId };
}
