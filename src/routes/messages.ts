/** getChatHistory, getChatMessage, sendMessageToChat, sendFileToChat. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../contract/errors.js';
import type { ChatService } from '../domain/chat-service.js';
import { fileUrls } from '../http/file-urls.js';
import { historyPageJson, sendJsonText } from '../http/json-pages.js';
import { readMultipart } from '../http/multipart.js';
import { contextDto, messageDto } from '../domain/chats.js';
import { apiRoute } from './api-route.js';

export function messageRoutes(app: FastifyInstance, chats: ChatService): void {
  apiRoute(app, 'getChatHistory', async (request, reply) => {
    const { chatId, limit, pageToken, page_token } = request.query;
    const page = chats.history(request.params.businessId, chatId, {
      limit,
      pageToken: pageToken ?? page_token,
      messageIdFrom: request.body.messageIdFrom,
    });
    const head = { orderId: page.chat.context.orderId, context: contextDto(page.chat.context) };
    return sendJsonText(reply, historyPageJson(head, page.messages, fileUrls(request), page.nextPageToken));
  });

  apiRoute(app, 'getChatMessage', async (request) => {
    const { chatId, messageId } = request.query;
    const message = chats.getMessage(request.params.businessId, chatId, messageId);
    return { status: 'OK' as const, result: messageDto(message, fileUrls(request)) };
  });

  apiRoute(app, 'sendMessageToChat', async (request) => {
    chats.sendMessage(request.params.businessId, request.query.chatId, request.body.message);
    return { status: 'OK' as const };
  });

  apiRoute(app, 'sendFileToChat', async (request) => {
    const { businessId } = request.params;
    chats.checkWritable(businessId, request.query.chatId);
    const [file] = (await readMultipart(request, 1)).files;
    if (!file) throw badRequest('file: the multipart part "file" is required');
    await chats.sendFile(businessId, request.query.chatId, file);
    return { status: 'OK' as const };
  });
}
