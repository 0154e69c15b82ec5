import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningAzurite, startAzurite } from '../helpers/azurite.js';
import { type ChatCluster, startChatCluster } from '../helpers/chat-cluster.js';
import { type RunningRedisServer, startRedisServer } from '../helpers/redis-server.js';
import { ReliableChatter } from '../helpers/reliable-chatter.js';

const MESSAGES_PER_CHATTER = 40;
const SEND_INTERVAL_MS = 20;

let redis: RunningRedisServer;
let azurite: RunningAzurite;
let cluster: ChatCluster;
const chatters: ReliableChatter[] = [];

before(async () => {
  [redis, azurite] = await Promise.all([startRedisServer(), startAzurite()]);
  cluster = await startChatCluster(2, { REDIS_URL: redis.url, STORAGE_CONNECTION_STRING: azurite.connectionString, HISTORY_TABLE: 'crashtest' });
});

after(async () => {
  for (const chatter of chatters) chatter.close();
  await cluster?.stop();
  await Promise.all([redis?.stop(), azurite?.dispose()]);
});

test('after kill -9 of an instance, every acknowledged message is in history once and every client sees it once', async () => {
  const [first, second] = cluster.instances.map((instance) => instance.url) as [string, string];
  chatters.push(
    new ReliableChatter('ann', [first, second], 'lobby'),
    new ReliableChatter('al', [first, second], 'lobby'),
    new ReliableChatter('bea', [second, first], 'lobby'),
    new ReliableChatter('bo', [second, first], 'lobby'),
  );
  await Promise.all(chatters.map((chatter) => chatter.connect()));

  const sending = chatters.map(async (chatter) => {
    for (let n = 0; n < MESSAGES_PER_CHATTER; n += 1) {
      await chatter.send(`${chatter.nickname}-${n}`);
      await new Promise((resolve) => setTimeout(resolve, SEND_INTERVAL_MS));
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const ackedBeforeKill = chatters.flatMap((chatter) => [...chatter.acked]);
  await cluster.kill(0);
  await Promise.all(sending);
  await Promise.all(chatters.map((chatter) => chatter.catchUp()));

  for (const chatter of chatters.slice(0, 2)) assert.ok(chatter.reconnections >= 1, `${chatter.nickname} failed over`);
  const everyText = chatters.flatMap((chatter) => Array.from({ length: MESSAGES_PER_CHATTER }, (_, n) => `${chatter.nickname}-${n}`));
  assert.ok(ackedBeforeKill.length > 0, 'messages were acknowledged before the kill');

  const reader = new ReliableChatter('reader', [second], 'lobby');
  chatters.push(reader);
  await reader.connect();
  const stored = (await reader.readWholeHistory()).map((message) => message.text).sort();
  assert.deepEqual(stored, [...everyText].sort(), 'history holds every acknowledged message exactly once');

  for (const chatter of chatters.slice(0, 4)) {
    const shown = [...chatter.seen.values()].map((message) => message.text).sort();
    assert.deepEqual(shown, [...everyText].sort(), `${chatter.nickname} shows every message exactly once`);
  }
});
