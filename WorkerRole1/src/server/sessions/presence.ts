import type { Logger } from '../logger.js';
import { roomChannel, userChannel } from '../channels.js';
import type { ChatIO } from '../socket/types.js';
import type { Session, SessionRegistry } from './session-registry.js';

/**
 * Keeps a session alive while any of its sockets is connected, and for a grace period after the
 * last one goes, so a page refresh or a network blip reclaims the nickname instead of losing it.
 */
export class Presence {
  private readonly socketsByToken = new Map<string, Set<string>>();
  private readonly expiries = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly io: ChatIO,
    private readonly sessions: SessionRegistry,
    private readonly graceMs: number,
    private readonly logger: Logger,
  ) {}

  attach(token: string, socketId: string): void {
    clearTimeout(this.expiries.get(token));
    this.expiries.delete(token);
    let sockets = this.socketsByToken.get(token);
    if (!sockets) {
      sockets = new Set();
      this.socketsByToken.set(token, sockets);
    }
    sockets.add(socketId);
  }

  detach(token: string, socketId: string): void {
    const sockets = this.socketsByToken.get(token);
    if (!sockets?.delete(socketId) || sockets.size > 0) return;
    this.socketsByToken.delete(token);
    const expiry = setTimeout(() => {
      this.expiries.delete(token);
      this.endSession(token).catch((error: unknown) => this.logger.error({ err: error }, 'session expiry failed'));
    }, this.graceMs);
    expiry.unref();
    this.expiries.set(token, expiry);
  }

  /** Ends a session now: frees its nickname and tells its rooms that it left. */
  async endSession(token: string): Promise<Session | undefined> {
    const ended = await this.sessions.end(token);
    if (ended) this.announceDeparture(ended);
    return ended;
  }

  announceDeparture(session: Session): void {
    for (const room of session.rooms) {
      this.io.in(userChannel(session.key)).socketsLeave(roomChannel(room));
      this.io.to(roomChannel(room)).emit('user:left', { room, nickname: session.nickname });
    }
    this.logger.info({ nickname: session.nickname }, 'session ended');
  }

  close(): void {
    for (const expiry of this.expiries.values()) clearTimeout(expiry);
    this.expiries.clear();
    this.socketsByToken.clear();
  }
}
