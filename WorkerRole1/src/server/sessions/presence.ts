import type { Logger } from '../logger.js';
import { roomChannel, roomOfChannel, userChannel } from '../channels.js';
import type { ChatIO, ChatSocket } from '../socket/types.js';
import type { EndedSession, HeldSession, RoomChange, Session, SessionRegistry } from './session-registry.js';

interface LocalSession {
  nickname: string;
  key: string;
  sockets: Map<string, ChatSocket>;
}

export interface PresenceOptions {
  /** This instance, as the registry knows it among the holders of a session. */
  instanceId: string;
  graceMs: number;
  /** How often a large room hears who came and went. */
  presenceIntervalMs: number;
}

/**
 * Keeps a session alive while any of its sockets is connected here, and for a grace period after
 * the last one goes, so a page refresh or a network blip reclaims the nickname instead of losing
 * it. With several instances, a session ends only when no instance holds it any more; the registry
 * knows who does, so nothing here asks the other instances.
 *
 * Also says who came and went: each join and leave in a small room, and in a large one at most one
 * `room:presence` per interval, which the registry hands to one instance for all of them.
 */
export class Presence {
  private readonly local = new Map<string, LocalSession>();
  private readonly expiries = new Map<string, NodeJS.Timeout>();
  private readonly presenceTimers = new Map<string, NodeJS.Timeout>();
  private renewTimer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly io: ChatIO,
    private readonly sessions: SessionRegistry,
    private readonly options: PresenceOptions,
    private readonly logger: Logger,
  ) {}

  /** Renews the leases of this instance's sessions and sweeps lapsed ones, as often as the registry needs. */
  start(): void {
    const every = this.sessions.renewEveryMs;
    if (every === undefined) return;
    this.renewTimer = setInterval(() => this.renewNow(), every);
    this.renewTimer.unref();
  }

  /**
   * Renews (and puts back what a store that lost its data no longer has) now rather than at the
   * next interval: a claim answered 'restoring' says the data was lost. One renewal at a time.
   */
  renewNow(): void {
    if (this.renewing || this.closed || this.sessions.renewEveryMs === undefined) return;
    this.renewing = this.renewAndSweep()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'session lease renewal failed'))
      .finally(() => (this.renewing = undefined));
  }

  /**
   * A socket speaks for a session here. `held` says the registry already counts this instance
   * among the session's holders (it just claimed it); otherwise it is told, so that another
   * instance's grace period cannot end a session that lives on here.
   */
  attach(session: Pick<Session, 'token' | 'key' | 'nickname'>, socket: ChatSocket, held: boolean): void {
    clearTimeout(this.expiries.get(session.token));
    this.expiries.delete(session.token);
    let local = this.local.get(session.token);
    if (!local) {
      local = { nickname: session.nickname, key: session.key, sockets: new Map() };
      this.local.set(session.token, local);
      if (!held) {
        // Holding is all this asks; the rooms come with the next renewal.
        this.sessions
          .renew(this.options.instanceId, [{ token: session.token, nickname: session.nickname, key: session.key, rooms: [] }])
          .catch((error: unknown) => this.logger.warn({ err: error }, 'session hold failed'));
      }
    }
    local.sockets.set(socket.id, socket);
  }

  detach(token: string, socketId: string): void {
    const session = this.local.get(token);
    if (!session?.sockets.delete(socketId) || session.sockets.size > 0) return;
    const expiry = setTimeout(() => {
      this.expiries.delete(token);
      this.local.delete(token);
      this.release(token).catch((error: unknown) => this.logger.error({ err: error }, 'session expiry failed'));
    }, this.options.graceMs);
    expiry.unref();
    this.expiries.set(token, expiry);
  }

  /** Whether the session has sockets on this instance besides `socketId`. */
  hasOtherSockets(token: string, socketId: string): boolean {
    const sockets = this.local.get(token)?.sockets;
    return sockets !== undefined && (sockets.size > 1 || (sockets.size === 1 && !sockets.has(socketId)));
  }

  /** Tells a room that a session joined it. */
  announceJoin(session: Session, change: RoomChange): void {
    if (change.coalesced) return this.schedulePresence(change.room);
    this.io
      .to(roomChannel(change.room))
      .except(userChannel(session.key))
      .emit('user:joined', { room: change.room, nickname: session.nickname, count: change.count });
  }

  /** Tells a room that a session left it; its sockets (on every instance) leave the room first. */
  announceLeave(session: Pick<Session, 'key' | 'nickname'>, change: RoomChange): void {
    this.io.in(userChannel(session.key)).socketsLeave(roomChannel(change.room));
    if (change.count === 0) return;
    if (change.coalesced) return this.schedulePresence(change.room);
    this.io.to(roomChannel(change.room)).emit('user:left', { room: change.room, nickname: session.nickname, count: change.count });
  }

  /**
   * Tells an ended session's rooms that it left. `successor` is whoever holds the nickname now (a
   * lapsed session's nickname may be claimed again before the sweep): its sockets share the user
   * channel, so they stay in the rooms the successor is in, and those rooms hear nothing.
   */
  announceDeparture(session: EndedSession, successor?: Session): void {
    for (const change of session.left) {
      if (!successor?.rooms.has(change.room)) this.announceLeave(session, change);
    }
    // Tabs still open on an ended session must not receive what the nickname's next holder gets.
    if (!successor) this.io.in(userChannel(session.key)).socketsLeave(userChannel(session.key));
    this.logger.info({ nickname: session.nickname }, 'session ended');
  }

  close(): void {
    this.closed = true;
    clearInterval(this.renewTimer);
    for (const timer of [...this.expiries.values(), ...this.presenceTimers.values()]) clearTimeout(timer);
    this.expiries.clear();
    this.presenceTimers.clear();
    this.local.clear();
  }

  private async release(token: string): Promise<void> {
    const ended = await this.sessions.release(token, this.options.instanceId);
    if (ended) this.announceDeparture(ended);
  }

  /** One attempt per room and interval from this instance; the registry lets one instance in. */
  private schedulePresence(room: string, delayMs = this.options.presenceIntervalMs): void {
    if (this.closed || this.presenceTimers.has(room)) return;
    const timer = setTimeout(() => {
      this.presenceTimers.delete(room);
      this.flushPresence(room).catch((error: unknown) => {
        this.logger.warn({ err: error, room }, 'room presence failed; retrying');
        this.schedulePresence(room);
      });
    }, delayMs);
    timer.unref();
    this.presenceTimers.set(room, timer);
  }

  private async flushPresence(room: string): Promise<void> {
    const take = await this.sessions.takePresence(room, this.options.presenceIntervalMs);
    if (take.taken) {
      this.io.to(roomChannel(room)).emit('room:presence', { room, ...take.batch });
    } else if (take.retryInMs !== undefined) {
      this.schedulePresence(room, take.retryInMs);
    }
  }

  /** What this instance knows of a session: its sockets here are in its rooms. */
  private describe(token: string, local: LocalSession): HeldSession {
    const rooms = new Set<string>();
    for (const socket of local.sockets.values()) {
      for (const channel of socket.rooms) {
        const room = roomOfChannel(channel);
        if (room !== undefined) rooms.add(room);
      }
    }
    return { token, nickname: local.nickname, key: local.key, rooms: [...rooms] };
  }

  private async renewAndSweep(): Promise<void> {
    const held = [...this.local].map(([token, local]) => this.describe(token, local));
    await this.sessions.renew(this.options.instanceId, held);
    for (const lapsed of await this.sessions.sweepExpired()) {
      this.announceDeparture(lapsed, await this.sessions.findByNickname(lapsed.key));
    }
  }
}
