import type { ChatMessage, DirectMessage } from '../../shared/protocol.js';
import type { StoredMessage } from '../history/history-store.js';

/** Stored messages as the wire shows them. */
export function toChatMessage(message: StoredMessage, room: string): ChatMessage {
  return { id: message.id, room, from: message.from, text: message.text, ts: message.ts, clientId: message.clientId };
}

export function toDirectMessage(message: StoredMessage): DirectMessage {
  return { id: message.id, from: message.from, to: message.to ?? '', text: message.text, ts: message.ts, clientId: message.clientId };
}

/** Live delivery happens once per message, whether storage answered first or was too slow. */
export function deliverOnce(deliver: (message: StoredMessage) => void): (message: StoredMessage) => void {
  let delivered = false;
  return (message) => {
    if (delivered) return;
    delivered = true;
    deliver(message);
  };
}
