import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndedSession, PresenceBatch, SessionRegistry } from '../../../WorkerRole1/src/server/sessions/session-registry.js';
import { allMembers, byKey, DEFAULTS, LEASE_MS, type RegistryTarget, populate, sleep } from './registry-contract-helpers.js';

const bySessionKey = (a: EndedSession, b: EndedSession) => (a.key < b.key ? -1 : 1);

/** Leases, holders, the sweep and coalesced presence: what every session registry does alike. */
export function leaseContract(target: RegistryTarget): void {
  const leased = (presenceIndividualMax = DEFAULTS.presenceIndividualMax) => target.pair({ leaseMs: LEASE_MS, presenceIndividualMax });

  describe('leases and holders', () => {
    it('hides a session nobody renews once its lease lapses, and frees its nickname, before any sweep', async () => {
      const [east, west] = await leased();
      const { session } = await east.take('alice');
      await east.registry.join(session.token, 'lobby');
      await sleep(LEASE_MS + 100);
      assert.equal(await west.registry.get(session.token), undefined);
      assert.equal(await west.registry.findByNickname('alice'), undefined);
      assert.deepEqual((await west.registry.members('lobby', { limit: 10 })).members, []);
      assert.equal(await west.registry.join(session.token, 'games'), undefined);
      assert.equal(await west.registry.end(session.token), undefined, 'a lapsed session is the sweep’s to announce');
      const newcomer = await west.take('Alice', session.token);
      assert.equal(newcomer.resumed, false, 'a lapsed token resumes nothing');
      assert.notEqual(newcomer.session.token, session.token);
    });

    it('gives a claim presented again with the token it replaced the session that claim made, not NICKNAME_TAKEN', async () => {
      const [east, west] = await leased();
      const { session } = await east.take('alice');
      await sleep(LEASE_MS + 100);
      const replacement = await west.take('alice', session.token);
      assert.equal(replacement.resumed, false);
      // Its ack was lost: the client presents the old token again, on another instance.
      const again = await east.take('alice', session.token);
      assert.equal(again.resumed, true);
      assert.equal(again.session.token, replacement.session.token);
      const renamed = await east.registry.claim({ display: 'alicia', key: 'alicia' }, session.token, 'east');
      assert.equal(renamed.ok, true, 'another nickname with the old token is a new claim');
      assert.notEqual(renamed.ok && renamed.session.token, replacement.session.token);
    });

    it('keeps a session alive for as long as some instance renews it, and does not revive a lapsed one', async () => {
      const [east, west] = await leased();
      const { session } = await east.take('alice');
      const { session: lapsing } = await east.take('bob');
      const renewing = west.keepAlive([session], LEASE_MS);
      await sleep(LEASE_MS * 2);
      await renewing.stop();
      assert.equal((await east.registry.get(session.token))?.nickname, 'alice');
      assert.equal(await east.registry.get(lapsing.token), undefined);
      await east.renew([lapsing]);
      assert.equal(await east.registry.get(lapsing.token), undefined);
      assert.deepEqual(
        (await east.registry.sweepExpired()).map((swept) => swept.nickname),
        ['bob'],
      );
    });

    it('renews the lease of a resumed session', async () => {
      // Each wait must end within the lease it waits inside (the resume before the first lease
      // lapses, the check before the renewed one does): a longer lease leaves a busy machine's late
      // timers 800 ms of room instead of 320.
      const leaseMs = 2_000;
      const [east, west] = await target.pair({ ...DEFAULTS, leaseMs });
      const { session } = await east.take('alice');
      await sleep(leaseMs * 0.6);
      assert.equal((await west.take('alice', session.token)).resumed, true);
      await sleep(leaseMs * 0.6);
      assert.equal((await east.registry.get(session.token))?.nickname, 'alice', 'alive past its first lease');
      await sleep(leaseMs * 0.6);
      assert.equal(await east.registry.get(session.token), undefined);
    });

    it('ends a released session only once no other instance holds it', async () => {
      const [east, west] = await leased();
      const { session } = await east.take('alice');
      await east.registry.join(session.token, 'lobby');
      await west.renew([session]);
      assert.equal(await east.release(session), undefined, 'west still holds it');
      assert.equal((await west.registry.get(session.token))?.nickname, 'alice');
      const ended = await west.release(session);
      assert.deepEqual(ended?.left, [{ room: 'lobby', count: 0, coalesced: false }]);
      assert.equal(await east.registry.get(session.token), undefined);
      assert.equal(await east.release(session), undefined, 'a session ends once');
      await west.take('alice');
    });

    it('ends a released session whose other holder stopped renewing (crashed)', async () => {
      const [east, west] = await leased();
      const { session } = await east.take('alice');
      await west.renew([session]);
      const renewing = east.keepAlive([session], LEASE_MS);
      await sleep(LEASE_MS * 1.5);
      await renewing.stop();
      assert.equal((await east.release(session))?.nickname, 'alice', 'west’s hold ran out');
    });

    it('sweeps a crashed instance’s sessions once, with their room changes, and leaves live ones and successors alone', async () => {
      const [east, west] = await leased();
      // One after the other, so that their leases lapse in this order, and the counts each room heard follow it.
      const [alice] = await populate(east, 'lobby', ['alice']);
      await sleep(5);
      const [carol] = await populate(east, 'lobby', ['carol']);
      const [bob] = await populate(west, 'lobby', ['bob']);
      await east.registry.join(alice!.token, 'games');
      // West lives on and renews; east crashed and renews nothing.
      const renewing = west.keepAlive([bob!], LEASE_MS);
      try {
        await sleep(LEASE_MS + 200);
        const { session: successor } = await west.take('ALICE');
        await west.registry.join(successor.token, 'lobby');
        const [fromEast, fromWest] = await Promise.all([east.registry.sweepExpired(), west.registry.sweepExpired()]);
        assert.deepEqual([...fromEast, ...fromWest].sort(bySessionKey), [
          {
            token: alice!.token,
            nickname: 'alice',
            key: 'alice',
            rooms: new Set(['lobby', 'games']),
            left: [
              { room: 'lobby', count: 3, coalesced: false },
              { room: 'games', count: 0, coalesced: false },
            ],
          },
          { token: carol!.token, nickname: 'carol', key: 'carol', rooms: new Set(['lobby']), left: [{ room: 'lobby', count: 2, coalesced: false }] },
        ]);
        assert.deepEqual(await east.registry.sweepExpired(), []);
        assert.equal((await east.registry.findByNickname('alice'))?.token, successor.token);
        assert.deepEqual(await east.registry.members('lobby', { limit: 10 }), { members: ['ALICE', 'bob'], count: 2 });
      } finally {
        await renewing.stop();
      }
    });

    it('skips lapsed members in pages of a room of hundreds, and counts exactly once they are swept', async () => {
      const [east, west] = await leased();
      const lapsing = await populate(east, 'lobby', Array.from({ length: 60 }, (_, i) => `gone${i}`));
      const stayingNames = Array.from({ length: 240 }, (_, i) => `${i % 2 ? 'S' : 's'}tay${i}`);
      const staying = await populate(west, 'lobby', stayingNames);
      const renewing = west.keepAlive(staying, LEASE_MS);
      try {
        await sleep(LEASE_MS + 200);
        const { members } = await allMembers(east.registry, 'lobby', { limit: 200 });
        assert.deepEqual(members, byKey(stayingNames));
        const swept = [...(await east.registry.sweepExpired()), ...(await west.registry.sweepExpired())];
        assert.equal(swept.length, lapsing.length);
        assert.deepEqual(await west.registry.memberCounts(['lobby']), [stayingNames.length]);
        assert.equal((await east.registry.members('lobby', { limit: 1 })).count, stayingNames.length);
      } finally {
        await renewing.stop();
      }
    });
  });

  describe('presence', () => {
    const INTERVAL_MS = 300;
    /** Takes with the shortest interval, after it passed since any earlier take. */
    const takeNow = async (registry: SessionRegistry, room: string) => {
      await sleep(5);
      return registry.takePresence(room, 1);
    };

    it('announces each join and leave while the room is at most the threshold, coalesces them above it', async () => {
      const [east, west] = await target.pair({ ...DEFAULTS, presenceIndividualMax: 3 });
      const [a, b, c] = await populate(east, 'lobby', ['a', 'b', 'c']);
      const { session: d } = await west.take('d');
      assert.deepEqual(await west.registry.join(d.token, 'lobby'), { room: 'lobby', count: 4, coalesced: true });
      assert.deepEqual(await east.registry.leave(a!.token, 'lobby'), { room: 'lobby', count: 3, coalesced: true }, 'it was 4 with them');
      assert.deepEqual(await east.registry.leave(b!.token, 'lobby'), { room: 'lobby', count: 2, coalesced: false });
      assert.deepEqual(await west.registry.join(b!.token, 'lobby'), { room: 'lobby', count: 3, coalesced: false });
      assert.deepEqual((await east.registry.end(c!.token))?.left, [{ room: 'lobby', count: 2, coalesced: false }]);
      const take = await east.registry.takePresence('lobby', INTERVAL_MS);
      assert.deepEqual(take, { taken: true, batch: { joined: ['d'], left: ['a'], count: 2 } });
    });

    it('hands a room’s batch to one instance per interval, across two instances, and nothing when nothing changed', async () => {
      const [east, west] = await target.pair({ ...DEFAULTS, presenceIndividualMax: 2 });
      assert.deepEqual(await east.registry.takePresence('lobby', INTERVAL_MS), { taken: false });
      await populate(east, 'lobby', ['a', 'b', 'c']);
      const first = await Promise.all([east.registry.takePresence('lobby', INTERVAL_MS), west.registry.takePresence('lobby', INTERVAL_MS)]);
      const batches = first.filter((take) => take.taken);
      assert.equal(batches.length, 1, 'one batch for two instances');
      assert.deepEqual(batches[0], { taken: true, batch: { joined: ['c'], left: [], count: 3 } });

      await populate(west, 'lobby', ['d']);
      const early = await east.registry.takePresence('lobby', INTERVAL_MS);
      assert.equal(early.taken, false);
      assert.ok(early.retryInMs !== undefined && early.retryInMs > 0 && early.retryInMs <= INTERVAL_MS, `retry in ${early.retryInMs}`);
      await sleep(early.retryInMs + 20);
      assert.deepEqual(await west.registry.takePresence('lobby', INTERVAL_MS), { taken: true, batch: { joined: ['d'], left: [], count: 4 } });
      assert.deepEqual(await east.registry.takePresence('lobby', INTERVAL_MS), { taken: false }, 'taken once');
    });

    it('cancels a join followed by a leave (and a leave followed by a join) before the next batch', async () => {
      const [east, west] = await target.pair({ ...DEFAULTS, presenceIndividualMax: 1 });
      const [a, b] = await populate(east, 'lobby', ['a', 'b']);
      await takeNow(east.registry, 'lobby');
      const { session: c } = await west.take('c');
      await west.registry.join(c.token, 'lobby');
      await east.registry.leave(c.token, 'lobby');
      await east.registry.leave(b!.token, 'lobby');
      await west.registry.join(b!.token, 'lobby');
      assert.deepEqual(await takeNow(west.registry, 'lobby'), { taken: false });
      await east.registry.leave(a!.token, 'lobby');
      assert.deepEqual(await takeNow(west.registry, 'lobby'), { taken: true, batch: { joined: [], left: ['a'], count: 1 } });
    });

    it('tells a large room nothing when a lapsed session is swept while its nickname’s new holder is in the room', async () => {
      const [east, west] = await target.pair({ leaseMs: LEASE_MS, presenceIndividualMax: 1 });
      const [bob] = await populate(west, 'lobby', ['bob']);
      const renewing = west.keepAlive([bob!], LEASE_MS);
      try {
        await populate(east, 'lobby', ['alice']);
        await sleep(LEASE_MS + 200);
        const { session: successor } = await west.take('ALICE');
        await west.registry.join(successor.token, 'lobby');
        assert.deepEqual(await takeNow(west.registry, 'lobby'), { taken: true, batch: { joined: ['ALICE'], left: [], count: 3 } });
        const [swept] = await east.registry.sweepExpired();
        assert.deepEqual(swept?.left, [{ room: 'lobby', count: 2, coalesced: true }]);
        assert.deepEqual(await takeNow(east.registry, 'lobby'), { taken: false }, 'alice is still there');
      } finally {
        await renewing.stop();
      }
    });

    it('names at most 100 who joined and 100 who left in a batch, with the exact count', async () => {
      const [east, west] = await target.pair({ ...DEFAULTS, presenceIndividualMax: 10 });
      const early = await populate(east, 'lobby', Array.from({ length: 130 }, (_, i) => `early${i}`));
      await takeNow(east.registry, 'lobby');
      await populate(west, 'lobby', Array.from({ length: 150 }, (_, i) => `late${i}`));
      await Promise.all(early.map((session) => east.registry.leave(session.token, 'lobby')));
      const take = await takeNow(west.registry, 'lobby');
      assert.ok(take.taken);
      const batch: PresenceBatch = take.batch;
      assert.equal(batch.count, 150);
      assert.equal(batch.joined.length, 100);
      assert.equal(batch.left.length, 100);
      assert.ok(batch.joined.every((name) => name.startsWith('late')) && batch.left.every((name) => name.startsWith('early')));
      assert.equal(new Set(batch.joined).size, 100);
    });
  });
}
