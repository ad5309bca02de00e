/** The push notification Market sends for a chat event, with exactly the fields CONTRACT.md lists. */
import type { Notification } from '../contract/notifications.js';
import type { ChatEvent } from '../domain/chat-events.js';
import { formatMarketDate } from '../domain/time.js';

export function notificationOf(event: ChatEvent): Notification {
  const { businessId, chat } = event;
  const ids = { businessId, chatId: chat.id };
  switch (event.kind) {
    case 'chat-created':
      return { notificationType: 'CHAT_CREATED', ...ids, createdAt: formatMarketDate(chat.createdAt) };
    case 'message-sent':
      return {
        notificationType: 'CHAT_MESSAGE_SENT',
        ...ids,
        messageId: String(event.message.id),
        sentAt: formatMarketDate(event.message.at),
      };
  }
  // Never about a DIRECT chat: no world and no control call can give one a dispute.
  return event.kind === 'arbitrage-started'
    ? { notificationType: 'CHAT_ARBITRAGE_STARTED', ...ids, startedAt: formatMarketDate(event.at) }
    : { notificationType: 'CHAT_ARBITRAGE_FINISHED', ...ids, finishedAt: formatMarketDate(event.at) };
}
