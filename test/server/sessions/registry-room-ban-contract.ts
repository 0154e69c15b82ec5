import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS, type RegistryTarget, sleep } from './registry-contract-helpers.js';

/** Removals from rooms (room:remove): one ban, seen alike by every instance sharing the store. */
export function roomBanContract(target: RegistryTarget): void {
  describe('room bans', () => {
    it('keeps a banned subject out of that room on the other instance until the ban ends, and no longer', async () => {
      const [east, west] = await target.pair(DEFAULTS);
      // Long enough that the checks below run inside it on a loaded machine.
      const banMs = 3000;
      const before = Date.now();
      const ends = await east.registry.banFromRoom('lobby', ['nick:mallory', 'id:tenant/mallory'], banMs);
      assert.ok(ends >= before + banMs - 50 && ends <= Date.now() + banMs + 50, `ends ${ends - before} ms after the ban`);
      assert.equal(await west.registry.roomBanEnd('lobby', ['nick:mallory']), ends);
      assert.equal(await west.registry.roomBanEnd('lobby', ['nick:someone-else', 'id:tenant/mallory']), ends, 'any subject of the person matches');
      assert.equal(await west.registry.roomBanEnd('games', ['nick:mallory']), undefined, 'another room is not affected');
      assert.equal(await west.registry.roomBanEnd('lobby', ['nick:alice']), undefined, 'nobody else is affected');
      await sleep(ends - Date.now() + 100);
      assert.equal(await west.registry.roomBanEnd('lobby', ['nick:mallory', 'id:tenant/mallory']), undefined);
    });

    it('refuses entering the room to a banned subject on the other instance in the same step as the join, and lets others in', async () => {
      const [east, west] = await target.pair(DEFAULTS);
      const ends = await east.registry.banFromRoom('lobby', ['id:tenant/mallory'], 60_000);
      const mallory = await west.take('mallory');
      const options = { holder: west.holder, roomsMax: 10, page: { limit: 10 } };
      const refused = await west.registry.enter(mallory.session.token, 'lobby', { ...options, banSubjects: ['nick:mallory', 'id:tenant/mallory'] });
      assert.deepEqual(refused, { ok: false, reason: 'removed', until: ends });
      assert.equal((await west.registry.members('lobby', { limit: 10 })).count, 0, 'the refused join left no trace in the room');
      const games = await west.registry.enter(mallory.session.token, 'games', { ...options, banSubjects: ['nick:mallory', 'id:tenant/mallory'] });
      assert.ok(games.ok, 'another room is not affected');
      const alice = await west.take('alice');
      assert.ok((await west.registry.enter(alice.session.token, 'lobby', { ...options, banSubjects: ['nick:alice', 'id:tenant/alice'] })).ok);
    });

    it('lets a later removal replace an earlier one, shorter or longer, and answers the latest end among subjects', async () => {
      const [east, west] = await target.pair(DEFAULTS);
      await east.registry.banFromRoom('lobby', ['nick:mallory'], 60_000);
      const shorter = await west.registry.banFromRoom('lobby', ['nick:mallory'], 5_000);
      assert.equal(await east.registry.roomBanEnd('lobby', ['nick:mallory']), shorter);
      const longer = await east.registry.banFromRoom('lobby', ['session:x'], 120_000);
      assert.equal(await west.registry.roomBanEnd('lobby', ['nick:mallory', 'session:x']), longer);
    });
  });
}
