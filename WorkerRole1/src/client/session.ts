import { type ErrorBody, LIMITS, type RoomSummary, type SessionStartJoined, type SessionStartPayload } from '../shared/protocol.js';
import { NoAnswerError, type Connection } from './connection.js';
import { isRecord, load, save } from './storage.js';
import { normalizeNickname, sameNickname } from './validation.js';

export interface StoredSession {
  nickname: string;
  token: string;
}

const isStoredSession = (value: unknown): value is StoredSession =>
  isRecord(value) && typeof value.nickname === 'string' && typeof value.token === 'string';

/**
 * `rooms`: the rooms a resumed session is back in already (empty for a new session). `joined`:
 * what joining each other room asked for answered (a room missing from it was not joined).
 */
export type SessionResult =
  | { ok: true; nickname: string; rooms: RoomSummary[]; joined: SessionStartJoined[]; moderator: boolean }
  | { ok: false; error: ErrorBody };

/**
 * The nickname and the server's opaque session token, kept in sessionStorage (one per tab) so a
 * refresh or a reconnect presents the token again and reclaims the same nickname.
 */
export class Session {
  private current: StoredSession | undefined = load('session', isStoredSession);

  constructor(
    private readonly connection: Connection,
    /** AUTH_MODE=oidc: the server names the session after the sign-in; no nickname is sent. */
    readonly signedIn: boolean,
  ) {}

  get stored(): StoredSession | undefined {
    return this.current;
  }

  /** `join`: rooms to join in the same round trip; the server takes the first `LIMITS.sessionStartJoinMax`. */
  async start(nicknameInput: string, join: readonly string[] = []): Promise<SessionResult> {
    const nickname = normalizeNickname(nicknameInput);
    // The token only means something for the nickname it was issued to.
    const token = this.current && (this.signedIn || sameNickname(this.current.nickname, nickname)) ? this.current.token : undefined;
    let ack;
    try {
      const payload: SessionStartPayload = this.signedIn ? {} : { nickname };
      if (token) payload.session = token;
      if (join.length > 0) payload.join = join.slice(0, LIMITS.sessionStartJoinMax);
      ack = await this.connection.request('session:start', payload);
      // An instance from before session:start {join} (during a rolling upgrade) refuses the field.
      if (!ack.ok && ack.error.code === 'INVALID_PAYLOAD' && payload.join) {
        delete payload.join;
        ack = await this.connection.request('session:start', payload);
      }
    } catch (error) {
      if (error instanceof NoAnswerError) {
        return { ok: false, error: { code: 'INTERNAL_ERROR', message: 'The server did not answer. Please try again.' } };
      }
      throw error;
    }
    if (!ack.ok) return ack;
    this.current = { nickname: ack.nickname, token: ack.session };
    save('session', this.current);
    // An instance from before resumable rooms (during a rolling upgrade) answers without them.
    return {
      ok: true,
      nickname: ack.nickname,
      rooms: Array.isArray(ack.rooms) ? ack.rooms : [],
      joined: Array.isArray(ack.joined) ? ack.joined : [],
      moderator: ack.moderator === true,
    };
  }

  forget(): void {
    this.current = undefined;
    save('session', undefined);
  }
}
