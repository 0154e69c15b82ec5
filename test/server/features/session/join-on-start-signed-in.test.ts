import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeClients, connectClient, errorOf, joinRoom, nextEvent, okValue, request } from '../../../helpers/clients.js';
import { signIn, USERS } from '../../../helpers/oidc-provider.js';
import { type SignedInChat, startSignedInChat } from '../../auth/signed-in-server.js';

/** session:start {join} with AUTH_MODE=oidc (start-signed-in.ts), against a real provider on loopback. */
let chat: SignedInChat;

describe('session:start {join} when signed in', () => {
  before(async () => {
    chat = await startSignedInChat();
  });
  after(async () => {
    closeClients();
    await chat.close();
  });

  it('joins the listed rooms in the same round trip, and the room hears it', async () => {
    const cookie = await signIn(chat.chat.url, USERS.alexA.login);
    const socket = await connectClient(chat.chat.url, { extraHeaders: { cookie: cookie.header } });
    errorOf(await request(socket, 'session:start', { join: ['Not A Room'] }), 'INVALID_PAYLOAD');

    const other = await signIn(chat.chat.url, USERS.alexB.login);
    const bob = await connectClient(chat.chat.url, { extraHeaders: { cookie: other.header } });
    const bobName = okValue(await request(bob, 'session:start', {})).nickname;
    await joinRoom(bob, 'signed-in');
    const heard = nextEvent(bob, 'user:joined');

    const started = okValue(await request(socket, 'session:start', { join: ['signed-in'] }));
    assert.deepEqual(started.joined?.map((entry) => entry.ok && [entry.room, entry.memberCount, [...entry.members].sort()]), [
      ['signed-in', 2, [started.nickname, bobName].sort()],
    ]);
    assert.deepEqual(await heard, { room: 'signed-in', nickname: started.nickname, count: 2 });
  });
});
