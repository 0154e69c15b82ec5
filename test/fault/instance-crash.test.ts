import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { type RunningAzurite, startAzurite } from '../helpers/azurite.js';
import { type ChatCluster, startChatCluster } from '../helpers/chat-cluster.js';
import { type RunningRedisServer, startRedisServer } from '../helpers/redis-server.js';
import { ReliableChatter } from '../helpers/reliable-chatter.js';

const MESSAGES_PER_CHATTER = 40;
const SEND_INTERVAL_MS = 20;
/** Short, so the crash test below waits seconds, not the minute the default allows. */
const SESSION_LEASE_MS = 3000;

let redis: RunningRedisServer;
let azurite: RunningAzurite;
let cluster: ChatCluster;
const chatters: ReliableChatter[] = [];
const sockets: Socket[] = [];

before(async () => {
  [redis, azurite] = await Promise.all([startRedisServer(), startAzurite()]);
  cluster = await startChatCluster(2, {
    REDIS_URL: redis.url,
    STORAGE_CONNECTION_STRING: azurite.connectionString,
    HISTORY_TABLE: 'crashtest',
    SESSION_LEASE_MS: String(SESSION_LEASE_MS),
  });
});

after(async () => {
  for (const chatter of chatters) chatter.close();
  for (const socket of sockets) socket.close();
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
  // Mid-stream: once every chatter has had messages acknowledged (a fixed pause found none yet
  // on a loaded machine), while most are still to be sent.
  while (!chatters.every((chatter) => chatter.acked.size >= 2)) await new Promise((resolve) => setTimeout(resolve, 10));
  const ackedBeforeKill = chatters.flatMap((chatter) => [...chatter.acked]);
  await cluster.kill(0);
  await Promise.all(sending);
  await Promise.all(chatters.map((chatter) => chatter.catchUp()));

  for (const chatter of chatters.slice(0, 2)) assert.ok(chatter.reconnections >= 1, `${chatter.nickname} failed over`);
  const everyText = chatters.flatMap((chatter) => Array.from({ length: MESSAGES_PER_CHATTER }, (_, n) => `${chatter.nickname}-${n}`));
  assert.ok(ackedBeforeKill.length < everyText.length, `the kill came while messages were being sent (${ackedBeforeKill.length} of ${everyText.length} acknowledged before it)`);

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

test("a crashed instance's nicknames come free within its lease, and their rooms are told", async () => {
  await cluster.restart(0);
  const [first, second] = cluster.instances.map((instance) => instance.url) as [string, string];
  const zed = io(first, { transports: ['websocket'], reconnection: false });
  const watcher = io(second, { transports: ['websocket'], reconnection: false });
  const newcomer = io(second, { transports: ['websocket'], reconnection: false });
  sockets.push(zed, watcher, newcomer);
  assert.equal((await zed.timeout(3000).emitWithAck('session:start', { nickname: 'zed' })).ok, true);
  assert.equal((await zed.timeout(3000).emitWithAck('room:join', { room: 'crash' })).ok, true);
  assert.equal((await watcher.timeout(3000).emitWithAck('session:start', { nickname: 'watcher' })).ok, true);
  assert.equal((await watcher.timeout(3000).emitWithAck('room:join', { room: 'crash' })).ok, true);
  const zedLeft = new Promise<number>((resolve) =>
    watcher.on('user:left', ({ nickname }) => {
      if (nickname === 'zed') resolve(Date.now());
    }),
  );

  const killedAt = Date.now();
  await cluster.kill(0);
  let claimedAt: number | undefined;
  while (claimedAt === undefined && Date.now() - killedAt < 20_000) {
    const claim = await newcomer.timeout(3000).emitWithAck('session:start', { nickname: 'zed' });
    if (claim.ok) claimedAt = Date.now();
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }

  assert.ok(claimedAt !== undefined, 'the nickname came free');
  const freedInMs = claimedAt - killedAt;
  const leftInMs = (await zedLeft) - killedAt;
  console.log(`lease ${SESSION_LEASE_MS} ms: nickname free ${freedInMs} ms after the crash, user:left after ${leftInMs} ms`);
  // The lease, plus one renewal interval (lease / 4.5) for the last renewal before the crash, plus slack.
  const bound = SESSION_LEASE_MS * (1 + 1 / 4.5) + 1000;
  assert.ok(freedInMs < bound, `freed in ${freedInMs} ms`);
  assert.ok(leftInMs < bound + SESSION_LEASE_MS / 4.5, `user:left after ${leftInMs} ms`);
});
