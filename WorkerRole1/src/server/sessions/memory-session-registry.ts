import { ExpiringRecords } from './expiring-records.js';
import { randomBytes } from 'node:crypto';
import type { Nickname } from './nickname.js';
import { PendingPresence } from './pending-presence.js';
import { RoomIndex } from './room-index.js';
import {
  type ClaimResult,
  type EndedSession,
  type EnterOptions,
  type EnterResult,
  type HeldSession,
  type MemberPage,
  type MemberQuery,
  memberRangeStart,
  type Peer,
  type PresenceTake,
  type RoomChange,
  type SenderCheck,
  type Session,
  type SessionRegistry,
} from './session-registry.js';

interface MutableSession extends Session {
  rooms: Set<string>;
  /** Lease deadline (ms); Infinity without leases. */
  deadline: number;
  /** Instance -> its own lease deadline. */
  holders: Map<string, number>;
  peers: Map<string, Peer>;
  /** The token this session's claim replaced, which still finds it (see claim). */
  predecessor?: string;
}

export interface MemorySessionRegistryOptions {
  /**
   * Sessions lapse this long after their last renewal, as in Redis. Without it sessions never
   * lapse: right for one process, whose sessions cannot outlive it.
   */
  leaseMs?: number;
  /** Rooms larger than this hear coalesced `room:presence` instead of each join and leave. */
  presenceIndividualMax: number;
  now?: () => number;
}

/**
 * Sessions and room membership kept in one process: the registry of a single instance, or the one
 * the emulator's primary process keeps for all its instances (then with leases, so a crashed
 * instance's sessions lapse exactly as they would in Redis).
 */
export class MemorySessionRegistry implements SessionRegistry {
  private readonly byToken = new Map<string, MutableSession>();
  private readonly byKey = new Map<string, string>();
  /** Presented token -> the session its claim made, while that session lives. */
  private readonly successors = new Map<string, string>();
  private readonly rooms = new Map<string, RoomIndex>();
  private readonly presence = new PendingPresence();
  /** `room|subject` -> when the ban ends. */
  private readonly bans = new Map<string, number>();
  private readonly leaseMs: number | undefined;
  private readonly presenceIndividualMax: number;
  private readonly now: () => number;
  readonly renewEveryMs: number | undefined;
  private readonly records: ExpiringRecords;

  constructor(options: MemorySessionRegistryOptions) {
    this.leaseMs = options.leaseMs;
    this.presenceIndividualMax = options.presenceIndividualMax;
    this.now = options.now ?? Date.now;
    this.records = new ExpiringRecords(this.now);
    this.renewEveryMs = options.leaseMs === undefined ? undefined : Math.floor(options.leaseMs / 4.5);
  }

  async claim(nickname: Nickname, token: string | undefined, holder: string): Promise<ClaimResult> {
    const previous = token === undefined ? undefined : this.live(token);
    if (previous && previous.key === nickname.key) {
      this.hold(previous, holder);
      return { ok: true, session: snapshot(previous), resumed: true };
    }
    // The same token presented again after a claim that replaced it (an ack lost to a timeout or a
    // dropped connection): the caller gets the session that claim made, not NICKNAME_TAKEN.
    const successorToken = token === undefined ? undefined : this.successors.get(token);
    const successor = successorToken === undefined ? undefined : this.live(successorToken);
    if (successor && successor.key === nickname.key) {
      this.hold(successor, holder);
      return { ok: true, session: snapshot(successor), resumed: true };
    }
    const holderToken = this.byKey.get(nickname.key);
    const current = holderToken === undefined ? undefined : this.live(holderToken);
    if (current) return { ok: false, reason: 'taken', holder: current.nickname };

    const replaced = previous ? this.endSession(previous) : undefined;
    const session: MutableSession = {
      token: randomBytes(24).toString('base64url'),
      nickname: nickname.display,
      key: nickname.key,
      rooms: new Set(),
      deadline: Infinity,
      holders: new Map(),
      peers: new Map(),
    };
    this.byToken.set(session.token, session);
    this.byKey.set(session.key, session.token);
    this.hold(session, holder);
    if (token !== undefined) {
      this.successors.set(token, session.token);
      session.predecessor = token;
    }
    return { ok: true, session: snapshot(session), resumed: false, ...(replaced ? { replaced } : {}) };
  }

  async get(token: string): Promise<Session | undefined> {
    const session = this.live(token);
    return session && snapshot(session);
  }

  async checkSender(token: string, _key: string, room?: string): Promise<SenderCheck> {
    const session = this.live(token);
    if (!session) return { ok: false, reason: 'no-session' };
    if (room !== undefined && !session.rooms.has(room)) return { ok: false, reason: 'not-in-room' };
    return { ok: true, nickname: session.nickname };
  }

  async findByNickname(key: string): Promise<Session | undefined> {
    const token = this.byKey.get(key);
    const session = token === undefined ? undefined : this.live(token);
    return session && snapshot(session);
  }

  async join(token: string, room: string): Promise<RoomChange | undefined> {
    const session = this.live(token);
    if (!session || session.rooms.has(room)) return undefined;
    session.rooms.add(room);
    let index = this.rooms.get(room);
    if (!index) {
      index = new RoomIndex();
      this.rooms.set(room, index);
    }
    index.add(session.key, session.token);
    return this.changed(room, index.size, index.size, session, true);
  }

  async enter(token: string, room: string, options: EnterOptions): Promise<EnterResult> {
    const session = this.live(token);
    if (!session) return { ok: false, reason: 'no-session' };
    const until = this.banEnd(room, options.banSubjects);
    if (until !== undefined) return { ok: false, reason: 'removed', until };
    if (!session.rooms.has(room) && session.rooms.size >= options.roomsMax) return { ok: false, reason: 'too-many-rooms' };
    const change = await this.join(token, room);
    let heldElsewhere = false;
    for (const holder of session.holders.keys()) if (holder !== options.holder) heldElsewhere = true;
    return { ok: true, session: snapshot(session), change, page: await this.members(room, options.page), heldElsewhere };
  }

  async leave(token: string, room: string): Promise<RoomChange | undefined> {
    const session = this.live(token);
    if (!session?.rooms.delete(room)) return undefined;
    return this.removeFromRoom(session, room);
  }

  async memberCounts(rooms: readonly string[]): Promise<number[]> {
    return rooms.map((room) => this.rooms.get(room)?.size ?? 0);
  }

  async members(room: string, query: MemberQuery): Promise<MemberPage> {
    const index = this.rooms.get(room);
    if (!index) return { members: [], count: 0 };
    const members: string[] = [];
    let last: string | undefined;
    const now = this.now();
    for (const [key, token] of index.from(memberRangeStart(query), query.prefix)) {
      const session = this.live(token, now);
      if (!session) continue;
      if (members.length === query.limit) return { members, next: last, count: index.size };
      members.push(session.nickname);
      last = key;
    }
    return { members, count: index.size };
  }

  async end(token: string): Promise<EndedSession | undefined> {
    const session = this.live(token);
    return session && this.endSession(session);
  }

  async release(token: string, holder: string): Promise<EndedSession | undefined> {
    const session = this.live(token);
    if (!session) return undefined;
    session.holders.delete(holder);
    const now = this.now();
    for (const deadline of session.holders.values()) if (deadline > now) return undefined;
    return this.endSession(session);
  }

  async renew(holder: string, sessions: readonly HeldSession[]): Promise<void> {
    for (const held of sessions) {
      const session = this.live(held.token);
      if (session) this.hold(session, holder);
    }
  }

  async sweepExpired(): Promise<EndedSession[]> {
    const now = this.now();
    const swept: EndedSession[] = [];
    for (const session of this.byToken.values()) {
      if (session.deadline <= now) swept.push(this.endSession(session));
    }
    return swept;
  }

  async takePresence(room: string, intervalMs: number): Promise<PresenceTake> {
    return this.presence.take(room, intervalMs, this.now(), this.rooms.get(room)?.size ?? 0);
  }

  async notePeer(token: string, peerKey: string, peer: Peer): Promise<void> {
    this.live(token)?.peers.set(peerKey, peer);
  }

  async findPeer(token: string, peerKey: string): Promise<Peer | undefined> {
    return this.live(token)?.peers.get(peerKey);
  }

  async putRecord(id: string, value: string, ttlMs: number): Promise<void> {
    this.records.put(id, value, ttlMs);
  }

  async getRecord(id: string): Promise<string | undefined> {
    return this.records.get(id);
  }

  async takeRecord(id: string): Promise<string | undefined> {
    return this.records.take(id);
  }

  async banFromRoom(room: string, subjects: readonly string[], durationMs: number): Promise<number> {
    const now = this.now();
    for (const [key, ends] of this.bans) if (ends <= now) this.bans.delete(key);
    const ends = now + durationMs;
    for (const subject of subjects) this.bans.set(`${room}|${subject}`, ends);
    return ends;
  }

  async close(): Promise<void> {}

  /** When the latest running ban of any of `subjects` from `room` ends. */
  private banEnd(room: string, subjects: readonly string[]): number | undefined {
    const now = this.now();
    const ends = subjects.map((subject) => this.bans.get(`${room}|${subject}`) ?? 0).filter((end) => end > now);
    return ends.length === 0 ? undefined : Math.max(...ends);
  }

  /** A session is live until its lease runs out, even before the sweep removes it. */
  private live(token: string, now = this.now()): MutableSession | undefined {
    const session = this.byToken.get(token);
    return session && session.deadline > now ? session : undefined;
  }

  private hold(session: MutableSession, holder: string): void {
    if (this.leaseMs === undefined) {
      session.holders.set(holder, Infinity);
      return;
    }
    session.deadline = this.now() + this.leaseMs;
    session.holders.set(holder, session.deadline);
  }

  private endSession(session: MutableSession): EndedSession {
    this.byToken.delete(session.token);
    if (session.predecessor !== undefined && this.successors.get(session.predecessor) === session.token) {
      this.successors.delete(session.predecessor);
    }
    if (this.byKey.get(session.key) === session.token) this.byKey.delete(session.key);
    // A lapsed session's nickname may have a new holder already, in some of the same rooms.
    const successorToken = this.byKey.get(session.key);
    const successor = successorToken === undefined ? undefined : this.live(successorToken);
    const left = [...session.rooms].map((room) => this.removeFromRoom(session, room, successor?.rooms.has(room) ?? false));
    return { token: session.token, nickname: session.nickname, key: session.key, rooms: new Set(session.rooms), left };
  }

  /** `stays`: the nickname is still in the room (its new holder), so nobody is told it left. */
  private removeFromRoom(session: MutableSession, room: string, stays = false): RoomChange {
    const index = this.rooms.get(room);
    index?.remove(session.key, session.token);
    const count = index?.size ?? 0;
    if (count === 0) {
      this.rooms.delete(room);
      this.presence.forget(room);
      return { room, count, coalesced: false };
    }
    if (stays) return { room, count, coalesced: count + 1 > this.presenceIndividualMax };
    return this.changed(room, count, count + 1, session, false);
  }

  /** `size` counts the member who joined or left: a room is large when it was, with them. */
  private changed(room: string, count: number, size: number, session: Session, joined: boolean): RoomChange {
    const coalesced = size > this.presenceIndividualMax;
    if (coalesced) this.presence.note(room, session.key, session.nickname, joined);
    return { room, count, coalesced };
  }
}

function snapshot(session: MutableSession): Session {
  return { token: session.token, nickname: session.nickname, key: session.key, rooms: new Set(session.rooms) };
}
