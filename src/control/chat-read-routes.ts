/**
 * Chats as the sandbox's own tools read them (the console, a test's assertions): no token, no request limits,
 * no journal entry and no scenario rule, so looking never changes what the partner's calls see.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { CHAT_STATUSES, CHAT_TYPES, CONTEXT_TYPES } from '../contract/enums.js';
import { BusinessParams, ChatParams, ChatSchema, MessageSchema, Nullable, Ok, stringEnum } from '../contract/schemas.js';
import { CONTROL_TAG } from '../contract/tags.js';
import type { ChatService } from '../domain/chat-service.js';
import { chatDto, messageDto } from '../domain/chats.js';
import type { FileLinks } from '../domain/file-links.js';
import { fileUrls } from '../http/file-urls.js';

const ChatsQuery = Type.Object({
  status: Type.Optional(stringEnum(CHAT_STATUSES, 'Only chats in this status')),
  type: Type.Optional(stringEnum(CHAT_TYPES, 'Only chats of this type')),
  contextType: Type.Optional(stringEnum(CONTEXT_TYPES, 'Only chats about this kind of context')),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Chats per page' }),
  pageToken: Type.Optional(Type.String({ maxLength: 200, description: 'paging.nextPageToken of the page before' })),
});

const ThreadQuery = Type.Object({
  last: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'How many of the latest messages' }),
});

const ChatSummarySchema = Type.Object({
  chat: ChatSchema,
  messageCount: Type.Integer(),
  lastMessage: Nullable(MessageSchema, { description: 'The latest message, null in a chat with none' }),
});

export function chatReadRoutes(app: FastifyInstance, chats: ChatService, links: FileLinks): void {
  const tags = [CONTROL_TAG];

  app.get<{ Params: Static<typeof BusinessParams>; Querystring: Static<typeof ChatsQuery> }>(
    '/__sandbox/businesses/:businessId/chats',
    {
      schema: {
        tags,
        summary: "A business's chats as getChats lists them (newest update first), with each one's last message",
        description:
          'For tools: no token, no limits, no journal entry. In a lenient world an unknown business is made up, as the API would.',
        params: BusinessParams,
        querystring: ChatsQuery,
        response: {
          200: Ok(
            Type.Object({ chats: Type.Array(ChatSummarySchema), paging: Type.Object({ nextPageToken: Type.Optional(Type.String()) }) }),
          ),
        },
      },
    },
    async (request) => {
      const { status, type, contextType, limit, pageToken } = request.query;
      const filter = {
        ...(status && { statuses: [status] }),
        ...(type && { types: [type] }),
        ...(contextType && { contextTypes: [contextType] }),
      };
      const page = chats.listChats(request.params.businessId, filter, { limit, pageToken });
      const url = fileUrls(request, links);
      return {
        status: 'OK' as const,
        result: {
          chats: page.chats.map((chat) => ({
            chat: chatDto(chat),
            messageCount: chat.messages.length,
            lastMessage: chat.messages.length ? messageDto(chat.messages[chat.messages.length - 1], url) : null,
          })),
          paging: page.nextPageToken ? { nextPageToken: page.nextPageToken } : {},
        },
      };
    },
  );

  app.get<{ Params: Static<typeof ChatParams>; Querystring: Static<typeof ThreadQuery> }>(
    '/__sandbox/businesses/:businessId/chats/:chatId',
    {
      schema: {
        tags,
        summary: 'A chat with its latest messages (oldest of them first)',
        description: 'For tools: no token, no limits, no journal entry.',
        params: ChatParams,
        querystring: ThreadQuery,
        response: {
          200: Ok(
            Type.Object({
              chat: ChatSchema,
              messages: Type.Array(MessageSchema),
              earlier: Type.Integer({ description: 'Older messages not in this answer (getChatHistory pages through all)' }),
            }),
          ),
        },
      },
    },
    async (request) => {
      const chat = chats.getChat(request.params.businessId, request.params.chatId);
      const from = Math.max(0, chat.messages.length - request.query.last);
      const url = fileUrls(request, links);
      return {
        status: 'OK' as const,
        result: { chat: chatDto(chat), messages: chat.messages.slice(from).map((m) => messageDto(m, url)), earlier: from },
      };
    },
  );
}
