import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage } from '../../../../WorkerRole1/src/shared/protocol.js';
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

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('message:send', () => {
  const { server, unique } = chatServerPerSuite({ messageBurst: 100, eventBurst: 200 });

  async function roomWithAlice() {
    const room = unique('room');
    const alice = await startSession(server.url, unique('alice'));
    await joinRoom(alice.socket, room);
    return { room, alice };
  }

  it('answers with the stored message: server id, timestamp and sender', async () => {
    const { room, alice } = await roomWithAlice();
    const sentAt = Date.now();
    const ack = okValue(await request(alice.socket, 'message:send', { room, text: 'hello', clientId: 'c-1' }));
    const { message } = ack;
    assert.deepEqual(Object.keys(message).sort(), ['clientId', 'from', 'id', 'room', 'text', 'ts']);
    assert.equal(message.clientId, 'c-1');
    assert.match(message.id, ULID);
    assert.equal(message.room, room);
    assert.equal(message.from, alice.nickname);
    assert.equal(message.text, 'hello');
    assert.ok(message.ts >= sentAt - 5 && message.ts <= Date.now() + 5, `ts ${message.ts} is not now`);
  });

  it('trims the text and turns CRLF and CR into LF, keeping inner newlines and tabs', async () => {
    const { room, alice } = await roomWithAlice();
    const message = await sendMessage(alice.socket, room, '  \n line 1\r\nline 2\rline\t3 \t\n');
    assert.equal(message.text, 'line 1\nline 2\nline\t3');
  });

  it('assigns ids that sort by time', async () => {
    const { room, alice } = await roomWithAlice();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await sendMessage(alice.socket, room, `m${i}`)).id);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('delivers the message to every socket in the room, the sender and its other tab included, and to nobody else', async () => {
    const { room, alice } = await roomWithAlice();
    const aliceTab2 = await startSession(server.url, alice.nickname, { session: alice.session });
    const bob = await startSession(server.url, unique('bob'));
    await joinRoom(bob.socket, room);
    const outsider = await startSession(server.url, unique('carol'));
    await joinRoom(outsider.socket, unique('elsewhere'));
    const noSession = await startSession(server.url, unique('dave'));
    const toOutsider = record(outsider.socket, 'message');
    const toNoRoom = record(noSession.socket, 'message');

    const deliveries = [alice.socket, aliceTab2.socket, bob.socket].map((socket) => nextEvent(socket, 'message'));
    const { message } = okValue(await request(alice.socket, 'message:send', { room, text: 'to everyone here', clientId: 'c-all' }));
    for (const delivered of await Promise.all(deliveries)) assert.deepEqual(delivered, message);

    await Promise.all([flush(outsider.socket), flush(noSession.socket)]);
    assert.deepEqual(toOutsider, []);
    assert.deepEqual(toNoRoom, []);
  });

  describe('idempotent resend (same clientId)', () => {
    it('returns the first message when a clientId is resent, and delivers only that copy again, never a second message', async () => {
      const { room, alice } = await roomWithAlice();
      const bob = await startSession(server.url, unique('bob'));
      await joinRoom(bob.socket, room);
      const toAlice = record(alice.socket, 'message');
      const toBob = record(bob.socket, 'message');

      const first = okValue(await request(alice.socket, 'message:send', { room, text: 'once', clientId: 'dup-1' })).message;
      const again = okValue(await request(alice.socket, 'message:send', { room, text: 'once', clientId: 'dup-1' })).message;
      assert.deepEqual(again, first);
      // Even with another text, the resend is the first message.
      const changed = okValue(await request(alice.socket, 'message:send', { room, text: 'edited', clientId: 'dup-1' })).message;
      assert.deepEqual(changed, first);

      // A later message and a round trip: anything the server sent before has arrived.
      await sendMessage(alice.socket, room, 'barrier');
      await flush(bob.socket);
      for (const received of [toAlice, toBob]) {
        assert.deepEqual([...new Set(received.map((message) => message.id))].length, 2, 'two distinct messages');
        assert.deepEqual([...new Set(received.map((message) => message.text))], ['once', 'barrier']);
        assert.ok(received.filter((message) => message.id === first.id).every((message) => message.text === 'once'));
      }

      const { messages } = okValue(await request(bob.socket, 'history:fetch', { room }));
      assert.deepEqual(messages.map((message) => message.text), ['once', 'barrier'], 'history keeps one copy');
    });

    it('treats a resend from another tab of the same session as the same message', async () => {
      const { room, alice } = await roomWithAlice();
      const aliceTab2 = await startSession(server.url, alice.nickname, { session: alice.session });
      const first = await sendMessage(alice.socket, room, 'from tab 1', 'tab-dup');
      await flush(aliceTab2.socket);
      const received = record(aliceTab2.socket, 'message');
      const again = await sendMessage(aliceTab2.socket, room, 'from tab 2', 'tab-dup');
      assert.deepEqual(again, first);
      await flush(aliceTab2.socket);
      assert.deepEqual(received, [first], 'the first copy again, which the tab already shows by id');
    });

    it('does not confuse the same clientId from two senders', async () => {
      const { room, alice } = await roomWithAlice();
      const bob = await startSession(server.url, unique('bob'));
      await joinRoom(bob.socket, room);
      const fromAlice = await sendMessage(alice.socket, room, 'alice says', 'shared-id');
      const fromBob = await sendMessage(bob.socket, room, 'bob says', 'shared-id');
      assert.notEqual(fromBob.id, fromAlice.id);
      assert.equal(fromBob.text, 'bob says');
      assert.equal(fromBob.from, bob.nickname);
    });
  });

  describe('INVALID_MESSAGE', () => {
    const invalid: Array<[string, unknown]> = [
      ['an empty text', ''],
      ['a text of whitespace only', ' \n\t \r\n '],
      ['2001 characters', 'x'.repeat(2001)],
      ['a NUL character', 'a\u0000b'],
      ['a bell (C0 control)', 'a\u0007b'],
      ['an escape (terminal control sequence)', 'a\u001b[31mred'],
      ['a vertical tab', 'a\u000bb'],
      ['a form feed', 'a\u000cb'],
      ['DEL', 'a\u007fb'],
      ['a C1 control', 'a\u0085b'],
      ['a text that is not a string', 42],
      ['a text that is an array', ['hi']],
    ];
    for (const [what, text] of invalid) {
      it(`rejects ${what}`, async () => {
        const { room, alice } = await roomWithAlice();
        const received = record(alice.socket, 'message');
        errorOf(await rawRequest(alice.socket, 'message:send', [{ room, text, clientId: 'bad' }]), 'INVALID_MESSAGE');
        await flush(alice.socket);
        assert.deepEqual(received, [], 'nothing was delivered');
      });
    }

    it('accepts exactly 2000 characters after trimming, counted as code points', async () => {
      const { room, alice } = await roomWithAlice();
      assert.equal((await sendMessage(alice.socket, room, `   ${'y'.repeat(2000)}   `)).text.length, 2000);
      const emoji = '😀'.repeat(2000);
      assert.equal((await sendMessage(alice.socket, room, emoji)).text, emoji);
      errorOf(await request(alice.socket, 'message:send', { room, text: '😀'.repeat(2001), clientId: 'e' }), 'INVALID_MESSAGE');
    });

    it('delivers HTML as the very text sent', async () => {
      const { room, alice } = await roomWithAlice();
      const html = '<img src=x onerror="document.title=\'pwned\'">';
      assert.equal((await sendMessage(alice.socket, room, html)).text, html);
    });
  });

  describe('other errors', () => {
    it('answers NOT_IN_ROOM for a room the session has not joined', async () => {
      const { alice } = await roomWithAlice();
      const other = unique('other');
      const bob = await startSession(server.url, unique('bob'));
      await joinRoom(bob.socket, other);
      const toBob = record(bob.socket, 'message');
      errorOf(await request(alice.socket, 'message:send', { room: other, text: 'sneaky', clientId: 'x' }), 'NOT_IN_ROOM');
      await flush(bob.socket);
      assert.deepEqual(toBob, []);
    });

    it('answers INVALID_ROOM for an invalid room name', async () => {
      const { alice } = await roomWithAlice();
      errorOf(await request(alice.socket, 'message:send', { room: 'Bad Room', text: 'hi', clientId: 'x' }), 'INVALID_ROOM');
    });

    const badClientIds: Array<[string, unknown]> = [
      ['an empty clientId', ''],
      ['a clientId of 65 characters', 'k'.repeat(65)],
      ['a numeric clientId', 7],
    ];
    for (const [what, clientId] of badClientIds) {
      it(`answers INVALID_PAYLOAD for ${what}`, async () => {
        const { room, alice } = await roomWithAlice();
        errorOf(await rawRequest(alice.socket, 'message:send', [{ room, text: 'hi', clientId }]), 'INVALID_PAYLOAD');
      });
    }

    it('answers INVALID_PAYLOAD without a clientId', async () => {
      const { room, alice } = await roomWithAlice();
      errorOf(await rawRequest(alice.socket, 'message:send', [{ room, text: 'hi' }]), 'INVALID_PAYLOAD');
    });

    it('accepts a clientId of 64 characters', async () => {
      const { room, alice } = await roomWithAlice();
      const message: ChatMessage = await sendMessage(alice.socket, room, 'long id', 'k'.repeat(64));
      assert.equal(message.text, 'long id');
    });
  });
});
