import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningAzurite, startAzurite } from '../helpers/azurite.js';
import { type ChatCluster, startChatCluster } from '../helpers/chat-cluster.js';
import { closeClients, joinRoom, okValue, request, sendMessage, startSession } from '../helpers/clients.js';
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

test('an edit and a delete made on one instance are in the history of the next join on the other', async () => {
  const [east, west] = cluster.instances.map((instance) => instance.url) as [string, string];
  const ann = await startSession(east, 'ann2');
  await joinRoom(ann.socket, 'hall');
  const sent = await sendMessage(ann.socket, 'hall', 'first draft');
  const warm = await startSession(west, 'warm2');
  assert.equal((await joinRoom(warm.socket, 'hall')).history.at(-1)?.text, 'first draft');

  okValue(await request(ann.socket, 'message:edit', { room: 'hall', id: sent.id, text: 'second draft' }));
  const afterEdit = await joinRoom((await startSession(west, 'edit2')).socket, 'hall');
  assert.equal(afterEdit.history.at(-1)?.text, 'second draft');

  okValue(await request(ann.socket, 'message:delete', { room: 'hall', id: sent.id }));
  const afterDelete = await joinRoom((await startSession(west, 'delete2')).socket, 'hall');
  assert.equal(afterDelete.history.at(-1)?.deleted, true);
  assert.equal(afterDelete.history.at(-1)?.text, '');
});
