/** The push notification Market sends for a chat event, with exactly the fields its reference lists (see README). */
import type { Notification } from '../contract/notifications.js';
import type { ChatEvent } from '../domain/chat-events.js';
import { formatPushDate } from '../model/time.js';

/** The notification for `event`; undefined for changes Market sends none for (a status set outright). */
export function notificationOf(event: ChatEvent): Notification | undefined {
  const ids = { businessId: event.businessId, chatId: event.chat.id };
  switch (event.kind) {
    case 'chat-created':
      return { notificationType: 'CHAT_CREATED', ...ids, createdAt: formatPushDate(event.chat.createdAt) };
    case 'message-sent':
      return {
        notificationType: 'CHAT_MESSAGE_SENT',
        ...ids,
        messageId: String(event.message.id),
        sentAt: formatPushDate(event.message.at),
      };
    // Never about a DIRECT chat: the lifecycle gives no DIRECT chat a dispute.
    case 'arbitrage-started':
      return { notificationType: 'CHAT_ARBITRAGE_STARTED', ...ids, startedAt: formatPushDate(event.at) };
    case 'arbitrage-finished':
      return { notificationType: 'CHAT_ARBITRAGE_FINISHED', ...ids, finishedAt: formatPushDate(event.at) };
    case 'status-changed':
      return undefined;
  }
}
