import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { type Nickname, parseNickname } from '../../../WorkerRole1/src/server/sessions/nickname.js';
import {
  createRedisSessionRegistry,
  type RedisSessionRegistry,
} from '../../../WorkerRole1/src/server/sessions/redis-session-registry.js';
import { createLogger } from '../../../WorkerRole1/src/server/logger.js';
import { type ClaimResult, type Session, SessionStoreError } from '../../../WorkerRole1/src/server/sessions/session-registry.js';

const logger = createLogger({ level: 'silent', instanceId: 'test' });
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';

const LEASE_MS = 600;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function nick(raw: string): Nickname {
  const result = parseNickname(raw);
  if (!result.ok) assert.fail(`"${raw}" was refused: ${result.reason}`);
  return result.nickname;
}

function won(result: ClaimResult): Extract<ClaimResult, { ok: true }> {
  if (!result.ok) assert.fail(`the claim was refused: "${result.holder}" holds the nickname`);
  return result;
}

function rooms(session: Session | undefined): string[] {
  assert.ok(session, 'a session');
  return [...session.rooms];
}

describe('RedisSessionRegistry', () => {
  let redis: RunningRedisServer;
  const opened: RedisSessionRegistry[] = [];
  // A fresh namespace per test: the keys of one test never meet another's.
  const newPrefix = () => `test:${randomUUID()}:`;
  let prefix = newPrefix();

  /** A registry with its own client: one per simulated instance, all on this test's keys. */
  async function instance(leaseMs = 45_000): Promise<RedisSessionRegistry> {
    const registry = await createRedisSessionRegistry(redis.url, { prefix, leaseMs, logger });
    opened.push(registry);
    return registry;
  }

  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((registry) => registry.close()));
    prefix = newPrefix();
  });

  describe('as one instance, like the memory registry', () => {
    it('claims a free nickname with a fresh 32-character token and no rooms', async () => {
      const sessions = await instance();
      const first = won(await sessions.claim(nick('Alice')));
      assert.equal(first.resumed, false);
      assert.equal(first.replaced, undefined);
      assert.equal(first.session.nickname, 'Alice');
      assert.equal(first.session.key, 'alice');
      assert.match(first.session.token, /^[A-Za-z0-9_-]{32}$/);
      assert.deepEqual(rooms(first.session), []);
      const other = won(await sessions.claim(nick('bob')));
      assert.notEqual(other.session.token, first.session.token);
    });

    it('refuses a nickname held by a live session whatever its case, naming the holder as shown', async () => {
      const sessions = await instance();
      won(await sessions.claim(nick('Alice')));
      assert.deepEqual(await sessions.claim(nick('ALICE')), { ok: false, holder: 'Alice' });
      assert.deepEqual(await sessions.claim(nick('alice'), 'not-a-token'), { ok: false, holder: 'Alice' });
    });

    it('resumes the session, with its rooms, when its token claims its nickname again', async () => {
      const sessions = await instance();
      const { session } = won(await sessions.claim(nick('alice')));
      await sessions.join(session.token, 'lobby');
      await sessions.join(session.token, 'games');
      const again = won(await sessions.claim(nick('ALICE'), session.token));
      assert.equal(again.resumed, true);
      assert.equal(again.session.token, session.token);
      assert.equal(again.session.nickname, 'alice', 'the nickname keeps the case it was claimed with');
      assert.deepEqual(rooms(again.session), ['lobby', 'games']);
    });

    it('ends the previous session when its token claims another nickname, freeing the old one', async () => {
      const sessions = await instance();
      const { session: old } = won(await sessions.claim(nick('alice')));
      await sessions.join(old.token, 'lobby');
      const renamed = won(await sessions.claim(nick('alicia'), old.token));
      assert.equal(renamed.resumed, false);
      assert.notEqual(renamed.session.token, old.token);
      assert.equal(renamed.replaced?.nickname, 'alice');
      assert.deepEqual(rooms(renamed.replaced), ['lobby']);
      assert.equal(await sessions.get(old.token), undefined);
      assert.deepEqual(await sessions.members('lobby'), []);
      won(await sessions.claim(nick('Alice')));
    });

    it('keeps the session of a token that claims a nickname someone else holds', async () => {
      const sessions = await instance();
      won(await sessions.claim(nick('bob')));
      const { session } = won(await sessions.claim(nick('alice')));
      assert.deepEqual(await sessions.claim(nick('Bob'), session.token), { ok: false, holder: 'bob' });
      assert.equal((await sessions.get(session.token))?.nickname, 'alice');
    });

    it('gets a session by token and by nickname key, and nothing for unknown ones', async () => {
      const sessions = await instance();
      const { session } = won(await sessions.claim(nick('Alice')));
      await sessions.join(session.token, 'lobby');
      const expected = { token: session.token, nickname: 'Alice', key: 'alice', rooms: new Set(['lobby']) };
      assert.deepEqual(await sessions.get(session.token), expected);
      assert.deepEqual(await sessions.findByNickname('alice'), expected);
      assert.equal(await sessions.get('unknown'), undefined);
      assert.equal(await sessions.findByNickname('bob'), undefined);
    });

    it('joins and leaves rooms, telling whether anything changed', async () => {
      const sessions = await instance();
      const { session } = won(await sessions.claim(nick('alice')));
      assert.equal(await sessions.join(session.token, 'lobby'), true);
      assert.equal(await sessions.join(session.token, 'lobby'), false);
      assert.equal(await sessions.leave(session.token, 'lobby'), true);
      assert.equal(await sessions.leave(session.token, 'lobby'), false);
      assert.equal(await sessions.join('unknown', 'lobby'), false);
      assert.equal(await sessions.leave('unknown', 'lobby'), false);
      assert.deepEqual(rooms(await sessions.get(session.token)), []);
    });

    it('lists the display nicknames of a room in join order', async () => {
      const sessions = await instance();
      const names = ['Carol', 'alice', 'Bob'];
      const tokens: string[] = [];
      for (const name of names) tokens.push(won(await sessions.claim(nick(name))).session.token);
      for (const token of tokens) await sessions.join(token, 'lobby');
      assert.deepEqual(await sessions.members('lobby'), names);
      await sessions.leave(tokens[1] ?? '', 'lobby');
      await sessions.join(tokens[1] ?? '', 'lobby');
      assert.deepEqual(await sessions.members('lobby'), ['Carol', 'Bob', 'alice']);
      assert.deepEqual(await sessions.members('empty'), []);
    });

    it('ends a session: returns it with its rooms, frees its nickname and empties its rooms', async () => {
      const sessions = await instance();
      const { session } = won(await sessions.claim(nick('alice')));
      const { session: bob } = won(await sessions.claim(nick('bob')));
      for (const room of ['lobby', 'games']) {
        await sessions.join(session.token, room);
        await sessions.join(bob.token, room);
      }
      const ended = await sessions.end(session.token);
      assert.deepEqual(ended, { token: session.token, nickname: 'alice', key: 'alice', rooms: new Set(['lobby', 'games']) });
      assert.equal(await sessions.end(session.token), undefined, 'a session ends once');
      assert.equal(await sessions.get(session.token), undefined);
      assert.deepEqual(await sessions.members('lobby'), ['bob']);
      assert.deepEqual(await sessions.members('games'), ['bob']);
      won(await sessions.claim(nick('alice')));
    });
  });

  describe('across instances', () => {
    it('sees the claims, rooms and tokens of another instance', async () => {
      const [east, west] = [await instance(), await instance()];
      const { session } = won(await east.claim(nick('alice')));
      await east.join(session.token, 'lobby');
      assert.deepEqual(await west.claim(nick('Alice')), { ok: false, holder: 'alice' });
      const resumed = won(await west.claim(nick('alice'), session.token));
      assert.equal(resumed.resumed, true);
      assert.deepEqual(rooms(resumed.session), ['lobby']);
      const { session: bob } = won(await west.claim(nick('bob')));
      await west.join(bob.token, 'lobby');
      assert.deepEqual(await east.members('lobby'), ['alice', 'bob']);
      await west.end(session.token);
      assert.deepEqual(await east.members('lobby'), ['bob']);
    });

    it('keeps registries with different key prefixes apart', async () => {
      const east = await instance();
      const other = await createRedisSessionRegistry(redis.url, { prefix: `other:${randomUUID()}:`, logger });
      opened.push(other);
      const { session } = won(await east.claim(nick('alice')));
      won(await other.claim(nick('alice')));
      assert.equal(await other.get(session.token), undefined);
    });

    it('lets exactly one of 50 concurrent claims of one nickname on two instances win', async () => {
      const [east, west] = [await instance(), await instance()];
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? east : west).claim(nick(i % 3 === 0 ? 'ALICE' : 'alice'))),
      );
      const elapsed = performance.now() - started;
      const winners = results.filter((result) => result.ok);
      assert.equal(winners.length, 1);
      const holder = won(winners[0] ?? assert.fail('no winner')).session.nickname;
      for (const result of results) if (!result.ok) assert.equal(result.holder, holder);
      assert.ok(elapsed < 1_000, `50 claims took ${elapsed.toFixed(0)} ms`);
    });

    it('lets exactly one of 50 sessions renaming to one nickname at once win, and keeps the others', async () => {
      const [east, west] = [await instance(), await instance()];
      const tokens: string[] = [];
      for (let i = 0; i < 50; i += 1) tokens.push(won(await east.claim(nick(`user${i}`))).session.token);
      const results = await Promise.all(tokens.map((token, i) => (i % 2 === 0 ? east : west).claim(nick('alice'), token)));
      const winners = results.filter((result) => result.ok);
      assert.equal(winners.length, 1);
      assert.equal(won(winners[0] ?? assert.fail('no winner')).replaced?.key.startsWith('user'), true);
      const remaining = await Promise.all(tokens.map((token) => west.get(token)));
      assert.equal(remaining.filter((session) => session === undefined).length, 1, 'only the winner left its old session');
    });
  });

  describe('leases', () => {
    it('hides a session that is not renewed once its lease lapses, and frees its nickname, before any sweep', async () => {
      const [east, west] = [await instance(LEASE_MS), await instance(LEASE_MS)];
      const { session } = won(await east.claim(nick('alice')));
      await east.join(session.token, 'lobby');
      await sleep(LEASE_MS + 100);
      assert.equal(await west.get(session.token), undefined);
      assert.equal(await west.findByNickname('alice'), undefined);
      assert.deepEqual(await west.members('lobby'), []);
      assert.equal(await west.join(session.token, 'games'), false);
      assert.equal(await west.end(session.token), undefined, 'a lapsed session is the sweep’s to announce');
      const newcomer = won(await west.claim(nick('Alice'), session.token));
      assert.equal(newcomer.resumed, false, 'a lapsed token resumes nothing');
      assert.notEqual(newcomer.session.token, session.token);
    });

    it('gives a lapsed session to exactly one of two instances sweeping at once, and leaves its successor alone', async () => {
      const [east, west] = [await instance(LEASE_MS), await instance(LEASE_MS)];
      const { session } = won(await east.claim(nick('alice')));
      await east.join(session.token, 'lobby');
      const { session: bob } = won(await east.claim(nick('bob')));
      await sleep(LEASE_MS + 100);
      const { session: successor } = won(await west.claim(nick('ALICE')));
      await west.join(successor.token, 'lobby');

      const [fromEast, fromWest] = await Promise.all([east.sweepExpired(), west.sweepExpired()]);
      const swept = [...fromEast, ...fromWest].sort((a, b) => a.key.localeCompare(b.key));
      assert.deepEqual(swept, [
        { token: session.token, nickname: 'alice', key: 'alice', rooms: new Set(['lobby']) },
        { token: bob.token, nickname: 'bob', key: 'bob', rooms: new Set() },
      ]);
      assert.deepEqual(await east.sweepExpired(), []);
      assert.equal((await east.findByNickname('alice'))?.token, successor.token);
      assert.deepEqual(await east.members('lobby'), ['ALICE']);
    });

    it('keeps a session alive for as long as some instance renews it, and does not revive a lapsed one', async () => {
      const [east, west] = [await instance(LEASE_MS), await instance(LEASE_MS)];
      const { session } = won(await east.claim(nick('alice')));
      const { session: lapsing } = won(await east.claim(nick('bob')));
      for (let elapsed = 0; elapsed < LEASE_MS * 2; elapsed += LEASE_MS / 3) {
        await sleep(LEASE_MS / 3);
        await west.renew([session.token]);
      }
      assert.equal((await east.get(session.token))?.nickname, 'alice');
      assert.equal(await east.get(lapsing.token), undefined);
      await east.renew([lapsing.token]);
      assert.equal(await east.get(lapsing.token), undefined);
      assert.deepEqual(
        (await east.sweepExpired()).map((swept) => swept.nickname),
        ['bob'],
      );
    });

    it('renews the lease of a resumed session', async () => {
      const sessions = await instance(LEASE_MS);
      const { session } = won(await sessions.claim(nick('alice')));
      await sleep(LEASE_MS * 0.7);
      assert.equal(won(await sessions.claim(nick('alice'), session.token)).resumed, true);
      await sleep(LEASE_MS * 0.7);
      assert.equal((await sessions.get(session.token))?.nickname, 'alice', 'alive past its first lease');
      await sleep(LEASE_MS * 0.5);
      assert.equal(await sessions.get(session.token), undefined);
    });
  });

  describe('when Redis fails', () => {
    it('rejects commands within a couple of seconds while Redis is down, and works again once it restarted', async () => {
      const sessions = await instance();
      won(await sessions.claim(nick('alice')));
      await redis.kill();
      try {
        for (const attempt of [() => sessions.claim(nick('bob')), () => sessions.members('lobby'), () => sessions.renew(['x'])]) {
          await assertFailsFast(attempt());
        }
      } finally {
        await redis.start();
      }
      await eventually(() => sessions.claim(nick('bob')));
      // The restarted Redis kept nothing, its script cache included: every script must load again.
      const { session } = won(await sessions.claim(nick('alice')));
      assert.equal(await sessions.join(session.token, 'lobby'), true);
      assert.deepEqual(await sessions.members('lobby'), ['alice']);
      assert.deepEqual(await sessions.sweepExpired(), []);
    });

    it('rejects commands after the timeout while Redis is frozen, and works once it answers again', async () => {
      const sessions = await instance();
      const { session } = won(await sessions.claim(nick('alice')));
      redis.pause();
      try {
        await Promise.all([assertFailsFast(sessions.get(session.token)), assertFailsFast(sessions.claim(nick('bob')))]);
      } finally {
        redis.resume();
      }
      const resumed = await eventually(() => sessions.get(session.token));
      assert.equal(resumed?.nickname, 'alice');
    });

    it('replaces a connection on which Redis went silent, so a cut network heals without a restart', async () => {
      const network = await startCuttableProxy(redis.port);
      try {
        const sessions = await createRedisSessionRegistry(network.url, { prefix, logger });
        opened.push(sessions);
        const { session } = won(await sessions.claim(nick('alice')));
        network.cut();
        await assertFailsFast(sessions.get(session.token));
        network.heal();
        const resumed = await eventually(() => sessions.get(session.token));
        assert.equal(resumed?.nickname, 'alice');
      } finally {
        await network.close();
      }
    });
  });
});

async function assertFailsFast(operation: Promise<unknown>): Promise<void> {
  const started = performance.now();
  await assert.rejects(operation, SessionStoreError);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2_500, `an operation took ${elapsed.toFixed(0)} ms to fail`);
}

/** Retries until the operation succeeds, for at most 5 s: the client reconnects in its own time. */
async function eventually<T>(operation: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

/**
 * A TCP proxy to Redis whose cut leaves open connections open but silent, as a network partition
 * or a vanished host does; new connections are refused until it heals.
 */
async function startCuttableProxy(redisPort: number) {
  const links = new Set<[Socket, Socket]>();
  let cut = false;
  const server = createServer((downstream) => {
    if (cut) {
      downstream.destroy();
      return;
    }
    const upstream = connect(redisPort, '127.0.0.1');
    const link: [Socket, Socket] = [downstream, upstream];
    links.add(link);
    const drop = () => {
      links.delete(link);
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    downstream.pipe(upstream).pipe(downstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') assert.fail('the proxy has no port');
  return {
    url: `redis://127.0.0.1:${address.port}`,
    cut() {
      cut = true;
      for (const [downstream, upstream] of links) {
        downstream.unpipe(upstream);
        upstream.unpipe(downstream);
        // Read and discard, so nothing reaches the other side and nothing closes.
        downstream.resume();
        upstream.resume();
      }
    },
    heal() {
      cut = false;
    },
    async close() {
      for (const [downstream, upstream] of links) {
        downstream.destroy();
        upstream.destroy();
      }
      server.close();
      await once(server, 'close');
    },
  };
}
