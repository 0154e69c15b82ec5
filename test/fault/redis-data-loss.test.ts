import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient as createRedisClient } from 'redis';
import { type ChatCluster, startChatCluster } from '../helpers/chat-cluster.js';
import { type ChatClient, closeClients, connectClient, errorOf, okValue, request, sleep } from '../helpers/clients.js';
import { type RunningRedisServer, startRedisServer } from '../helpers/redis-server.js';

const LEASE_MS = 2000;
const RENEW_EVERY_MS = LEASE_MS / 4.5;

let redis: RunningRedisServer;
let cluster: ChatCluster;

before(async () => {
  redis = await startRedisServer();
  cluster = await startChatCluster(2, { REDIS_URL: redis.url, SESSION_LEASE_MS: String(LEASE_MS), SESSION_GRACE_MS: '500' });
});

after(async () => {
  closeClients();
  await cluster?.stop();
  await redis?.stop();
});

async function start(instance: number, nickname: string, rooms: string[]): Promise<{ socket: ChatClient; token: string }> {
  const socket = await connectClient(cluster.instances[instance]!.url);
  const { session: token } = okValue(await request(socket, 'session:start', { nickname }));
  for (const room of rooms) okValue(await request(socket, 'room:join', { room }));
  return { socket, token };
}

test('after Redis lost its data, the instances put their sessions and rooms back within a renewal, and nobody takes a held nickname', async () => {
  const alice = await start(0, 'alice', ['lobby', 'games']);
  const bob = await start(1, 'bob', ['lobby']);
  const carol = await start(1, 'carol', ['lobby']);
  const mallory = await connectClient(cluster.instances[1]!.url);

  const flusher = createRedisClient({ url: redis.url });
  await flusher.connect();
  assert.equal(await flusher.sendCommand(['FLUSHALL']), 'OK');
  flusher.destroy();

  const refused = errorOf(await request(mallory, 'session:start', { nickname: 'ALICE' }), 'STORAGE_UNAVAILABLE');
  assert.ok(refused.retryAfterMs !== undefined && refused.retryAfterMs <= LEASE_MS, `retry after ${refused.retryAfterMs} ms`);

  // Nobody reconnects or does anything: each instance's next renewal puts its sessions back.
  await sleep(RENEW_EVERY_MS * 2);
  for (const [instance, socket] of [alice.socket, bob.socket].entries()) {
    const page = okValue(await request(socket, 'room:members', { room: 'lobby' }));
    assert.deepEqual(page.members, ['alice', 'bob', 'carol'], `lobby on instance ${instance}`);
    assert.equal(okValue(await request(socket, 'room:join', { room: 'lobby' })).memberCount, 3);
  }
  assert.deepEqual(okValue(await request(alice.socket, 'room:members', { room: 'games' })).members, ['alice']);
  const resumed = okValue(await request(carol.socket, 'session:start', { nickname: 'carol', session: carol.token }));
  assert.equal(resumed.session, carol.token, 'the same session goes on');

  await sleep(refused.retryAfterMs!);
  errorOf(await request(mallory, 'session:start', { nickname: 'ALICE' }), 'NICKNAME_TAKEN');
  okValue(await request(mallory, 'session:start', { nickname: 'mallory' }));
  const message = okValue(await request(bob.socket, 'message:send', { room: 'lobby', text: 'still here', clientId: 'after-flush' }));
  assert.equal(message.message.text, 'still here');
});

test('a client told NO_SESSION while its session was missing, and gone since, does not keep its nickname', async () => {
  const dora = await start(0, 'dora', ['lobby']);
  const flusher = createRedisClient({ url: redis.url });
  await flusher.connect();
  assert.equal(await flusher.sendCommand(['FLUSHALL']), 'OK');
  flusher.destroy();
  errorOf(await request(dora.socket, 'room:join', { room: 'games' }), 'NO_SESSION');
  dora.socket.close();

  // The grace period, then the lease of a session that may have been put back meanwhile.
  await sleep(500 + LEASE_MS + 2 * RENEW_EVERY_MS + 500);
  const newcomer = await connectClient(cluster.instances[1]!.url);
  okValue(await request(newcomer, 'session:start', { nickname: 'Dora' }));
});
