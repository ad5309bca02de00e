/**
 * Texts for a world that is running: what Market announces in a chat, what the simulated buyer answers,
 * and the chats new buyers open. Each is drawn from the seed and where it is said, so that a run repeats.
 */
import { faker } from '@faker-js/faker/locale/ru';
import type { BuyerContext } from '../model/chat-keys.js';
import type { ChatRecord, CustomerRecord } from '../model/records.js';
import * as say from './phrases.js';
import { customer, fill, orderId, pick, reseed, returnId } from './world-generator.js';

/** A line for `chat`, varied by how far the chat has got; placeholders filled from the chat. */
export function lineFor(seed: number, businessId: number, chat: ChatRecord, lines: readonly string[]): string {
  reseed(seed, businessId, chat.id, chat.messages.length, 4);
  const name = chat.context.customer?.name ?? 'покупатель';
  return fill(pick(lines), { order: chat.context.orderId, product: pick(say.PRODUCTS), name });
}

/** The `n`th chat a new buyer opens in a business: about an order, a return or nothing, with a first message. */
export function openingChat(
  seed: number,
  businessId: number,
  n: number,
): { context: BuyerContext; customer: CustomerRecord; message: string } {
  reseed(seed, businessId, n, 5);
  const type = faker.helpers.weightedArrayElement([
    { value: 'ORDER' as const, weight: 6 },
    { value: 'RETURN' as const, weight: 2 },
    { value: 'DIRECT' as const, weight: 2 },
  ]);
  const person = customer();
  const order = type === 'DIRECT' ? undefined : orderId();
  const context: BuyerContext =
    type === 'ORDER' ? { type, id: order } : type === 'RETURN' ? { type, id: returnId(), orderId: order } : { type };
  const topic = pick(type === 'RETURN' ? say.RETURN_TOPICS : type === 'DIRECT' ? say.DIRECT_TOPICS : say.ORDER_TOPICS);
  const message = fill(pick(topic.customerOpeners), { order, product: pick(say.PRODUCTS), name: person.name });
  return { context, customer: person, message };
}
