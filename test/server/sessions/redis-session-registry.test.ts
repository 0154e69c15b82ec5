import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createRedisSessionRegistry } from '../../../WorkerRole1/src/server/sessions/redis-session-connection.js';
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
