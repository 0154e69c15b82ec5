import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../WorkerRole1/src/shared/protocol.js';
import { type ChatCluster, startChatCluster } from '../helpers/chat-cluster.js';
import { type RunningRedisServer, startRedisServer } from '../helpers/redis-server.js';

const CONTENDERS = 50;

let redis: RunningRedisServer;
let cluster: ChatCluster;
const sockets: Array<Socket<ServerToClientEvents, ClientToServerEvents>> = [];

before(async () => {
  redis = await startRedisServer();
  cluster = await startChatCluster(2, { REDIS_URL: redis.url });
});

after(async () => {
  for (const socket of sockets) socket.close();
  await cluster?.stop();
  await redis?.stop();
});

test('of 50 clients on 2 instances claiming one nickname at the same moment, exactly one wins', async () => {
  for (let i = 0; i < CONTENDERS; i += 1) {
    sockets.push(io(cluster.instances[i % 2]!.url, { transports: ['websocket'], reconnection: false }));
  }
  await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.once('connect', () => resolve()))));

  // Spellings that differ only in case and width all mean the same nickname.
  const spellings = ['Racer', 'racer', 'RACER', 'Ｒａｃｅｒ'];
  const acks = await Promise.all(
    sockets.map((socket, i) => socket.timeout(5000).emitWithAck('session:start', { nickname: spellings[i % spellings.length]! })),
  );

  const winners = acks.filter((ack) => ack.ok);
  const losers = acks.filter((ack) => !ack.ok);
  assert.equal(winners.length, 1);
  assert.deepEqual(new Set(losers.map((ack) => (ack.ok ? 'ok' : ack.error.code))), new Set(['NICKNAME_TAKEN']));
});
