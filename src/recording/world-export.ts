/**
 * A sandbox's world as a scenario (GET /__sandbox/world, sandbox.exportWorld()): every business it holds, with its
 * chats and messages as they are now, ids and times included, so that another sandbox playing it answers the same:
 * the state a test reached becomes a fixture.
 */
import type { BusinessRecord, ChatRecord } from '../model/records.js';
import type { ChatSpec, Scenario } from '../scenario/schema.js';

const iso = (ms: number) => new Date(ms).toISOString();

function chatSpec(business: BusinessRecord, chat: ChatRecord): ChatSpec {
  const { context } = chat;
  return {
    chatId: chat.id,
    context: {
      type: context.type,
      ...(context.type === 'ORDER' && context.orderId ? { id: context.orderId } : {}),
      ...(context.type === 'RETURN' && context.returnId
        ? { id: context.returnId, ...(context.orderId ? { orderId: context.orderId } : {}) }
        : {}),
      ...(context.campaignId ? { campaignId: context.campaignId } : {}),
    },
    type: chat.type,
    status: chat.status,
    ...(context.customer ? { customer: { ...context.customer } } : {}),
    createdAt: iso(chat.createdAt),
    updatedAt: iso(chat.updatedAt),
    messages: chat.messages.map((message) => ({
      messageId: message.id,
      sender: message.sender,
      ...(message.text ? { message: message.text } : {}),
      ...(message.files?.length
        ? {
            payload: message.files.map((file) => ({
              name: file.name,
              size: Math.max(1, file.size),
              ...(business.files[file.fileId] ? { contentType: business.files[file.fileId].contentType } : {}),
            })),
          }
        : {}),
      createdAt: iso(message.at),
    })),
  };
}

/** The world of `businesses` as a scenario named `name`, with the seed that made what it did not give. */
export function worldScenario(businesses: readonly BusinessRecord[], seed: number, name = 'exported'): Scenario {
  return {
    name,
    description: 'A sandbox’s world as it was when exported',
    seed,
    data: {
      businesses: [...businesses]
        .sort((a, b) => a.id - b.id)
        .map((business) => ({
          id: business.id,
          campaigns: [...business.campaigns],
          chats: business.chats.map((chat) => chatSpec(business, chat)),
        })),
    },
  };
}
