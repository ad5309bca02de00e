/** Enumerations of the Yandex Market chats API, exactly as the reference spells them. */

export const CHAT_STATUSES = [
  'NEW',
  'WAITING_FOR_CUSTOMER',
  'WAITING_FOR_PARTNER',
  'WAITING_FOR_ARBITER',
  'WAITING_FOR_MARKET',
  'FINISHED',
] as const;
export type ChatStatus = (typeof CHAT_STATUSES)[number];

export const CHAT_TYPES = ['CHAT', 'ARBITRAGE'] as const;
export type ChatType = (typeof CHAT_TYPES)[number];

export const CONTEXT_TYPES = ['ORDER', 'RETURN', 'DIRECT'] as const;
export type ContextType = (typeof CONTEXT_TYPES)[number];

/** Contexts a partner can open a chat about or filter by: DIRECT chats have no id to name. */
export const ADDRESSABLE_CONTEXT_TYPES = ['ORDER', 'RETURN'] as const;
export type AddressableContextType = (typeof ADDRESSABLE_CONTEXT_TYPES)[number];

export const SENDERS = ['PARTNER', 'CUSTOMER', 'MARKET', 'SUPPORT'] as const;
export type Sender = (typeof SENDERS)[number];

/** Who writes in a chat besides the partner: what the sandbox's buyer side plays. */
export const OTHER_SENDERS = ['CUSTOMER', 'MARKET', 'SUPPORT'] as const satisfies readonly Sender[];
export type OtherSender = (typeof OTHER_SENDERS)[number];
