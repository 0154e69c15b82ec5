import type { ErrorBody, ErrorCode } from '../shared/protocol.js';

/** An error the client can act on: its code and message go into the error ack unchanged. */
export class ChatError extends Error {
  override name = 'ChatError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return this.retryAfterMs === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, retryAfterMs: this.retryAfterMs };
  }
}

export function isChatError(error: unknown): error is ChatError {
  return error instanceof ChatError;
}

/** The catalogue of errors a client can receive; handlers build errors only through these. */
export const errors = {
  invalidPayload: (detail: string) => new ChatError('INVALID_PAYLOAD', detail),
  unknownEvent: (event: string) => new ChatError('UNKNOWN_EVENT', `unknown event "${event.slice(0, 64)}"`),
  noSession: () => new ChatError('NO_SESSION', 'start a session with session:start first'),
  invalidNickname: (detail: string) => new ChatError('INVALID_NICKNAME', detail),
  nicknameTaken: (nickname: string) => new ChatError('NICKNAME_TAKEN', `the nickname "${nickname}" is taken`),
  invalidRoom: (detail: string) => new ChatError('INVALID_ROOM', detail),
  notInRoom: (room: string) => new ChatError('NOT_IN_ROOM', `join the room "${room}" first`),
  tooManyRooms: (max: number) => new ChatError('TOO_MANY_ROOMS', `a session can be in at most ${max} rooms`),
  invalidMessage: (detail: string) => new ChatError('INVALID_MESSAGE', detail),
  userNotFound: (nickname: string) => new ChatError('USER_NOT_FOUND', `no user "${nickname}" is online`),
  rateLimited: (retryAfterMs: number) =>
    new ChatError('RATE_LIMITED', 'too many events; slow down', Math.max(1, Math.ceil(retryAfterMs))),
  storageUnavailable: (retryAfterMs: number) =>
    new ChatError('STORAGE_UNAVAILABLE', 'messages cannot be stored right now; retry with the same clientId', retryAfterMs),
  /**
   * Redis, which holds the sessions, is unreachable or overloaded; it reconnects within about two
   * seconds of coming back. The spread keeps thousands of refused clients from retrying together.
   */
  sessionsUnavailable: () =>
    new ChatError('STORAGE_UNAVAILABLE', 'sessions cannot be reached right now; retry shortly', 1000 + Math.floor(Math.random() * 2000)),
  /**
   * Redis did not take a broadcast in time, so the other instances have not got it; what the event
   * stored stays stored. Redis reconnects within about two seconds of coming back; the spread as above.
   */
  broadcastUnpublished: () =>
    new ChatError('STORAGE_UNAVAILABLE', 'the other servers cannot be reached right now; retry shortly (a message: with the same clientId)', 1000 + Math.floor(Math.random() * 2000)),
  /** The session store lost its data; instances are putting their sessions back. */
  sessionsRestoring: (retryAfterMs: number) =>
    new ChatError('STORAGE_UNAVAILABLE', 'sessions are being restored after a store restart; retry shortly', retryAfterMs),
  serverDraining: () => new ChatError('SERVER_DRAINING', 'this server is shutting down; reconnect and retry'),
  forbidden: (what: string) => new ChatError('FORBIDDEN', what),
  removedFromRoom: (room: string, until: number, now: number) =>
    new ChatError('FORBIDDEN', `a moderator removed you from "${room}" until ${new Date(until).toISOString()}`, Math.max(1, until - now)),
  messageNotFound: (id: string) => new ChatError('MESSAGE_NOT_FOUND', `no message ${id} in this conversation`),
  messageDeleted: (id: string) => new ChatError('MESSAGE_NOT_FOUND', `message ${id} was deleted`),
  internal: () => new ChatError('INTERNAL_ERROR', 'something went wrong on the server; retry'),
};
