import { randomBytes } from 'node:crypto';
import type { Nickname } from './nickname.js';
import type { ClaimResult, Session, SessionRegistry } from './session-registry.js';

interface MutableSession extends Session {
  rooms: Set<string>;
}

/** One process's sessions: correct for a single instance. */
export class MemorySessionRegistry implements SessionRegistry {
  private readonly byToken = new Map<string, MutableSession>();
  private readonly byKey = new Map<string, MutableSession>();
  /** room -> nickname key -> display nickname, in join order. */
  private readonly roomMembers = new Map<string, Map<string, string>>();

  async claim(nickname: Nickname, token?: string): Promise<ClaimResult> {
    const previous = token === undefined ? undefined : this.byToken.get(token);
    if (previous && previous.key === nickname.key) return { ok: true, session: previous, resumed: true };

    const holder = this.byKey.get(nickname.key);
    if (holder) return { ok: false, holder: holder.nickname };

    const replaced = previous ? await this.end(previous.token) : undefined;
    const session: MutableSession = {
      token: randomBytes(24).toString('base64url'),
      nickname: nickname.display,
      key: nickname.key,
      rooms: new Set(),
    };
    this.byToken.set(session.token, session);
    this.byKey.set(session.key, session);
    return replaced ? { ok: true, session, resumed: false, replaced } : { ok: true, session, resumed: false };
  }

  async get(token: string): Promise<Session | undefined> {
    return this.byToken.get(token);
  }

  async findByNickname(key: string): Promise<Session | undefined> {
    return this.byKey.get(key);
  }

  async join(token: string, room: string): Promise<boolean> {
    const session = this.byToken.get(token);
    if (!session || session.rooms.has(room)) return false;
    session.rooms.add(room);
    let members = this.roomMembers.get(room);
    if (!members) {
      members = new Map();
      this.roomMembers.set(room, members);
    }
    members.set(session.key, session.nickname);
    return true;
  }

  async leave(token: string, room: string): Promise<boolean> {
    const session = this.byToken.get(token);
    if (!session?.rooms.delete(room)) return false;
    const members = this.roomMembers.get(room);
    members?.delete(session.key);
    if (members?.size === 0) this.roomMembers.delete(room);
    return true;
  }

  async members(room: string): Promise<string[]> {
    return [...(this.roomMembers.get(room)?.values() ?? [])];
  }

  async end(token: string): Promise<Session | undefined> {
    const session = this.byToken.get(token);
    if (!session) return undefined;
    const rooms = [...session.rooms];
    for (const room of rooms) await this.leave(token, room);
    this.byToken.delete(token);
    this.byKey.delete(session.key);
    return { ...session, rooms: new Set(rooms) };
  }

  /** One process: a session cannot outlive its instance, so there is no lease to renew. */
  readonly renewEveryMs = undefined;

  async renew(): Promise<void> {}

  async sweepExpired(): Promise<Session[]> {
    return [];
  }

  async close(): Promise<void> {}
}
