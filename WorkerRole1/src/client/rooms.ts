import { LIMITS, type ChatMessage, type ErrorBody } from '../shared/protocol.js';
import type { Connection } from './connection.js';
import { lastSeenId, oldestId, roomKey, setMembers, type Conversation } from './state/conversation.js';
import type { Store } from './state/store.js';

const PAGE = LIMITS.historyMaxLimit;
/** Catch-up stops after this many pages; older gaps stay reachable through "load earlier". */
const MAX_CATCH_UP_PAGES = 50;

/** Joining, leaving, catching up and paging back through rooms. */
export class Rooms {
  constructor(
    private readonly store: Store,
    private readonly connection: Connection,
  ) {}

  /**
   * Joins (or rejoins after a reconnect) a room, merges the recent history it returns and, when
   * that history does not reach back to the last message we saw, fetches the gap page by page.
   */
  async join(name: string): Promise<ErrorBody | null> {
    const ack = await this.connection.call('room:join', { room: name });
    if (!ack.ok) return ack.error;
    const conversation = this.store.room(ack.room);
    setMembers(conversation, ack.members);
    const last = lastSeenId(conversation);
    const catchingUp = conversation.loaded;
    this.store.addMessages(conversation, ack.history, catchingUp);
    if (!conversation.loaded) {
      conversation.loaded = true;
      conversation.hasOlder = ack.history.length >= LIMITS.historyDefaultLimit;
    }
    // The join history is the latest page; if it holds the last message we saw, nothing is
    // missing. Otherwise fetch everything after it (the gap may span several pages).
    if (last !== undefined && !ack.history.some((message) => message.id === last)) {
      await this.catchUp(conversation, last);
    }
    this.store.changed();
    return null;
  }

  /** Fetches everything after `after`, oldest first, until a short page says we are up to date. */
  async catchUp(conversation: Conversation, after: string): Promise<void> {
    let cursor = after;
    for (let page = 0; page < MAX_CATCH_UP_PAGES; page += 1) {
      const ack = await this.connection.call('history:fetch', { room: conversation.name, after: cursor, limit: PAGE });
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
      const ack = await this.connection.call('history:fetch', { room: conversation.name, before, limit });
      if (ack.ok) {
        this.store.addMessages(conversation, ack.messages.map(toLog), false);
        conversation.hasOlder = ack.messages.length >= limit;
      }
    } finally {
      conversation.loadingOlder = false;
      this.store.changed();
    }
  }

  async leave(name: string): Promise<ErrorBody | null> {
    const ack = await this.connection.call('room:leave', { room: name });
    if (!ack.ok && ack.error.code !== 'NOT_IN_ROOM') return ack.error;
    this.store.remove(roomKey(name));
    return null;
  }
}

const toLog = ({ id, from, text, ts }: ChatMessage) => ({ id, from, text, ts });
