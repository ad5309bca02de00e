/** createChat, getChats, getChat. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../contract/errors.js';
import type { ChatService } from '../domain/chat-service.js';
import { chatDto } from '../domain/chats.js';
import { sendJsonBytes, type JsonPieces } from '../http/json-pages.js';
import { apiRoute } from './api-route.js';

export function chatRoutes(app: FastifyInstance, chats: ChatService, pieces: JsonPieces): void {
  apiRoute(app, 'createChat', async (request) => {
    const { context, orderId } = request.body;
    // The deprecated form: an order id alone means a chat about that order.
    const about = context ?? (orderId !== undefined ? { type: 'ORDER' as const, id: orderId } : undefined);
    if (!about) throw badRequest('context: is required (or the deprecated orderId)');
    const chat = chats.createChat(request.params.businessId, about);
    return { status: 'OK' as const, result: { chatId: chat.id } };
  });

  apiRoute(app, 'getChats', async (request, reply) => {
    const { businessId } = request.params;
    const { limit, pageToken, page_token } = request.query;
    const token = pageToken ?? page_token;
    const key = `${limit}|${token ?? ''}|${JSON.stringify(request.body)}`;
    const json = pieces.page(chats.businessOf(businessId), key, () => {
      const page = chats.listChats(businessId, request.body, { limit, pageToken: token });
      return pieces.chatsPage(page.chats, page.nextPageToken);
    });
    return sendJsonBytes(reply, json);
  });

  apiRoute(app, 'getChat', async (request) => {
    const chat = chats.getChat(request.params.businessId, request.query.chatId);
    return { status: 'OK' as const, result: chatDto(chat) };
  });
}
