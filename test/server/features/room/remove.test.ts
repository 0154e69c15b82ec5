import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { MODERATOR_ROLE } from '../../../../WorkerRole1/src/server/sessions/roles.js';
import { type RunningChatServer, startChatServer } from '../../../helpers/chat-server.js';
import {
  closeClients,
  errorOf,
  joinRoom,
  nextEvent,
  okValue,
  request,
  sendMessage,
  startSession,
} from '../../../helpers/clients.js';

/**
 * Moderation on a real server. Who is signed in comes from AUTH_MODE=oidc's handshake; here a
 * handshake middleware of the test plays it (auth.moderator) so that the handlers, the registry
 * and the broadcasts run for real. The same with real sign-ins across two instances: test/server/auth/moderation.test.ts.
 */
let server: RunningChatServer;
let n = 0;
const unique = (base: string) => `${base}${++n}`;

before(async () => {
  server = await startChatServer();
  server.server.io.use((socket, next) => {
    const auth = socket.handshake.auth as { moderator?: string };
    if (auth.moderator) socket.data.identity = { id: `tenant/${auth.moderator}`, name: auth.moderator, roles: [MODERATOR_ROLE], expiresAt: Date.now() + 3_600_000 };
    next();
  });
});
afterEach(() => closeClients());
after(() => server.close());

const moderator = (name: string) => startSession(server.url, name, { client: { auth: { moderator: name } } });

describe('room:remove and moderators', () => {
  it('removes someone for the chosen time: the room and every tab of theirs hear it, they leave, and cannot rejoin until then', async () => {
    const room = unique('room');
    const mod = await moderator(unique('mod'));
    const mallory = await startSession(server.url, unique('mallory'));
    const malloryTab = await startSession(server.url, mallory.nickname, { session: mallory.session });
    const bystander = await startSession(server.url, unique('bea'));
    for (const socket of [mod.socket, mallory.socket, bystander.socket]) await joinRoom(socket, room);

    const heard = [bystander.socket, mallory.socket, malloryTab.socket].map((socket) => nextEvent(socket, 'room:removed'));
    const left = nextEvent(bystander.socket, 'user:left');
    const before = Date.now();
    const { removed } = okValue(await request(mod.socket, 'room:remove', { room, nickname: mallory.nickname.toUpperCase(), durationMs: 120_000 }));
    assert.deepEqual({ ...removed, until: 0 }, { room, nickname: mallory.nickname, by: mod.nickname, until: 0 });
    assert.ok(removed.until >= before + 120_000 && removed.until <= Date.now() + 120_000);
    for (const event of await Promise.all(heard)) assert.deepEqual(event, removed);
    assert.deepEqual(await left, { room, nickname: mallory.nickname, count: 2 });

    errorOf(await request(mallory.socket, 'message:send', { room, text: 'still here?', clientId: 'x1' }), 'NOT_IN_ROOM');
    for (const socket of [mallory.socket, malloryTab.socket]) {
      const refused = errorOf(await request(socket, 'room:join', { room }), 'FORBIDDEN');
      assert.ok(refused.retryAfterMs! > 110_000 && refused.retryAfterMs! <= 120_000, `retry after ${refused.retryAfterMs}`);
    }
    const resumed = okValue(await request(malloryTab.socket, 'session:start', { nickname: mallory.nickname, session: mallory.session }));
    assert.deepEqual(resumed.rooms, [], 'a resumed session is no longer in the room');
    await joinRoom(mallory.socket, unique('other-room'));
  });

  it('lets a moderator delete anyone\'s message but edit only their own', async () => {
    const room = unique('room');
    const mod = await moderator(unique('mod'));
    const bob = await startSession(server.url, unique('bob'));
    await joinRoom(mod.socket, room);
    await joinRoom(bob.socket, room);
    const sent = await sendMessage(bob.socket, room, 'spam');
    errorOf(await request(mod.socket, 'message:edit', { room, id: sent.id, text: 'ham' }), 'FORBIDDEN');
    const deleted = nextEvent(bob.socket, 'message:deleted');
    const tombstone = okValue(await request(mod.socket, 'message:delete', { room, id: sent.id })).message;
    assert.deepEqual(await deleted, tombstone);
    assert.equal(tombstone.deleted, true);
  });

  it('refuses room:remove and deleting others\' messages to someone without the role, with FORBIDDEN', async () => {
    const room = unique('room');
    const alice = await startSession(server.url, unique('alice'));
    const bob = await startSession(server.url, unique('bob'));
    await joinRoom(alice.socket, room);
    await joinRoom(bob.socket, room);
    const sent = await sendMessage(bob.socket, room, 'mine');
    errorOf(await request(alice.socket, 'room:remove', { room, nickname: bob.nickname, durationMs: 60_000 }), 'FORBIDDEN');
    errorOf(await request(alice.socket, 'message:delete', { room, id: sent.id }), 'FORBIDDEN');
    await joinRoom(bob.socket, room);
  });
});
