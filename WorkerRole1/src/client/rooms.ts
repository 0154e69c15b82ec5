import { LIMITS, type ErrorBody, type RoomJoined } from '../shared/protocol.js';
import type { Connection } from './connection.js';
import { catchUpStart } from '../shared/catch-up-start.js';
import { catchUpAfter, type FetchPage, loadOlder, toLog } from './history-paging.js';
import { lastSeenId, roomKey, type Conversation, type LogMessage } from './state/conversation.js';
import type { Store } from './state/store.js';

/** Joining, resuming, leaving, catching up and paging back through rooms. */
export class Rooms {
  constructor(
    private readonly store: Store,
    private readonly connection: Connection,
  ) {}

  /** Joins (or rejoins after a reconnect) a room with room:join; see `joined`. */
  async join(name: string): Promise<ErrorBody | null> {
    const ack = await this.connection.call('room:join', { room: name });
    if (!ack.ok) return ack.error;
    await this.joined(ack);
    return null;
  }

  /**
   * A join's answer (room:join's ack, or one of session:start's `joined`): merges the recent
   * history it returns and, when that history does not reach back to where a catch-up starts,
   * fetches the gap page by page.
   */
  async joined(ack: RoomJoined): Promise<void> {
    const conversation = this.store.room(ack.room);
    conversation.members.joinedRoom(ack.members, ack.memberCount, this.store.me);
    const last = lastSeenId(conversation);
    const catchingUp = conversation.loaded;
    this.store.addMessages(conversation, ack.history, catchingUp);
    if (!conversation.loaded) {
      conversation.loaded = true;
      conversation.hasOlder = ack.history.length >= LIMITS.historyDefaultLimit;
    }
    // The join history is the latest page; if it is the whole room, or reaches back to where a
    // catch-up would start (a margin before the last message we saw), nothing is missing.
    // Otherwise (or without history: storage was down) fetch everything from there.
    if (last !== undefined && !reachesBack(ack.history, last)) await this.catchUp(conversation, last);
    this.store.changed();
  }

  /**
   * A room the resumed session is back in already (session:start said so): take its count,
   * fetch only the messages missed (or the latest page, after a page reload), and leave the
   * member list to be reloaded when it is next on screen. Falls back to joining when the server
   * no longer has us in the room by the time we ask.
   */
  async resume(conversation: Conversation, memberCount: number): Promise<ErrorBody | null> {
    conversation.members.resumed(memberCount);
    const last = lastSeenId(conversation);
    if (last !== undefined) {
      await this.catchUp(conversation, last);
      this.store.changed();
      return null;
    }
    const limit = LIMITS.historyDefaultLimit;
    const ack = await this.connection.call('history:fetch', { room: conversation.name, limit });
    if (!ack.ok) return ack.error.code === 'NOT_IN_ROOM' ? this.join(conversation.name) : ack.error;
    this.store.addMessages(conversation, ack.messages.map(toLog), false);
    conversation.loaded = true;
    conversation.hasOlder = ack.messages.length >= limit;
    this.store.changed();
    return null;
  }

  /** Fetches what arrived since `newestHeld` (from a margin before it), page by page. */
  catchUp(conversation: Conversation, newestHeld: string): Promise<void> {
    return catchUpAfter(this.store, conversation, newestHeld, this.pages(conversation));
  }

  loadOlder(conversation: Conversation): Promise<void> {
    return loadOlder(this.store, conversation, this.pages(conversation));
  }

  private pages(conversation: Conversation): FetchPage {
    return (query) => this.connection.call('history:fetch', { room: conversation.name, ...query });
  }

  async leave(name: string): Promise<ErrorBody | null> {
    const ack = await this.connection.call('room:leave', { room: name });
    if (!ack.ok && ack.error.code !== 'NOT_IN_ROOM') return ack.error;
    this.store.remove(roomKey(name));
    return null;
  }
}

/** Whether a join's history (the newest page) holds everything a catch-up from `last` would fetch. */
function reachesBack(history: readonly LogMessage[], last: string): boolean {
  const oldest = history[0]?.id;
  return oldest !== undefined && (history.length < LIMITS.historyDefaultLimit || oldest <= catchUpStart(last));
}
