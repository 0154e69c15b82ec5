import type { Nickname } from './nickname.js';

/**
 * Who is chatting, and who is in which room. A session holds one nickname and the rooms it has
 * joined; all of a person's tabs share it (same token). The registry is also the rooms' membership
 * index: counts and member pages come from it, never from asking the sockets, so that joining a
 * room of thousands costs the same as joining a room of two.
 *
 * Async throughout: one process keeps it in memory, the emulator's instances share one through
 * their primary process, and scaled-out instances share one in Redis.
 */

export interface Session {
  /** Opaque and secret: presenting it again reclaims the nickname. */
  token: string;
  nickname: string;
  key: string;
  rooms: ReadonlySet<string>;
}

/** A membership change in one room, with what the room's members should hear of it. */
export interface RoomChange {
  room: string;
  /** The room's member count after the change. */
  count: number;
  /**
   * True when the room is larger than the individual-presence threshold: the change was queued
   * for the room's next coalesced `room:presence` instead of being announced on its own.
   */
  coalesced: boolean;
}

/** A session that ended, with the rooms it left. */
export interface EndedSession extends Session {
  left: RoomChange[];
}

export type ClaimResult =
  | { ok: true; session: Session; resumed: boolean; replaced?: EndedSession }
  | { ok: false; reason: 'taken'; holder: string }
  /** The store lost its data and instances are putting their sessions back; retry after this. */
  | { ok: false; reason: 'restoring'; retryAfterMs: number };

export interface MemberQuery {
  /** The `next` of the previous page. */
  after?: string;
  /** Only nickname keys that start with this (a nickname key: already case-folded). */
  prefix?: string;
  limit: number;
}

export interface MemberPage {
  /** Display nicknames, sorted by nickname key. */
  members: string[];
  /** Where the next page starts; absent on the last page. */
  next?: string;
  /** Every member of the room, whatever the query. */
  count: number;
}

/** Joins and leaves of a large room since its last `room:presence`. */
export interface PresenceBatch {
  joined: string[];
  left: string[];
  count: number;
}

export type PresenceTake =
  | { taken: true; batch: PresenceBatch }
  /** Nothing waits to be announced. */
  | { taken: false; retryInMs?: undefined }
  /** Another instance announced this room less than an interval ago; try again after this. */
  | { taken: false; retryInMs: number };

/** A session an instance keeps alive, with what it knows of it, so a store that lost it can take it back. */
export interface HeldSession {
  token: string;
  nickname: string;
  key: string;
  rooms: readonly string[];
}

export interface EnterOptions {
  /** The instance asking: a session some other instance holds too has tabs there to tell. */
  holder: string;
  /** A session already in this many rooms joins no other. */
  roomsMax: number;
  /** The member page to answer with, read after the join. */
  page: MemberQuery;
  /**
   * Whom a removal from the room may name (room-bans.ts): checked in the same step as the join, so
   * that a removal can never be slipped past by a join already under way.
   */
  banSubjects: readonly string[];
}

export type EnterResult =
  | {
      ok: true;
      /** The session as it is after the join. */
      session: Session;
      /** Undefined when the session was already in the room. */
      change: RoomChange | undefined;
      page: MemberPage;
      /** Another instance holds the session too, so its sockets there must join the room as well. */
      heldElsewhere: boolean;
    }
  | { ok: false; reason: 'no-session' | 'too-many-rooms' }
  /** A moderator removed one of `banSubjects` from the room until then (the registry's clock). */
  | { ok: false; reason: 'removed'; until: number };

/** What an event needs of its sender's session: that it is live (and in the room), and its nickname. */
export type SenderCheck = { ok: true; nickname: string } | { ok: false; reason: 'no-session' | 'not-in-room' };

export interface Peer {
  token: string;
  nickname: string;
}

export interface SessionRegistry {
  /**
   * Takes a nickname for `holder` (the instance asking). With the token of a live session holding
   * the same nickname, resumes that session; with the token of a session holding another
   * nickname, ends it (returned as `replaced`) and claims the new one.
   */
  claim(nickname: Nickname, token: string | undefined, holder: string): Promise<ClaimResult>;
  get(token: string): Promise<Session | undefined>;
  /**
   * Whether the session of `token`, claimed under nickname key `key`, is live and, given `room`,
   * in that room. Every message, edit, typing notice and history page asks this first, so it is
   * the cheapest question a shared store can answer: it does not read the session's other rooms.
   */
  checkSender(token: string, key: string, room?: string): Promise<SenderCheck>;
  findByNickname(key: string): Promise<Session | undefined>;
  /** The change, or undefined when the session was already in the room (or is gone). */
  join(token: string, room: string): Promise<RoomChange | undefined>;
  /**
   * What `room:join` needs in one step (one round trip to a shared store): the live session,
   * joined to the room unless it is in `roomsMax` rooms already, and a page of the room's members.
   */
  enter(token: string, room: string, options: EnterOptions): Promise<EnterResult>;
  /** The change, or undefined when the session was not in the room. */
  leave(token: string, room: string): Promise<RoomChange | undefined>;
  memberCounts(rooms: readonly string[]): Promise<number[]>;
  /** A page of a room's members in nickname-key order. */
  members(room: string, query: MemberQuery): Promise<MemberPage>;
  /** Frees the nickname now (a rename); returns the ended session so its rooms can be told. */
  end(token: string): Promise<EndedSession | undefined>;
  /**
   * `holder` no longer keeps the session alive (its last socket there is gone for good). Ends the
   * session unless another instance still holds it.
   */
  release(token: string, holder: string): Promise<EndedSession | undefined>;
  /** How often `renew` must run; undefined when sessions have no lease (one process). */
  readonly renewEveryMs: number | undefined;
  /**
   * Renews the leases `holder` keeps: the sessions with a socket there, or in their grace period.
   * A session whose lease ran out lapses: that is how the nicknames of a crashed instance come
   * free. After the store lost its data, puts these sessions and their rooms back.
   */
  renew(holder: string, sessions: readonly HeldSession[]): Promise<void>;
  /** Removes sessions whose lease ran out; each is returned once, to one instance, to announce. */
  sweepExpired(): Promise<EndedSession[]>;
  /**
   * Takes what waits to be announced in a large room, at most once per `intervalMs` for the room
   * across every instance.
   */
  takePresence(room: string, intervalMs: number): Promise<PresenceTake>;
  /** Remembers whom a session wrote to, so that a resend still finds the conversation after the peer left. */
  notePeer(token: string, peerKey: string, peer: Peer): Promise<void>;
  findPeer(token: string, peerKey: string): Promise<Peer | undefined>;
  /**
   * Keeps `value` under `id` for `ttlMs`, for every instance to read: the sign-ins of AUTH_MODE=oidc
   * and their login transactions (auth/sign-in-records.ts). Ids are random and secret.
   */
  putRecord(id: string, value: string, ttlMs: number): Promise<void>;
  getRecord(id: string): Promise<string | undefined>;
  /** Removes the record and returns what it held, at most once across every instance. */
  takeRecord(id: string): Promise<string | undefined>;
  /**
   * Keeps every one of `subjects` (room-bans.ts) out of `room` for `durationMs` from now, by the
   * registry's clock, on every instance; a later ban replaces an earlier one. Resolves when it ends.
   * `enter` refuses a banned subject until then.
   */
  banFromRoom(room: string, subjects: readonly string[], durationMs: number): Promise<number>;
  close(): Promise<void>;
}

/** The shared session store could not be reached in time, or failed. The cause says which. */
export class SessionStoreError extends Error {
  override name = 'SessionStoreError';
}

/** Where a member page starts: strictly after the cursor, and at the prefix. */
export function memberRangeStart(query: MemberQuery): string {
  const after = query.after === undefined ? '' : `${query.after}\u0001`;
  const prefix = query.prefix ?? '';
  return after > prefix ? after : prefix;
}
