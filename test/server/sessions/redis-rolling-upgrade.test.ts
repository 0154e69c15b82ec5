import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import type { Session } from '../../../WorkerRole1/src/server/sessions/session-registry.js';
import { allMembers, Instance, populate, sleep } from './registry-contract-helpers.js';
import { RedisTarget } from './redis-registry-target.js';

/** Long enough that a loaded machine renews in time; short enough to wait out. */
const LEASE_MS = 1_500;

/**
 * During a rolling upgrade (App Service slot swap, Cloud Service upgrade domains) instances of the
 * previous version share Redis with this one. The previous version writes sessions and room
 * entries exactly as this one does, but no `name:<key NUL token>` keys, which member pages read
 * first (redis-lua-prelude.ts); and when it ends a session it leaves that key behind. These tests
 * put Redis in the states the previous version leaves, by the same commands it runs.
 */
describe('RedisSessionRegistry beside instances of the previous version (a rolling upgrade)', () => {
  const target = new RedisTarget();
  let client: ReturnType<typeof createClient>;
  before(async () => {
    await target.setUp();
    client = createClient({ url: target.redis.url });
    await client.connect();
  });
  afterEach(() => target.closePairs());
  after(async () => {
    client.destroy();
    await target.tearDown();
  });

  const base = () => `${target.prefix}{sessions}:`;
  const nameKey = (session: Session) => `${base()}name:${session.key}\u0000${session.token}`;
  const exists = async (session: Session) => Number(await client.sendCommand(['EXISTS', nameKey(session)])) === 1;
  /** As the previous version claims: everything but the name key. */
  const claimedByPreviousVersion = async (sessions: readonly Session[]) => {
    for (const session of sessions) await client.sendCommand(['DEL', nameKey(session)]);
  };
  /** As the previous version renews: the lease and its holder entry, not the name key. */
  const renewedByPreviousVersion = async (session: Session, leaseMs: number) => {
    const [seconds, micros] = (await client.sendCommand(['TIME'])) as [string, string];
    const deadline = String(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) + leaseMs);
    await client.sendCommand(['ZADD', `${base()}leases`, deadline, session.token]);
    await client.sendCommand(['HSET', `${base()}session:${session.token}:holders`, 'previous', deadline]);
  };
  /** As the previous version ends a session: everything goes but the name key. */
  const endedByPreviousVersion = async (instance: Instance, session: Session) => {
    const left = { value: await client.sendCommand(['GET', nameKey(session)]), ttl: await client.sendCommand(['PTTL', nameKey(session)]) };
    await instance.registry.end(session.token);
    await client.sendCommand(['SET', nameKey(session), String(left.value), 'PX', String(left.ttl)]);
  };
  const leased = async () => [new Instance(await target.registry({ leaseMs: LEASE_MS }), 'east'), new Instance(await target.registry({ leaseMs: LEASE_MS }), 'west')] as const;

  it('pages members the previous version claimed with their nicknames, skips them once lapsed, and names them at their next renewal', async () => {
    const [east, west] = await leased();
    const current = await populate(east, 'lobby', ['Carol', 'erin']);
    const kept = await populate(west, 'lobby', ['alice', 'Dave']);
    const lapsing = await populate(west, 'lobby', ['bob', 'Frank']);
    await claimedByPreviousVersion([...kept, ...lapsing]);
    assert.deepEqual((await allMembers(east.registry, 'lobby', { limit: 2 })).members, ['alice', 'bob', 'Carol', 'Dave', 'erin', 'Frank']);

    const renewing = [east.keepAlive(current, LEASE_MS), west.keepAlive(kept, LEASE_MS)];
    try {
      await sleep(LEASE_MS + 300);
      assert.deepEqual((await allMembers(east.registry, 'lobby', { limit: 2 })).members, ['alice', 'Carol', 'Dave', 'erin']);
      assert.deepEqual(await Promise.all(kept.map(exists)), [true, true], 'renewed by this version, they have name keys');
      assert.equal((await east.registry.members('lobby', { limit: 2 })).count, 6, 'counted until swept');
    } finally {
      await Promise.all(renewing.map((renewal) => renewal.stop()));
    }
  });

  it('keeps paging a member whose lease only the previous version extended, after the name key this version set expired', async () => {
    const [east] = await leased();
    const [alice] = await populate(east, 'lobby', ['Alice']);
    await renewedByPreviousVersion(alice!, 20 * LEASE_MS);
    await sleep(LEASE_MS + 300);
    assert.equal(await exists(alice!), false, 'the name key expired with the lease this version set');
    assert.deepEqual((await east.registry.members('lobby', { limit: 10 })).members, ['Alice']);
    assert.equal((await east.registry.get(alice!.token))?.nickname, 'Alice');
  });

  it('pages neither a session the previous version ended, though it left the name key, nor its name for the nickname’s next holder', async () => {
    const [east] = await leased();
    const [ended] = await populate(east, 'lobby', ['ALICE']);
    await endedByPreviousVersion(east, ended!);
    assert.deepEqual(await east.registry.members('lobby', { limit: 10 }), { members: [], count: 0 });
    await populate(east, 'lobby', ['alice']);
    assert.deepEqual(await east.registry.members('lobby', { limit: 10 }), { members: ['alice'], count: 1 });
  });

  it('answers a sender the previous version claimed, or renewed last, from its session, though it has no name key', async () => {
    const [east, west] = await leased();
    const [claimed, renewed] = await populate(west, 'lobby', ['Alice', 'bob']);
    await claimedByPreviousVersion([claimed!]);
    await renewedByPreviousVersion(renewed!, 20 * LEASE_MS);
    await sleep(LEASE_MS + 300);
    assert.equal(await exists(renewed!), false, 'the name key expired with the lease this version set');
    assert.deepEqual(await east.registry.checkSender(renewed!.token, renewed!.key, 'lobby'), { ok: true, nickname: 'bob' });
    await renewedByPreviousVersion(claimed!, 20 * LEASE_MS);
    assert.deepEqual(await east.registry.checkSender(claimed!.token, claimed!.key, 'lobby'), { ok: true, nickname: 'Alice' });
  });

  it('refuses a sender whose session the previous version ended, though it left the name key behind', async () => {
    const [east] = await leased();
    const [ended] = await populate(east, 'lobby', ['alice']);
    await endedByPreviousVersion(east, ended!);
    assert.deepEqual(await east.registry.checkSender(ended!.token, ended!.key, 'lobby'), { ok: false, reason: 'no-session' });
    assert.deepEqual(await east.registry.checkSender(ended!.token, ended!.key), { ok: false, reason: 'no-session' });
  });
});
