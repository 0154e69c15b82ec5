import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatServerPerTest } from '../../helpers/chat-server-per-suite.js';
import {
  connectClient,
  errorOf,
  joinRoom,
  nextDisconnect,
  okValue,
  rawEmit,
  rawRequest,
  request,
  sleep,
  startSession,
} from '../../helpers/clients.js';

describe('event gate', () => {
  const serve = chatServerPerTest();

  describe('NO_SESSION', () => {
    const beforeSession: Array<[string, unknown]> = [
      ['room:join', { room: 'lobby' }],
      ['room:leave', { room: 'lobby' }],
      ['message:send', { room: 'lobby', text: 'hi', clientId: 'c1' }],
      ['dm:send', { to: 'bob', text: 'hi', clientId: 'c1' }],
      ['dm:history', { with: 'bob' }],
      ['history:fetch', { room: 'lobby' }],
      ['typing', { room: 'lobby', typing: true }],
    ];
    for (const [event, payload] of beforeSession) {
      it(`answers ${event} before session:start with NO_SESSION`, async () => {
        const { url } = await serve();
        const socket = await connectClient(url);
        const error = errorOf(await rawRequest(socket, event, [payload]), 'NO_SESSION');
        assert.match(error.message, /session:start/);
      });
    }

    it('answers NO_SESSION before looking at the payload', async () => {
      const { url } = await serve();
      const socket = await connectClient(url);
      errorOf(await rawRequest(socket, 'room:join', [{ room: 'NOT VALID', extra: true }]), 'NO_SESSION');
    });

    it('lets the same socket in once it has started a session', async () => {
      const { url } = await serve();
      const socket = await connectClient(url);
      errorOf(await request(socket, 'room:join', { room: 'lobby' }), 'NO_SESSION');
      okValue(await request(socket, 'session:start', { nickname: 'alice' }));
      await joinRoom(socket, 'lobby');
    });
  });

  describe('UNKNOWN_EVENT', () => {
    const names = [
      'nope',
      'message', // a server-to-client event
      'server:draining',
      'user:joined',
      'session:end',
      'Room:Join',
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'toString',
      '',
      'x'.repeat(5000),
    ];
    for (const name of names) {
      it(`answers UNKNOWN_EVENT to "${name.slice(0, 20)}${name.length > 20 ? '…' : ''}", with or without a session`, async () => {
        const { url } = await serve();
        const anonymous = await connectClient(url);
        const error = errorOf(await rawRequest(anonymous, name, [{}]), 'UNKNOWN_EVENT');
        assert.ok(error.message.length < 200, 'the event name is not echoed back unbounded');
        const alice = await startSession(url, 'alice');
        errorOf(await rawRequest(alice.socket, name, [{ room: 'lobby' }]), 'UNKNOWN_EVENT');
        errorOf(await rawRequest(alice.socket, name, []), 'UNKNOWN_EVENT');
      });
    }

    it('drops an unknown event without an ack and keeps serving the socket', async () => {
      const { url } = await serve();
      const alice = await startSession(url, 'alice');
      rawEmit(alice.socket, 'nope', { a: 1 });
      rawEmit(alice.socket, 'constructor');
      await joinRoom(alice.socket, 'lobby');
      assert.ok(alice.socket.connected);
    });
  });

  describe('RATE_LIMITED', () => {
    it('refuses messages beyond the burst with retryAfterMs, and accepts them again after that wait', async () => {
      const { url } = await serve({ messageBurst: 3, messageRatePerSecond: 5 });
      const alice = await startSession(url, 'alice');
      await joinRoom(alice.socket, 'lobby');
      const send = (i: number) => request(alice.socket, 'message:send', { room: 'lobby', text: `m${i}`, clientId: `c${i}` });

      for (let i = 0; i < 3; i++) okValue(await send(i));
      const error = errorOf(await send(3), 'RATE_LIMITED');
      assert.equal(typeof error.retryAfterMs, 'number');
      assert.ok(error.retryAfterMs! > 0 && error.retryAfterMs! <= 1000 / 5 + 1, `retryAfterMs ${error.retryAfterMs} for 5 messages/s`);

      // Other events have their own, larger budget.
      okValue(await request(alice.socket, 'history:fetch', { room: 'lobby' }));

      await sleep(error.retryAfterMs! + 20);
      const accepted = okValue(await send(3));
      assert.equal(accepted.message.text, 'm3');
      const { messages } = okValue(await request(alice.socket, 'history:fetch', { room: 'lobby' }));
      assert.deepEqual(messages.map((message) => message.text), ['m0', 'm1', 'm2', 'm3'], 'the refused message was not stored');
    });

    it('allows a burst of 10 messages with the default settings and refuses the 11th', async () => {
      const { url, config } = await serve();
      assert.equal(config.messageBurst, 10);
      const alice = await startSession(url, 'alice');
      await joinRoom(alice.socket, 'lobby');
      const acks = await Promise.all(
        Array.from({ length: 11 }, (_, i) => request(alice.socket, 'message:send', { room: 'lobby', text: `m${i}`, clientId: `c${i}` })),
      );
      assert.equal(acks.filter((ack) => ack.ok).length, 10);
      errorOf(acks[10]!, 'RATE_LIMITED');
    });

    it('counts direct messages against the same message budget', async () => {
      const { url } = await serve({ messageBurst: 2, messageRatePerSecond: 1 });
      const alice = await startSession(url, 'alice');
      await joinRoom(alice.socket, 'lobby');
      await startSession(url, 'bob');
      okValue(await request(alice.socket, 'message:send', { room: 'lobby', text: 'one', clientId: 'a' }));
      okValue(await request(alice.socket, 'dm:send', { to: 'bob', text: 'two', clientId: 'b' }));
      const error = errorOf(await request(alice.socket, 'dm:send', { to: 'bob', text: 'three', clientId: 'c' }), 'RATE_LIMITED');
      assert.ok(error.retryAfterMs! > 0 && error.retryAfterMs! <= 1001);
    });

    it('refuses any event beyond the general burst, before a session too', async () => {
      const { url } = await serve({ eventBurst: 5, eventRatePerSecond: 2 });
      const socket = await connectClient(url);
      for (let i = 0; i < 5; i++) errorOf(await rawRequest(socket, 'unknown', [{}]), 'UNKNOWN_EVENT');
      const error = errorOf(await request(socket, 'session:start', { nickname: 'alice' }), 'RATE_LIMITED');
      assert.ok(error.retryAfterMs! > 0 && error.retryAfterMs! <= 501, `retryAfterMs ${error.retryAfterMs} for 2 events/s`);
    });

    it('limits each socket separately', async () => {
      const { url } = await serve({ eventBurst: 3, eventRatePerSecond: 1 });
      const greedy = await connectClient(url);
      for (let i = 0; i < 3; i++) await rawRequest(greedy, 'unknown', [{}]);
      errorOf(await rawRequest(greedy, 'unknown', [{}]), 'RATE_LIMITED');
      const polite = await connectClient(url);
      okValue(await request(polite, 'session:start', { nickname: 'polite' }));
    });
  });

  describe('flooding', () => {
    it('disconnects a socket after FLOOD_DISCONNECT_AFTER refusals in a row, and only that socket', async () => {
      const { url } = await serve({ eventBurst: 3, eventRatePerSecond: 1, floodDisconnectAfter: 5 });
      const bystander = await startSession(url, 'bystander');
      const flooder = await connectClient(url);
      for (let i = 0; i < 3; i++) await rawRequest(flooder, 'unknown', [{}]);
      for (let i = 0; i < 4; i++) errorOf(await rawRequest(flooder, 'unknown', [{}]), 'RATE_LIMITED');
      assert.ok(flooder.connected, 'four refusals in a row are not yet a flood');

      const disconnected = nextDisconnect(flooder);
      errorOf(await rawRequest(flooder, 'unknown', [{}]), 'RATE_LIMITED');
      assert.equal(await disconnected, 'io server disconnect');
      await joinRoom(bystander.socket, 'lobby');
    });

    it('disconnects a socket that floods without acks', async () => {
      const { url } = await serve({ eventBurst: 10, eventRatePerSecond: 1, floodDisconnectAfter: 20 });
      const flooder = await connectClient(url);
      const disconnected = nextDisconnect(flooder);
      for (let i = 0; i < 40; i++) rawEmit(flooder, 'typing', { room: 'lobby', typing: true });
      assert.equal(await disconnected, 'io server disconnect');
    });

    it('starts counting again after an accepted event', async () => {
      const { url } = await serve({ eventBurst: 2, eventRatePerSecond: 2, floodDisconnectAfter: 3 });
      const socket = await connectClient(url);
      const call = () => rawRequest(socket, 'unknown', [{}]);
      for (let i = 0; i < 2; i++) errorOf(await call(), 'UNKNOWN_EVENT');
      for (let i = 0; i < 2; i++) errorOf(await call(), 'RATE_LIMITED');
      await sleep(600); // one token back at 2 per second
      errorOf(await call(), 'UNKNOWN_EVENT');
      for (let i = 0; i < 2; i++) errorOf(await call(), 'RATE_LIMITED');
      assert.ok(socket.connected, 'two refusals since the last accepted event');
      const disconnected = nextDisconnect(socket);
      errorOf(await call(), 'RATE_LIMITED');
      assert.equal(await disconnected, 'io server disconnect');
    });
  });
});
