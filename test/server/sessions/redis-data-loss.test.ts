import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import type { ClaimResult } from '../../../WorkerRole1/src/server/sessions/session-registry.js';
import { allMembers, Instance, rooms, sleep } from './registry-contract-helpers.js';
import { eventually } from './redis-faults.js';
import { RedisTarget } from './redis-registry-target.js';

/** Long enough for the steps a test takes inside the restoring window, which lasts one lease. */
const LEASE_MS = 2_000;

function restoring(result: ClaimResult): number {
  assert.equal(result.ok || result.reason, 'restoring', `refused while sessions are put back: ${JSON.stringify(result)}`);
  if (result.ok || result.reason !== 'restoring') assert.fail();
  assert.ok(result.retryAfterMs > 0 && result.retryAfterMs <= LEASE_MS, `retry after ${result.retryAfterMs} ms`);
  return result.retryAfterMs;
}

describe('RedisSessionRegistry when Redis loses its data', () => {
  const target = new RedisTarget();
  before(() => target.setUp());
  afterEach(() => target.closePairs());
  after(() => target.tearDown());

  async function flushAll(): Promise<void> {
    const client = createClient({ url: target.redis.url });
    await client.connect();
    try {
      assert.equal(await client.sendCommand(['FLUSHALL']), 'OK');
    } finally {
      client.destroy();
    }
  }

  const losses: Array<[string, () => Promise<void>]> = [
    ['FLUSHALL', flushAll],
    ['a restart without persistence', () => target.redis.restart()],
  ];
  for (const [how, loseData] of losses) {
    it(`after ${how}, each instance's next renewal puts its sessions and rooms back, and held nicknames stay theirs`, async () => {
      const [east, west] = await target.pair({ leaseMs: LEASE_MS, presenceIndividualMax: 2 });
      const { session: alice } = await east.take('alice');
      const { session: carol } = await east.take('Carol');
      const { session: bob } = await west.take('bob');
      const { session: dave } = await east.take('dave');
      for (const session of [alice, carol, bob, dave]) await east.registry.join(session.token, 'lobby');
      await east.registry.join(alice.token, 'games');
      await west.renew([dave]); // dave has a tab on each instance
      await east.registry.takePresence('lobby', 1);
      const heldByEast = [alice, carol, dave].map((session) => ({ ...session, rooms: new Set(session === alice ? ['lobby', 'games'] : ['lobby']) }));
      const heldByWest = [bob, dave].map((session) => ({ ...session, rooms: new Set(['lobby']) }));

      await loseData();
      // Nobody may take a nickname that someone connected holds, nor any other, until the holders had their turn.
      // Each instance's connection comes back on its own after a restart: wait for both.
      const wait = restoring(await eventually(() => west.claim('ALICE')));
      restoring(await eventually(() => east.claim('newcomer')));
      restoring(await west.claim('bob', bob.token));
      const fresh = new Instance(await target.registry({ leaseMs: LEASE_MS }), 'fresh');
      restoring(await fresh.claim('Carol'));

      const [renewingEast, renewingWest] = [east.keepAlive(heldByEast, LEASE_MS), west.keepAlive(heldByWest, LEASE_MS)];
      try {
        await sleep(LEASE_MS / 4);
        assert.deepEqual(rooms(await west.registry.get(alice.token)), ['lobby', 'games']);
        assert.equal((await west.take('BOB', bob.token)).resumed, true, 'a resume goes through once the session is back');
        assert.deepEqual(await fresh.registry.memberCounts(['lobby', 'games']), [4, 1]);
        assert.deepEqual((await allMembers(fresh.registry, 'lobby', { limit: 2 })).members, ['alice', 'bob', 'Carol', 'dave']);
        assert.deepEqual(await east.registry.takePresence('lobby', 1), { taken: false }, 'nobody came or went');

        await sleep(wait);
        assert.deepEqual(await fresh.claim('alice'), { ok: false, reason: 'taken', holder: 'alice' });
        assert.deepEqual(await west.claim('CAROL'), { ok: false, reason: 'taken', holder: 'Carol' });
        await fresh.take('newcomer');
        // Both instances put dave back, so both hold him: one letting go does not end him.
        await renewingEast.forget(dave);
        assert.equal(await east.release(dave), undefined);
        assert.equal((await west.registry.get(dave.token))?.nickname, 'dave');
        await renewingWest.forget(dave);
        assert.equal((await west.release(dave))?.nickname, 'dave');
        assert.deepEqual(await fresh.registry.memberCounts(['lobby', 'games']), [3, 1]);
      } finally {
        await Promise.all([renewingEast.stop(), renewingWest.stop()]);
      }
    });
  }

  it('opens no restoring window on a Redis that never had data, nor for instances that never saw any', async () => {
    const [east, west] = await target.pair({ leaseMs: LEASE_MS, presenceIndividualMax: 50 });
    const { session } = await east.take('alice');
    await west.renew([]);
    assert.equal((await west.claim('alice')).ok, false);
    await flushAll();
    // Instances that held nothing before the loss cannot tell it from a first start.
    const later = new Instance(await target.registry({ leaseMs: LEASE_MS }), 'later');
    await later.take('bob');
    // East held alice and knew the data: from now on claims wait, and east gets alice back.
    restoring(await east.claim('carol'));
    restoring(await later.claim('dave'));
    await east.renew([session]);
    assert.equal((await later.registry.findByNickname('alice'))?.token, session.token);
  });

  it('does not bring back a session that ended in the epoch it was seen in', async () => {
    const [east, west] = await target.pair({ leaseMs: LEASE_MS, presenceIndividualMax: 50 });
    const { session } = await east.take('alice');
    await east.registry.join(session.token, 'lobby');
    await west.registry.end(session.token);
    await east.renew([{ ...session, rooms: new Set(['lobby']) }]);
    assert.equal(await west.registry.get(session.token), undefined);
    assert.deepEqual(await west.registry.memberCounts(['lobby']), [0]);
    await west.take('alice');
  });
});
