import type { RoomPresence } from '../../shared/protocol.js';
import { MemberPages, memberKey } from './member-pages.js';

/** Nicknames are 1-24 of these; a search for anything else cannot match anyone. */
const NICKNAME_CHARACTERS = /^[\p{L}\p{M}\p{N} _.\-]+$/u;
const NICKNAME_MAX_LENGTH = 24;

/** A search box entry as the server compares it: normalised like a nickname. */
export function normalizePrefix(input: string): string {
  return input.normalize('NFKC').trim().replace(/ {2,}/g, ' ');
}

/** True when some nickname could start with this (normalised) prefix. */
export function couldMatchNickname(prefix: string): boolean {
  return [...prefix].length <= NICKNAME_MAX_LENGTH && NICKNAME_CHARACTERS.test(prefix);
}

/**
 * Who is in a room: the exact count the server reports, the list loaded page by page, and the
 * results of a prefix search, all kept current by joins, leaves and coalesced presence.
 */
export class RoomMembers {
  count = 0;
  readonly all = new MemberPages();
  /** The search on screen, if any: its own pages, narrowed to names starting with the prefix. */
  search: { query: string; pages: MemberPages } | undefined;
  /**
   * Set when the session was resumed after a disconnect: joins and leaves may have been missed,
   * so the first page is loaded again the next time this room's list is on screen.
   */
  stale = false;

  /** The first page from room:join, which always holds the caller's own name. */
  joinedRoom(members: readonly string[], memberCount: number | undefined, me: string | null): void {
    // An instance from before counts (during a rolling upgrade) sends the full list only.
    const count = typeof memberCount === 'number' ? memberCount : members.length;
    this.count = count;
    this.stale = false;
    this.all.reset(members, count > members.length ? undefined : null, me ?? undefined);
  }

  /** The first page again, after a resume: replaces what was loaded. */
  refreshed(members: readonly string[], next: string | undefined): void {
    this.stale = false;
    this.all.reset(members, next ?? null);
  }

  resumed(memberCount: number): void {
    this.count = memberCount;
    this.stale = true;
    // Whatever failed while disconnected may work now.
    this.all.error = undefined;
    this.all.version += 1;
  }

  /** One person joined (small room). True when they were not listed already. */
  joined(name: string, count: number | undefined): boolean {
    const listed = this.all.indexOf(name) >= 0;
    this.apply([name], []);
    this.count = typeof count === 'number' ? count : this.count + 1;
    return !listed;
  }

  /** One person left (small room). False when they were known not to be listed. */
  left(name: string, count: number | undefined): boolean {
    const listed = this.all.indexOf(name) >= 0 || !this.all.covers(memberKey(name));
    this.apply([], [name]);
    this.count = typeof count === 'number' ? count : Math.max(0, this.count - 1);
    return listed;
  }

  /** Joins and leaves of a large room, coalesced by the server. */
  presence({ joined, left, count }: Pick<RoomPresence, 'joined' | 'left' | 'count'>): void {
    this.apply(joined, left);
    this.count = count;
  }

  /** Starts (or clears, for an empty query) a search; returns its pages when one should load. */
  startSearch(query: string): MemberPages | undefined {
    const prefix = normalizePrefix(query);
    if (prefix === '') {
      this.search = undefined;
      return undefined;
    }
    const pages = new MemberPages(memberKey(prefix));
    this.search = { query: prefix, pages };
    if (couldMatchNickname(prefix)) return pages;
    pages.addPage([], undefined);
    return undefined;
  }

  private apply(joined: readonly string[], left: readonly string[]): void {
    // Leaves first: someone who left and came back within one event is in the room.
    for (const name of left) {
      this.all.left(name);
      this.search?.pages.left(name);
    }
    for (const name of joined) {
      this.all.joined(name);
      this.search?.pages.joined(name);
    }
  }
}
