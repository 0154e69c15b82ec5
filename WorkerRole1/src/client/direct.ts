import { LIMITS } from '../shared/protocol.js';
import type { Connection } from './connection.js';
import { catchUpAfter, type FetchPage, loadOlder, toLog } from './history-paging.js';
import { lastSeenId, type Conversation } from './state/conversation.js';
import type { Store } from './state/store.js';

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
    return catchUpAfter(this.store, conversation, last, this.pages(conversation));
  }

  loadOlder(conversation: Conversation): Promise<void> {
    return loadOlder(this.store, conversation, this.pages(conversation));
  }

  private pages(conversation: Conversation): FetchPage {
    return (query) => this.connection.call('dm:history', { with: conversation.name, ...query });
  }
}

