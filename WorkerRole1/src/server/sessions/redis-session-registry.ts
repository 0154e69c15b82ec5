import { randomBytes } from 'node:crypto';
import { LIMITS } from '../../shared/protocol.js';
import type { Nickname } from './nickname.js';
import {
  CLAIM,
  END,
  ENTER,
  CHECK_SENDER,
  FIND_BY_NICKNAME,
  FIND_PEER,
  GET,
  JOIN,
  LEAVE,
  type LuaScript,
  MEMBER_COUNTS,
  MEMBERS,
  NOTE_PEER,
  RELEASE,
  RENEW,
  RESTORE,
  SWEEP,
  TAKE_PRESENCE,
} from './redis-scripts.js';
import { BAN } from './redis-ban-scripts.js';
import { type RedisCommandClient, RedisScriptRunner } from './redis-script-runner.js';
import { asArray, asNumber, asString, toEndedSession, toMemberPage, toRoomChange, toSession, unexpectedReply } from './redis-replies.js';
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

/**
 * How long a session outlives the last renewal by its instance (SESSION_LEASE_MS). With renewals
 * every 10 s, a crashed instance's nicknames come free within 45 + 10 s, inside the promised minute.
 */
export const SESSION_LEASE_MS = 45_000;
export const DEFAULT_KEY_PREFIX = 'chatapp:';
/** Long enough for a script on a busy Redis; short enough that an ack fails instead of hanging. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

/** Sessions renewed per script call, so one call never holds Redis for long. */
const RENEW_BATCH = 500;
/** Lapsed sessions removed per script call, for the same reason. */
const SWEEP_BATCH = 200;

export interface RedisSessionRegistryOptions {
  /** Namespaces every key, so several apps or test suites can share one Redis. */
  prefix?: string;
  leaseMs?: number;
  /** How long an event's operation may wait for Redis before it fails. */
  commandTimeoutMs?: number;
  /** Rooms larger than this hear coalesced `room:presence` instead of each join and leave. */
  presenceIndividualMax: number;
}

/**
 * Sessions and room membership shared by every instance through one Redis: a nickname is unique
 * across instances, a token resumes its session on any instance, a session whose instances all
 * stop renewing its lease lapses (so a crashed instance's nicknames come free), and rooms are
 * counted and paged without asking any instance for its sockets.
 *
 * Every operation is one Lua script (redis-scripts.ts describes the keys), hence atomic. All keys
 * share the `{sessions}` hash tag so that a clustered Redis keeps them in one slot, where the
 * scripts can reach them all.
 *
 * The registry does not own a client given to its constructor: the caller connects it, handles
 * its 'error' events and closes it. `createRedisSessionRegistry` (redis-session-connection.ts)
 * creates a client that the registry owns and closes in `close()`.
 */
export class RedisSessionRegistry implements SessionRegistry {
  private readonly base: string;
  private readonly leaseMs: number;
  /** Four renewals per lease: a session lapses only after its instance missed three in a row. */
  readonly renewEveryMs: number;
  private readonly redis: RedisScriptRunner;
  private readonly threshold: string;
  /** The incarnation of the data this instance last saw; another one means Redis lost its data. */
  private epoch = '';
  /**
   * The epoch in which each session this instance claimed or renewed was last seen alive. A
   * session missing from a later epoch was lost with the data, not ended, and is put back; one
   * missing from the epoch it was seen in ended for good (swept, renamed) and stays so.
   */
  private readonly seenIn = new Map<string, string>();
  /**
   * Tokens released while a renewal is under way. Its later batches (and its restore) are sent
   * after the release and would make this instance a holder again: the session would then outlive
   * its last holder's release by a lease, and be announced gone by a sweep instead.
   */
  private releasedDuringRenewal: Set<string> | undefined;
  private renewalsUnderWay = 0;

  /** `onClose` releases what the registry owns: nothing, unless the factory gave it a client. */
  constructor(
    client: RedisCommandClient,
    options: RedisSessionRegistryOptions,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.base = `${options.prefix ?? DEFAULT_KEY_PREFIX}{sessions}:`;
    this.leaseMs = options.leaseMs ?? SESSION_LEASE_MS;
    this.renewEveryMs = Math.floor(this.leaseMs / 4.5);
    this.redis = new RedisScriptRunner(client, options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
    this.threshold = String(options.presenceIndividualMax);
  }

  async claim(nickname: Nickname, token: string | undefined, holder: string): Promise<ClaimResult> {
    const fresh = randomBytes(24).toString('base64url');
    const reply = await this.run(CLAIM, [
      nickname.key,
      nickname.display,
      token ?? '',
      fresh,
      String(this.leaseMs),
      holder,
      this.epoch,
      this.threshold,
    ]);
    const [epoch, outcome, detail, resumedToken] = asArray(reply);
    this.epoch = asString(epoch);
    switch (outcome) {
      case 'resumed': {
        const resumed = asString(resumedToken);
        this.seenIn.set(resumed, this.epoch);
        return { ok: true, session: toSession(resumed, detail), resumed: true };
      }
      case 'taken':
        return { ok: false, reason: 'taken', holder: asString(detail) };
      case 'restoring': {
        // The holder of a live session puts it back at its next renewal, usually sooner: its owner
        // need not wait out the whole window, which is for everyone else.
        const windowMs = Math.max(1, asNumber(detail));
        return { ok: false, reason: 'restoring', retryAfterMs: token === undefined ? windowMs : Math.min(windowMs, Math.ceil(this.renewEveryMs / 2)) };
      }
      case 'created': {
        this.seenIn.set(fresh, this.epoch);
        if (token !== undefined) this.seenIn.delete(token);
        const session: Session = { token: fresh, nickname: nickname.display, key: nickname.key, rooms: new Set() };
        if (detail === null || detail === undefined) return { ok: true, session, resumed: false };
        return { ok: true, session, resumed: false, replaced: toEndedSession(token ?? '', detail) };
      }
      default:
        throw unexpectedReply();
    }
  }

  async get(token: string): Promise<Session | undefined> {
    const reply = await this.run(GET, [token]);
    return reply === null ? undefined : toSession(token, reply);
  }

  /**
   * One script of two reads (CHECK_SENDER) instead of `get`'s five commands. Not two plain
   * commands, though those cost Redis less: node-redis spends more of the instance's CPU on two
   * commands than on one script call, and the instances are many where Redis is one.
   */
  async checkSender(token: string, key: string, room?: string): Promise<SenderCheck> {
    const [outcome, nickname] = asArray(await this.run(CHECK_SENDER, [token, key, room ?? '']));
    switch (outcome) {
      case 'ok':
        return { ok: true, nickname: asString(nickname) };
      case 'no-session':
      case 'not-in-room':
        return { ok: false, reason: outcome };
      default:
        throw unexpectedReply();
    }
  }

  async findByNickname(key: string): Promise<Session | undefined> {
    const reply = await this.run(FIND_BY_NICKNAME, [key]);
    if (reply === null) return undefined;
    const [token, session] = asArray(reply);
    return toSession(asString(token), session);
  }

  async join(token: string, room: string): Promise<RoomChange | undefined> {
    const reply = await this.run(JOIN, [token, room, this.threshold]);
    return reply === null ? undefined : toRoomChange(room, reply);
  }

  async enter(token: string, room: string, { holder, roomsMax, page, banSubjects }: EnterOptions): Promise<EnterResult> {
    const reply = asArray(
      await this.run(ENTER, [
        token,
        room,
        this.threshold,
        String(roomsMax),
        holder,
        memberRangeStart(page),
        page.prefix ?? '',
        String(page.limit),
        ...banSubjects,
      ]),
    );
    const [outcome, session, change, elsewhere, members] = reply;
    switch (outcome) {
      case 'gone':
        return { ok: false, reason: 'no-session' };
      case 'full':
        return { ok: false, reason: 'too-many-rooms' };
      case 'removed':
        return { ok: false, reason: 'removed', until: asNumber(session) };
      case 'entered':
        return {
          ok: true,
          session: toSession(token, session),
          change: change === null ? undefined : toRoomChange(room, change),
          page: toMemberPage(members),
          heldElsewhere: elsewhere === 1,
        };
      default:
        throw unexpectedReply();
    }
  }

  async leave(token: string, room: string): Promise<RoomChange | undefined> {
    const reply = await this.run(LEAVE, [token, room, this.threshold]);
    return reply === null ? undefined : toRoomChange(room, reply);
  }

  async memberCounts(rooms: readonly string[]): Promise<number[]> {
    if (rooms.length === 0) return [];
    return asArray(await this.run(MEMBER_COUNTS, [...rooms])).map(asNumber);
  }

  async members(room: string, query: MemberQuery): Promise<MemberPage> {
    return toMemberPage(await this.run(MEMBERS, [room, memberRangeStart(query), query.prefix ?? '', String(query.limit)]));
  }

  async end(token: string): Promise<EndedSession | undefined> {
    this.seenIn.delete(token);
    const reply = await this.run(END, [token, this.threshold]);
    return reply === null ? undefined : toEndedSession(token, reply);
  }

  async release(token: string, holder: string): Promise<EndedSession | undefined> {
    this.seenIn.delete(token);
    this.releasedDuringRenewal?.add(token);
    const reply = await this.run(RELEASE, [token, holder, this.threshold]);
    return reply === null ? undefined : toEndedSession(token, reply);
  }

  /**
   * Background work, so it may wait longer than an event: a renewal that gives up while Redis is
   * merely busy would let live sessions lapse.
   */
  async renew(holder: string, sessions: readonly HeldSession[]): Promise<void> {
    const released = (this.releasedDuringRenewal ??= new Set());
    this.renewalsUnderWay += 1;
    try {
      const lost: HeldSession[] = [];
      for (let start = 0; start < sessions.length || start === 0; start += RENEW_BATCH) {
        const batch = sessions.slice(start, start + RENEW_BATCH).filter((session) => !released.has(session.token));
        const reply = asArray(
          await this.run(
            RENEW,
            [String(this.leaseMs), holder, this.epoch, randomBytes(12).toString('base64url'), ...batch.flatMap((session) => [session.token, session.key])],
            this.renewEveryMs,
          ),
        );
        this.epoch = asString(reply[0]);
        const missing = new Set(asArray(reply[1]).map(asString));
        for (const session of batch) {
          const seen = this.seenIn.get(session.token);
          if (!missing.has(session.token)) this.seenIn.set(session.token, this.epoch);
          else if (seen !== undefined && seen !== this.epoch) lost.push(session);
          else this.seenIn.delete(session.token);
        }
      }
      const restorable = lost.filter((session) => !released.has(session.token));
      if (restorable.length > 0) await this.restore(holder, restorable);
    } finally {
      this.renewalsUnderWay -= 1;
      if (this.renewalsUnderWay === 0) this.releasedDuringRenewal = undefined;
    }
  }

  async sweepExpired(): Promise<EndedSession[]> {
    const swept: EndedSession[] = [];
    for (;;) {
      const [lapsed, batch] = asArray(await this.run(SWEEP, [String(SWEEP_BATCH), this.threshold], this.renewEveryMs));
      for (const entry of asArray(batch)) {
        const [token, session] = asArray(entry);
        this.seenIn.delete(asString(token));
        swept.push(toEndedSession(asString(token), session));
      }
      if (lapsed !== SWEEP_BATCH) return swept;
    }
  }

  async takePresence(room: string, intervalMs: number): Promise<PresenceTake> {
    const [outcome, ...detail] = asArray(await this.run(TAKE_PRESENCE, [room, String(intervalMs), String(LIMITS.presenceNamesMax)]));
    switch (outcome) {
      case 'empty':
        return { taken: false };
      case 'wait':
        return { taken: false, retryInMs: Math.max(1, asNumber(detail[0])) };
      case 'taken':
        return {
          taken: true,
          batch: { count: asNumber(detail[0]), joined: asArray(detail[1]).map(asString), left: asArray(detail[2]).map(asString) },
        };
      default:
        throw unexpectedReply();
    }
  }

  async notePeer(token: string, peerKey: string, peer: Peer): Promise<void> {
    await this.run(NOTE_PEER, [token, peerKey, peer.token, peer.nickname]);
  }

  async findPeer(token: string, peerKey: string): Promise<Peer | undefined> {
    const reply = await this.run(FIND_PEER, [token, peerKey]);
    if (reply === null) return undefined;
    const [peerToken, nickname] = asString(reply).split('\u0000');
    if (peerToken === undefined || nickname === undefined) throw unexpectedReply();
    return { token: peerToken, nickname };
  }

  async putRecord(id: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.command(['SET', `${this.base}record:${id}`, value, 'PX', String(Math.max(1, Math.ceil(ttlMs)))]);
  }

  async getRecord(id: string): Promise<string | undefined> {
    const reply = await this.redis.command(['GET', `${this.base}record:${id}`]);
    return reply === null ? undefined : asString(reply);
  }

  async takeRecord(id: string): Promise<string | undefined> {
    const reply = await this.redis.command(['GETDEL', `${this.base}record:${id}`]);
    return reply === null ? undefined : asString(reply);
  }

  async banFromRoom(room: string, subjects: readonly string[], durationMs: number): Promise<number> {
    return asNumber(await this.run(BAN, [room, String(Math.round(durationMs)), ...subjects]));
  }

  async close(): Promise<void> {
    await this.onClose();
  }

  /** Puts back what a Redis that lost its data no longer has of the sessions this instance holds. */
  private async restore(holder: string, sessions: readonly HeldSession[]): Promise<void> {
    for (let start = 0; start < sessions.length; start += RENEW_BATCH) {
      const batch = sessions.slice(start, start + RENEW_BATCH);
      const args = batch.flatMap((session) => [session.token, session.nickname, session.key, String(session.rooms.length), ...session.rooms]);
      const lost = new Set(asArray(await this.run(RESTORE, [String(this.leaseMs), holder, ...args], this.renewEveryMs)).map(asString));
      for (const session of batch) {
        if (lost.has(session.token)) this.seenIn.delete(session.token);
        else this.seenIn.set(session.token, this.epoch);
      }
    }
  }

  private run(script: LuaScript, args: string[], timeoutMs?: number): Promise<unknown> {
    return this.redis.script(script, [`${this.base}leases`, this.base, ...args], timeoutMs);
  }
}
