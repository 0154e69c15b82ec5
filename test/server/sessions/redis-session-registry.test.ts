import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createRedisSessionRegistry } from '../../../WorkerRole1/src/server/sessions/redis-session-connection.js';
import type { Session } from '../../../WorkerRole1/src/server/sessions/session-registry.js';
import { DEFAULTS, Instance, LEASE_MS, sleep } from './registry-contract-helpers.js';
import { leaseContract } from './registry-lease-contract.js';
import { membershipContract } from './registry-membership-contract.js';
import { roomBanContract } from './registry-room-ban-contract.js';
import { senderContract } from './registry-sender-contract.js';
import { RedisTarget, silentLogger } from './redis-registry-target.js';
import { assertFailsFast, eventually } from './redis-faults.js';

describe('RedisSessionRegistry', () => {
  const target = new RedisTarget();
  before(() => target.setUp());
  afterEach(() => target.closePairs());
  after(() => target.tearDown());
  membershipContract(target);
  leaseContract(target);
  roomBanContract(target);
  senderContract(target);

  it('keeps registries with different key prefixes apart', async () => {
    const [east] = await target.pair(DEFAULTS);
    const other = new Instance(
      await target.registry({ prefix: RedisTarget.newPrefix() }),
      'other',
    );
    const { session } = await east.take('alice');
    await other.take('alice');
    assert.equal(await other.registry.get(session.token), undefined);
  });

  it('does not hold again a session released while a renewal of several batches is under way', async () => {
    const [east, west] = await target.pair(DEFAULTS);
    // More than one renewal batch (500 sessions), with the released one in the second.
    const sessions: Session[] = [];
    for (let start = 0; start < 520; start += 40) {
      const claimed = await Promise.all(Array.from({ length: 40 }, (_, i) => east.take(`member${start + i}`)));
      sessions.push(...claimed.map(({ session }) => session));
    }
    const shared = sessions.at(-1)!;
    await west.renew([shared]); // a tab on each instance
    await east.renew(sessions); // the renewal's script is loaded, so the batches below go one round trip each

    const renewal = east.renew(sessions);
    // Sent after the renewal's first batch and before its second, which waits for the first's reply.
    const releasedByEast = east.release(shared);
    await renewal;
    assert.equal(await releasedByEast, undefined, 'west still holds it');
    assert.equal((await west.release(shared))?.nickname, shared.nickname, 'its last holder ends it');
    assert.equal(await west.registry.get(shared.token), undefined);
  });

  describe('when Redis fails', () => {
    it('rejects commands within a couple of seconds while Redis is down, and works again once it restarted', async () => {
      const east = new Instance(await target.registry({ leaseMs: LEASE_MS }), 'east');
      const { session } = await east.take('alice');
      await target.redis.kill();
      try {
        for (const attempt of [() => east.claim('bob'), () => east.registry.members('lobby', { limit: 10 }), () => east.renew([session])]) {
          await assertFailsFast(attempt());
        }
      } finally {
        await target.redis.start();
      }
      // The restarted Redis kept nothing, its script cache included: every script must load again.
      const refused = await eventually(() => east.claim('bob'));
      assert.equal(refused.ok || refused.reason, 'restoring', 'claims wait while sessions are put back');
      await east.renew([session]);
      assert.equal((await east.registry.get(session.token))?.nickname, 'alice');
      const renewing = east.keepAlive([session], LEASE_MS);
      if (!refused.ok && refused.reason === 'restoring') await sleep(refused.retryAfterMs);
      await renewing.stop();
      const { session: bob } = await east.take('bob');
      assert.deepEqual(await east.registry.join(bob.token, 'lobby'), { room: 'lobby', count: 1, coalesced: false });
      assert.deepEqual((await east.registry.members('lobby', { limit: 10 })).members, ['bob']);
      assert.deepEqual(await east.registry.sweepExpired(), []);
    });

    it('rejects commands after the timeout while Redis is frozen, and works once it answers again', async () => {
      const east = new Instance(await target.registry(), 'east');
      const { session } = await east.take('alice');
      target.redis.pause();
      try {
        await Promise.all([assertFailsFast(east.registry.get(session.token)), assertFailsFast(east.claim('bob'))]);
      } finally {
        target.redis.resume();
      }
      const resumed = await eventually(() => east.registry.get(session.token));
      assert.equal(resumed?.nickname, 'alice');
    });

    it('closes promptly even while Redis does not answer', async () => {
      const registry = await createRedisSessionRegistry({ url: target.redis.url }, { prefix: target.prefix, logger: silentLogger, ...DEFAULTS });
      target.redis.pause();
      try {
        const started = performance.now();
        await registry.close();
        assert.ok(performance.now() - started < 2_500);
      } finally {
        target.redis.resume();
      }
    });
  });
});
