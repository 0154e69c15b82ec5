import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite.js';
import { type ChatCluster, startChatCluster } from '../../helpers/chat-cluster.js';
import {
  type ChatClient,
  closeClients,
  connectClient,
  errorOf,
  joinRoom,
  nextEvent,
  okValue,
  request,
  sendMessage,
} from '../../helpers/clients.js';
import { type RunningOidcProvider, signIn, startOidcProvider, USERS } from '../../helpers/oidc-provider.js';
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';
import { CHAT_CLIENT } from './signed-in-server.js';

/**
 * Moderators as an organisation has them: people signed in through a real OpenID Connect provider,
 * one of them holding the Chat.Moderator app role in the ID token's `roles` claim, on two instances
 * that share one Redis and one Azurite, as on Azure. Nothing here plays the identity: it comes from
 * the sign-in.
 */

let redis: RunningRedisServer;
let azurite: RunningAzurite;
let idp: RunningOidcProvider;
let cluster: ChatCluster;
let first: string;
let second: string;
let rooms = 0;
const withCookie = (header: string) => ({ extraHeaders: { cookie: header } });
const newRoom = () => `moderated${++rooms}`;

interface SignedInClient {
  socket: ChatClient;
  nickname: string;
  moderator: boolean;
}

/** A signed-in person's socket on `url` with a started session; `cookie` is one sign-in (one device). */
async function connectSignedIn(url: string, cookie: string): Promise<SignedInClient> {
  const socket = await connectClient(url, withCookie(cookie));
  const { nickname, moderator } = okValue(await request(socket, 'session:start', {}));
  return { socket, nickname, moderator };
}

describe('moderators signed in with the Chat.Moderator role, across two instances', () => {
  let morgan: string;
  let alex: string;
  let sam: string;

  before(
    async () => {
      [redis, azurite, idp] = await Promise.all([startRedisServer(), startAzurite(), startOidcProvider()]);
      cluster = await startChatCluster(2, {
        REDIS_URL: redis.url,
        STORAGE_CONNECTION_STRING: azurite.connectionString,
        HISTORY_TABLE: 'moderation',
        AUTH_MODE: 'oidc',
        OIDC_ISSUER: idp.issuer,
        OIDC_CLIENT_ID: CHAT_CLIENT.clientId,
        OIDC_CLIENT_SECRET: CHAT_CLIENT.clientSecret,
      });
      [first, second] = cluster.instances.map(({ url }) => url) as [string, string];
      idp.addClient(CHAT_CLIENT, [first, second]);
      [morgan, alex, sam] = (
        await Promise.all([signIn(first, USERS.moderator.login), signIn(second, USERS.alexA.login), signIn(first, USERS.unnamed.login)])
      ).map((cookie) => cookie.header) as [string, string, string];
    },
    { timeout: 60_000 },
  );

  after(async () => {
    closeClients();
    await cluster?.stop();
    await Promise.all([redis?.stop(), azurite?.dispose(), idp?.close()]);
  });

  it('tells only the person with the role that they moderate', async () => {
    const [moderator, plain] = await Promise.all([connectSignedIn(first, morgan), connectSignedIn(second, alex)]);
    assert.equal(moderator.moderator, true);
    assert.equal(plain.moderator, false);
  });

  it("lets the moderator delete someone else's message on the other instance, and refuses a signed-in person without the role", async () => {
    const room = newRoom();
    const moderator = await connectSignedIn(first, morgan);
    const author = await connectSignedIn(second, alex);
    const other = await connectSignedIn(second, sam);
    for (const person of [moderator, author, other]) await joinRoom(person.socket, room);
    const message = await sendMessage(author.socket, room, 'a line the room should not keep');

    errorOf(await request(other.socket, 'message:delete', { room, id: message.id }), 'FORBIDDEN');
    errorOf(await request(moderator.socket, 'message:edit', { room, id: message.id, text: 'put in my mouth' }), 'FORBIDDEN');

    const seen = [author.socket, other.socket].map((socket) => nextEvent(socket, 'message:deleted'));
    const { message: tombstone } = okValue(await request(moderator.socket, 'message:delete', { room, id: message.id }));
    assert.equal(tombstone.deleted, true);
    assert.equal(tombstone.text, '');
    for (const event of await Promise.all(seen)) assert.deepEqual(event, tombstone);

    const { messages } = okValue(await request(other.socket, 'history:fetch', { room }));
    assert.deepEqual(
      messages.map(({ id, deleted, text }) => ({ id, deleted, text })),
      [{ id: message.id, deleted: true, text: '' }],
    );
  });

  it('removes a person connected to the other instance: they leave, the room hears it, and neither instance lets them back in until then', async () => {
    const room = newRoom();
    const moderator = await connectSignedIn(first, morgan);
    const removed = await connectSignedIn(second, alex);
    const bystander = await connectSignedIn(first, sam);
    for (const person of [moderator, removed, bystander]) await joinRoom(person.socket, room);

    const heard = [bystander.socket, removed.socket].map((socket) => nextEvent(socket, 'room:removed'));
    const { removed: event } = okValue(await request(moderator.socket, 'room:remove', { room, nickname: removed.nickname, durationMs: 600_000 }));
    assert.equal(event.nickname, removed.nickname);
    assert.equal(event.by, moderator.nickname);
    for (const payload of await Promise.all(heard)) assert.deepEqual(payload, event);

    errorOf(await request(removed.socket, 'message:send', { room, text: 'let me back', clientId: 'back-1' }), 'NOT_IN_ROOM');
    for (const url of [first, second]) {
      const again = await connectSignedIn(url, alex);
      const refused = errorOf(await request(again.socket, 'room:join', { room }), 'FORBIDDEN');
      assert.ok(refused.retryAfterMs !== undefined && refused.retryAfterMs > 590_000, `${url}: retry after ${refused.retryAfterMs}`);
    }
  });

  it('keeps a removed person out after they sign out and sign in again: the removal holds their identity, not their session', async () => {
    const room = newRoom();
    const moderator = await connectSignedIn(first, morgan);
    const removed = await connectSignedIn(first, sam);
    await Promise.all([joinRoom(moderator.socket, room), joinRoom(removed.socket, room)]);
    okValue(await request(moderator.socket, 'room:remove', { room, nickname: removed.nickname, durationMs: 60_000 }));

    const signedOut = await fetch(`${first}/auth/logout`, { headers: { cookie: sam }, redirect: 'manual' });
    assert.equal(signedOut.status, 303);
    sam = (await signIn(second, USERS.unnamed.login)).header;
    const back = await connectSignedIn(second, sam);
    assert.equal(back.nickname, removed.nickname);
    errorOf(await request(back.socket, 'room:join', { room }), 'FORBIDDEN');
  });

  it("lets a person edit, from a second device, what they wrote on the first: authorship follows the identity", async () => {
    const room = newRoom();
    const laptop = await connectSignedIn(first, alex);
    await joinRoom(laptop.socket, room);
    const phone = await connectSignedIn(second, (await signIn(second, USERS.alexA.login)).header);
    assert.equal(phone.nickname, laptop.nickname);
    const message = await sendMessage(laptop.socket, room, 'typo here');

    const seen = nextEvent(laptop.socket, 'message:updated');
    const { message: edited } = okValue(await request(phone.socket, 'message:edit', { room, id: message.id, text: 'no typo here' }));
    assert.equal(edited.text, 'no typo here');
    assert.ok(edited.editedTs !== undefined);
    assert.deepEqual(await seen, edited);
  });
});
