import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';
import { INSTANCES, addressFor, connect, disconnectAll, emit, nextEvent } from './emulator-clients.js';
import { ensureBuilt, healthzFrom, RunningEmulator } from './running-emulator.js';

/**
 * Two instances behind the emulator's endpoint share one set of sessions, as they do on Azure:
 * by default through the registry the emulator hosts, and through a real Redis with REDIS_URL.
 * Clients are pinned to an instance by their loopback source address (sourceIP affinity).
 */

const LEASE_MS = 3000;

const backends: { name: string; settings(): Promise<string[]>; cleanUp(): Promise<void> }[] = [];
{
  backends.push({ name: 'without REDIS_URL (the emulator hosts the registry)', settings: async () => [], cleanUp: async () => {} });
  let redis: RunningRedisServer | undefined;
  backends.push({
    name: 'with REDIS_URL (a real redis-server)',
    settings: async () => {
      redis = await startRedisServer();
      return ['--setting', `REDIS_URL=${redis.url}`];
    },
    cleanUp: async () => {
      await redis?.stop();
    },
  });
}

for (const backend of backends) {
  describe(`two emulated instances ${backend.name}`, { timeout: 60_000 }, () => {
    let emulator: RunningEmulator;
    const [onFirst, onSecond] = [addressFor(0), addressFor(1)];

    before(async () => {
      ensureBuilt();
      const settings = await backend.settings();
      emulator = await RunningEmulator.start([
        '--instances', '2', '--fresh', '--probe-interval-ms', '500', '--probe-timeout-ms', '1000',
        '--setting', `SESSION_LEASE_MS=${LEASE_MS}`, ...settings,
      ]);
      await emulator.waitFor(/^emulator: chat at http:\/\/localhost/, 30_000);
      assert.equal((await healthzFrom(emulator.url, onFirst)).instance, INSTANCES[0]);
      assert.equal((await healthzFrom(emulator.url, onSecond)).instance, INSTANCES[1]);
    });

    after(async () => {
      disconnectAll();
      await emulator?.kill();
      await backend.cleanUp();
    });

    it('lets one nickname be held once in total, whichever instance is asked', async () => {
      const first = await connect(emulator.url, onFirst);
      const second = await connect(emulator.url, onSecond);
      assert.equal((await emit(first, 'session:start', { nickname: 'Zoe' })).ok, true);
      const refused = await emit(second, 'session:start', { nickname: 'zoe' });
      assert.equal(refused.ok, false);
      assert.equal(refused.error?.code, 'NICKNAME_TAKEN');
    });

    it('delivers a room message and a direct message sent through one instance to members on the other', async () => {
      const ann = await connect(emulator.url, onFirst);
      const bob = await connect(emulator.url, onSecond);
      assert.equal((await emit(ann, 'session:start', { nickname: 'ann' })).ok, true);
      assert.equal((await emit(bob, 'session:start', { nickname: 'bob' })).ok, true);
      assert.equal((await emit(ann, 'room:join', { room: 'crossing' })).ok, true);
      assert.equal((await emit(bob, 'room:join', { room: 'crossing' })).ok, true);

      const roomMessage = nextEvent<{ from: string; text: string }>(bob, 'message');
      assert.equal((await emit(ann, 'message:send', { room: 'crossing', text: 'to the room', clientId: 'r1' })).ok, true);
      assert.deepEqual(await roomMessage.then(({ from, text }) => ({ from, text })), { from: 'ann', text: 'to the room' });

      const direct = nextEvent<{ from: string; to: string; text: string }>(bob, 'dm');
      const sent = await emit(ann, 'dm:send', { to: 'bob', text: 'just you', clientId: 'd1' });
      assert.equal(sent.ok, true, JSON.stringify(sent.error));
      assert.deepEqual(await direct.then(({ from, text }) => ({ from, text })), { from: 'ann', text: 'just you' });
    });

    it("frees the nicknames of a kill -9'd instance within the lease, and its rooms hear who left", async (t) => {
      const watcher = await connect(emulator.url, onFirst);
      assert.equal((await emit(watcher, 'session:start', { nickname: 'watcher' })).ok, true);
      assert.equal((await emit(watcher, 'room:join', { room: 'vigil' })).ok, true);
      const doomed = await connect(emulator.url, onSecond, ['polling'], false);
      assert.equal((await emit(doomed, 'session:start', { nickname: 'Doomed' })).ok, true);
      assert.equal((await emit(doomed, 'room:join', { room: 'vigil' })).ok, true);
      const heldElsewhere = await connect(emulator.url, onFirst);
      assert.equal((await emit(heldElsewhere, 'session:start', { nickname: 'doomed' })).error?.code, 'NICKNAME_TAKEN');

      const left = nextEvent<{ room: string; nickname: string }>(watcher, 'user:left', 3 * LEASE_MS);
      const killedAt = Date.now();
      process.kill(emulator.pids.get(INSTANCES[1]!)!, 'SIGKILL');
      assert.deepEqual(await left.then(({ room, nickname }) => ({ room, nickname })), { room: 'vigil', nickname: 'Doomed' });
      // A lease, plus one sweep interval of the survivor (lease / 4.5), plus delivery.
      const elapsed = Date.now() - killedAt;
      assert.ok(elapsed < LEASE_MS * 1.5, `user:left came ${elapsed} ms after the kill`);
      t.diagnostic(`user:left ${elapsed} ms after the kill, with a ${LEASE_MS} ms lease`);
      assert.equal((await emit(heldElsewhere, 'session:start', { nickname: 'doomed' })).ok, true);
    });
  });
}
