import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMITS } from '../../../../WorkerRole1/src/shared/protocol.js';
import { chatServerPerSuite } from '../../../helpers/chat-server-per-suite.js';
import {
  errorOf,
  flush,
  joinRoom,
  nextEvent,
  okValue,
  rawRequest,
  record,
  request,
  sendMessage,
  startSession,
} from '../../../helpers/clients.js';

describe('room:join', () => {
  // Enough budget to fill a room's history quickly.
  const { server, unique } = chatServerPerSuite({ messageBurst: 200, eventBurst: 400 });

  it('answers with the room, its members (the joiner included) and an empty history for a new room', async () => {
    const room = unique('fresh');
    const alice = await startSession(server.url, unique('alice'));
    const joined = await joinRoom(alice.socket, room);
    assert.deepEqual(joined, { ok: true, room, memberCount: 1, members: [alice.nickname], history: [] });
  });

  it('lists every member by display nickname', async () => {
    const room = unique('members');
    const alice = await startSession(server.url, `Ａ${unique('lice')}`);
    const bob = await startSession(server.url, unique('Bob'));
    await joinRoom(alice.socket, room);
    const joined = await joinRoom(bob.socket, room);
    assert.deepEqual([...joined.members].sort(), [alice.nickname, bob.nickname].sort());
    assert.ok(joined.members.includes(alice.nickname) && alice.nickname.startsWith('A'));
  });

  it('returns the last 50 messages of the history, oldest first', async () => {
    const room = unique('busy');
    const alice = await startSession(server.url, unique('alice'));
    await joinRoom(alice.socket, room);
    const sent = [];
    for (let i = 1; i <= LIMITS.historyDefaultLimit + 5; i++) sent.push(await sendMessage(alice.socket, room, `m${i}`));

    const bob = await startSession(server.url, unique('bob'));
    const { history } = await joinRoom(bob.socket, room);
    assert.equal(history.length, 50);
    assert.deepEqual(
      history.map((message) => message.text),
      sent.slice(-50).map((message) => message.text),
    );
    assert.equal(history[0]?.text, 'm6');
    assert.equal(history.at(-1)?.text, 'm55');
    assert.deepEqual(history, sent.slice(-50), 'history entries are the messages as delivered');
    const ids = history.map((message) => message.id);
    assert.deepEqual([...ids].sort(), ids, 'ids sort by time');
  });

  it('tells the others in the room with user:joined, and not the joiner or its other tabs', async () => {
    const room = unique('hello');
    const bob = await startSession(server.url, unique('bob'));
    await joinRoom(bob.socket, room);
    const alice = await startSession(server.url, unique('alice'));
    const aliceTab2 = await startSession(server.url, alice.nickname, { session: alice.session });
    const outsider = await startSession(server.url, unique('carol'));
    const seenByAlice = record(alice.socket, 'user:joined');
    const seenByAliceTab2 = record(aliceTab2.socket, 'user:joined');
    const seenByOutsider = record(outsider.socket, 'user:joined');

    const announced = nextEvent(bob.socket, 'user:joined');
    await joinRoom(alice.socket, room);
    assert.deepEqual(await announced, { room, nickname: alice.nickname, count: 2 });
    await Promise.all([flush(alice.socket), flush(aliceTab2.socket), flush(outsider.socket)]);
    assert.deepEqual(seenByAlice, []);
    assert.deepEqual(seenByAliceTab2, []);
    assert.deepEqual(seenByOutsider, []);
  });

  it('does not announce a session twice when it joins a room it is already in', async () => {
    const room = unique('again');
    const bob = await startSession(server.url, unique('bob'));
    await joinRoom(bob.socket, room);
    const alice = await startSession(server.url, unique('alice'));
    const aliceTab2 = await startSession(server.url, alice.nickname, { session: alice.session });
    const joined = record(bob.socket, 'user:joined');
    await joinRoom(alice.socket, room);
    const again = await joinRoom(aliceTab2.socket, room);
    assert.deepEqual([...again.members].sort(), [alice.nickname, bob.nickname].sort());
    await flush(bob.socket);
    assert.equal(joined.length, 1);
  });

  it("subscribes every tab of the session to the room's messages", async () => {
    const room = unique('tabs');
    const alice = await startSession(server.url, unique('alice'));
    const aliceTab2 = await startSession(server.url, alice.nickname, { session: alice.session });
    await joinRoom(alice.socket, room);
    const delivered = nextEvent(aliceTab2.socket, 'message');
    const message = await sendMessage(alice.socket, room, 'seen in both tabs');
    assert.deepEqual(await delivered, message);
  });

  describe('INVALID_ROOM', () => {
    const invalid: Array<[string, unknown]> = [
      ['an empty name', ''],
      ['upper case', 'Lobby'],
      ['a leading dash', '-lobby'],
      ['33 characters', 'a'.repeat(33)],
      ['a space', 'the lobby'],
      ['punctuation', 'lobby!'],
      ['an underscore', 'my_room'],
      ['non-ASCII letters', 'café'],
      ['a number instead of a string', 42],
      ['null', null],
    ];
    for (const [what, room] of invalid) {
      it(`rejects a room name with ${what}`, async () => {
        const alice = await startSession(server.url, unique('alice'));
        errorOf(await rawRequest(alice.socket, 'room:join', [{ room }]), 'INVALID_ROOM');
      });
    }

    it('accepts 32 characters of a-z, 0-9 and "-" starting with a digit', async () => {
      const alice = await startSession(server.url, unique('alice'));
      const room = `0-${'z'.repeat(30)}`;
      assert.equal((await joinRoom(alice.socket, room)).room, room);
    });
  });

  describe('TOO_MANY_ROOMS', () => {
    it(`refuses a session a room beyond ${LIMITS.roomsPerSession}, and allows one again after a leave`, async () => {
      const alice = await startSession(server.url, unique('alice'));
      const prefix = unique('r');
      for (let i = 0; i < LIMITS.roomsPerSession; i++) await joinRoom(alice.socket, `${prefix}-${i}`);
      errorOf(await request(alice.socket, 'room:join', { room: `${prefix}-extra` }), 'TOO_MANY_ROOMS');

      // Rejoining a room it is in is not a new room.
      await joinRoom(alice.socket, `${prefix}-0`);
      // The limit is per session, not per tab.
      const tab2 = await startSession(server.url, alice.nickname, { session: alice.session });
      errorOf(await request(tab2.socket, 'room:join', { room: `${prefix}-extra` }), 'TOO_MANY_ROOMS');

      okValue(await request(alice.socket, 'room:leave', { room: `${prefix}-3` }));
      await joinRoom(alice.socket, `${prefix}-extra`);
    });
  });
});
