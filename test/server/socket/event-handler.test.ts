import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorCode } from '../../../WorkerRole1/src/shared/protocol.js';
import { chatServerPerSuite } from '../../helpers/chat-server-per-suite.js';
import { startChatServer } from '../../helpers/chat-server.js';
import {
  connectClient,
  errorOf,
  flush,
  joinRoom,
  okValue,
  rawEmit,
  rawRequest,
  record,
  request,
  sleep,
  startSession,
} from '../../helpers/clients.js';

/**
 * Payload validation and acks, for every event. A payload problem is INVALID_PAYLOAD, or the
 * code of the field at fault where the protocol has one (INVALID_NICKNAME, INVALID_ROOM,
 * INVALID_MESSAGE).
 */
describe('event arguments and acks', () => {
  const { server, unique } = chatServerPerSuite({ eventBurst: 1000, eventRatePerSecond: 1000, messageBurst: 1000 });

  async function member() {
    const alice = await startSession(server.url, unique('alice'));
    await joinRoom(alice.socket, 'lobby');
    return alice;
  }

  interface EventCase {
    event: string;
    valid: Record<string, unknown>;
    /** A field with the wrong type, and the code that earns. */
    wrongType: [Record<string, unknown>, ErrorCode];
    /** A required field left out, and the code that earns. */
    missing: [Record<string, unknown>, ErrorCode];
    /** The codes of the event's fields, besides INVALID_PAYLOAD. */
    fieldCodes: ErrorCode[];
  }
  const cases: EventCase[] = [
    {
      event: 'session:start',
      valid: { nickname: 'someone' },
      wrongType: [{ nickname: ['alice'] }, 'INVALID_NICKNAME'],
      missing: [{}, 'INVALID_NICKNAME'],
      fieldCodes: ['INVALID_NICKNAME'],
    },
    {
      event: 'room:join',
      valid: { room: 'lobby' },
      wrongType: [{ room: 1 }, 'INVALID_ROOM'],
      missing: [{}, 'INVALID_ROOM'],
      fieldCodes: ['INVALID_ROOM'],
    },
    {
      event: 'room:leave',
      valid: { room: 'lobby' },
      wrongType: [{ room: true }, 'INVALID_ROOM'],
      missing: [{}, 'INVALID_ROOM'],
      fieldCodes: ['INVALID_ROOM'],
    },
    {
      event: 'message:send',
      valid: { room: 'lobby', text: 'hi', clientId: 'c' },
      wrongType: [{ room: 'lobby', text: { text: 'hi' }, clientId: 'c' }, 'INVALID_MESSAGE'],
      missing: [{ room: 'lobby', text: 'hi' }, 'INVALID_PAYLOAD'],
      fieldCodes: ['INVALID_ROOM', 'INVALID_MESSAGE'],
    },
    {
      event: 'dm:send',
      valid: { to: 'someone', text: 'hi', clientId: 'c' },
      wrongType: [{ to: 'someone', text: 'hi', clientId: 99 }, 'INVALID_PAYLOAD'],
      missing: [{ text: 'hi', clientId: 'c' }, 'INVALID_PAYLOAD'],
      fieldCodes: ['INVALID_MESSAGE'],
    },
    {
      event: 'dm:history',
      valid: { with: 'someone' },
      wrongType: [{ with: 'someone', limit: '5' }, 'INVALID_PAYLOAD'],
      missing: [{}, 'INVALID_NICKNAME'],
      fieldCodes: ['INVALID_NICKNAME'],
    },
    {
      event: 'history:fetch',
      valid: { room: 'lobby' },
      wrongType: [{ room: 'lobby', before: 17 }, 'INVALID_PAYLOAD'],
      missing: [{ limit: 5 }, 'INVALID_ROOM'],
      fieldCodes: ['INVALID_ROOM'],
    },
    {
      event: 'typing',
      valid: { room: 'lobby', typing: true },
      wrongType: [{ room: 'lobby', typing: 'true' }, 'INVALID_PAYLOAD'],
      missing: [{ room: 'lobby' }, 'INVALID_PAYLOAD'],
      fieldCodes: ['INVALID_ROOM'],
    },
  ];

  for (const { event, valid, wrongType, missing, fieldCodes } of cases) {
    describe(event, () => {
      it('rejects a field of the wrong type', async () => {
        const alice = await member();
        errorOf(await rawRequest(alice.socket, event, [wrongType[0]]), wrongType[1]);
      });

      it('rejects a missing field', async () => {
        const alice = await member();
        errorOf(await rawRequest(alice.socket, event, [missing[0]]), missing[1]);
      });

      it('rejects an extra field with INVALID_PAYLOAD', async () => {
        const alice = await member();
        const error = errorOf(await rawRequest(alice.socket, event, [{ ...valid, admin: true }]), 'INVALID_PAYLOAD');
        assert.match(error.message, /admin/);
      });

      it('rejects a call without a payload with INVALID_PAYLOAD', async () => {
        const alice = await member();
        errorOf(await rawRequest(alice.socket, event, []), 'INVALID_PAYLOAD');
      });

      it('rejects an extra argument with INVALID_PAYLOAD', async () => {
        const alice = await member();
        errorOf(await rawRequest(alice.socket, event, [valid, 'extra']), 'INVALID_PAYLOAD');
        errorOf(await rawRequest(alice.socket, event, [valid, undefined]), 'INVALID_PAYLOAD');
      });

      for (const [what, payload] of [
        ['null', null],
        ['a string', 'lobby'],
        ['a number', 0],
        ['an array', [valid]],
      ] as const) {
        it(`rejects ${what} as the payload with INVALID_PAYLOAD`, async () => {
          const alice = await member();
          errorOf(await rawRequest(alice.socket, event, [payload]), 'INVALID_PAYLOAD');
        });
      }

      it('rejects a binary Buffer as the payload with INVALID_PAYLOAD or a field code', async () => {
        const alice = await member();
        const error = errorOf(await rawRequest(alice.socket, event, [Buffer.from(JSON.stringify(valid))]));
        assert.ok(['INVALID_PAYLOAD', ...fieldCodes].includes(error.code), `got ${JSON.stringify(error)}`);
      });
    });
  }

  it('rejects an inherited key such as __proto__ in a payload', async () => {
    const alice = await member();
    const payload = JSON.parse('{"room":"lobby","__proto__":{"admin":true}}') as unknown;
    errorOf(await rawRequest(alice.socket, 'room:join', [payload]), 'INVALID_PAYLOAD');
  });

  describe('a missing or non-function ack', () => {
    it('ignores session:start without an ack: no session starts and the nickname stays free', async () => {
      const socket = await connectClient(server.url);
      const nickname = unique('quiet');
      rawEmit(socket, 'session:start', { nickname });
      await flush(socket);
      await sleep(50);
      errorOf(await request(socket, 'room:join', { room: 'lobby' }), 'NO_SESSION');
      const other = await connectClient(server.url);
      const started = okValue(await request(other, 'session:start', { nickname }));
      assert.equal(started.nickname, nickname, 'the nickname was not taken by the ignored call');
    });

    const notFunctions: Array<[string, unknown]> = [
      ['no ack', undefined],
      ['a number as the ack', 42],
      ['a string as the ack', 'callback'],
      ['an object as the ack', { ack: true }],
      ['null as the ack', null],
    ];
    for (const [what, last] of notFunctions) {
      it(`ignores message:send with ${what}: nothing is sent, and the server answers the next event`, async () => {
        const alice = await member();
        const bob = await member();
        const toBob = record(bob.socket, 'message');
        if (last === undefined) rawEmit(alice.socket, 'message:send', { room: 'lobby', text: 'ignored', clientId: 'i1' });
        else rawEmit(alice.socket, 'message:send', { room: 'lobby', text: 'ignored', clientId: 'i1' }, last);
        const sent = okValue(await request(alice.socket, 'message:send', { room: 'lobby', text: 'answered', clientId: 'i2' }));
        await flush(bob.socket);
        assert.deepEqual(toBob.map((message) => message.text), ['answered']);
        assert.equal(sent.message.text, 'answered');
      });
    }

    it('ignores room:join without an ack: the session does not join', async () => {
      const bob = await member();
      const alice = await startSession(server.url, unique('alice'));
      const joined = record(bob.socket, 'user:joined');
      rawEmit(alice.socket, 'room:join', { room: 'lobby' });
      errorOf(await request(alice.socket, 'history:fetch', { room: 'lobby' }), 'NOT_IN_ROOM');
      await flush(bob.socket);
      assert.deepEqual(joined, []);
    });

    it('ignores an ack that arrives as the only argument of an event that needs a payload', async () => {
      const alice = await member();
      // The ack is popped first, so this is "no payload" rather than "payload is a function".
      errorOf(await rawRequest(alice.socket, 'room:join', []), 'INVALID_PAYLOAD');
      await joinRoom(alice.socket, 'lobby');
    });
  });
});

describe('several chat servers in one process', () => {
  it('each answers its own sockets from its own sessions: a nickname taken on one is still free on the other', async () => {
    const first = await startChatServer();
    const second = await startChatServer();
    try {
      const onFirst = await startSession(first.url, 'alice');
      const onSecond = await startSession(second.url, 'alice');
      assert.notEqual(onSecond.session, onFirst.session);
      const again = await connectClient(first.url);
      errorOf(await request(again, 'session:start', { nickname: 'alice' }), 'NICKNAME_TAKEN');
      for (const socket of [onFirst.socket, onSecond.socket, again]) socket.close();
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
