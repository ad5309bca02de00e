/**
 * The world as it is stored (and persisted by lowdb): plain JSON, times in epoch milliseconds. The types are made
 * from these schemas, which also check a --db file as it is loaded.
 */
import { Type, type Static } from 'typebox';
import { ChatStatusSchema, ChatTypeSchema, SenderSchema, stringEnum } from '../contract/schemas.js';
import { CONTEXT_TYPES } from '../contract/enums.js';

/** An id the sandbox keeps: a positive integer JavaScript holds exactly. */
const RecordId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
/** A time, in epoch milliseconds. */
const Time = Type.Number();
/** Business ids as an object's keys: decimal digits (`__proto__`, `abc` and `-1` are none). */
export const BUSINESS_KEY_PATTERN = '^[1-9][0-9]{0,15}$';

export const CustomerRecordSchema = Type.Object({ name: Type.String(), publicId: Type.String() });
export type CustomerRecord = Static<typeof CustomerRecordSchema>;

export const ContextRecordSchema = Type.Object({
  type: stringEnum(CONTEXT_TYPES),
  campaignId: Type.Optional(RecordId),
  orderId: Type.Optional(RecordId),
  returnId: Type.Optional(RecordId),
  customer: Type.Optional(CustomerRecordSchema),
});
export type ContextRecord = Static<typeof ContextRecordSchema>;

export const FileRefSchema = Type.Object({ fileId: Type.String(), name: Type.String(), size: Type.Integer({ minimum: 0 }) });
export type FileRef = Static<typeof FileRefSchema>;

export const MessageRecordSchema = Type.Object({
  id: RecordId,
  at: Time,
  sender: SenderSchema,
  text: Type.Optional(Type.String()),
  files: Type.Optional(Type.Array(FileRefSchema)),
});
export type MessageRecord = Static<typeof MessageRecordSchema>;

export const ChatRecordSchema = Type.Object({
  id: RecordId,
  type: ChatTypeSchema,
  status: ChatStatusSchema,
  context: ContextRecordSchema,
  createdAt: Time,
  updatedAt: Time,
  /** While a dispute opened in the sandbox is on: the status the chat goes back to when it closes. */
  statusBeforeArbitrage: Type.Optional(ChatStatusSchema),
  /** Ascending by id (and so by time). */
  messages: Type.Array(MessageRecordSchema),
});
export type ChatRecord = Static<typeof ChatRecordSchema>;

export const FileMetaSchema = Type.Object({
  name: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  contentType: Type.String(),
  /** generated: bytes are made on request from the id; uploaded: bytes are kept by the file store. */
  origin: stringEnum(['generated', 'uploaded'] as const),
});
export type FileMeta = Static<typeof FileMetaSchema>;

export const BusinessRecordSchema = Type.Object({
  id: RecordId,
  campaigns: Type.Array(RecordId),
  nextChatId: RecordId,
  nextMessageId: RecordId,
  chats: Type.Array(ChatRecordSchema),
  files: Type.Record(Type.String(), FileMetaSchema),
});
export type BusinessRecord = Static<typeof BusinessRecordSchema>;

export const WorldDataSchema = Type.Object({
  format: Type.Literal(1),
  seed: Type.Integer(),
  /** With --db: the last batch of the change log this snapshot holds. */
  seq: Type.Optional(Type.Integer({ minimum: 0 })),
  businesses: Type.Record(Type.String({ pattern: BUSINESS_KEY_PATTERN }), BusinessRecordSchema, { additionalProperties: false }),
  /** The next ids each business would hand out, the highest reached before a reset: ids are never handed out twice. */
  idsFrom: Type.Optional(
    Type.Record(Type.String({ pattern: BUSINESS_KEY_PATTERN }), Type.Object({ chat: RecordId, message: RecordId }), {
      additionalProperties: false,
    }),
  ),
});
export type WorldData = Static<typeof WorldDataSchema>;

/** The committed default world: generated from its seed at `anchor`, shifted to the present on load. */
export interface Fixture {
  seed: number;
  anchor: number;
  businesses: BusinessRecord[];
}

/**
 * The most businesses a sandbox holds at once (given by its world, made up on first use, written to): each one
 * written to stays in memory (about 75 KB), so that memory, and the health check that lists them, stay bounded.
 * A business past it is refused until a reset; with --db, the file holds them all, and a reset empties it.
 */
export const MAX_BUSINESSES = 1000;

/** The business of the committed default world, and where whatever names no business happens. */
export const DEFAULT_BUSINESS_ID = 1001;

/** The seed of the committed default world in fixtures/. */
export const DEFAULT_SEED = 20251121;
