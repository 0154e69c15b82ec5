import type {
  AppendRequest,
  AppendResult,
  ChangeRequest,
  ChangeResult,
  HistoryQuery,
  HistoryStore,
  StoredMessage,
} from './history-store.js';
import { applyChange } from './message-change.js';

interface Conversation {
  /** Ordered by id, oldest first. */
  messages: StoredMessage[];
  /** `${senderKey}\n${clientId}` -> message, for the messages still kept. */
  byClientId: Map<string, StoredMessage>;
  dedupeKeyOf: Map<string, string>;
}

/** A bounded list per conversation: the newest `maxPerConversation` messages survive. */
export class MemoryHistoryStore implements HistoryStore {
  private readonly conversations = new Map<string, Conversation>();

  constructor(private readonly maxPerConversation: number) {}

  async init(): Promise<void> {}

  async close(): Promise<void> {
    this.conversations.clear();
  }

  async append({ message, senderKey }: AppendRequest): Promise<AppendResult> {
    const conversation = this.conversation(message.conversation);
    const dedupeKey = `${senderKey}\n${message.clientId}`;
    const existing = conversation.byClientId.get(dedupeKey);
    if (existing) return { message: existing, created: false };

    insertInOrder(conversation.messages, message);
    conversation.byClientId.set(dedupeKey, message);
    conversation.dedupeKeyOf.set(message.id, dedupeKey);
    while (conversation.messages.length > this.maxPerConversation) {
      const dropped = conversation.messages.shift()!;
      const droppedKey = conversation.dedupeKeyOf.get(dropped.id);
      conversation.dedupeKeyOf.delete(dropped.id);
      if (droppedKey !== undefined) conversation.byClientId.delete(droppedKey);
    }
    return { message, created: true };
  }

  async find(conversation: string, senderKey: string, clientId: string): Promise<StoredMessage | undefined> {
    return this.conversations.get(conversation)?.byClientId.get(`${senderKey}\n${clientId}`);
  }

  async list(conversationName: string, { before, after, limit }: HistoryQuery): Promise<StoredMessage[]> {
    const messages = this.conversations.get(conversationName)?.messages ?? [];
    if (after !== undefined) {
      const start = firstIndexAbove(messages, after);
      const end = before === undefined ? messages.length : firstIndexAtOrAbove(messages, before);
      return messages.slice(start, Math.min(end, start + limit));
    }
    const end = before === undefined ? messages.length : firstIndexAtOrAbove(messages, before);
    return messages.slice(Math.max(0, end - limit), end);
  }

  async change(request: ChangeRequest): Promise<ChangeResult> {
    const conversation = this.conversations.get(request.conversation);
    const index = conversation ? firstIndexAtOrAbove(conversation.messages, request.id) : -1;
    const current = conversation?.messages[index];
    if (!conversation || current?.id !== request.id) return { outcome: 'missing' };
    const result = applyChange(current, request);
    if (result.outcome !== 'changed') return result;
    // A resend finds the message through its dedupe entry: it must find the change too.
    conversation.messages[index] = result.message;
    const dedupeKey = conversation.dedupeKeyOf.get(current.id);
    if (dedupeKey !== undefined) conversation.byClientId.set(dedupeKey, result.message);
    return result;
  }

  async purgeOlderThan(ts: number): Promise<number> {
    let purged = 0;
    for (const conversation of this.conversations.values()) {
      while (conversation.messages[0] && conversation.messages[0].ts < ts) {
        const dropped = conversation.messages.shift()!;
        conversation.byClientId.delete(conversation.dedupeKeyOf.get(dropped.id)!);
        conversation.dedupeKeyOf.delete(dropped.id);
        purged += 1;
      }
    }
    return purged;
  }

  private conversation(name: string): Conversation {
    let conversation = this.conversations.get(name);
    if (!conversation) {
      conversation = { messages: [], byClientId: new Map(), dedupeKeyOf: new Map() };
      this.conversations.set(name, conversation);
    }
    return conversation;
  }
}

/** Binary search over messages sorted by id: the first index whose id passes `isPast`. */
function firstIndex(messages: StoredMessage[], isPast: (id: string) => boolean): number {
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isPast(messages[mid]!.id)) high = mid;
    else low = mid + 1;
  }
  return low;
}

const firstIndexAbove = (messages: StoredMessage[], id: string) => firstIndex(messages, (other) => other > id);
const firstIndexAtOrAbove = (messages: StoredMessage[], id: string) => firstIndex(messages, (other) => other >= id);

/** Ids come from a monotonic clock, so this is almost always a push. */
function insertInOrder(messages: StoredMessage[], message: StoredMessage): void {
  const index = firstIndexAbove(messages, message.id);
  if (index === messages.length) messages.push(message);
  else messages.splice(index, 0, message);
}
