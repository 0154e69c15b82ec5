import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Nickname } from './nickname.js';
import {
  CLAIM,
  END,
  FIND_BY_NICKNAME,
  GET,
  JOIN,
  LEAVE,
  type LuaScript,
  MEMBERS,
  RENEW,
  SWEEP,
} from './redis-scripts.js';
import { connectRedis } from '../scale-out/redis-client.js';
import { type ClaimResult, type Session, type SessionRegistry, SessionStoreError } from './session-registry.js';

/**
 * How long a session outlives the last renewal by its instance (SESSION_LEASE_MS). With renewals
 * every 10 s, a crashed instance's nicknames come free within 45 + 10 s, inside the promised minute.
 */
export const SESSION_LEASE_MS = 45_000;
export const DEFAULT_KEY_PREFIX = 'chatapp:';
/** Long enough for a script on a healthy Redis; short enough that an ack fails instead of hanging. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

/** Sessions renewed per script call, so one call never holds Redis for long. */
const RENEW_BATCH = 500;
/** Lapsed sessions removed per script call, for the same reason. */
const SWEEP_BATCH = 200;

export interface RedisSessionRegistryOptions {
  /** Namespaces every key, so several apps or test suites can share one Redis. */
  prefix?: string;
  leaseMs?: number;
  /** How long an operation may wait for Redis before it fails. */
  commandTimeoutMs?: number;
}

/** What the registry needs of a node-redis client; any `createClient()` client has it. */
export interface RedisCommandClient {
  sendCommand(args: string[]): Promise<unknown>;
}


/**
 * Sessions shared by every instance through one Redis: a nickname is unique across instances,
 * a token resumes its session on any instance, and a session whose instance stops renewing its
 * lease lapses, so a crashed instance's nicknames come free.
 *
 * Every operation is one Lua script (redis-scripts.ts describes the keys), hence atomic. All keys
 * share the `{sessions}` hash tag so that a clustered Redis keeps them in one slot, where the
 * scripts can reach them all.
 *
 * The registry does not own a client given to its constructor: the caller connects it, handles
 * its 'error' events and closes it. `createRedisSessionRegistry` creates a client that the
 * registry owns and closes in `close()`.
 */
export class RedisSessionRegistry implements SessionRegistry {
  private readonly base: string;
  private readonly leaseMs: number;
  /** Four renewals per lease: a session lapses only after its instance missed three in a row. */
  readonly renewEveryMs: number;
  private readonly commandTimeoutMs: number;

  /** `onClose` releases what the registry owns: nothing, unless the factory gave it a client. */
  constructor(
    private readonly client: RedisCommandClient,
    options: RedisSessionRegistryOptions = {},
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.base = `${options.prefix ?? DEFAULT_KEY_PREFIX}{sessions}:`;
    this.leaseMs = options.leaseMs ?? SESSION_LEASE_MS;
    this.renewEveryMs = Math.floor(this.leaseMs / 4.5);
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  async claim(nickname: Nickname, token?: string): Promise<ClaimResult> {
    const fresh = randomBytes(24).toString('base64url');
    const reply = await this.run(CLAIM, [nickname.key, nickname.display, token ?? '', fresh, String(this.leaseMs)]);
    const [outcome, detail] = asArray(reply);
    switch (outcome) {
      case 'resumed':
        return { ok: true, session: toSession(token ?? '', detail), resumed: true };
      case 'taken':
        return { ok: false, holder: asString(detail) };
      case 'created': {
        const session: Session = { token: fresh, nickname: nickname.display, key: nickname.key, rooms: new Set() };
        if (detail === null || detail === undefined) return { ok: true, session, resumed: false };
        return { ok: true, session, resumed: false, replaced: toSession(token ?? '', detail) };
      }
      default:
        throw unexpectedReply();
    }
  }

  async get(token: string): Promise<Session | undefined> {
    const reply = await this.run(GET, [token]);
    return reply === null ? undefined : toSession(token, reply);
  }

  async findByNickname(key: string): Promise<Session | undefined> {
    const reply = await this.run(FIND_BY_NICKNAME, [key]);
    if (reply === null) return undefined;
    const [token, session] = asArray(reply);
    return toSession(asString(token), session);
  }

  async join(token: string, room: string): Promise<boolean> {
    return (await this.run(JOIN, [token, room])) === 1;
  }

  async leave(token: string, room: string): Promise<boolean> {
    return (await this.run(LEAVE, [token, room])) === 1;
  }

  async members(room: string): Promise<string[]> {
    return asArray(await this.run(MEMBERS, [room])).map(asString);
  }

  async end(token: string): Promise<Session | undefined> {
    const reply = await this.run(END, [token]);
    return reply === null ? undefined : toSession(token, reply);
  }

  async renew(tokens: readonly string[]): Promise<void> {
    for (let start = 0; start < tokens.length; start += RENEW_BATCH) {
      await this.run(RENEW, [String(this.leaseMs), ...tokens.slice(start, start + RENEW_BATCH)]);
    }
  }

  async sweepExpired(): Promise<Session[]> {
    const swept: Session[] = [];
    for (;;) {
      const [lapsed, batch] = asArray(await this.run(SWEEP, [String(SWEEP_BATCH)]));
      for (const entry of asArray(batch)) {
        const [token, session] = asArray(entry);
        swept.push(toSession(asString(token), session));
      }
      if (lapsed !== SWEEP_BATCH) return swept;
    }
  }

  async close(): Promise<void> {
    await this.onClose();
  }

  /**
   * Runs a script within the command timeout. node-redis stops timing a command once it is
   * written, so a Redis that accepted the connection but does not answer (frozen, or cut off
   * without a reset) would otherwise hang the caller until TCP gives up, many minutes later.
   * A script that times out may still run when Redis answers again: a claim then leaves a session
   * nobody holds the token of, which lapses with its lease.
   */
  private async run(script: LuaScript, args: string[]): Promise<unknown> {
    const reply = this.evaluate(script, [`${this.base}leases`, this.base, ...args]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SessionStoreError(`session store (Redis) did not answer within ${this.commandTimeoutMs} ms`)),
        this.commandTimeoutMs,
      );
    });
    // The reply may still fail after the timeout won; nobody awaits it then.
    reply.catch(() => {});
    try {
      return await Promise.race([reply, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * EVALSHA first; EVAL when Redis lacks the script, as after a restart emptied its cache.
   * `keysAndArgs` holds the one key the scripts declare, then their arguments.
   */
  private async evaluate(script: LuaScript, keysAndArgs: string[]): Promise<unknown> {
    try {
      try {
        return await this.client.sendCommand(['EVALSHA', script.sha1, '1', ...keysAndArgs]);
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
        return await this.client.sendCommand(['EVAL', script.source, '1', ...keysAndArgs]);
      }
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new SessionStoreError(`session store (Redis) failed: ${reason}`, { cause: error });
    }
  }
}

export interface CreateRedisSessionRegistryOptions extends RedisSessionRegistryOptions {
  logger: Logger;
}

/**
 * Connects a client of its own to `url` and returns a registry that closes it. While Redis is
 * down, commands reject at once (no offline queue) or after the command timeout, so a client's
 * ack turns into an error instead of hanging; a connection on which Redis stopped answering is
 * replaced.
 */
export async function createRedisSessionRegistry(url: string, options: CreateRedisSessionRegistryOptions): Promise<RedisSessionRegistry> {
  const { logger, ...registryOptions } = options;
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const client = await connectRedis(url, logger, { name: 'session store', failFast: true });

  let closed = false;
  // A command still unanswered after the timeout on a connection that looks healthy means Redis
  // went away without closing it (a failover behind a load balancer, a cut network). TCP would
  // notice only after many minutes, so the connection is replaced now.
  function replaceConnection(): void {
    if (closed || !client.isReady) return;
    logger.warn('session store (Redis) stopped answering; reconnecting');
    client.destroy();
    client.connect().catch((error: unknown) => logger.error({ err: error }, 'session store (Redis) reconnection failed'));
  }
  const watched: RedisCommandClient = {
    async sendCommand(args) {
      const stalled = setTimeout(replaceConnection, commandTimeoutMs);
      try {
        return await client.sendCommand(args);
      } finally {
        clearTimeout(stalled);
      }
    },
  };

  return new RedisSessionRegistry(watched, registryOptions, async () => {
    closed = true;
    if (!client.isOpen) return;
    // close() waits for pending replies, which a Redis that stopped answering never sends.
    const force = setTimeout(() => client.destroy(), commandTimeoutMs);
    try {
      await client.close();
    } finally {
      clearTimeout(force);
    }
  });
}

function unexpectedReply(): SessionStoreError {
  return new SessionStoreError('session store (Redis) sent an unexpected reply');
}

function asArray(reply: unknown): unknown[] {
  if (!Array.isArray(reply)) throw unexpectedReply();
  return reply;
}

function asString(reply: unknown): string {
  if (typeof reply !== 'string') throw unexpectedReply();
  return reply;
}

/** Reads a session as the scripts describe it: nickname, key, then its rooms in join order. */
function toSession(token: string, reply: unknown): Session {
  const [nickname, key, ...rooms] = asArray(reply).map(asString);
  if (nickname === undefined || key === undefined) throw unexpectedReply();
  return { token, nickname, key, rooms: new Set(rooms) };
}
