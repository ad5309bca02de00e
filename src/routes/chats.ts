/** createChat, getChats, getChat. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../contract/errors.js';
import type { ChatService } from '../domain/chat-service.js';
import { chatDto } from '../domain/chats.js';
import { chatsPageJson, sendJsonText } from '../http/json-pages.js';
import { apiRoute } from './api-route.js';

export function chatRoutes(app: FastifyInstance, chats: ChatService): void {
  apiRoute(app, 'createChat', async (request) => {
    const { context, orderId } = request.body;
    // The deprecated form: an order id alone means a chat about that order.
    const about = context ?? (orderId !== undefined ? { type: 'ORDER' as const, id: orderId } : undefined);
    if (!about) throw badRequest('context: is required (or the deprecated orderId)');
    const chat = chats.createChat(request.params.businessId, about);
    return { status: 'OK' as const, result: { chatId: chat.id } };
  });

  apiRoute(app, 'getChats', async (request, reply) => {
    const { limit, pageToken, page_token } = request.query;
    const page = chats.listChats(request.params.businessId, request.body, { limit, pageToken: pageToken ?? page_token });
    return sendJsonText(reply, chatsPageJson(page.chats, page.nextPageToken));
  });

  apiRoute(app, 'getChat', async (request) => {
    const chat = chats.getChat(request.params.businessId, request.query.chatId);
    return { status: 'OK' as const, result: chatDto(chat) };
  });
}
