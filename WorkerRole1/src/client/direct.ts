import { LIMITS, type DirectMessage } from '../shared/protocol.js';
import type { Connection } from './connection.js';
import { lastSeenId, oldestId, type Conversation } from './state/conversation.js';
import type { Store } from './state/store.js';

const PAGE = LIMITS.historyMaxLimit;
const MAX_CATCH_UP_PAGES = 50;

/** Private conversations: opening one, loading and catching up its history, paging back. */
export class DirectMessages {
  constructor(
    private readonly store: Store,
    private readonly connection: Connection,
  ) {}

  open(peer: string): Conversation {
    const conversation = this.store.dm(peer);
    this.store.open(conversation.key);
    if (!conversation.loaded) void this.load(conversation).catch(() => undefined);
    return conversation;
  }

  /** The first page: the latest messages exchanged with this person. */
  async load(conversation: Conversation): Promise<void> {
    const limit = LIMITS.historyDefaultLimit;
    const ack = await this.connection.call('dm:history', { with: conversation.name, limit });
    if (!ack.ok) return;
    this.store.addMessages(conversation, ack.messages.map(toLog), false);
    conversation.loaded = true;
    conversation.hasOlder = ack.messages.length >= limit;
    this.store.changed();
  }

  /** After a reconnect: what arrived after the last message we saw, page by page. */
  async catchUp(conversation: Conversation): Promise<void> {
    const last = lastSeenId(conversation);
    if (!conversation.loaded || last === undefined) return this.load(conversation);
    let cursor: string = last;
    for (let page = 0; page < MAX_CATCH_UP_PAGES; page += 1) {
      const ack = await this.connection.call('dm:history', { with: conversation.name, after: cursor, limit: PAGE });
      if (!ack.ok) return;
      this.store.addMessages(conversation, ack.messages.map(toLog), true);
      const newest = ack.messages.at(-1);
      if (ack.messages.length < PAGE || newest === undefined) return;
      cursor = newest.id;
    }
  }

  async loadOlder(conversation: Conversation): Promise<void> {
    const before = oldestId(conversation);
    if (conversation.loadingOlder || !conversation.hasOlder || before === undefined) return;
    conversation.loadingOlder = true;
    this.store.changed();
    try {
      const limit = LIMITS.historyDefaultLimit;
      const ack = await this.connection.call('dm:history', { with: conversation.name, before, limit });
      if (ack.ok) {
        this.store.addMessages(conversation, ack.messages.map(toLog), false);
        conversation.hasOlder = ack.messages.length >= limit;
      }
    } finally {
      conversation.loadingOlder = false;
      this.store.changed();
    }
  }
}

const toLog = ({ id, from, text, ts }: DirectMessage) => ({ id, from, text, ts });
