/** getChatHistory, getChatMessage, sendMessageToChat, sendFileToChat. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../contract/errors.js';
import type { ChatService } from '../domain/chat-service.js';
import type { FileLinks } from '../domain/file-links.js';
import { fileUrls } from '../http/file-urls.js';
import { sendJsonBytes, type JsonPieces } from '../http/json-pages.js';
import { readMultipart } from '../http/multipart.js';
import { contextDto, messageDto } from '../domain/chats.js';
import { apiRoute } from './api-route.js';

export function messageRoutes(app: FastifyInstance, chats: ChatService, pieces: JsonPieces, links: FileLinks): void {
  apiRoute(app, 'getChatHistory', async (request, reply) => {
    const { businessId } = request.params;
    const { chatId, limit, pageToken, page_token } = request.query;
    const token = pageToken ?? page_token;
    const { messageIdFrom } = request.body;
    // Payload URLs name the host the client called: it is part of what makes the page.
    const key = `${chatId}|${limit}|${token ?? ''}|${messageIdFrom ?? ''}|${request.host}|${request.protocol}|${links.generation}`;
    const json = pieces.page(chats.businessOf(businessId), key, () => {
      const page = chats.history(businessId, chatId, { limit, pageToken: token, messageIdFrom });
      const head = { orderId: page.chat.context.orderId, context: contextDto(page.chat.context) };
      return pieces.historyPage(head, page.messages, fileUrls(request, links), page.nextPageToken);
    });
    return sendJsonBytes(reply, json);
  });

  apiRoute(app, 'getChatMessage', async (request) => {
    const { chatId, messageId } = request.query;
    const message = chats.getMessage(request.params.businessId, chatId, messageId);
    return { status: 'OK' as const, result: messageDto(message, fileUrls(request, links)) };
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
