/** getChatHistory, getChatMessage, sendMessageToChat, sendFileToChat. */
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '../contract/errors.js';
import type { ChatService, UploadedFile } from '../domain/chat-service.js';
import { contextDto, messageDto } from '../domain/chats.js';
import { apiRoute } from './api-route.js';

/** Where a payload's bytes download from: the control API of this same sandbox, as the client reached it. */
function fileUrls(request: FastifyRequest) {
  const origin = `${request.protocol}://${request.host}`;
  return (fileId: string) => `${origin}/__sandbox/files/${fileId}`;
}

/** A part's bytes; refused the moment it passes the size limit, not once the client has sent it all. */
function readPart(part: MultipartFile): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    part.file.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The rest of the upload is not wanted: the connection closes once the refusal is sent.
    const refusal = new ApiError(413, 'file: is larger than 5 MB, the most Market accepts', { connection: 'close' });
    part.file.once('limit', () => reject(refusal));
    part.file.once('end', () => resolve(Buffer.concat(chunks)));
    part.file.once('error', reject);
  });
}

/** The multipart part named `file`; other parts are read past. */
async function uploadedFile(request: FastifyRequest): Promise<UploadedFile> {
  let file: UploadedFile | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue;
      if (part.fieldname !== 'file' || file) {
        part.file.resume();
        continue;
      }
      file = { name: part.filename, contentType: part.mimetype, bytes: await readPart(part) };
    }
  } catch (error) {
    // The parser's own complaints about a broken body carry no status: they are the client's.
    if ((error as { statusCode?: number }).statusCode) throw error;
    throw badRequest(`body: not readable as multipart/form-data (${(error as Error).message})`);
  }
  if (!file) throw badRequest('file: the multipart part "file" is required');
  return file;
}

export function messageRoutes(app: FastifyInstance, chats: ChatService): void {
  apiRoute(app, 'getChatHistory', async (request) => {
    const { chatId, limit, pageToken, page_token } = request.query;
    const page = chats.history(request.params.businessId, chatId, {
      limit,
      pageToken: pageToken ?? page_token,
      messageIdFrom: request.body.messageIdFrom,
    });
    const fileUrl = fileUrls(request);
    return {
      status: 'OK' as const,
      result: {
        ...(page.chat.context.orderId !== undefined ? { orderId: page.chat.context.orderId } : {}),
        context: contextDto(page.chat.context),
        messages: page.messages.map((m) => messageDto(m, fileUrl)),
        paging: page.nextPageToken ? { nextPageToken: page.nextPageToken } : {},
      },
    };
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
    const file = await uploadedFile(request);
    await chats.sendFile(businessId, request.query.chatId, file);
    return { status: 'OK' as const };
  });
}
