/**
 * Who waits for whom: the status a message moves a chat to. The chat lifecycle (src/domain) applies it to
 * every message written while the sandbox runs; a scenario's world folds it over the history it describes.
 */
import type { ChatStatus, ChatType, Sender } from '../contract/enums.js';

/**
 * A partner message waits for the buyer, a buyer message waits for the partner (a finished chat reopens);
 * Market and support leave the status alone, and a dispute's status belongs to the arbiter.
 */
export function statusAfterMessage(chat: { type: ChatType; status: ChatStatus }, sender: Sender): ChatStatus {
  if (chat.type === 'ARBITRAGE') return chat.status;
  switch (sender) {
    case 'PARTNER':
      return 'WAITING_FOR_CUSTOMER';
    case 'CUSTOMER':
      return 'WAITING_FOR_PARTNER';
    case 'MARKET':
    case 'SUPPORT':
      return chat.status;
  }
}
