import assert from 'node:assert/strict';
import { type Nickname, parseNickname } from '../../../WorkerRole1/src/server/sessions/nickname.js';
import type { ClaimResult, HeldSession, Session, SessionRegistry } from '../../../WorkerRole1/src/server/sessions/session-registry.js';

/** One instance of the service as the registry sees it: a registry and the holder name it claims with. */
export class Instance {
  constructor(
    readonly registry: SessionRegistry,
    readonly holder: string,
  ) {}

  claim(raw: string, token?: string): Promise<ClaimResult> {
    return this.registry.claim(nick(raw), token, this.holder);
  }

  /** Claims a nickname that must be free. */
  async take(raw: string, token?: string): Promise<Extract<ClaimResult, { ok: true }>> {
    return won(await this.claim(raw, token));
  }

  renew(sessions: readonly Session[]): Promise<void> {
    return this.registry.renew(this.holder, sessions.map(held));
  }

  release(session: Session) {
    return this.registry.release(session.token, this.holder);
  }

  /**
   * Renews the sessions every quarter lease until stopped, as an instance's Presence does.
   * `forget` stops renewing one, as Presence forgets a session before it releases it: a renewal
   * that reached Redis after the release would make this instance a holder again.
   */
  keepAlive(sessions: readonly Session[], leaseMs: number): { forget(session: Session): Promise<void>; stop(): Promise<void> } {
    let held = [...sessions];
    let renewal = this.renew(held);
    const timer = setInterval(() => {
      renewal = renewal.then(() => this.renew(held));
    }, leaseMs / 4);
    return {
      async forget(session) {
        held = held.filter((each) => each.token !== session.token);
        await renewal;
      },
      async stop() {
        clearInterval(timer);
        await renewal;
      },
    };
  }
}

export interface RegistryOptions {
  leaseMs: number;
  presenceIndividualMax: number;
}

/** How a contract suite gets two instances sharing one store, fresh for each test. */
export interface RegistryTarget {
  name: string;
  /** Once per suite (start a redis-server). */
  setUp(): Promise<void>;
  pair(options: RegistryOptions): Promise<[Instance, Instance]>;
  /** After each test: closes what `pair` opened. */
  closePairs(): Promise<void>;
  tearDown(): Promise<void>;
}

export const DEFAULTS: RegistryOptions = { leaseMs: 45_000, presenceIndividualMax: 50 };
/**
 * Short enough to wait for, long enough that a busy machine renews in time: a renewal gives up
 * after its interval (lease / 4.5), and at 800 ms that was 177 ms, which a clean-clone CI run on
 * two loaded cores exceeded.
 */
export const LEASE_MS = 1_500;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function nick(raw: string): Nickname {
  const result = parseNickname(raw);
  if (!result.ok) assert.fail(`"${raw}" was refused: ${result.reason}`);
  return result.nickname;
}

export function won(result: ClaimResult): Extract<ClaimResult, { ok: true }> {
  if (!result.ok) assert.fail(`the claim was refused: ${JSON.stringify(result)}`);
  return result;
}

export function held(session: Session): HeldSession {
  return { token: session.token, nickname: session.nickname, key: session.key, rooms: [...session.rooms] };
}

export function rooms(session: Session | undefined): string[] {
  assert.ok(session, 'a session');
  return [...session.rooms];
}

/** Every member of a room, page by page, as a client pages with `next`. */
export async function allMembers(
  registry: SessionRegistry,
  room: string,
  query: { prefix?: string; limit: number },
): Promise<{ members: string[]; pages: number }> {
  const members: string[] = [];
  let after: string | undefined;
  for (let pages = 1; ; pages += 1) {
    const page = await registry.members(room, { ...query, ...(after === undefined ? {} : { after }) });
    assert.ok(page.members.length <= query.limit, `a page of ${page.members.length} for a limit of ${query.limit}`);
    members.push(...page.members);
    if (page.next === undefined) return { members, pages };
    assert.ok(pages < 1000, 'paging ends');
    after = page.next;
  }
}

/** Case-insensitive order, as nickname keys sort. */
export function byKey(names: readonly string[]): string[] {
  return [...names].sort((a, b) => {
    const [x, y] = [nick(a).key, nick(b).key];
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Claims `names` on the instance and joins them all to `room`, concurrently. */
export async function populate(instance: Instance, room: string, names: readonly string[]): Promise<Session[]> {
  return Promise.all(
    names.map(async (name) => {
      const { session } = await instance.take(name);
      await instance.registry.join(session.token, room);
      return { ...session, rooms: new Set([room]) };
    }),
  );
}
