import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatServerPerSuite } from '../../../helpers/chat-server-per-suite.js';
import {
  errorOf,
  flush,
  joinRoom,
  nextEvent,
  okValue,
  rawEmit,
  rawRequest,
  record,
  request,
  sleep,
  startSession,
} from '../../../helpers/clients.js';

describe('typing', () => {
  const { server, unique } = chatServerPerSuite();

  async function roomOfThree() {
    const room = unique('room');
    const alice = await startSession(server.url, unique('alice'));
    const aliceTab2 = await startSession(server.url, alice.nickname, { session: alice.session });
    const bob = await startSession(server.url, unique('bob'));
    const carol = await startSession(server.url, unique('carol'));
    const outsider = await startSession(server.url, unique('dave'));
    for (const socket of [alice.socket, bob.socket, carol.socket]) await joinRoom(socket, room);
    return { room, alice, aliceTab2, bob, carol, outsider };
  }

  it("goes to the others in the room, not to the sender's sockets nor outside the room", async () => {
    const { room, alice, aliceTab2, bob, carol, outsider } = await roomOfThree();
    const toSender = record(alice.socket, 'typing');
    const toSenderTab2 = record(aliceTab2.socket, 'typing');
    const toOutsider = record(outsider.socket, 'typing');
    const toBob = nextEvent(bob.socket, 'typing');
    const toCarol = nextEvent(carol.socket, 'typing');

    assert.deepEqual(await request(alice.socket, 'typing', { room, typing: true }), { ok: true });
    const expected = { room, nickname: alice.nickname, typing: true };
    assert.deepEqual(await toBob, expected);
    assert.deepEqual(await toCarol, expected);
    await Promise.all([flush(alice.socket), flush(aliceTab2.socket), flush(outsider.socket)]);
    assert.deepEqual(toSender, []);
    assert.deepEqual(toSenderTab2, []);
    assert.deepEqual(toOutsider, []);
  });

  it('works without an ack', async () => {
    const { room, alice, bob } = await roomOfThree();
    const toBob = nextEvent(bob.socket, 'typing');
    rawEmit(alice.socket, 'typing', { room, typing: true });
    assert.deepEqual(await toBob, { room, nickname: alice.nickname, typing: true });
  });

  it('throttles "still typing" per socket and room, but always lets "stopped" through', async () => {
    const { room, alice, bob } = await roomOfThree();
    const toBob = record(bob.socket, 'typing');
    const send = async (typing: boolean) => okValue(await request(alice.socket, 'typing', { room, typing }));

    await send(true);
    await send(true);
    await send(true);
    await send(false);
    await send(true);
    await flush(bob.socket);
    assert.deepEqual(
      toBob.map((event) => event.typing),
      [true, false, true],
      'repeated "typing" within the throttle window are dropped, "stopped" re-arms it',
    );

    // After the throttle window, "still typing" goes out again.
    await sleep(1050);
    await send(true);
    await flush(bob.socket);
    assert.deepEqual(toBob.map((event) => event.typing), [true, false, true, true]);
  });

  it('throttles each room separately', async () => {
    const { room, alice, bob } = await roomOfThree();
    const second = unique('room');
    await joinRoom(alice.socket, second);
    await joinRoom(bob.socket, second);
    const toBob = record(bob.socket, 'typing');
    okValue(await request(alice.socket, 'typing', { room, typing: true }));
    okValue(await request(alice.socket, 'typing', { room: second, typing: true }));
    await flush(bob.socket);
    assert.deepEqual(toBob.map((event) => event.room), [room, second]);
  });

  it('answers NOT_IN_ROOM for a room the session is not in, and tells nobody', async () => {
    const { room, outsider, bob } = await roomOfThree();
    const toBob = record(bob.socket, 'typing');
    errorOf(await request(outsider.socket, 'typing', { room, typing: true }), 'NOT_IN_ROOM');
    rawEmit(outsider.socket, 'typing', { room, typing: true });
    await flush(bob.socket);
    assert.deepEqual(toBob, []);
  });

  it('answers INVALID_ROOM and INVALID_PAYLOAD for bad payloads, and drops them silently without an ack', async () => {
    const { room, alice, bob } = await roomOfThree();
    const toBob = record(bob.socket, 'typing');
    errorOf(await request(alice.socket, 'typing', { room: 'NOT A ROOM', typing: true }), 'INVALID_ROOM');
    errorOf(await rawRequest(alice.socket, 'typing', [{ room, typing: 'yes' }]), 'INVALID_PAYLOAD');
    errorOf(await rawRequest(alice.socket, 'typing', [{ room }]), 'INVALID_PAYLOAD');
    errorOf(await rawRequest(alice.socket, 'typing', [{ room, typing: true, nickname: 'mallory' }]), 'INVALID_PAYLOAD');
    rawEmit(alice.socket, 'typing', { room, typing: 1 });
    rawEmit(alice.socket, 'typing');
    rawEmit(alice.socket, 'typing', { room, typing: true }, 'extra');
    await flush(bob.socket);
    assert.deepEqual(toBob, []);
    // And the socket is still served.
    okValue(await request(alice.socket, 'typing', { room, typing: false }));
  });
});
