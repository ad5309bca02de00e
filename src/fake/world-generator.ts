/**
 * Deterministic worlds: the same sandbox seed and business id always give the same chats, buyers and
 * messages (times are laid out backwards from `now`). Every generated business covers every chat status,
 * both chat types and all three context types, with statuses that agree with who wrote last.
 */
import { faker } from '@faker-js/faker/locale/ru';
import type { ChatStatus, ChatType, ContextType, Sender } from '../contract/enums.js';
import { DAY, HOUR, MINUTE, wholeSecond } from '../model/time.js';
import type { BusinessRecord, ChatRecord, CustomerRecord, FileMeta, FileRef, Fixture, MessageRecord } from '../model/records.js';
import { contentTypeOf } from './file-content.js';
import * as say from './phrases.js';

interface ChatPlan {
  context: ContextType;
  type: ChatType;
  status: ChatStatus;
  long?: boolean;
  withFiles?: boolean;
}

/** One chat of each of these, so that every status, type and context is there to be filtered. */
const ARCHETYPES: ChatPlan[] = [
  { context: 'ORDER', type: 'CHAT', status: 'NEW' },
  { context: 'ORDER', type: 'CHAT', status: 'WAITING_FOR_CUSTOMER', long: true },
  { context: 'ORDER', type: 'CHAT', status: 'WAITING_FOR_PARTNER', withFiles: true },
  { context: 'ORDER', type: 'CHAT', status: 'WAITING_FOR_MARKET' },
  { context: 'ORDER', type: 'CHAT', status: 'FINISHED' },
  { context: 'RETURN', type: 'CHAT', status: 'WAITING_FOR_PARTNER', withFiles: true },
  { context: 'RETURN', type: 'CHAT', status: 'FINISHED' },
  { context: 'DIRECT', type: 'CHAT', status: 'NEW' },
  { context: 'DIRECT', type: 'CHAT', status: 'WAITING_FOR_CUSTOMER' },
  { context: 'ORDER', type: 'ARBITRAGE', status: 'WAITING_FOR_ARBITER', withFiles: true },
  { context: 'RETURN', type: 'ARBITRAGE', status: 'WAITING_FOR_ARBITER' },
  { context: 'RETURN', type: 'ARBITRAGE', status: 'FINISHED' },
];

const CHAT_STATUSES_OF_CHAT: ChatStatus[] = [
  'NEW',
  'WAITING_FOR_CUSTOMER',
  'WAITING_FOR_PARTNER',
  'WAITING_FOR_PARTNER',
  'WAITING_FOR_MARKET',
  'FINISHED',
  'FINISHED',
];

interface Draft {
  sender: Sender;
  text?: string;
  files?: { name: string; size: number }[];
}

/** Seeds faker from the sandbox seed, the business and what is being made, so each is independent. */
export function reseed(seed: number, businessId: number, ...salt: number[]): void {
  faker.seed([seed >>> 0, businessId % 2 ** 32, Math.floor(businessId / 2 ** 32), ...salt]);
}

export const pick = <T>(items: readonly T[]): T => faker.helpers.arrayElement(items);

function randomPlan(): ChatPlan {
  const context = faker.helpers.weightedArrayElement<ContextType>([
    { value: 'ORDER', weight: 6 },
    { value: 'RETURN', weight: 2 },
    { value: 'DIRECT', weight: 2 },
  ]);
  if (context !== 'DIRECT' && faker.number.float() < 0.12) {
    return { context, type: 'ARBITRAGE', status: pick<ChatStatus>(['WAITING_FOR_ARBITER', 'FINISHED']) };
  }
  return { context, type: 'CHAT', status: pick(CHAT_STATUSES_OF_CHAT) };
}

function messageCount(plan: ChatPlan): number {
  if (plan.status === 'NEW') return faker.number.int({ min: 1, max: 3 });
  if (plan.long) return faker.number.int({ min: 60, max: 80 });
  // Mostly short conversations, now and then a long one.
  return Math.round(2 + 78 * faker.number.float() ** 3);
}

/** Who writes each message of an ordinary buyer–seller exchange ending with `last`. */
function exchangeSenders(count: number, last: Sender): Sender[] {
  if (count === 1) return [last];
  const senders: Sender[] = ['CUSTOMER'];
  const strictLast: Sender = (count - 1) % 2 === 1 ? 'PARTNER' : 'CUSTOMER';
  // When strict alternation would end with the wrong side, the buyer writes twice at the start.
  senders.push(strictLast === last ? 'PARTNER' : 'CUSTOMER');
  while (senders.length < count) senders.push(senders[senders.length - 1] === 'CUSTOMER' ? 'PARTNER' : 'CUSTOMER');
  return senders;
}

function conversation(plan: ChatPlan, count: number): Draft[] {
  const topic = pick(plan.context === 'RETURN' ? say.RETURN_TOPICS : plan.context === 'DIRECT' ? say.DIRECT_TOPICS : say.ORDER_TOPICS);
  const tail: Draft[] = [];
  let last: Sender = 'CUSTOMER';
  if (plan.type === 'ARBITRAGE') {
    tail.push({ sender: 'MARKET', text: pick(say.ARBITRAGE_OPENED) });
    tail.push({ sender: 'CUSTOMER', text: pick(say.ARBITRAGE_ARGUMENTS.CUSTOMER) });
    tail.push({ sender: 'PARTNER', text: pick(say.ARBITRAGE_ARGUMENTS.PARTNER) });
    if (plan.status === 'FINISHED') tail.push({ sender: 'MARKET', text: pick(say.ARBITRAGE_CLOSED) });
  } else if (plan.status === 'WAITING_FOR_CUSTOMER') {
    last = 'PARTNER';
  } else if (plan.status === 'WAITING_FOR_MARKET') {
    tail.push({ sender: 'SUPPORT', text: say.SUPPORT_LINES[1] });
  } else if (plan.status === 'FINISHED') {
    last = 'PARTNER';
    tail.push({ sender: 'MARKET', text: pick(say.FINISHED_LINES) });
  }
  const bodyCount = Math.max(1, count - tail.length);
  const senders = plan.status === 'NEW' ? Array<Sender>(bodyCount).fill('CUSTOMER') : exchangeSenders(bodyCount, last);
  const spoken = new Set<Sender>();
  const body = senders.map((sender, i): Draft => {
    const first = !spoken.has(sender);
    spoken.add(sender);
    // Market and support step in now and then, though not before the partner has answered at all.
    const middle = plan.status !== 'NEW' && i > 0 && i < senders.length - 1;
    if (middle && faker.number.float() < 0.04) return { sender: 'SUPPORT', text: pick(say.SUPPORT_LINES) };
    if (middle && faker.number.float() < 0.04) return { sender: 'MARKET', text: pick(say.MARKET_LINES) };
    if (sender === 'CUSTOMER') {
      if (plan.status === 'FINISHED' && i === senders.length - 2) return { sender, text: pick(say.CUSTOMER_THANKS) };
      return { sender, text: pick(first ? topic.customerOpeners : topic.customerFollowUps) };
    }
    if (plan.status === 'FINISHED' && i === senders.length - 1) return { sender, text: pick(say.PARTNER_THANKS) };
    return { sender, text: pick(first ? topic.partnerAnswers : topic.partnerFollowUps) };
  });
  attachFiles(body, plan);
  return [...body, ...tail];
}

function photo(): { name: string; size: number } {
  return { name: pick(say.PHOTO_NAMES), size: faker.number.int({ min: 40_000, max: 900_000 }) };
}

function attachFiles(drafts: Draft[], plan: ChatPlan): void {
  drafts.forEach((draft, i) => {
    const forced = plan.withFiles && i === Math.min(2, drafts.length - 1);
    if (draft.sender === 'CUSTOMER' && (forced || faker.number.float() < 0.08)) {
      draft.files = faker.helpers.multiple(photo, { count: { min: 1, max: 3 } });
      if (faker.number.float() < 0.4) delete draft.text;
    } else if (draft.sender === 'PARTNER' && (forced || faker.number.float() < 0.05)) {
      draft.files = [{ name: pick(say.DOCUMENT_NAMES), size: faker.number.int({ min: 15_000, max: 400_000 }) }];
    }
  });
}

export function fill(text: string, vars: { order?: number; product: string; name: string }): string {
  return text
    .replaceAll('{order}', vars.order ? `№${vars.order}` : '')
    .replaceAll('{product}', vars.product)
    .replaceAll('{name}', vars.name.split(' ')[0])
    .replaceAll('{date}', pick(say.DELIVERY_DATES));
}

export function customer(): CustomerRecord {
  return {
    name: `${faker.person.firstName()} ${faker.person.lastName().charAt(0)}.`,
    publicId: faker.string.alphanumeric({ length: 10, casing: 'lower' }),
  };
}

export const orderId = () => faker.number.int({ min: 100_000_000, max: 999_999_999 });
export const returnId = () => faker.number.int({ min: 1_000_000, max: 99_999_999 });

/** Times of `count` messages from `start`, ascending, whole seconds. */
function messageTimes(start: number, end: number, count: number): number[] {
  const times = [start];
  for (let i = 1; i < count; i++) times.push(faker.number.int({ min: start, max: Math.max(start, end) }));
  return times.sort((a, b) => a - b).map(wholeSecond);
}

interface DraftChat {
  chat: ChatRecord;
  drafts: Draft[];
  times: number[];
}

/** Shapes a scenario may give a generated business: how many chats, and its campaigns. */
export interface BusinessShape {
  chats?: number;
  campaigns?: number[];
}

export function generateBusiness(seed: number, businessId: number, now: number, shape: BusinessShape = {}): BusinessRecord {
  reseed(seed, businessId);
  const anchor = wholeSecond(now);
  const generatedCampaigns = faker.helpers.multiple(() => faker.number.int({ min: 20_000_000, max: 99_999_999 }), {
    count: { min: 1, max: 3 },
  });
  const campaigns = shape.campaigns ?? generatedCampaigns;
  const generatedTotal = faker.number.int({ min: 12, max: 40 });
  const total = shape.chats ?? generatedTotal;
  // Fewer chats than archetypes: the first of them, still in a shuffled order.
  const plans = faker.helpers
    .shuffle([...ARCHETYPES, ...Array.from({ length: Math.max(0, total - ARCHETYPES.length) }, randomPlan)])
    .slice(0, total);

  const drafted: DraftChat[] = plans.map((plan) => {
    const person = customer();
    const order = plan.context === 'DIRECT' ? undefined : orderId();
    const vars = { order, product: pick(say.PRODUCTS), name: person.name };
    const createdAt = wholeSecond(anchor - faker.number.int({ min: 2 * HOUR, max: 45 * DAY }));
    const drafts = conversation(plan, messageCount(plan)).map((d) => ({ ...d, text: d.text && fill(d.text, vars) }));
    const end = createdAt + (anchor - createdAt) * faker.number.float({ min: 0.3, max: 1 }) - MINUTE;
    const times = messageTimes(createdAt, end, drafts.length);
    const chat: ChatRecord = {
      id: 0,
      type: plan.type,
      status: plan.status,
      context: {
        type: plan.context,
        campaignId: pick(campaigns),
        ...(order !== undefined ? { orderId: order } : {}),
        ...(plan.context === 'RETURN' ? { returnId: returnId() } : {}),
        customer: person,
      },
      createdAt,
      updatedAt: times[times.length - 1],
      messages: [],
    };
    return { chat, drafts, times };
  });

  const business: BusinessRecord = {
    id: businessId,
    campaigns,
    nextChatId: faker.number.int({ min: 10_000_000, max: 90_000_000 }),
    nextMessageId: faker.number.int({ min: 100_000_000, max: 900_000_000 }),
    chats: [],
    files: {},
  };
  // Ids ascend with time, across the whole business, as they would have been handed out.
  drafted.sort((a, b) => a.chat.createdAt - b.chat.createdAt);
  for (const { chat } of drafted) chat.id = business.nextChatId++;
  const all = drafted.flatMap(({ chat, drafts, times }) => drafts.map((draft, i) => ({ chat, draft, at: times[i] })));
  all.sort((a, b) => a.at - b.at);
  for (const { chat, draft, at } of all) {
    const message: MessageRecord = { id: business.nextMessageId++, at, sender: draft.sender };
    if (draft.text) message.text = draft.text;
    if (draft.files) message.files = draft.files.map((f, i) => registerFile(business, message.id, i, f));
    chat.messages.push(message);
  }
  business.chats = drafted.map((d) => d.chat);
  return business;
}

/** The moment the committed default world was generated at; times move forward from it on load. */
export const FIXTURE_ANCHOR = Date.parse('2025-11-21T12:00:00+03:00');

/** The generated worlds of `businessIds` as a fixture to commit (fixtures/default-world.json). */
export function fixtureOf(seed: number, businessIds: number[]): Fixture {
  return { seed, anchor: FIXTURE_ANCHOR, businesses: businessIds.map((id) => generateBusiness(seed, id, FIXTURE_ANCHOR)) };
}

export function fileIdOf(businessId: number, messageId: number, index: number): string {
  return `${businessId}-${messageId}-${index}`;
}

export function registerFile(
  business: BusinessRecord,
  messageId: number,
  index: number,
  file: { name: string; size: number },
  contentType = contentTypeOf(file.name),
): FileRef {
  const fileId = fileIdOf(business.id, messageId, index);
  const meta: FileMeta = { name: file.name, size: file.size, contentType, origin: 'generated' };
  business.files[fileId] = meta;
  return { fileId, name: file.name, size: file.size };
}

/** The buyer behind an order or return a partner names for the first time: stable for that id. */
export function inventCustomer(seed: number, businessId: number, orderOrReturnId: number): CustomerRecord {
  reseed(seed, businessId, orderOrReturnId, 1);
  return customer();
}

/** The order a return a partner names for the first time was made from: stable for that return. */
export function inventOrderOfReturn(seed: number, businessId: number, returnIdValue: number): number {
  reseed(seed, businessId, returnIdValue, 2);
  return orderId();
}
