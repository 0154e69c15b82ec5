import { type ErrorBody, type ErrorCode, LOBBY, type SessionStartJoined } from '../shared/protocol.js';
import { NoAnswerError, sleep, type Connection } from './connection.js';
import type { DirectMessages } from './direct.js';
import type { Outbox } from './outbox.js';
import { retryDelay } from './retry-delay.js';
import type { Rooms } from './rooms.js';
import type { Session, SessionResult } from './session.js';
import { type Conversation, roomKey } from './state/conversation.js';
import type { Store } from './state/store.js';

interface Deps {
  store: Store;
  connection: Connection;
  session: Session;
  rooms: Rooms;
  direct: DirectMessages;
  outbox: Outbox;
  /** Shows the nickname form, with the server's reason when a stored session could not be restored. */
  showLogin(error: string | null, nickname: string): void;
}

const RETRY_MS = 2000;
/** Failures that say "not now" rather than "no": restoring the session waits and tries again. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['INTERNAL_ERROR', 'STORAGE_UNAVAILABLE', 'SERVER_DRAINING', 'RATE_LIMITED']);

/**
 * The session lifecycle. On every (re)connect: present the stored token to reclaim the nickname
 * (which also puts the socket back into the session's rooms), fetch what each room missed (join
 * only the rooms the server did not resume), catch up the DM threads, then release the outbox.
 * A disconnect in the middle abandons that pass; the next connect starts a new one.
 */
export class Sync {
  private generation = 0;
  private lastRestoreAt = 0;

  constructor(private readonly deps: Deps) {
    const { socket } = deps.connection;
    socket.on('connect', () => void this.onConnect());
    socket.on('disconnect', () => {
      this.generation += 1;
      deps.outbox.setReady(false);
    });
    // The session can end under a live socket (expired lease, renamed in another tab): restore it.
    deps.connection.onSessionLost = () => {
      if (Date.now() - this.lastRestoreAt < RETRY_MS) return;
      deps.outbox.setReady(false);
      void this.onConnect();
    };
  }

  /** The nickname form's submit. */
  async login(nickname: string): Promise<SessionResult> {
    const generation = this.generation;
    const result = await this.deps.session.start(nickname, this.roomsToJoin());
    if (result.ok && generation === this.generation) await this.enter(result, generation);
    return result;
  }

  private async onConnect(): Promise<void> {
    const { store, session, connection } = this.deps;
    const generation = ++this.generation;
    this.lastRestoreAt = Date.now();
    // Signed in, the server knows who this is: no nickname to ask for.
    const nickname = store.me ?? session.stored?.nickname ?? (session.signedIn ? '' : undefined);
    if (nickname === undefined) {
      store.view = 'login';
      store.changed();
      return;
    }
    store.restoring = true;
    store.changed();
    const result = await session.start(nickname, this.roomsToJoin());
    if (generation !== this.generation) return;
    store.restoring = false;
    if (result.ok) return this.enter(result, generation);
    if (RETRYABLE.has(result.error.code) && connection.connected) {
      await sleep(retryDelay(result.error.retryAfterMs, RETRY_MS));
      if (generation === this.generation) void this.onConnect();
      return;
    }
    store.view = 'login';
    store.changed();
    const reason =
      result.error.code === 'NICKNAME_TAKEN'
        ? `Someone else took “${nickname}” while you were away. Pick another nickname.`
        : result.error.message;
    this.deps.showLogin(reason, nickname);
  }

  /**
   * The rooms `enter` will be in, lobby first, sent with session:start so that it joins them in
   * the same round trip (the server answers a resumed session's rooms in `rooms` instead).
   */
  private roomsToJoin(): string[] {
    return [LOBBY, ...this.deps.store.rooms().map((conversation) => conversation.name).filter((name) => name !== LOBBY)];
  }

  /**
   * `resumed`: the rooms the server put this socket back into (a resumed session), with their
   * counts. Those only fetch what they missed; the rooms session:start joined (`joined`) take
   * its answer as room:join's; any other room is joined with room:join.
   */
  private async enter(started: Extract<SessionResult, { ok: true }>, generation: number): Promise<void> {
    const { nickname, rooms: resumed } = started;
    const { store, direct, outbox, connection } = this.deps;
    store.me = nickname;
    store.moderator = started.moderator;
    store.view = 'chat';
    store.draining = false;
    connection.settled();
    const counts = new Map(resumed.map(({ room, memberCount }) => [room, memberCount]));
    const joinedInStart = new Map(started.joined.map((result) => [result.room, result]));
    // Rooms this session is in on the server are ours, even if this tab forgot them.
    for (const room of counts.keys()) store.room(room);
    store.room(LOBBY);
    if (!store.conversations.has(store.activeKey)) store.open(roomKey(LOBBY));
    store.changed();
    try {
      const joined = store.rooms().sort((a, b) => Number(b.name === LOBBY) - Number(a.name === LOBBY));
      await Promise.all(
        joined.map(async (conversation) => {
          const error = await this.enterRoom(conversation, counts.get(conversation.name), joinedInStart.get(conversation.name));
          // FORBIDDEN: a moderator removed us from the room for a while (the message says until when).
          if (error?.code === 'FORBIDDEN') store.warn(error.message);
          if (error && (error.code === 'INVALID_ROOM' || error.code === 'TOO_MANY_ROOMS' || error.code === 'FORBIDDEN')) {
            outbox.dropConversation(conversation.key);
            store.remove(conversation.key);
          }
        }),
      );
      if (generation !== this.generation) return;
      outbox.setReady(true);
      await Promise.all(store.dms().map((conversation) => direct.catchUp(conversation)));
    } catch (error) {
      if (!(error instanceof NoAnswerError)) throw error;
      if (generation !== this.generation || !connection.connected) return;
      await sleep(retryDelay(undefined, RETRY_MS));
      // The answers session:start brought are stale by now: join those rooms again.
      if (generation === this.generation) await this.enter({ ...started, joined: [] }, generation);
    }
  }

  /** One room of `enter`: back in it already (`count`), joined by session:start (`result`), or to join now. */
  private async enterRoom(conversation: Conversation, count: number | undefined, result: SessionStartJoined | undefined): Promise<ErrorBody | null> {
    const { rooms } = this.deps;
    if (count !== undefined) return rooms.resume(conversation, count);
    if (result === undefined) return rooms.join(conversation.name);
    if (!result.ok) return result.error;
    await rooms.joined(result);
    return null;
  }
}
