import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnterResult } from '../../../WorkerRole1/src/server/sessions/session-registry.js';
import { DEFAULTS, type Instance, type RegistryTarget, sleep } from './registry-contract-helpers.js';

/** room:join's one registry step, for a session claimed on `instance`, checking `banSubjects`. */
async function enter(instance: Instance, token: string, room: string, banSubjects: readonly string[]): Promise<EnterResult> {
  return instance.registry.enter(token, room, { holder: instance.holder, roomsMax: 10, page: { limit: 10 }, banSubjects });
}

/** Removals from rooms (room:remove): one ban, seen alike by every instance sharing the store. */
export function roomBanContract(target: RegistryTarget): void {
  describe('room bans', () => {
    it('keeps a banned subject out of that room on the other instance until the ban ends, and no longer', async () => {
      const [east, west] = await target.pair(DEFAULTS);
      const { session: mallory } = await west.take('mallory');
      const { session: alice } = await west.take('alice');
      // Long enough that the checks below run inside it on a loaded machine.
      const banMs = 3000;
      const before = Date.now();
      const ends = await east.registry.banFromRoom('lobby', ['nick:mallory', 'id:tenant/mallory'], banMs);
      assert.ok(ends >= before + banMs - 50 && ends <= Date.now() + banMs + 50, `ends ${ends - before} ms after the ban`);
      const removed = { ok: false, reason: 'removed', until: ends };
      assert.deepEqual(await enter(west, mallory.token, 'lobby', ['nick:mallory']), removed);
      assert.deepEqual(await enter(west, mallory.token, 'lobby', ['nick:someone-else', 'id:tenant/mallory']), removed, 'any subject of the person matches');
      assert.ok((await enter(west, mallory.token, 'games', ['nick:mallory', 'id:tenant/mallory'])).ok, 'another room is not affected');
      assert.ok((await enter(west, alice.token, 'lobby', ['nick:alice', 'id:tenant/alice'])).ok, 'nobody else is affected');
      await sleep(ends - Date.now() + 100);
      const after = await enter(west, mallory.token, 'lobby', ['nick:mallory', 'id:tenant/mallory']);
      assert.ok(after.ok, 'the ban ended');
      assert.deepEqual(after.page.members, ['alice', 'mallory']);
    });

    it('refuses entering the room to a banned subject on the other instance in the same step as the join, and lets others in', async () => {
      const [east, west] = await target.pair(DEFAULTS);
      const ends = await east.registry.banFromRoom('lobby', ['id:tenant/mallory'], 60_000);
      const mallory = await west.take('mallory');
      const refused = await enter(west, mallory.session.token, 'lobby', ['nick:mallory', 'id:tenant/mallory']);
      assert.deepEqual(refused, { ok: false, reason: 'removed', until: ends });
      assert.equal((await west.registry.members('lobby', { limit: 10 })).count, 0, 'the refused join left no trace in the room');
      const games = await enter(west, mallory.session.token, 'games', ['nick:mallory', 'id:tenant/mallory']);
      assert.ok(games.ok, 'another room is not affected');
      const alice = await west.take('alice');
      assert.ok((await enter(west, alice.session.token, 'lobby', ['nick:alice', 'id:tenant/alice'])).ok);
    });

    it('lets a later removal replace an earlier one, shorter or longer, and refuses until the latest end among subjects', async () => {
      const [east, west] = await target.pair(DEFAULTS);
      const { session: mallory } = await east.take('mallory');
      await east.registry.banFromRoom('lobby', ['nick:mallory'], 60_000);
      const shorter = await west.registry.banFromRoom('lobby', ['nick:mallory'], 5_000);
      assert.deepEqual(await enter(east, mallory.token, 'lobby', ['nick:mallory']), { ok: false, reason: 'removed', until: shorter });
      const longer = await east.registry.banFromRoom('lobby', ['session:x'], 120_000);
      assert.deepEqual(await enter(west, mallory.token, 'lobby', ['nick:mallory', 'session:x']), { ok: false, reason: 'removed', until: longer });
      assert.deepEqual(await enter(west, mallory.token, 'lobby', ['session:x', 'nick:mallory']), { ok: false, reason: 'removed', until: longer }, 'whatever the order');
    });
  });
}
