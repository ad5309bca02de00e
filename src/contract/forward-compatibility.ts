/**
 * Answers as a later version of Market's API may give them: fields the document does not have yet, and enum
 * values it does not list yet. Market's best practices tell clients to skip unknown fields and to give
 * unknown enum values a default; a scenario's `forwardCompatibility` tests that they do. Which items change
 * is drawn from the seed and the item's id, so the same item reads the same on every call and every page.
 */

/** Values Market may add: each could appear in a later version of the reference. */
export const UNKNOWN_VALUES = {
  status: 'WAITING_FOR_DELIVERY_SERVICE',
  type: 'SUPPORT',
  contextType: 'SUPPLY',
  sender: 'ASSISTANT',
} as const;

export interface ForwardCompatibility {
  /** The share of chats and messages that carry an enum value the reference does not list. */
  unknownValues: number;
  /** Whether answers carry fields the reference does not have. */
  extraFields: boolean;
  seed: number;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A number in [0, 1) fixed by the seed, what is drawn, and the item's id. */
function draw(seed: number, salt: string, id: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const ch of `${salt}:${id}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  return (h >>> 0) / 4294967296;
}

function changeChat(chat: Json, settings: ForwardCompatibility): void {
  const id = Number(chat.chatId);
  if (draw(settings.seed, 'chat', id) < settings.unknownValues) {
    const context = isObject(chat.context) ? chat.context : undefined;
    const which = Math.floor(draw(settings.seed, 'chat-field', id) * (context ? 3 : 2));
    if (which === 0) chat.status = UNKNOWN_VALUES.status;
    else if (which === 1) chat.type = UNKNOWN_VALUES.type;
    else if (context) context.type = UNKNOWN_VALUES.contextType;
  }
  if (settings.extraFields) {
    chat.unreadCount = Math.floor(draw(settings.seed, 'unread', id) * 5);
    chat.labels = ['sandbox-new-field'];
    if (isObject(chat.context)) chat.context.deliveryServiceId = 1000 + (id % 97);
  }
}

function changeMessage(message: Json, settings: ForwardCompatibility): void {
  const id = Number(message.messageId);
  if (draw(settings.seed, 'message', id) < settings.unknownValues) message.sender = UNKNOWN_VALUES.sender;
  if (settings.extraFields) {
    message.readByCustomer = draw(settings.seed, 'read', id) < 0.5;
    message.reactions = [];
  }
}

/** Changes a successful answer's `result` in place: its chats and messages, and the result itself. */
export function roughenResult(result: unknown, settings: ForwardCompatibility): void {
  if (!isObject(result)) return;
  if ('chatId' in result && 'status' in result) changeChat(result, settings);
  if ('messageId' in result && 'sender' in result) changeMessage(result, settings);
  if (Array.isArray(result.chats)) for (const chat of result.chats) if (isObject(chat)) changeChat(chat, settings);
  if (Array.isArray(result.messages)) for (const message of result.messages) if (isObject(message)) changeMessage(message, settings);
  if (settings.extraFields) {
    result.apiVersion = 'sandbox-next';
    if (isObject(result.context)) result.context.deliveryServiceId = 1001;
  }
}
