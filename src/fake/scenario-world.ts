/**
 * Businesses a scenario describes: exactly its chats and messages, with whatever it leaves out filled in
 * realistically and consistently (buyers, orders, campaigns, texts, times, statuses), from the seed.
 */
import { faker } from '@faker-js/faker/locale/ru';
import type { ChatStatus, Sender } from '../contract/enums.js';
import { statusAfterMessage } from '../model/chat-status.js';
import { MINUTE, wholeSecond } from '../model/time.js';
import { ScenarioError } from '../scenario/load.js';
import type { BusinessSpec, ChatSpec, Scenario } from '../scenario/schema.js';
import type { BusinessRecord, ChatRecord, MessageRecord } from '../model/records.js';
import * as say from './phrases.js';
import { customer, fill, generateBusiness, inventOrderOfReturn, orderId, pick, registerFile, reseed, returnId } from './world-generator.js';

type MessageSpec = Exclude<ChatSpec['messages'], { generate: number } | undefined>[number];

/** The status a history leaves a chat in when the scenario does not say: its messages moved it, as they would have live. */
function statusOf(type: ChatRecord['type'], messages: MessageRecord[]): ChatStatus {
  if (type === 'ARBITRAGE') return 'WAITING_FOR_ARBITER';
  return messages.reduce<ChatStatus>((status, message) => statusAfterMessage({ type, status }, message.sender), 'NEW');
}

type Lines = Record<'CUSTOMER' | 'PARTNER', [string[], string[]]>;

/** What buyer and partner say in a chat of this context, from one topic drawn for it. */
function topicLines(spec: ChatSpec): Lines {
  const topic = pick(
    spec.context.type === 'RETURN' ? say.RETURN_TOPICS : spec.context.type === 'DIRECT' ? say.DIRECT_TOPICS : say.ORDER_TOPICS,
  );
  return {
    CUSTOMER: [topic.customerOpeners, topic.customerFollowUps],
    PARTNER: [topic.partnerAnswers, topic.partnerFollowUps],
  };
}

/** The `i`th message of a generated history: buyer and partner alternate, and the first two open the topic. */
function generatedMessage(lines: Lines, i: number): MessageSpec {
  const sender = i % 2 === 0 ? 'CUSTOMER' : 'PARTNER';
  const [first, later] = lines[sender];
  return { sender, message: faker.helpers.arrayElement(i < 2 ? first : later) };
}

/** Messages made in one go before the event loop is given a turn: a long history never holds other requests back. */
const MESSAGES_A_TURN = 20_000;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `count` things made by `make`, in turns of the event loop when there are more than one turn's. Then each turn
 * is first reseeded (from the seed, the chat and the turn), so that whatever runs between turns (another world
 * being made) cannot change what they draw.
 */
async function inTurns<T>(count: number, make: (i: number) => T, reseedTurn: (turn: number) => void): Promise<T[]> {
  const made: T[] = [];
  for (let turn = 0; made.length < count; turn++) {
    if (turn > 0) await nextTurn();
    if (count > MESSAGES_A_TURN) reseedTurn(turn);
    const end = Math.min(count, made.length + MESSAGES_A_TURN);
    for (let i = made.length; i < end; i++) made.push(make(i));
  }
  return made;
}

/** A text for a message the scenario gives no text or files. */
function textFor(sender: Sender, spec: ChatSpec): string {
  if (sender === 'MARKET') return pick(say.MARKET_LINES);
  if (sender === 'SUPPORT') return pick(say.SUPPORT_LINES);
  return generatedMessage(topicLines(spec), sender === 'CUSTOMER' ? 0 : 1).message!;
}

async function buildChat(
  business: BusinessRecord,
  spec: ChatSpec,
  where: string,
  seed: number,
  now: number,
  index: number,
  ids: GivenMessageIds | undefined,
): Promise<ChatRecord> {
  // Each chat from the seed, the business and its place: made in turns, none depends on what ran in between.
  reseed(seed, business.id, 3, index);
  const { type: contextType } = spec.context;
  const type = spec.type ?? 'CHAT';
  if (contextType === 'DIRECT' && type === 'ARBITRAGE') throw new ScenarioError(`${where}.type: a DIRECT chat cannot be ARBITRAGE`);
  if (contextType === 'DIRECT' && (spec.context.id ?? spec.context.orderId) !== undefined) {
    throw new ScenarioError(`${where}.context: a DIRECT chat has no order or return id`);
  }
  const person = spec.customer ?? customer();
  const returnIdValue = contextType === 'RETURN' ? (spec.context.id ?? returnId()) : undefined;
  const order =
    contextType === 'ORDER'
      ? (spec.context.id ?? spec.context.orderId ?? orderId())
      : returnIdValue !== undefined
        ? (spec.context.orderId ?? inventOrderOfReturn(seed, business.id, returnIdValue))
        : undefined;

  const vars = { order, product: pick(say.PRODUCTS), name: person.name };
  const campaignId = spec.context.campaignId ?? pick(business.campaigns);
  const generated = Array.isArray(spec.messages) ? undefined : (spec.messages?.generate ?? 0);
  const startOffset = faker.number.int({ min: 0, max: 3 * 24 * 60 });
  const lines = generated === undefined ? undefined : topicLines(spec);
  const listed = (lines ? [] : spec.messages) as MessageSpec[];
  const count = lines ? generated! : listed.length;
  // Unless the scenario dates them, messages are a minute apart and the newest is a minute old.
  const createdAt = wholeSecond(spec.createdAt ? Date.parse(spec.createdAt) : now - (count + 1) * MINUTE - startOffset * MINUTE);
  if (createdAt > now) throw new ScenarioError(`${where}.createdAt: is in the future`);
  const undatedAt = (i: number) => Math.max(createdAt, wholeSecond(now - (count - i) * MINUTE));
  const timed = listed.map((m, i) => ({ m, at: m.createdAt ? wholeSecond(Date.parse(m.createdAt)) : undatedAt(i), i }));
  for (const { m, at, i } of timed) {
    if (m.createdAt && at < createdAt) throw new ScenarioError(`${where}.messages[${i}].createdAt: is before the chat's createdAt`);
  }
  timed.sort((a, b) => a.at - b.at || (a.m.messageId ?? 0) - (b.m.messageId ?? 0) || a.i - b.i);

  const chatId = spec.chatId ?? business.nextChatId;
  if (business.chats.some((c) => c.id === chatId)) throw new ScenarioError(`${where}.chatId: ${chatId} is used by another chat`);
  business.nextChatId = Math.max(business.nextChatId, chatId + 1);
  ids?.nextChat();
  // A generated history is drawn as it is made, in turns: a million messages never hold other requests back.
  const messages = await inTurns(
    count,
    (k): MessageRecord => {
      const { m, at, i } = lines ? { m: generatedMessage(lines, k), at: undatedAt(k), i: k } : timed[k];
      const id = ids ? ids.take(m.messageId, `${where}.messages[${i}].messageId`) : business.nextMessageId++;
      const message: MessageRecord = { id, at, sender: m.sender };
      const text = m.message ?? (m.payload ? undefined : textFor(m.sender, spec));
      if (text) message.text = fill(text, vars);
      if (m.payload) {
        message.files = m.payload.map((file, i) =>
          registerFile(
            business,
            message.id,
            i,
            { name: file.name, size: file.size ?? faker.number.int({ min: 15_000, max: 400_000 }) },
            file.contentType,
          ),
        );
      }
      return message;
    },
    (turn) => reseed(seed, business.id, 3, index, turn + 1),
  );
  return {
    id: chatId,
    type,
    status: spec.status ?? statusOf(type, messages),
    context: {
      type: contextType,
      campaignId,
      ...(order !== undefined ? { orderId: order } : {}),
      ...(returnIdValue !== undefined ? { returnId: returnIdValue } : {}),
      customer: person,
    },
    createdAt,
    updatedAt: spec.updatedAt ? wholeSecond(Date.parse(spec.updatedAt)) : messages.length ? messages[messages.length - 1].at : createdAt,
    messages,
  };
}

/**
 * Message ids when a scenario gives some (a recording's, an exported world's): those given are kept, the others are
 * the business's next ones not taken; one given twice, or out of step with the messages' times, is refused.
 */
class GivenMessageIds {
  private readonly taken = new Set<number>();
  private last = 0;

  constructor(private readonly business: BusinessRecord) {}

  /** Starts a chat's history: its ids must grow with its messages' times. */
  nextChat(): void {
    this.last = 0;
  }

  take(given: number | undefined, where: string): number {
    let id = given;
    if (id === undefined) {
      while (this.taken.has(this.business.nextMessageId)) this.business.nextMessageId++;
      id = this.business.nextMessageId++;
    } else if (this.taken.has(id)) {
      throw new ScenarioError(`${where}: ${id} is used by another message`);
    }
    if (id <= this.last) throw new ScenarioError(`${where}: ${id} comes after a later message's ${this.last}; ids grow with time`);
    this.taken.add(id);
    this.last = id;
    this.business.nextMessageId = Math.max(this.business.nextMessageId, id + 1);
    return id;
  }
}
/** The businesses a scenario's `data` describes, made from a seed at a moment (the store makes them at each reset). */
export function scenarioBusinesses(scenario: Scenario): (seed: number, now: number) => Promise<BusinessRecord[]> {
  return async (seed, now) => {
    const made: BusinessRecord[] = [];
    for (const [i, spec] of (scenario.data?.businesses ?? []).entries())
      made.push(await buildBusiness(seed, spec, `data.businesses[${i}]`, now));
    return made;
  };
}

/** The business a scenario describes; `where` is its path in the scenario, for errors. */
export async function buildBusiness(seed: number, spec: BusinessSpec, where: string, now: number): Promise<BusinessRecord> {
  if (!Array.isArray(spec.chats)) return generateBusiness(seed, spec.id, now, { chats: spec.chats.generate, campaigns: spec.campaigns });
  const business = generateBusiness(seed, spec.id, now, { chats: 0, campaigns: spec.campaigns });
  const givesIds = spec.chats.some((chat) => Array.isArray(chat.messages) && chat.messages.some((m) => m.messageId !== undefined));
  const ids = givesIds ? new GivenMessageIds(business) : undefined;
  // Built one by one into the business, so that each sees the ids taken before it.
  for (const [i, chat] of spec.chats.entries())
    business.chats.push(await buildChat(business, chat, `${where}.chats[${i}]`, seed, now, i, ids));
  const contexts = new Set<string>();
  business.chats.forEach((chat, i) => {
    const key = chat.context.type === 'DIRECT' ? undefined : `${chat.context.type}:${chat.context.returnId ?? chat.context.orderId}`;
    if (key && contexts.has(key))
      throw new ScenarioError(`${where}.chats[${i}].context: another chat is about the same ${chat.context.type.toLowerCase()}`);
    if (key) contexts.add(key);
  });
  return business;
}
