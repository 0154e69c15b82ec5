import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatServerPerSuite } from '../../../helpers/chat-server-per-suite.js';
import {
  errorOf,
  flush,
  joinRoom,
  nextDisconnect,
  nextEvent,
  okValue,
  rawRequest,
  record,
  request,
  sleep,
  startSession,
} from '../../../helpers/clients.js';

const GRACE_MS = 400;

describe('dm:send', () => {
  const { server, unique } = chatServerPerSuite({ sessionGraceMs: GRACE_MS });

  async function pair() {
    const alice = await startSession(server.url, unique('alice'));
    const bob = await startSession(server.url, unique('Bob'));
    return { alice, bob };
  }

  it('answers with the message addressed to the display nickname of the recipient', async () => {
    const { alice, bob } = await pair();
    const sentAt = Date.now();
    const { message } = okValue(await request(alice.socket, 'dm:send', { to: bob.nickname.toUpperCase(), text: ' psst ', clientId: 'd1' }));
    assert.deepEqual(Object.keys(message).sort(), ['clientId', 'from', 'id', 'text', 'to', 'ts']);
    assert.equal(message.clientId, 'd1');
    assert.equal(message.from, alice.nickname);
    assert.equal(message.to, bob.nickname);
    assert.equal(message.text, 'psst');
    assert.match(message.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.ok(message.ts >= sentAt - 5 && message.ts <= Date.now() + 5);
  });

  it("delivers to every socket of the recipient and of the sender, and to nobody else, not even the sender's room", async () => {
    const { alice, bob } = await pair();
    const aliceTab2 = await startSession(server.url, alice.nickname, { session: alice.session });
    const bobTab2 = await startSession(server.url, bob.nickname, { session: bob.session });
    const carol = await startSession(server.url, unique('carol'));
    const room = unique('room');
    for (const socket of [alice.socket, bob.socket, carol.socket]) await joinRoom(socket, room);
    const toCarol = record(carol.socket, 'dm');
    const roomMessages = record(carol.socket, 'message');

    const deliveries = [alice.socket, aliceTab2.socket, bob.socket, bobTab2.socket].map((socket) => nextEvent(socket, 'dm'));
    const { message } = okValue(await request(alice.socket, 'dm:send', { to: bob.nickname, text: 'just us', clientId: 'd2' }));
    for (const delivered of await Promise.all(deliveries)) assert.deepEqual(delivered, message);
    await flush(carol.socket);
    assert.deepEqual(toCarol, []);
    assert.deepEqual(roomMessages, []);
  });

  it('returns the first message when a clientId is resent, and delivers only that copy again, never a second dm', async () => {
    const { alice, bob } = await pair();
    const toBob = record(bob.socket, 'dm');
    const toAlice = record(alice.socket, 'dm');
    const first = okValue(await request(alice.socket, 'dm:send', { to: bob.nickname, text: 'once', clientId: 'same' })).message;
    const again = okValue(await request(alice.socket, 'dm:send', { to: bob.nickname, text: 'once more', clientId: 'same' })).message;
    assert.deepEqual(again, first);
    await Promise.all([flush(alice.socket), flush(bob.socket)]);
    assert.deepEqual(toBob, [first, first]);
    assert.deepEqual(toAlice, [first, first]);
  });

  it('answers USER_NOT_FOUND for a nickname nobody holds, or one that cannot be a nickname', async () => {
    const { alice } = await pair();
    const error = errorOf(await request(alice.socket, 'dm:send', { to: 'nobody-here', text: 'hello?', clientId: 'd3' }), 'USER_NOT_FOUND');
    assert.match(error.message, /nobody-here/);
    errorOf(await request(alice.socket, 'dm:send', { to: '<script>', text: 'hello?', clientId: 'd4' }), 'USER_NOT_FOUND');
    errorOf(await request(alice.socket, 'dm:send', { to: '', text: 'hello?', clientId: 'd5' }), 'USER_NOT_FOUND');
  });

  it('answers USER_NOT_FOUND once the recipient is gone for good after the grace period', async () => {
    const { alice, bob } = await pair();
    const gone = nextDisconnect(bob.socket);
    bob.socket.close();
    await gone;
    // Within the grace period the session lives on: the message waits in the conversation.
    okValue(await request(alice.socket, 'dm:send', { to: bob.nickname, text: 'are you there?', clientId: 'd6' }));
    await sleep(GRACE_MS + 150);
    errorOf(await request(alice.socket, 'dm:send', { to: bob.nickname, text: 'gone?', clientId: 'd7' }), 'USER_NOT_FOUND');
  });

  it('returns the first copy of a resent message even after the recipient has left for good', async () => {
    const { alice, bob } = await pair();
    const first = okValue(await request(alice.socket, 'dm:send', { to: bob.nickname, text: 'did it arrive?', clientId: 'r1' }));
    bob.socket.disconnect();
    await sleep(GRACE_MS + 300);
    errorOf(await request(alice.socket, 'dm:send', { to: bob.nickname, text: 'a new one', clientId: 'r2' }), 'USER_NOT_FOUND');
    const resent = okValue(await request(alice.socket, 'dm:send', { to: bob.nickname, text: 'did it arrive?', clientId: 'r1' }));
    assert.deepEqual(resent.message, first.message);
  });

  it('answers INVALID_MESSAGE for an empty text or control characters', async () => {
    const { alice, bob } = await pair();
    errorOf(await request(alice.socket, 'dm:send', { to: bob.nickname, text: '   ', clientId: 'd8' }), 'INVALID_MESSAGE');
    errorOf(await request(alice.socket, 'dm:send', { to: bob.nickname, text: 'a\u0000b', clientId: 'd9' }), 'INVALID_MESSAGE');
    errorOf(await request(alice.socket, 'dm:send', { to: bob.nickname, text: 'z'.repeat(2001), clientId: 'd10' }), 'INVALID_MESSAGE');
  });

  it('answers INVALID_PAYLOAD for a missing clientId, a wrong type or an extra field', async () => {
    const { alice, bob } = await pair();
    errorOf(await rawRequest(alice.socket, 'dm:send', [{ to: bob.nickname, text: 'hi' }]), 'INVALID_PAYLOAD');
    errorOf(await rawRequest(alice.socket, 'dm:send', [{ to: 5, text: 'hi', clientId: 'x' }]), 'INVALID_PAYLOAD');
    errorOf(await rawRequest(alice.socket, 'dm:send', [{ to: bob.nickname, text: 'hi', clientId: 'x', room: 'lobby' }]), 'INVALID_PAYLOAD');
  });
});
