import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningAzurite, startAzurite } from '../helpers/azurite.js';
import { type ChatCluster, startChatCluster } from '../helpers/chat-cluster.js';
import { type RunningRedisServer, startRedisServer } from '../helpers/redis-server.js';
import { ReliableChatter } from '../helpers/reliable-chatter.js';

const OUTAGE_MS = 10_000;

let redis: RunningRedisServer;
let azurite: RunningAzurite;
let cluster: ChatCluster;
const chatters: ReliableChatter[] = [];

before(async () => {
  [redis, azurite] = await Promise.all([startRedisServer(), startAzurite()]);
  cluster = await startChatCluster(2, { REDIS_URL: redis.url, STORAGE_CONNECTION_STRING: azurite.connectionString, HISTORY_TABLE: 'outagetest' });
});

after(async () => {
  for (const chatter of chatters) chatter.close();
  await cluster?.stop();
  await Promise.all([redis?.stop(), azurite?.dispose()]);
});

test('while Azurite is down for 10 s live delivery goes on, and afterwards history holds every acknowledged message once', async () => {
  const [first, second] = cluster.instances.map((instance) => instance.url) as [string, string];
  const ann = new ReliableChatter('ann', [first], 'lobby');
  const bob = new ReliableChatter('bob', [second], 'lobby');
  chatters.push(ann, bob);
  await Promise.all([ann.connect(), bob.connect()]);
  await ann.send('before-outage');

  await azurite.stop();
  const stoppedAt = Date.now();
  const sentDuringOutage: Array<Promise<void>> = [];
  let n = 0;
  while (Date.now() - stoppedAt < OUTAGE_MS) {
    sentDuringOutage.push(ann.send(`ann-${n}`), bob.send(`bob-${n}`));
    n += 1;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const seenLive = (chatter: ReliableChatter) => [...chatter.seen.values()].filter((message) => /^(ann|bob)-/.test(message.text)).length;
  const liveAtBob = seenLive(bob);
  const ackedDuringOutage = ann.acked.size + bob.acked.size - 1;

  await azurite.start();
  await Promise.all(sentDuringOutage);

  console.log(`${n * 2} messages sent during the outage; ${liveAtBob} delivered live to bob meanwhile; ${ackedDuringOutage} acknowledged before storage came back`);
  assert.ok(liveAtBob >= n * 2 - 4, `bob saw ${liveAtBob} of ${n * 2} messages live during the outage`);
  assert.equal(ackedDuringOutage, 0, 'no message was acknowledged while it could not be stored');

  const stored = (await bob.readWholeHistory()).map((message) => message.text).sort();
  const expected = ['before-outage', ...Array.from({ length: n }, (_, i) => [`ann-${i}`, `bob-${i}`]).flat()].sort();
  assert.deepEqual(stored, expected);
  await Promise.all([ann.catchUp(), bob.catchUp()]);
  for (const chatter of [ann, bob]) {
    const shown = [...chatter.seen.values()].map((message) => message.text).sort();
    assert.deepEqual(shown, expected, `${chatter.nickname} shows every message exactly once`);
  }
});
