import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type RunningChatServer, startChatServer } from '../../helpers/chat-server.js';
import {
  closeClients,
  connectClient,
  errorOf,
  flush,
  joinRoom,
  nextDisconnect,
  nextEvent,
  okValue,
  record,
  request,
  sendMessage,
  sleep,
  startSession,
} from '../../helpers/clients.js';

const GRACE_MS = 500;

describe('sessions across disconnects (grace period)', () => {
  let server: RunningChatServer;

  beforeEach(async () => {
    server = await startChatServer({ sessionGraceMs: GRACE_MS });
  });
  afterEach(async () => {
    closeClients();
    await server.close();
  });

  async function disconnect(socket: Awaited<ReturnType<typeof connectClient>>) {
    const gone = nextDisconnect(socket);
    socket.close();
    await gone;
  }

  it('reclaims the nickname by session token after a disconnect within the grace period', async () => {
    const alice = await startSession(server.url, 'alice');
    const bob = await startSession(server.url, 'bob');
    await joinRoom(alice.socket, 'lobby');
    await joinRoom(bob.socket, 'lobby');
    const bobSawLeft = record(bob.socket, 'user:left');
    const bobSawJoined = record(bob.socket, 'user:joined');

    await disconnect(alice.socket);
    await sleep(50);
    const again = await connectClient(server.url);
    const resumed = okValue(await request(again, 'session:start', { nickname: 'alice', session: alice.session }));
    assert.equal(resumed.nickname, 'alice');
    assert.equal(resumed.session, alice.session, 'the same session goes on');

    // Its rooms come back without a room:join: the room's messages reach the new socket.
    const delivered = nextEvent(again, 'message');
    const sent = await sendMessage(bob.socket, 'lobby', 'welcome back');
    assert.equal((await delivered).id, sent.id);

    // Well past the original grace period, nobody was told that alice left, and she still holds her nickname.
    await sleep(GRACE_MS * 1.5);
    await flush(bob.socket);
    assert.deepEqual(bobSawLeft, []);
    assert.deepEqual(bobSawJoined, [], 'a reclaim is not a new join');
    const members = okValue(await request(bob.socket, 'room:join', { room: 'lobby' })).members;
    assert.deepEqual([...members].sort(), ['alice', 'bob']);
    const other = await connectClient(server.url);
    errorOf(await request(other, 'session:start', { nickname: 'alice' }), 'NICKNAME_TAKEN');
  });

  it('keeps the nickname taken from others during the grace period', async () => {
    const alice = await startSession(server.url, 'alice');
    await disconnect(alice.socket);
    const other = await connectClient(server.url);
    errorOf(await request(other, 'session:start', { nickname: 'alice' }), 'NICKNAME_TAKEN');
    errorOf(await request(other, 'session:start', { nickname: 'ALICE' }), 'NICKNAME_TAKEN');
  });

  it('frees the nickname after the grace period and tells every room of the session with user:left', async () => {
    const alice = await startSession(server.url, 'alice');
    const bob = await startSession(server.url, 'bob');
    for (const room of ['lobby', 'games']) {
      await joinRoom(alice.socket, room);
      await joinRoom(bob.socket, room);
    }
    const left = record(bob.socket, 'user:left');

    const closedAt = Date.now();
    await disconnect(alice.socket);
    const first = await nextEvent(bob.socket, 'user:left', { timeoutMs: GRACE_MS + 2000 });
    const elapsed = Date.now() - closedAt;
    assert.ok(elapsed >= GRACE_MS - 50, `user:left came after ${elapsed} ms, before the ${GRACE_MS} ms grace period`);
    assert.equal(first.nickname, 'alice');
    await flush(bob.socket);
    assert.deepEqual(
      [...left].sort((a, b) => a.room.localeCompare(b.room)),
      [
        { room: 'games', nickname: 'alice', count: 1 },
        { room: 'lobby', nickname: 'alice', count: 1 },
      ],
    );

    const members = okValue(await request(bob.socket, 'room:join', { room: 'lobby' })).members;
    assert.deepEqual(members, ['bob']);
    const newcomer = okValue(await request(await connectClient(server.url), 'session:start', { nickname: 'Alice' }));
    assert.equal(newcomer.nickname, 'Alice');
  });

  it('does not reclaim with the token once the grace period is over', async () => {
    const alice = await startSession(server.url, 'alice');
    await disconnect(alice.socket);
    await sleep(GRACE_MS + 150);
    const again = okValue(await request(await connectClient(server.url), 'session:start', { nickname: 'alice', session: alice.session }));
    assert.notEqual(again.session, alice.session, 'an expired token must not resume the old session');
  });

  it('refuses the nickname to the old token once someone else took it after the grace period', async () => {
    const alice = await startSession(server.url, 'alice');
    await disconnect(alice.socket);
    await sleep(GRACE_MS + 150);
    okValue(await request(await connectClient(server.url), 'session:start', { nickname: 'alice' }));
    errorOf(await request(await connectClient(server.url), 'session:start', { nickname: 'alice', session: alice.session }), 'NICKNAME_TAKEN');
  });

  it('keeps the session while another tab of it stays connected', async () => {
    const tab1 = await startSession(server.url, 'alice');
    const tab2 = await startSession(server.url, 'alice', { session: tab1.session });
    const bob = await startSession(server.url, 'bob');
    await joinRoom(tab1.socket, 'lobby');
    await joinRoom(bob.socket, 'lobby');
    const left = record(bob.socket, 'user:left');

    await disconnect(tab1.socket);
    await sleep(GRACE_MS + 150);
    await flush(bob.socket);
    assert.deepEqual(left, []);
    const delivered = nextEvent(tab2.socket, 'message');
    await sendMessage(bob.socket, 'lobby', 'still there?');
    assert.equal((await delivered).text, 'still there?');
    errorOf(await request(await connectClient(server.url), 'session:start', { nickname: 'alice' }), 'NICKNAME_TAKEN');
  });

  it('starts the grace period only when the last tab disconnects', async () => {
    const tab1 = await startSession(server.url, 'alice');
    const tab2 = await startSession(server.url, 'alice', { session: tab1.session });
    const bob = await startSession(server.url, 'bob');
    await joinRoom(tab1.socket, 'lobby');
    await joinRoom(bob.socket, 'lobby');

    await disconnect(tab1.socket);
    await sleep(GRACE_MS + 100);
    const closedAt = Date.now();
    await disconnect(tab2.socket);
    assert.deepEqual(await nextEvent(bob.socket, 'user:left', { timeoutMs: GRACE_MS + 2000 }), { room: 'lobby', nickname: 'alice', count: 1 });
    assert.ok(Date.now() - closedAt >= GRACE_MS - 50);
  });

  it(
    'stops delivering to the other tabs of a renamed session once someone else takes the old nickname',
    async () => {
      const tab1 = await startSession(server.url, 'alice');
      const tab2 = await startSession(server.url, 'alice', { session: tab1.session });
      okValue(await request(tab2.socket, 'session:start', { nickname: 'alicia' }));
      const staleDms = record(tab1.socket, 'dm');
      const staleMessages = record(tab1.socket, 'message');

      // Someone else takes the freed nickname, gets a private message and joins a room.
      const newAlice = await startSession(server.url, 'alice');
      const bob = await startSession(server.url, 'bob');
      okValue(await request(bob.socket, 'dm:send', { to: 'alice', text: 'for the new alice only', clientId: 'd1' }));
      await joinRoom(newAlice.socket, 'private-room');
      await sendMessage(newAlice.socket, 'private-room', 'members only');

      await flush(tab1.socket);
      assert.deepEqual(staleDms, [], "the renamed person's other tab got the new alice's private messages");
      assert.deepEqual(staleMessages, [], "the renamed person's other tab was put into the new alice's room");
    },
  );

  it(
    "stops delivering the old session's rooms to a socket that switches to another session by its token",
    async () => {
      const carol = await startSession(server.url, 'carol');
      await joinRoom(carol.socket, 'carols');
      const dave = await startSession(server.url, 'dave');
      okValue(await request(carol.socket, 'session:start', { nickname: 'dave', session: dave.session }));
      const received = record(carol.socket, 'message');

      const erin = await startSession(server.url, 'erin');
      await joinRoom(erin.socket, 'carols');
      await sendMessage(erin.socket, 'carols', 'only for the members of carols');
      await flush(carol.socket);
      assert.deepEqual(received, [], 'the socket is dave now, and dave never joined "carols"');
    },
  );
});
