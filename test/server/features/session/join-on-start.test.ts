import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { MODERATOR_ROLE } from '../../../../WorkerRole1/src/server/sessions/roles.js';
import { LIMITS } from '../../../../WorkerRole1/src/shared/protocol.js';
import { chatServerPerSuite } from '../../../helpers/chat-server-per-suite.js';
import { connectClient, errorOf, flush, joinRoom, nextEvent, okValue, record, request, sendMessage, startSession } from '../../../helpers/clients.js';

describe('session:start {join}', () => {
  const { server, unique } = chatServerPerSuite();
  before(() => {
    // A moderator, as AUTH_MODE=oidc's handshake would settle one (as in room/remove.test.ts).
    server.server.io.use((socket, next) => {
      const auth = socket.handshake.auth as { moderator?: string };
      if (auth.moderator) socket.data.identity = { id: `tenant/${auth.moderator}`, name: auth.moderator, roles: [MODERATOR_ROLE], expiresAt: Date.now() + 3_600_000 };
      next();
    });
  });

  async function startJoining(nickname: string, join: unknown, session?: string) {
    const socket = await connectClient(server.url);
    const payload = { nickname, join, ...(session === undefined ? {} : { session }) };
    return { socket, ack: await request(socket, 'session:start', payload as { nickname: string; join: string[] }) };
  }

  it('joins the room in the same round trip, answering with its members, count and history as room:join does', async () => {
    const room = unique('room');
    const bob = await startSession(server.url, unique('bob'));
    await joinRoom(bob.socket, room);
    const said = await sendMessage(bob.socket, room, 'hello');
    const alice = unique('alice');

    const { socket, ack } = await startJoining(alice, [room]);
    const started = okValue(ack);
    assert.deepEqual(started.rooms, [], 'a new session is in no room before the join');
    assert.deepEqual(started.joined, [{ ok: true, room, memberCount: 2, members: [alice, bob.nickname].sort(), history: [said] }]);
    // In the room for real: what is said there reaches the socket, and it may speak.
    const heard = nextEvent(socket, 'message');
    const reply = await sendMessage(bob.socket, room, 'welcome');
    assert.deepEqual(await heard, reply);
    await sendMessage(socket, room, 'thanks');
  });

  it('tells the room\'s other members, once', async () => {
    const room = unique('room');
    const bob = await startSession(server.url, unique('bob'));
    await joinRoom(bob.socket, room);
    const joined = record(bob.socket, 'user:joined');
    const alice = unique('alice');
    okValue((await startJoining(alice, [room])).ack);
    await flush(bob.socket);
    assert.deepEqual(joined, [{ room, nickname: alice, count: 2 }]);
  });

  it('answers the rooms in the order asked, a room named twice once', async () => {
    const [first, second] = [unique('first'), unique('second')];
    const started = okValue((await startJoining(unique('alice'), [second, first, second])).ack);
    assert.deepEqual(started.joined?.map((entry) => [entry.room, entry.ok]), [[second, true], [first, true]]);
  });

  it('leaves the ack as it was without join: no joined field, no room entered', async () => {
    const socket = await connectClient(server.url);
    const started = okValue(await request(socket, 'session:start', { nickname: unique('alice') }));
    assert.deepEqual(Object.keys(started).sort(), ['moderator', 'nickname', 'ok', 'rooms', 'session']);
  });

  it('starts the session when a moderator removed it from a listed room: that room is an error entry, the others are joined', async () => {
    const [room, other] = [unique('room'), unique('other')];
    const mod = await startSession(server.url, unique('mod'), { client: { auth: { moderator: 'mod' } } });
    const mallory = await startSession(server.url, unique('mallory'));
    for (const socket of [mod.socket, mallory.socket]) await joinRoom(socket, room);
    okValue(await request(mod.socket, 'room:remove', { room, nickname: mallory.nickname, durationMs: 120_000 }));

    const started = okValue((await startJoining(mallory.nickname, [room, other], mallory.session)).ack);
    assert.equal(started.session, mallory.session);
    assert.deepEqual(started.rooms, []);
    const [refused, joined] = started.joined ?? [];
    assert.ok(refused && !refused.ok && joined?.ok, JSON.stringify(started.joined));
    assert.equal(refused.room, room);
    assert.equal(refused.error.code, 'FORBIDDEN');
    assert.ok(refused.error.retryAfterMs! > 110_000 && refused.error.retryAfterMs! <= 120_000, `retry after ${refused.error.retryAfterMs}`);
    assert.equal(joined.room, other);
  });

  it('does not enter again the rooms a resumed session is in: they come back in rooms only, unannounced', async () => {
    const [room, other] = [unique('room'), unique('other')];
    const bob = await startSession(server.url, unique('bob'));
    await joinRoom(bob.socket, room);
    const first = await startJoining(unique('alice'), [room]);
    const alice = okValue(first.ack);
    const announced = record(bob.socket, 'user:joined');

    const tab = await startJoining(alice.nickname, [room, other], alice.session);
    const resumed = okValue(tab.ack);
    assert.deepEqual(resumed.rooms, [{ room, memberCount: 2 }]);
    assert.deepEqual(resumed.joined?.map((entry) => entry.room), [other]);
    await flush(bob.socket);
    assert.deepEqual(announced, []);
    // The first tab is in the room joined by the second, as with room:join.
    const heard = nextEvent(first.socket, 'message');
    const sent = await sendMessage(tab.socket, other, 'both tabs');
    assert.deepEqual(await heard, sent);
  });

  it(`answers TOO_MANY_ROOMS for a room beyond ${LIMITS.roomsPerSession} and still starts the session`, async () => {
    const alice = await startSession(server.url, unique('alice'));
    const prefix = unique('r');
    for (let i = 0; i < LIMITS.roomsPerSession; i++) await joinRoom(alice.socket, `${prefix}-${i}`);
    const started = okValue((await startJoining(alice.nickname, [`${prefix}-extra`], alice.session)).ack);
    assert.equal(started.rooms.length, LIMITS.roomsPerSession);
    const [refused] = started.joined ?? [];
    assert.ok(refused && !refused.ok);
    assert.deepEqual(refused.room, `${prefix}-extra`);
    assert.equal(refused.error.code, 'TOO_MANY_ROOMS');
  });

  describe('INVALID_PAYLOAD for the whole event, nothing claimed', () => {
    const invalid: Array<[string, unknown]> = [
      ['a room name that breaks the rules', ['lobby', 'Not A Room']],
      ['a room that is not a string', [42]],
      ['join that is not a list', 'lobby'],
      [`more than ${LIMITS.sessionStartJoinMax} rooms`, Array.from({ length: LIMITS.sessionStartJoinMax + 1 }, (_, i) => `room-${i}`)],
    ];
    for (const [what, join] of invalid) {
      it(`refuses ${what}`, async () => {
        const nickname = unique('alice');
        const refused = errorOf((await startJoining(nickname, join)).ack, 'INVALID_PAYLOAD');
        assert.match(refused.message, /^join/);
        // The nickname is still free: the session was not started.
        await startSession(server.url, nickname);
      });
    }
  });
});
