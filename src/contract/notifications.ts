/**
 * Market's push notifications about chats, exactly as Market's push-notification reference lists them (no other fields), and the
 * answers Market expects from the partner's server. These schemas type the sandbox's notifications,
 * document them in /docs and check what the partner answered.
 */
import { Type, type Static } from 'typebox';
import { DateTime, Id } from './schemas.js';

const strict = { additionalProperties: false } as const;

const ChatNotification = <const T extends string>(type: T, description: string) => ({
  notificationType: Type.Literal(type, { description }),
  businessId: Id('Business (cabinet) id'),
  chatId: Id('Chat id'),
});

export const ChatCreatedNotification = Type.Object(
  { ...ChatNotification('CHAT_CREATED', 'A chat appeared'), createdAt: DateTime('When the chat was created') },
  strict,
);

export const ChatMessageSentNotification = Type.Object(
  {
    ...ChatNotification('CHAT_MESSAGE_SENT', 'Someone wrote in a chat; fetch it with getChatMessage'),
    messageId: Type.String({ pattern: '^[1-9][0-9]*$', description: 'Message id, as a string here' }),
    sentAt: DateTime('When the message was sent'),
  },
  strict,
);

export const ChatArbitrageStartedNotification = Type.Object(
  { ...ChatNotification('CHAT_ARBITRAGE_STARTED', 'A dispute opened (never for DIRECT chats)'), startedAt: DateTime('When it opened') },
  strict,
);

export const ChatArbitrageFinishedNotification = Type.Object(
  { ...ChatNotification('CHAT_ARBITRAGE_FINISHED', 'A dispute closed (never for DIRECT chats)'), finishedAt: DateTime('When it closed') },
  strict,
);

export const PingNotification = Type.Object(
  {
    notificationType: Type.Literal('PING', { description: 'A check that the URL answers' }),
    time: Type.Optional(DateTime('When it was sent')),
  },
  strict,
);

export const NotificationSchema = Type.Union([
  ChatCreatedNotification,
  ChatMessageSentNotification,
  ChatArbitrageStartedNotification,
  ChatArbitrageFinishedNotification,
  PingNotification,
]);
export type Notification = Static<typeof NotificationSchema>;
export type NotificationType = Notification['notificationType'];
export const NOTIFICATION_TYPES = [
  'CHAT_CREATED',
  'CHAT_MESSAGE_SENT',
  'CHAT_ARBITRAGE_STARTED',
  'CHAT_ARBITRAGE_FINISHED',
  'PING',
] as const satisfies readonly NotificationType[];

const Name = (description: string) => Type.String({ minLength: 1, maxLength: 100, description });

/** What the partner answers with a 200. */
export const PartnerAnswerSchema = Type.Object({
  version: Name("Version of the partner's application"),
  name: Name("Name of the partner's application"),
  time: DateTime('When the partner answered'),
});

/** What the partner answers with a 400 (a bad notification) or a 500 (its own failure). */
export const PartnerErrorAnswerSchema = Type.Object({
  error: Type.Object({ type: Type.String({ minLength: 1 }), message: Type.String() }),
});

/** The header every push of the sandbox carries, with its marker: its own routes refuse a request that has its marker. */
export const PUSH_MARKER_HEADER = 'x-sandbox-push';
