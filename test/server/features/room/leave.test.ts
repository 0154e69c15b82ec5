import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

describe('room:leave', () => {
  const { server, unique } = chatServerPerSuite();

  it('answers with the room and tells the others with user:left', async () => {
    const room = unique('room');
    const alice = await startSession(server.url, unique('alice'));
    const bob = await startSession(server.url, unique('bob'));
    await joinRoom(alice.socket, room);
    await joinRoom(bob.socket, room);

    const announced = nextEvent(bob.socket, 'user:left');
    assert.deepEqual(await request(alice.socket, 'room:leave', { room }), { ok: true, room });
    assert.deepEqual(await announced, { room, nickname: alice.nickname, count: 1 });
  });

  it("stops the room's messages for every tab of the session and removes it from the members", async () => {
    const room = unique('room');
    const alice = await startSession(server.url, unique('alice'));
    const aliceTab2 = await startSession(server.url, alice.nickname, { session: alice.session });
    const bob = await startSession(server.url, unique('bob'));
    await joinRoom(alice.socket, room);
    await joinRoom(bob.socket, room);
    const seenLeft = record(aliceTab2.socket, 'user:left');

    okValue(await request(alice.socket, 'room:leave', { room }));
    const toTab1 = record(alice.socket, 'message');
    const toTab2 = record(aliceTab2.socket, 'message');
    const toBob = nextEvent(bob.socket, 'message');
    await sendMessage(bob.socket, room, 'after alice left');
    await toBob;
    await Promise.all([flush(alice.socket), flush(aliceTab2.socket)]);
    assert.deepEqual(toTab1, []);
    assert.deepEqual(toTab2, []);
    assert.deepEqual(seenLeft, [], "the leaver's own tabs are not told that it left");

    const { members } = okValue(await request(bob.socket, 'room:join', { room }));
    assert.deepEqual(members, [bob.nickname]);
    errorOf(await request(aliceTab2.socket, 'message:send', { room, text: 'hi', clientId: 'x' }), 'NOT_IN_ROOM');
  });

  it('answers NOT_IN_ROOM for a room the session never joined', async () => {
    const alice = await startSession(server.url, unique('alice'));
    const error = errorOf(await request(alice.socket, 'room:leave', { room: 'elsewhere' }), 'NOT_IN_ROOM');
    assert.match(error.message, /elsewhere/);
  });

  it('answers NOT_IN_ROOM when leaving a room twice', async () => {
    const room = unique('room');
    const alice = await startSession(server.url, unique('alice'));
    await joinRoom(alice.socket, room);
    okValue(await request(alice.socket, 'room:leave', { room }));
    errorOf(await request(alice.socket, 'room:leave', { room }), 'NOT_IN_ROOM');
  });

  it('answers INVALID_ROOM for an invalid room name', async () => {
    const alice = await startSession(server.url, unique('alice'));
    errorOf(await request(alice.socket, 'room:leave', { room: 'No Such Room' }), 'INVALID_ROOM');
    errorOf(await rawRequest(alice.socket, 'room:leave', [{ room: ['lobby'] }]), 'INVALID_ROOM');
  });

  it('lets a session join a room again after leaving it, announced again', async () => {
    const room = unique('room');
    const alice = await startSession(server.url, unique('alice'));
    const bob = await startSession(server.url, unique('bob'));
    await joinRoom(bob.socket, room);
    await joinRoom(alice.socket, room);
    okValue(await request(alice.socket, 'room:leave', { room }));
    const announced = nextEvent(bob.socket, 'user:joined');
    await joinRoom(alice.socket, room);
    assert.deepEqual(await announced, { room, nickname: alice.nickname, count: 2 });
  });
});
