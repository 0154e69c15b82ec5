import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { type ChatCluster, startChatCluster } from '../../helpers/chat-cluster.js';
import { closeClients, errorOf, flush, joinRoom, newClientId, nextEvent, okValue, record, request, sendMessage, startSession } from '../../helpers/clients.js';
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';

/**
 * Each message asks the registry whether its sender may speak (checkSender: two reads, not the
 * session's whole record). A change made through one instance must hold on the other from the
 * moment its ack came back: no local copy of the session may let a message through after it.
 */
describe('the sender of a message, checked across two instances sharing Redis', { timeout: 60_000 }, () => {
  let redis: RunningRedisServer;
  let cluster: ChatCluster;
  let rooms = 0;
  before(async () => {
    redis = await startRedisServer();
    cluster = await startChatCluster(2, { REDIS_URL: redis.url });
  });
  afterEach(() => closeClients());
  after(async () => {
    await cluster?.stop();
    await redis?.stop();
  });

  /** Alice with a tab on each instance and Bob on the first, all in a fresh room; Bob records what the room hears. */
  async function twoTabs() {
    const room = `checked-${++rooms}`;
    const [first, second] = cluster.instances.map((instance) => instance.url) as [string, string];
    const here = await startSession(first, `alice${rooms}`);
    const there = await startSession(second, `alice${rooms}`, { session: here.session });
    const bob = await startSession(first, `bob${rooms}`);
    await joinRoom(here.socket, room);
    await joinRoom(bob.socket, room);
    return { room, here, there, heard: record(bob.socket, 'message'), bob };
  }

  it('refuses a message with NOT_IN_ROOM right after a tab on the other instance left the room, and the room hears nothing of it', async () => {
    const { room, here, there, heard, bob } = await twoTabs();
    okValue(await request(there.socket, 'room:leave', { room }));
    errorOf(await request(here.socket, 'message:send', { room, text: 'after leaving', clientId: newClientId() }), 'NOT_IN_ROOM');
    errorOf(await request(here.socket, 'typing', { room, typing: true }), 'NOT_IN_ROOM');
    await joinRoom(here.socket, room);
    await sendMessage(here.socket, room, 'back');
    await flush(bob.socket);
    assert.deepEqual(
      heard.map((message) => message.text),
      ['back'],
    );
  });

  it('refuses a message and a direct message with NO_SESSION right after a tab on the other instance took another nickname', async () => {
    const { room, here, there, heard, bob } = await twoTabs();
    const renamed = okValue(await request(there.socket, 'session:start', { nickname: `alicia${rooms}`, session: here.session }));
    errorOf(await request(here.socket, 'message:send', { room, text: 'under the old name', clientId: newClientId() }), 'NO_SESSION');
    errorOf(await request(here.socket, 'dm:send', { to: bob.nickname, text: 'psst', clientId: newClientId() }), 'NO_SESSION');
    await joinRoom(there.socket, room);
    const arrived = nextEvent(bob.socket, 'message', { filter: (message) => message.text === 'under the new name' });
    await sendMessage(there.socket, room, 'under the new name');
    await arrived;
    assert.deepEqual(
      heard.map((message) => [message.from, message.text]),
      [[renamed.nickname, 'under the new name']],
    );
  });
});
