import type { Nickname } from './nickname.js';

/**
 * Who is chatting: a session holds one nickname and the rooms it has joined. All of a person's
 * tabs share a session (same token). Async throughout, so a shared backend can replace the
 * in-memory one when instances must agree.
 */

export interface Session {
  /** Opaque and secret: presenting it again reclaims the nickname. */
  token: string;
  nickname: string;
  key: string;
  rooms: ReadonlySet<string>;
}

export type ClaimResult =
  | { ok: true; session: Session; resumed: boolean; replaced?: Session }
  | { ok: false; holder: string };

export interface SessionRegistry {
  /**
   * Takes a nickname. With the token of a live session holding the same nickname, resumes that
   * session; with the token of a session holding another nickname, ends it (returned as
   * `replaced`) and claims the new one.
   */
  claim(nickname: Nickname, token?: string): Promise<ClaimResult>;
  get(token: string): Promise<Session | undefined>;
  findByNickname(key: string): Promise<Session | undefined>;
  /** True when the session was not already in the room. */
  join(token: string, room: string): Promise<boolean>;
  /** True when the session was in the room. */
  leave(token: string, room: string): Promise<boolean>;
  members(room: string): Promise<string[]>;
  /** Frees the nickname; returns the ended session so its rooms can be told. */
  end(token: string): Promise<Session | undefined>;
  /** How often `renew` must run; undefined when sessions have no lease (one process). */
  readonly renewEveryMs: number | undefined;
  /**
   * Renews the lease of sessions this instance keeps alive (connected, or in their grace period).
   * A shared registry lets a session whose lease ran out lapse: that is how the nicknames of a
   * crashed instance come free.
   */
  renew(tokens: readonly string[]): Promise<void>;
  /** Removes sessions whose lease ran out; each is returned once, to one instance, to announce. */
  sweepExpired(): Promise<Session[]>;
  close(): Promise<void>;
}

/** The shared session store could not be reached in time, or failed. The cause says which. */
export class SessionStoreError extends Error {
  override name = 'SessionStoreError';
}
