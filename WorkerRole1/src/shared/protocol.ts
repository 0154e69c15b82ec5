/**
 * The wire protocol shared by the server and the browser client: event maps, payloads, acks and
 * error codes. docs/protocol.md describes the same contract for people.
 */

export const ERROR_CODES = [
  'INVALID_PAYLOAD',
  'UNKNOWN_EVENT',
  'NO_SESSION',
  'INVALID_NICKNAME',
  'NICKNAME_TAKEN',
  'INVALID_ROOM',
  'NOT_IN_ROOM',
  'TOO_MANY_ROOMS',
  'INVALID_MESSAGE',
  'USER_NOT_FOUND',
  'RATE_LIMITED',
  'STORAGE_UNAVAILABLE',
  'SERVER_DRAINING',
  'INTERNAL_ERROR',
  'FORBIDDEN',
  'MESSAGE_NOT_FOUND',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Set on RATE_LIMITED and STORAGE_UNAVAILABLE: how long to wait before retrying. */
  retryAfterMs?: number;
}

export type AckFailure = { ok: false; error: ErrorBody };
export type Ack<T extends object = Record<never, never>> = ({ ok: true } & T) | AckFailure;
export type AckCallback<T extends object = Record<never, never>> = (response: Ack<T>) => void;

export interface ChatMessage {
  /** Unique and sortable by time (a ULID). */
  id: string;
  room: string;
  from: string;
  text: string;
  /** Milliseconds since the epoch, assigned by the server. */
  ts: number;
  /**
   * The sender's clientId. With `from`, it names the message across resends: if a copy ever
   * reaches a client twice under two ids (an instance crashed mid-write), clients show one.
   */
  clientId: string;
  /**
   * Set once the message was edited or deleted: when it last changed. It grows with every change
   * of the message, so of two versions of one message the one with the greater `editedTs` is newer.
   */
  editedTs?: number;
  /** A tombstone: the message was deleted; `text` is empty. */
  deleted?: true;
}

export interface DirectMessage {
  id: string;
  from: string;
  to: string;
  text: string;
  ts: number;
  clientId: string;
  editedTs?: number;
  deleted?: true;
}

export interface SessionStartPayload {
  /**
   * Required with AUTH_MODE=nickname. Refused with AUTH_MODE=oidc (INVALID_PAYLOAD), where the
   * nickname comes from the sign-in: the display name plus a tag of the identity.
   */
  nickname?: string;
  /** The token from an earlier session:start; reclaims that nickname within the grace period. */
  session?: string;
  /**
   * Rooms to join as room:join would, in the same round trip (at most `LIMITS.sessionStartJoinMax`).
   * The ack's `joined` answers each one the session was not in already; the rest are in `rooms`.
   */
  join?: string[];
}

/** One room of session:start's `join`: room:join's answer, or why this room was not joined. */
export type SessionStartJoined = ({ ok: true } & RoomJoined) | { ok: false; room: string; error: ErrorBody };

export interface SessionStarted {
  nickname: string;
  session: string;
  rooms: RoomSummary[];
  /** The person may delete anyone's message and use room:remove. */
  moderator: boolean;
  /** Present when the payload had `join`: one entry per room it listed that was not in `rooms`, in its order. */
  joined?: SessionStartJoined[];
}

export interface RoomPayload {
  room: string;
}

export interface MessageSendPayload {
  room: string;
  text: string;
  /** Chosen by the sender; a resend with the same clientId returns the first message. */
  clientId: string;
}

export interface DmSendPayload {
  to: string;
  text: string;
  clientId: string;
}

export interface MessageEditPayload {
  room: string;
  id: string;
  text: string;
}

export interface MessageDeletePayload {
  room: string;
  id: string;
}

export interface DmEditPayload {
  /** The other person's nickname, as for dm:history. */
  with: string;
  id: string;
  text: string;
}

export interface DmDeletePayload {
  with: string;
  id: string;
}

export interface RoomRemovePayload {
  room: string;
  nickname: string;
  /** How long the person may not rejoin: `LIMITS.removeMinMs` to `LIMITS.removeMaxMs`. */
  durationMs: number;
}

/** Someone was removed from a room by a moderator; sent to the room and to the removed person. */
export interface RoomRemovedEvent {
  room: string;
  nickname: string;
  /** The moderator's name. */
  by: string;
  /** Until when (milliseconds since the epoch, the server's clock) they cannot rejoin. */
  until: number;
}

export interface TypingPayload {
  room: string;
  typing: boolean;
}

export interface RoomMembersPayload {
  room: string;
  /** The `next` of the previous page; members sorted after it. */
  after?: string;
  /** Only members whose nickname starts with this, ignoring case. */
  prefix?: string;
  limit?: number;
}

/** What room:join answers. */
export interface RoomJoined {
  room: string;
  memberCount: number;
  members: string[];
  next?: string;
  history: ChatMessage[];
}

/** A room the session is in, as a resumed session:start reports it. */
export interface RoomSummary {
  room: string;
  memberCount: number;
}

export interface HistoryFetchPayload {
  room: string;
  before?: string;
  after?: string;
  limit?: number;
}

export interface DmHistoryPayload {
  with: string;
  before?: string;
  after?: string;
  limit?: number;
}

export interface ClientToServerEvents {
  'session:start': (
    payload: SessionStartPayload,
    ack: AckCallback<SessionStarted>,
  ) => void;
  'room:join': (payload: RoomPayload, ack: AckCallback<RoomJoined>) => void;
  'room:members': (payload: RoomMembersPayload, ack: AckCallback<{ room: string; members: string[]; next?: string }>) => void;
  'room:leave': (payload: RoomPayload, ack: AckCallback<{ room: string }>) => void;
  'message:send': (payload: MessageSendPayload, ack: AckCallback<{ message: ChatMessage }>) => void;
  'dm:send': (payload: DmSendPayload, ack: AckCallback<{ message: DirectMessage }>) => void;
  'message:edit': (payload: MessageEditPayload, ack: AckCallback<{ message: ChatMessage }>) => void;
  'message:delete': (payload: MessageDeletePayload, ack: AckCallback<{ message: ChatMessage }>) => void;
  'dm:edit': (payload: DmEditPayload, ack: AckCallback<{ message: DirectMessage }>) => void;
  'dm:delete': (payload: DmDeletePayload, ack: AckCallback<{ message: DirectMessage }>) => void;
  'room:remove': (payload: RoomRemovePayload, ack: AckCallback<{ removed: RoomRemovedEvent }>) => void;
  typing: (payload: TypingPayload, ack?: AckCallback) => void;
  'history:fetch': (payload: HistoryFetchPayload, ack: AckCallback<{ messages: ChatMessage[] }>) => void;
  'dm:history': (payload: DmHistoryPayload, ack: AckCallback<{ messages: DirectMessage[] }>) => void;
}

export interface ServerToClientEvents {
  message: (message: ChatMessage) => void;
  dm: (message: DirectMessage) => void;
  'message:updated': (message: ChatMessage) => void;
  /** The tombstone. */
  'message:deleted': (message: ChatMessage) => void;
  'dm:updated': (message: DirectMessage) => void;
  'dm:deleted': (message: DirectMessage) => void;
  'room:removed': (event: RoomRemovedEvent) => void;
  'user:joined': (event: { room: string; nickname: string; count: number }) => void;
  'user:left': (event: { room: string; nickname: string; count: number }) => void;
  /** Joins and leaves of a large room, coalesced: at most one per room per interval. */
  'room:presence': (event: RoomPresence) => void;
  typing: (event: { room: string; nickname: string; typing: boolean }) => void;
  'server:draining': (event: Record<never, never>) => void;
}

export interface RoomPresence {
  room: string;
  /** Who joined since the last event, at most `LIMITS.presenceNamesMax`. */
  joined: string[];
  /** Who left since the last event, at most `LIMITS.presenceNamesMax`. */
  left: string[];
  /** The room's exact member count now. */
  count: number;
}

/** The limits a client needs to know to validate input before sending it. */
export const LIMITS = {
  nicknameMaxLength: 24,
  roomMaxLength: 32,
  messageMaxLength: 2000,
  historyDefaultLimit: 50,
  historyMaxLimit: 100,
  clientIdMaxLength: 64,
  roomsPerSession: 20,
  /** Rooms one session:start may join (`join`); a client joins any more with room:join. */
  sessionStartJoinMax: 10,
  /**
   * Nicknames in a room:join ack; room:members pages through the rest. A list taller than the
   * view of most screens, and no more: every join pays for the page, in Redis and in the ack.
   */
  joinMembersMax: 40,
  membersPageMax: 200,
  presenceNamesMax: 100,
  /** room:remove's durationMs: one minute to thirty days. */
  removeMinMs: 60_000,
  removeMaxMs: 30 * 24 * 60 * 60 * 1000,
  /**
   * A catch-up (`history:fetch` / `dm:history` with `after`) starts this long before the time in
   * the newest id the client holds, not at that id: an id is the server's clock when the message
   * arrived, and a message can reach the room after a later one. The server's bound: delivery
   * starts once stored or 250 ms after the id at the latest (a slow write is delivered before it
   * lands), and another instance's copy leaves through Redis within the 2 s publish deadline
   * (+ its 250 ms slice), or the sender is told STORAGE_UNAVAILABLE: 2.5 s. The rest covers clock
   * skew between instances and a stalled event loop. Within one instance, the history writer
   * lets a room's message land ahead of an earlier one only if it was sent less than half this
   * after it (history/batch-writer.ts, OVERTAKE_WINDOW_MS). Every reconnect refetches this much of a
   * room, so it is sized to the bound, not beyond it. What the bound leaves out (storage failing
   * for longer, a crash between storing and delivering): docs/protocol.md, History.
   */
  catchUpMarginMs: 3000,
} as const;

export const LOBBY = 'lobby';
export const ROOM_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** What GET /auth/me answers: how people are known here, and who this browser signed in as. */
export type AuthStatus =
  | { mode: 'nickname' }
  | { mode: 'oidc'; signedIn: false }
  | {
      mode: 'oidc';
      signedIn: true;
      /** The display name from the ID token. */
      name: string;
      /** What the chat shows: the name plus a tag that tells same-named people apart. */
      nickname: string;
      /** Milliseconds since the epoch; the sockets are disconnected then. */
      expiresAt: number;
    };

/** `connect_error`'s `data.code` when a handshake needs a sign-in (AUTH_MODE=oidc): send the person to /auth/login. */
export const SIGN_IN_REQUIRED = 'SIGN_IN_REQUIRED';

/** The `data` of a `connect_error` the server refused. */
export interface ConnectRefusal {
  code: typeof SIGN_IN_REQUIRED | 'STORE_UNAVAILABLE';
  message: string;
}
