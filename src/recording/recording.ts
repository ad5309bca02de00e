/**
 * What an upstream answered, kept as a scenario (--record, GET /__sandbox/recording): the businesses, chats,
 * messages and file names its reads gave, so that `--scenario` of the file answers getChats, getChat,
 * getChatHistory and getChatMessage for them as the upstream did. Buyers are made anonymous unless asked
 * otherwise: names, public ids, texts and file names are drawn from the seed, ids, statuses, types, times,
 * lengths and order are kept. Pure: it hears parsed answers, it knows no HTTP.
 */
import { faker } from '@faker-js/faker/locale/ru';
import type { OperationId } from '../contract/operations.js';
import type { ChatDto, MessageDto } from '../contract/schemas.js';
import { customer, reseed } from '../fake/world-generator.js';
import type { ChatSpec, Scenario } from '../scenario/schema.js';

/** An answer of the upstream's, as the proxy hands it over. */
export interface UpstreamAnswerSeen {
  operation: OperationId;
  businessId: number;
  query: Record<string, unknown>;
  status: number;
  body: Buffer;
}

type MessageSpec = Exclude<ChatSpec['messages'], { generate: number } | undefined>[number];

interface RecordedChat {
  chat: Partial<ChatDto> & { chatId: number };
  messages: Map<number, MessageDto>;
}

/** Salts of what is drawn for a chat (its buyer) and for a message (its text, its files), apart from the world's. */
const BUYER_SALT = 71;
const TEXT_SALT = 72;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Russian words from the seed up to exactly `length` characters: a text replaced, its length kept. */
function textOfLength(length: number): string {
  let text = '';
  while (text.length < length) text += `${text ? ' ' : ''}${faker.word.sample()}`;
  return text.slice(0, length);
}

/** A file name replaced: its extension kept, the rest drawn. */
function fileNameLike(name: string): string {
  const extension = /\.[A-Za-z0-9]{1,8}$/.exec(name)?.[0] ?? '';
  return `${faker.word.noun()}${extension}`;
}

export class Recording {
  private readonly businesses = new Map<number, Map<number, RecordedChat>>();

  constructor(private readonly settings: { seed: number; raw: boolean }) {}

  /** Takes in what a successful read answered; anything else says nothing of the world. */
  observe(answer: UpstreamAnswerSeen): void {
    if (answer.status !== 200) return;
    let body: unknown;
    try {
      body = JSON.parse(answer.body.toString('utf8'));
    } catch {
      return;
    }
    const result = isObject(body) ? body.result : undefined;
    if (!isObject(result)) return;
    const chatId = Number(answer.query.chatId);
    const business = answer.businessId;
    switch (answer.operation) {
      case 'getChats':
        if (Array.isArray(result.chats)) for (const chat of result.chats) if (isObject(chat)) this.chat(business, chat);
        break;
      case 'getChat':
        this.chat(business, result);
        break;
      case 'getChatHistory':
        if (!Number.isSafeInteger(chatId)) return;
        if (isObject(result.context)) this.chat(business, { chatId, context: result.context });
        if (Array.isArray(result.messages))
          for (const message of result.messages) if (isObject(message)) this.message(business, chatId, message);
        break;
      case 'getChatMessage':
        if (Number.isSafeInteger(chatId)) this.message(business, chatId, result);
        break;
      case 'createChat':
      case 'sendMessageToChat':
      case 'sendFileToChat':
        // Writes answer no chat's contents: what they changed is read back by the reads that follow.
        break;
    }
  }

  private recorded(businessId: number, chatId: number): RecordedChat {
    let chats = this.businesses.get(businessId);
    if (!chats) this.businesses.set(businessId, (chats = new Map<number, RecordedChat>()));
    let recorded = chats.get(chatId);
    if (!recorded) chats.set(chatId, (recorded = { chat: { chatId }, messages: new Map() }));
    return recorded;
  }

  private chat(businessId: number, chat: Record<string, unknown>): void {
    const chatId = Number(chat.chatId);
    if (!Number.isSafeInteger(chatId) || chatId < 1) return;
    const recorded = this.recorded(businessId, chatId);
    Object.assign(recorded.chat, chat);
  }

  private message(businessId: number, chatId: number, message: Record<string, unknown>): void {
    const messageId = Number(message.messageId);
    if (!Number.isSafeInteger(messageId) || messageId < 1) return;
    this.recorded(businessId, chatId).messages.set(messageId, message as unknown as MessageDto);
  }

  /** Whether anything was recorded yet. */
  get empty(): boolean {
    return this.businesses.size === 0;
  }

  /** The recording as a scenario another sandbox plays. */
  scenario(): Scenario {
    const businesses = [...this.businesses].map(([id, chats]) => {
      const campaigns = [
        ...new Set([...chats.values()].flatMap(({ chat }) => (chat.context?.campaignId ? [chat.context.campaignId] : []))),
      ];
      return {
        id,
        ...(campaigns.length ? { campaigns } : {}),
        chats: [...chats.values()].sort((a, b) => a.chat.chatId - b.chat.chatId).map((recorded) => this.chatSpec(id, recorded)),
      };
    });
    return {
      name: 'recorded',
      description: `What the upstream answered, recorded by the sandbox${this.settings.raw ? '' : ' (buyers made anonymous)'}`,
      seed: this.settings.seed,
      data: { businesses },
    };
  }

  private chatSpec(businessId: number, { chat, messages }: RecordedChat): ChatSpec {
    const context = chat.context;
    const type = context?.type ?? 'DIRECT';
    const history = [...messages.values()].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.messageId - b.messageId);
    const earliest = history[0]?.createdAt;
    const spec: ChatSpec = {
      chatId: chat.chatId,
      context: {
        type,
        ...(type === 'ORDER' && (context?.orderId ?? chat.orderId) ? { id: context?.orderId ?? chat.orderId } : {}),
        ...(type === 'RETURN' && context?.returnId
          ? { id: context.returnId, ...(context.orderId ? { orderId: context.orderId } : {}) }
          : {}),
        ...(context?.campaignId ? { campaignId: context.campaignId } : {}),
      },
      ...(chat.type ? { type: chat.type } : {}),
      ...(chat.status ? { status: chat.status } : {}),
      ...(context?.customer ? { customer: this.buyer(businessId, chat.chatId, context.customer) } : {}),
      // A chat only seen in its history starts with its first message: a scenario's chat is never younger than them.
      ...(chat.createdAt || earliest ? { createdAt: chat.createdAt ?? earliest } : {}),
      ...(chat.updatedAt ? { updatedAt: chat.updatedAt } : {}),
      messages: history.map((message) => this.messageSpec(businessId, message)),
    };
    return spec;
  }

  private buyer(businessId: number, chatId: number, buyer: { name: string; publicId: string }) {
    if (this.settings.raw) return { name: buyer.name, publicId: buyer.publicId };
    reseed(this.settings.seed, businessId, BUYER_SALT, chatId);
    return customer();
  }

  private messageSpec(businessId: number, message: MessageDto): MessageSpec {
    if (!this.settings.raw) reseed(this.settings.seed, businessId, TEXT_SALT, message.messageId);
    const text = message.message === undefined ? undefined : this.settings.raw ? message.message : textOfLength(message.message.length);
    return {
      messageId: message.messageId,
      sender: message.sender,
      ...(text ? { message: text } : {}),
      ...(message.payload?.length
        ? {
            payload: message.payload.map((file) => ({
              name: this.settings.raw ? file.name : fileNameLike(file.name),
              size: Math.max(1, file.size),
            })),
          }
        : {}),
      createdAt: message.createdAt,
    };
  }
}
