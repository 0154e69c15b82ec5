import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS, LEASE_MS, type RegistryTarget, sleep } from './registry-contract-helpers.js';

/**
 * checkSender, which every message, edit, typing notice and history page asks first: what every
 * session registry answers alike, and at once on another instance after a change on this one.
 */
export function senderContract(target: RegistryTarget): void {
  describe('the sender check', () => {
    it('answers a live session with its nickname as claimed, in a room it joined and outside any room, on any instance', async () => {
      const [east, west] = await target.pair(DEFAULTS);
      const { session } = await east.take('Alice');
      await east.registry.join(session.token, 'lobby');
      assert.deepEqual(await west.registry.checkSender(session.token, session.key, 'lobby'), { ok: true, nickname: 'Alice' });
      assert.deepEqual(await west.registry.checkSender(session.token, session.key), { ok: true, nickname: 'Alice' });
      assert.deepEqual(await west.registry.checkSender(session.token, session.key, 'games'), { ok: false, reason: 'not-in-room' });
      assert.deepEqual(await west.registry.checkSender('not-a-token', session.key, 'lobby'), { ok: false, reason: 'no-session' });
    });

    it('refuses, at once on the other instance, a session that left the room, then one renamed through another tab', async () => {
      const [east, west] = await target.pair(DEFAULTS);
      const { session } = await east.take('alice');
      await east.registry.join(session.token, 'lobby');
      await east.registry.join(session.token, 'games');
      assert.equal((await east.registry.checkSender(session.token, session.key, 'lobby')).ok, true);

      await west.registry.leave(session.token, 'lobby');
      assert.deepEqual(await east.registry.checkSender(session.token, session.key, 'lobby'), { ok: false, reason: 'not-in-room' });
      assert.equal((await east.registry.checkSender(session.token, session.key, 'games')).ok, true, 'its other rooms stay');

      const renamed = await west.take('alicia', session.token);
      assert.deepEqual(await east.registry.checkSender(session.token, session.key, 'games'), { ok: false, reason: 'no-session' });
      assert.deepEqual(await east.registry.checkSender(session.token, session.key), { ok: false, reason: 'no-session' });
      assert.deepEqual(await east.registry.checkSender(renamed.session.token, renamed.session.key), { ok: true, nickname: 'alicia' });
    });

    it('refuses a session whose lease lapsed, before any sweep, and one a moderator took out of the room', async () => {
      const [east, west] = await target.pair({ ...DEFAULTS, leaseMs: LEASE_MS });
      const { session: lapsing } = await east.take('bob');
      const { session: removed } = await east.take('mallory');
      for (const session of [lapsing, removed]) await east.registry.join(session.token, 'lobby');
      const renewing = east.keepAlive([removed], LEASE_MS);
      try {
        await sleep(LEASE_MS + 100);
        assert.deepEqual(await west.registry.checkSender(lapsing.token, lapsing.key, 'lobby'), { ok: false, reason: 'no-session' });
        await west.registry.banFromRoom('lobby', ['nick:mallory'], 60_000);
        await west.registry.leave(removed.token, 'lobby');
        assert.deepEqual(await east.registry.checkSender(removed.token, removed.key, 'lobby'), { ok: false, reason: 'not-in-room' });
      } finally {
        await renewing.stop();
      }
    });
  });
}
