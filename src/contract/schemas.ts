/**
 * JSON schemas of the chats API: the one source of request validation, of the handlers' types, of
 * response serialization and of the OpenAPI document served at /openapi.json.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { ADDRESSABLE_CONTEXT_TYPES, CHAT_STATUSES, CHAT_TYPES, CONTEXT_TYPES, SENDERS } from './enums.js';
import { MAX_FILE_MB } from './operations.js';

/** A string that is one of `values`, typed as their union. */
export function stringEnum<const T extends readonly string[]>(values: T, description?: string) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
}

/** Market's ids are int64 ≥ 1; JavaScript holds integers exactly only up to 2^53 − 1. */
export const Id = (description: string) => Type.Integer({ format: 'int64', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });

export const DateTime = (description: string) => Type.String({ format: 'date-time', description, examples: ['2025-11-21T12:30:00+03:00'] });

export const ChatStatusSchema = stringEnum(CHAT_STATUSES, 'Chat status');
export const ChatTypeSchema = stringEnum(CHAT_TYPES, 'CHAT: with the buyer; ARBITRAGE: a dispute');
export const SenderSchema = stringEnum(SENDERS, 'Who wrote the message');

// ---------------------------------------------------------------- models

export const ChatContextSchema = Type.Object(
  {
    type: stringEnum(ADDRESSABLE_CONTEXT_TYPES, 'What the chat is about'),
    id: Id('The order id (ORDER) or the return id (RETURN)'),
  },
  { $id: 'ChatContext' },
);

export const CustomerSchema = Type.Object({
  name: Type.String({ minLength: 1, description: 'Buyer name as Market shows it to the partner' }),
  publicId: Type.String({ minLength: 1, description: 'Public buyer id' }),
});

export const ChatFullContextSchema = Type.Object({
  type: stringEnum(CONTEXT_TYPES, 'ORDER, RETURN, or DIRECT (started by the buyer, no order)'),
  customer: Type.Optional(CustomerSchema),
  campaignId: Type.Optional(Id('Campaign (store) id')),
  orderId: Type.Optional(Id('Order id (ORDER and RETURN chats)')),
  returnId: Type.Optional(Id('Return id (RETURN chats)')),
});

export const ChatSchema = Type.Object({
  chatId: Id('Chat id'),
  orderId: Type.Optional(Id('Deprecated: use context.orderId')),
  context: ChatFullContextSchema,
  type: ChatTypeSchema,
  status: ChatStatusSchema,
  createdAt: DateTime('When the chat was created'),
  updatedAt: DateTime('Time of the last message'),
});
export type ChatDto = Static<typeof ChatSchema>;

export const FilePayloadSchema = Type.Object({
  name: Type.String({ description: 'File name' }),
  url: Type.String({ minLength: 1, maxLength: 2000, description: 'Where the file downloads from' }),
  size: Type.Integer({ format: 'int32', description: 'Size in bytes' }),
});

export const MessageSchema = Type.Object({
  messageId: Id('Message id'),
  createdAt: DateTime('When the message was sent'),
  sender: SenderSchema,
  message: Type.Optional(Type.String({ description: 'Text' })),
  payload: Type.Optional(Type.Array(FilePayloadSchema, { minItems: 1, description: 'Attached files' })),
});
export type MessageDto = Static<typeof MessageSchema>;

export const PagingSchema = Type.Object({
  nextPageToken: Type.Optional(Type.String({ description: 'Absent on the last page' })),
});

// ---------------------------------------------------------------- envelopes

/** A value that may be null. */
export const Nullable = <T extends TSchema>(schema: T, options: { description?: string } = {}) =>
  Type.Union([schema, Type.Null()], options);

export const Ok = <T extends TSchema>(result: T) => Type.Object({ status: Type.Literal('OK'), result });

export const OkNoResultSchema = Type.Object({ status: Type.Literal('OK') });

export const ErrorEnvelopeSchema = Type.Object(
  {
    status: Type.Literal('ERROR'),
    errors: Type.Array(Type.Object({ code: Type.String(), message: Type.Optional(Type.String()) }), { minItems: 1 }),
  },
  { $id: 'ApiErrorResponse', description: 'Error in the Yandex envelope' },
);

// ---------------------------------------------------------------- parameters

export const BusinessParams = Type.Object({ businessId: Id('Business (cabinet) id') });
/** A chat's path in the control API: /__sandbox/businesses/{businessId}/chats/{chatId}. */
export const ChatParams = Type.Object({ ...BusinessParams.properties, chatId: Id('Chat id') });

const PageTokenQuery = {
  page_token: Type.Optional(Type.String({ description: 'Token of the page to read (from paging.nextPageToken)' })),
  pageToken: Type.Optional(Type.String({ description: 'Same as page_token' })),
};

const pageLimit = (max: number, def: number) =>
  Type.Integer({ minimum: 1, maximum: max, default: def, description: `Items per page, 1..${max}` });

const ChatIdQuery = { chatId: Id('Chat id') };

const uniqueArray = <T extends TSchema>(items: T, description: string) =>
  Type.Array(items, { minItems: 1, uniqueItems: true, description });

// ---------------------------------------------------------------- operations

export const CreateChatBody = Type.Object({
  context: Type.Optional(ChatContextSchema),
  orderId: Type.Optional(Id('Deprecated: an order id, same as context {type: ORDER, id}')),
});

/** The most items a page of getChats and of getChatHistory holds. */
export const MAX_PAGE = { getChats: 20, getChatHistory: 100 } as const;

export const GetChatsQuery = Type.Object({ ...PageTokenQuery, limit: pageLimit(MAX_PAGE.getChats, 10) });
export const GetChatsBody = Type.Object({
  orderIds: Type.Optional(uniqueArray(Id('Order id'), 'Deprecated: chats about these orders')),
  contexts: Type.Optional(uniqueArray(ChatContextSchema, 'Chats about these orders or returns')),
  contextTypes: Type.Optional(uniqueArray(stringEnum(CONTEXT_TYPES), 'Chats with these context types')),
  types: Type.Optional(uniqueArray(ChatTypeSchema, 'Chats of these types')),
  statuses: Type.Optional(uniqueArray(ChatStatusSchema, 'Chats in these statuses')),
});
export type ChatsFilter = Static<typeof GetChatsBody>;

export const GetChatQuery = Type.Object(ChatIdQuery);

export const GetHistoryQuery = Type.Object({ ...ChatIdQuery, ...PageTokenQuery, limit: pageLimit(MAX_PAGE.getChatHistory, 50) });
export const GetHistoryBody = Type.Object({
  messageIdFrom: Type.Optional(Id('Return this message and all later ones')),
});

export const GetMessageQuery = Type.Object({ ...ChatIdQuery, messageId: Id('Message id') });

export const SendMessageQuery = Type.Object(ChatIdQuery);
export const SendMessageBody = Type.Object({
  message: Type.String({ minLength: 1, maxLength: 4096, description: 'Text, 1..4096 characters' }),
});

export const SendFileQuery = Type.Object(ChatIdQuery);

/** A multipart body, for the OpenAPI document only: the handler reads it (see MULTIPART_DOC). */
export const SendFileMultipart = Type.Object({
  file: Type.String({ format: 'binary', description: `The file, at most ${MAX_FILE_MB} MB` }),
});

/**
 * Route schema key of a multipart body's description: Fastify does not validate multipart bodies (the
 * handlers read them as streams), so the OpenAPI document takes it from here.
 */
export const MULTIPART_DOC = 'x-multipart';

/** Error answers every operation may give, documented once for all of them. */
const errorResponses = Object.fromEntries(
  [400, 401, 403, 404, 405, 413, 415, 420, 423, 500, 503].map((status) => [status, ErrorEnvelopeSchema]),
);

export const ROUTE_SCHEMAS = {
  createChat: {
    params: BusinessParams,
    body: CreateChatBody,
    response: { 200: Ok(Type.Object({ chatId: Id('Chat id') })), ...errorResponses },
  },
  getChats: {
    params: BusinessParams,
    querystring: GetChatsQuery,
    body: GetChatsBody,
    response: { 200: Ok(Type.Object({ chats: Type.Array(ChatSchema), paging: PagingSchema })), ...errorResponses },
  },
  getChat: {
    params: BusinessParams,
    querystring: GetChatQuery,
    response: { 200: Ok(ChatSchema), ...errorResponses },
  },
  getChatHistory: {
    params: BusinessParams,
    querystring: GetHistoryQuery,
    body: GetHistoryBody,
    response: {
      200: Ok(
        Type.Object({
          orderId: Type.Optional(Id('Deprecated: use context.orderId')),
          context: ChatFullContextSchema,
          messages: Type.Array(MessageSchema),
          paging: PagingSchema,
        }),
      ),
      ...errorResponses,
    },
  },
  getChatMessage: {
    params: BusinessParams,
    querystring: GetMessageQuery,
    response: { 200: Ok(MessageSchema), ...errorResponses },
  },
  sendMessageToChat: {
    params: BusinessParams,
    querystring: SendMessageQuery,
    body: SendMessageBody,
    response: { 200: OkNoResultSchema, ...errorResponses },
  },
  sendFileToChat: {
    params: BusinessParams,
    querystring: SendFileQuery,
    consumes: ['multipart/form-data'],
    [MULTIPART_DOC]: SendFileMultipart,
    response: { 200: OkNoResultSchema, ...errorResponses },
  },
} as const;
