/**
 * The other side of the chats, under /__sandbox: a buyer starts a chat, the buyer, Market or support
 * writes (text and/or files), an arbiter opens and closes a dispute, a chat's status is set.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { CHAT_STATUSES, CONTEXT_TYPES, OTHER_SENDERS } from '../contract/enums.js';
import { badRequest } from '../contract/errors.js';
import {
  BusinessParams,
  ChatParams,
  ChatSchema,
  CustomerSchema,
  Id,
  MessageSchema,
  MULTIPART_DOC,
  Ok,
  stringEnum,
} from '../contract/schemas.js';
import { compileSchema } from '../model/validator.js';
import type { BuyerSide, Writing } from '../domain/buyer-side.js';
import { chatDto, messageDto } from '../domain/chats.js';
import { unsupportedMediaType } from '../http/error-handling.js';
import type { FileLinks } from '../domain/file-links.js';
import { fileUrls } from '../http/file-urls.js';
import { readMultipart } from '../http/multipart.js';
import { validationMessage } from '../http/validation-message.js';
import { CONTROL_TAG } from '../contract/tags.js';
import { StateName } from '../scenario/schema-parts.js';
import { MAX_FILE_MB, MAX_FILES_PER_MESSAGE } from '../contract/operations.js';

const Text = (description: string) => Type.String({ minLength: 1, maxLength: 4096, description });

const Notify = Type.Boolean({
  description: "false: Market pushes no CHAT_MESSAGE_SENT for a buyer's message (as for a sticker); the partner must notice it by reading",
});

const SetState = StateName("Then the business is in this named state (what scenario rules' match.state sees)");

export const StartChatBody = Type.Object({
  context: Type.Object(
    {
      type: stringEnum(CONTEXT_TYPES, 'ORDER, RETURN, or DIRECT (about no order)'),
      id: Type.Optional(Id('The order id (ORDER) or the return id (RETURN); none for DIRECT')),
      orderId: Type.Optional(Id('The order a RETURN is of; made up when not given')),
    },
    { description: 'What the chat is about' },
  ),
  message: Type.Optional(Text("The buyer's first message")),
  notify: Type.Optional(Notify),
  setState: Type.Optional(SetState),
  customer: Type.Optional(Type.Object(CustomerSchema.properties, { description: 'The buyer; made up when not given' })),
});

export const WriteBody = Type.Object({
  message: Type.Optional(Text('The text (required when no file is sent)')),
  sender: Type.Optional(stringEnum(OTHER_SENDERS, 'Who writes (default CUSTOMER)')),
  notify: Type.Optional(Notify),
  setState: Type.Optional(SetState),
});
type WriteFields = Static<typeof WriteBody>;

const WriteMultipart = Type.Object({
  ...WriteBody.properties,
  file: Type.Array(Type.String({ format: 'binary' }), {
    description: `One or more files (up to ${MAX_FILES_PER_MESSAGE}), each at most ${MAX_FILE_MB} MB`,
  }),
});

export const StatusBody = Type.Object({
  arbitrage: Type.Optional(
    stringEnum(
      ['started', 'finished'] as const,
      'started: a dispute opens (type ARBITRAGE, WAITING_FOR_ARBITER); finished: the chat goes back',
    ),
  ),
  status: Type.Optional(stringEnum(CHAT_STATUSES, 'Set the status (after any arbitrage change)')),
  setState: Type.Optional(SetState),
});

const checkWriteFields = compileSchema<WriteFields>(WriteBody);

/** A JSON body has been validated by its route schema; multipart fields are checked against the same schema here. */
async function writingOf(request: FastifyRequest): Promise<Writing & { setState?: string }> {
  // Fastify would hand over text/plain unvalidated: only JSON has a schema here.
  if (request.mediaType === 'application/json') return request.body as WriteFields;
  if (!request.isMultipart()) throw unsupportedMediaType(request);
  const { fields, files } = await readMultipart(request, Number.POSITIVE_INFINITY);
  // Form fields are text: a boolean arrives as "true" or "false", anything else is left for the schema to refuse.
  const flag = (text: string) => (text === 'true' ? true : text === 'false' ? false : text);
  const wanted = Object.fromEntries(
    Object.keys(WriteBody.properties)
      .filter((name) => fields[name] !== undefined)
      .map((name) => [name, name === 'notify' ? flag(fields[name]) : fields[name]]),
  );
  if (!checkWriteFields(wanted)) throw badRequest(validationMessage(checkWriteFields.errors![0], 'body'));
  return { ...wanted, files };
}

/** `setState`: moves a business to a named state, after an action that asks for it. */
export function buyerRoutes(
  app: FastifyInstance,
  buyer: BuyerSide,
  links: FileLinks,
  setState: (businessId: number, state: string) => void,
): void {
  const thenState = (businessId: number, state: string | undefined) => state !== undefined && setState(businessId, state);
  const tags = [CONTROL_TAG];

  app.post<{ Params: Static<typeof BusinessParams>; Body: Static<typeof StartChatBody> }>(
    '/__sandbox/businesses/:businessId/chats',
    {
      schema: {
        tags,
        summary: 'A buyer starts a chat (optionally with a first message); CHAT_CREATED is pushed',
        description:
          'A DIRECT chat is always new. Market keeps one chat per order or return: naming one that has a chat ' +
          'answers with that chat (and adds the message to it).',
        params: BusinessParams,
        body: StartChatBody,
        response: { 200: Ok(ChatSchema) },
      },
    },
    async (request) => {
      const chat = buyer.startChat(request.params.businessId, request.body);
      thenState(request.params.businessId, request.body.setState);
      return { status: 'OK' as const, result: chatDto(chat) };
    },
  );

  app.post<{ Params: Static<typeof ChatParams> }>(
    '/__sandbox/businesses/:businessId/chats/:chatId/messages',
    {
      schema: {
        tags,
        summary: 'The buyer, Market or support writes: text (JSON) and/or files (multipart); CHAT_MESSAGE_SENT is pushed',
        description:
          'A buyer message sets WAITING_FOR_PARTNER (a finished chat reopens); Market and support leave the status alone. ' +
          'As multipart: fields message and sender, and one or more parts named file.',
        params: ChatParams,
        consumes: ['application/json', 'multipart/form-data'],
        body: { content: { 'application/json': { schema: WriteBody } } },
        [MULTIPART_DOC]: WriteMultipart,
        response: { 200: Ok(MessageSchema) },
      },
    },
    async (request) => {
      const { businessId, chatId } = request.params;
      const writing = await writingOf(request);
      if (writing.message === undefined && !writing.files?.length) {
        throw badRequest('message: is required when no file is sent');
      }
      const message = await buyer.write(businessId, chatId, writing);
      thenState(businessId, writing.setState);
      return { status: 'OK' as const, result: messageDto(message, fileUrls(request, links)) };
    },
  );

  app.post<{ Params: Static<typeof ChatParams>; Body: Static<typeof StatusBody> }>(
    '/__sandbox/businesses/:businessId/chats/:chatId/status',
    {
      schema: {
        tags,
        summary: 'A dispute opens or closes (CHAT_ARBITRAGE_STARTED / _FINISHED are pushed), or the status is set',
        description:
          'arbitrage: started makes the chat an ARBITRAGE waiting for the arbiter (not for DIRECT chats); finished brings ' +
          'it back to a CHAT in the status it had. Market announces both in the chat. status sets the status, e.g. FINISHED.',
        params: ChatParams,
        body: StatusBody,
        response: { 200: Ok(ChatSchema) },
      },
    },
    async (request) => {
      const { businessId, chatId } = request.params;
      const chat = buyer.changeStatus(businessId, chatId, request.body);
      thenState(businessId, request.body.setState);
      return { status: 'OK' as const, result: chatDto(chat) };
    },
  );
}
