import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningAzurite, startAzurite } from '../helpers/azurite.js';
import { type ChatCluster, startChatCluster } from '../helpers/chat-cluster.js';
import { closeClients, joinRoom, sendMessage, startSession } from '../helpers/clients.js';
import { type RunningRedisServer, startRedisServer } from '../helpers/redis-server.js';

let redis: RunningRedisServer;
let azurite: RunningAzurite;
let cluster: ChatCluster;

before(async () => {
  [redis, azurite] = await Promise.all([startRedisServer(), startAzurite()]);
  cluster = await startChatCluster(2, { REDIS_URL: redis.url, STORAGE_CONNECTION_STRING: azurite.connectionString, HISTORY_TABLE: 'recenttest' });
});

after(async () => {
  closeClients();
  await cluster?.stop();
  await Promise.all([redis?.stop(), azurite?.dispose()]);
});

test('a message sent on one instance is in the history of the next join on the other, however recently that instance answered a join', async () => {
  const [east, west] = cluster.instances.map((instance) => instance.url) as [string, string];
  const ann = await startSession(east, 'ann');
  await joinRoom(ann.socket, 'lobby');
  // Warms west's recent page of the room, which each message below must replace.
  const first = await startSession(west, 'watcher');
  assert.deepEqual((await joinRoom(first.socket, 'lobby')).history, []);
  for (let n = 1; n <= 5; n += 1) {
    const sent = await sendMessage(ann.socket, 'lobby', `hello ${n}`);
    const joiner = await startSession(west, `joiner${n}`);
    const { history } = await joinRoom(joiner.socket, 'lobby');
    assert.equal(history.at(-1)?.id, sent.id, `join ${n} on west sees the message just sent on east`);
    assert.equal(history.length, n);
  }
});
