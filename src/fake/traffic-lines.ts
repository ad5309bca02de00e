/**
 * What a buyer of a traffic run says: a chat about an order, a return or nothing, its first message and the
 * follow-ups on the chat's topic, the nudge of a buyer kept waiting, and the files some messages carry. Drawn
 * from the seed, the business and the buyer's number, so that a run repeats.
 */
import type { ContextType } from '../contract/enums.js';
import type { BuyerContext } from '../model/chat-keys.js';
import type { CustomerRecord } from '../model/records.js';
import * as say from './phrases.js';
import { customer, fill, orderId, pick, reseed, returnId } from './world-generator.js';

export interface TrafficBuyerLines {
  context: BuyerContext;
  customer: CustomerRecord;
  /** The first message, then the follow-ups: `count` in all. */
  messages: string[];
  /** What the buyer writes once when kept waiting. */
  nudge: string;
  /** A photo or a document, for a message that carries one. */
  fileName: string;
}

export const NUDGES = [
  'Ау, вы здесь?',
  'Здравствуйте? Жду ответа уже давно.',
  'Напишите, пожалуйста, хоть что-нибудь, я жду.',
  'Так что с моим вопросом?',
];

const PHOTOS = ['фото_повреждения.jpg', 'IMG_20251111_1432.jpg', 'коробка.jpg', ...say.PHOTO_NAMES];

export function trafficBuyerLines(seed: number, businessId: number, n: number, type: ContextType, count: number): TrafficBuyerLines {
  reseed(seed, businessId, n, 6);
  const person = customer();
  const order = type === 'DIRECT' ? undefined : orderId();
  const context: BuyerContext =
    type === 'ORDER' ? { type, id: order } : type === 'RETURN' ? { type, id: returnId(), orderId: order } : { type };
  const topic = pick(type === 'RETURN' ? say.RETURN_TOPICS : type === 'DIRECT' ? say.DIRECT_TOPICS : say.ORDER_TOPICS);
  const vars = { order, product: pick(say.PRODUCTS), name: person.name };
  const messages = [pick(topic.customerOpeners), ...Array.from({ length: count - 1 }, () => pick(topic.customerFollowUps))];
  const document = pick(say.DOCUMENT_NAMES);
  return {
    context,
    customer: person,
    messages: messages.map((text) => fill(text, vars)),
    nudge: pick(NUDGES),
    fileName: type === 'DIRECT' ? fill(document, vars) : pick(PHOTOS),
  };
}
