import type { StoredMessage } from './history-store.js';

/**
 * A message's row in Table Storage: the message without what the keys hold (id, conversation).
 * Its newest-first and oldest-first rows hold the same fields.
 */
export type MessageEntity = Omit<StoredMessage, 'id' | 'conversation' | 'deleted'> & {
  partitionKey: string;
  rowKey: string;
  deleted?: boolean;
};

export function toMessageEntity(message: StoredMessage, partitionKey: string, rowKey: string): MessageEntity {
  return {
    partitionKey,
    rowKey,
    from: message.from,
    ...(message.to === undefined ? {} : { to: message.to }),
    text: message.text,
    ts: message.ts,
    clientId: message.clientId,
    ...(message.author === undefined ? {} : { author: message.author }),
    ...(message.editedTs === undefined ? {} : { editedTs: message.editedTs }),
    ...(message.deleted ? { deleted: true } : {}),
  };
}

export function toStoredMessage(entity: MessageEntity, conversation: string, idOf: (rowKey: string) => string): StoredMessage {
  return {
    id: idOf(entity.rowKey),
    conversation,
    from: entity.from,
    ...(entity.to === undefined ? {} : { to: entity.to }),
    // A tombstone keeps no text, whatever an older row may hold.
    text: entity.deleted ? '' : entity.text,
    ts: Number(entity.ts),
    clientId: entity.clientId ?? '',
    ...(entity.author === undefined ? {} : { author: entity.author }),
    ...(entity.editedTs === undefined || entity.editedTs === null ? {} : { editedTs: Number(entity.editedTs) }),
    ...(entity.deleted ? { deleted: true as const } : {}),
  };
}
