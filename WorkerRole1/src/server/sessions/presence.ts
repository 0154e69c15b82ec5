import type { Logger } from '../logger.js';
import { roomChannel, userChannel } from '../channels.js';
import type { ChatIO } from '../socket/types.js';
import type { Session, SessionRegistry } from './session-registry.js';

interface LocalSession {
  key: string;
  sockets: Set<string>;
}

/**
 * Keeps a session alive while any of its sockets is connected, and for a grace period after the
 * last one goes, so a page refresh or a network blip reclaims the nickname instead of losing it.
 * With several instances, a session ends only when no instance has a socket of it left.
 */
export class Presence {
  private readonly local = new Map<string, LocalSession>();
  private readonly expiries = new Map<string, NodeJS.Timeout>();
  private renewTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly io: ChatIO,
    private readonly sessions: SessionRegistry,
    private readonly graceMs: number,
    private readonly logger: Logger,
  ) {}

  /** Renews the leases of this instance's sessions and sweeps lapsed ones, as often as the registry needs. */
  start(): void {
    const every = this.sessions.renewEveryMs;
    if (every === undefined) return;
    this.renewTimer = setInterval(() => {
      this.renewAndSweep().catch((error: unknown) => this.logger.warn({ err: error }, 'session lease renewal failed'));
    }, every);
    this.renewTimer.unref();
  }

  attach(token: string, key: string, socketId: string): void {
    clearTimeout(this.expiries.get(token));
    this.expiries.delete(token);
    let session = this.local.get(token);
    if (!session) {
      session = { key, sockets: new Set() };
      this.local.set(token, session);
    }
    session.sockets.add(socketId);
  }

  detach(token: string, socketId: string): void {
    const session = this.local.get(token);
    if (!session?.sockets.delete(socketId) || session.sockets.size > 0) return;
    const expiry = setTimeout(() => {
      this.expiries.delete(token);
      this.local.delete(token);
      this.endUnlessConnectedElsewhere(token, session.key).catch((error: unknown) =>
        this.logger.error({ err: error }, 'session expiry failed'),
      );
    }, this.graceMs);
    expiry.unref();
    this.expiries.set(token, expiry);
  }

  /**
   * Tells a session's rooms that it left. `successor` is whoever holds the nickname now (a lapsed
   * session's nickname may be claimed again before the sweep): its sockets share the user
   * channel, so they stay in their rooms, and those rooms hear nothing.
   */
  announceDeparture(session: Session, successor?: Session): void {
    for (const room of session.rooms) {
      if (successor?.rooms.has(room)) continue;
      if (!successor) this.io.in(userChannel(session.key)).socketsLeave(roomChannel(room));
      this.io.to(roomChannel(room)).emit('user:left', { room, nickname: session.nickname });
    }
    // Tabs still open on an ended session must not receive what the nickname's next holder gets.
    if (!successor) this.io.in(userChannel(session.key)).socketsLeave(userChannel(session.key));
    this.logger.info({ nickname: session.nickname }, 'session ended');
  }

  close(): void {
    clearInterval(this.renewTimer);
    for (const expiry of this.expiries.values()) clearTimeout(expiry);
    this.expiries.clear();
    this.local.clear();
  }

  /** Ends a session now: frees its nickname and tells its rooms that it left. */
  private async endSession(token: string): Promise<Session | undefined> {
    const ended = await this.sessions.end(token);
    if (ended) this.announceDeparture(ended);
    return ended;
  }

  private async endUnlessConnectedElsewhere(token: string, key: string): Promise<void> {
    const elsewhere = await this.io.in(userChannel(key)).fetchSockets();
    if (elsewhere.length > 0) return;
    await this.endSession(token);
  }

  private async renewAndSweep(): Promise<void> {
    await this.sessions.renew([...this.local.keys()]);
    for (const lapsed of await this.sessions.sweepExpired()) {
      this.announceDeparture(lapsed, await this.sessions.findByNickname(lapsed.key));
    }
  }
}
