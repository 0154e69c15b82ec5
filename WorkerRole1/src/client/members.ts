import { LIMITS } from '../shared/protocol.js';
import { NoAnswerError, type Connection } from './connection.js';
import type { Conversation } from './state/conversation.js';
import type { MemberPages } from './state/member-pages.js';
import type { Store } from './state/store.js';

/** Who is in a room beyond the first page: the next pages, a reload after a resume, searches. */
export class Members {
  constructor(
    private readonly store: Store,
    private readonly connection: Connection,
  ) {}

  /** The page after the loaded part of the list on screen (the search results, if searching). */
  loadMore(room: Conversation): Promise<void> {
    const { members } = room;
    const pages = members.search?.pages ?? members.all;
    const after = pages.cursor;
    if (pages.complete || after === undefined) return Promise.resolve();
    return this.load(room, pages, after, members.search?.query, (names, next) => pages.addPage(names, next));
  }

  /** The first page again, replacing the list (joins and leaves may have been missed). */
  refresh(room: Conversation): Promise<void> {
    const { members } = room;
    return this.load(room, members.all, undefined, undefined, (names, next) => members.refreshed(names, next));
  }

  /** Shows the members whose nickname starts with `query`, ignoring case; '' ends the search. */
  search(room: Conversation, query: string): Promise<void> {
    const pages = room.members.startSearch(query);
    this.store.changed();
    const prefix = room.members.search?.query;
    if (!pages || prefix === undefined) return Promise.resolve();
    return this.load(room, pages, undefined, prefix, (names, next) => pages.addPage(names, next));
  }

  private async load(
    room: Conversation,
    pages: MemberPages,
    after: string | undefined,
    prefix: string | undefined,
    apply: (names: readonly string[], next: string | undefined) => void,
  ): Promise<void> {
    if (pages.loading) return;
    pages.beginLoad();
    this.store.changed();
    try {
      const ack = await this.connection.call('room:members', {
        room: room.name,
        limit: LIMITS.membersPageMax,
        ...(after === undefined ? {} : { after }),
        ...(prefix === undefined ? {} : { prefix }),
      });
      if (ack.ok) apply(ack.members, ack.next);
      else pages.failLoad(ack.error.message);
    } catch (error) {
      if (!(error instanceof NoAnswerError)) throw error;
      pages.failLoad('Not connected.');
    } finally {
      this.store.changed();
    }
  }
}
