import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SIGN_IN_REQUIRED } from '../../../WorkerRole1/src/shared/protocol.js';
import {
  closeClients,
  connectClient,
  errorOf,
  expectConnectError,
  nextDisconnect,
  okValue,
  rawRequest,
  request,
} from '../../helpers/clients.js';
import { startChatServer } from '../../helpers/chat-server.js';
import { signIn, USERS } from '../../helpers/oidc-provider.js';
import { type SignedInChat, startSignedInChat } from './signed-in-server.js';

/**
 * AUTH_MODE=oidc at the Socket.IO handshake, against a real provider: who may connect, who they
 * are once connected, and what a sign-out does.
 */

let chat: SignedInChat;
const withCookie = (header: string, extra: Record<string, string> = {}) => ({ extraHeaders: { cookie: header, ...extra } });

describe('the handshake with AUTH_MODE=oidc', () => {
  before(async () => {
    chat = await startSignedInChat();
  });
  after(async () => {
    closeClients();
    await chat.close();
  });

  it('refuses a client without the sign-in cookie, with a reason the client can act on', async () => {
    const error = (await expectConnectError(chat.chat.url)) as Error & { data?: { code?: string; message?: string } };
    assert.equal(error.data?.code, SIGN_IN_REQUIRED);
    assert.equal(error.data?.message, 'sign in first');
  });

  it('refuses a cookie that names no sign-in', async () => {
    const error = (await expectConnectError(chat.chat.url, withCookie(`chatapp_signin=${'A'.repeat(43)}`))) as Error & { data?: { code?: string } };
    assert.equal(error.data?.code, SIGN_IN_REQUIRED);
  });

  it('refuses a page from a foreign origin even with a valid sign-in', async () => {
    const cookie = await signIn(chat.chat.url, USERS.alexA.login);
    const error = await expectConnectError(chat.chat.url, withCookie(cookie.header, { origin: 'https://evil.example' }));
    // Refused by the origin check, before the sign-in is even looked at.
    assert.equal((error as Error & { data?: unknown }).data, undefined);
    // The same cookie from the chat's own origin is accepted: the origin was the reason.
    const socket = await connectClient(chat.chat.url, withCookie(cookie.header, { origin: chat.chat.url }));
    assert.equal(socket.connected, true);
  });

  it('keeps the sign-in in an httpOnly, SameSite=Lax cookie', async () => {
    const cookie = await signIn(chat.chat.url, USERS.alexA.login);
    assert.match(cookie.attributes, /; HttpOnly/);
    assert.match(cookie.attributes, /; SameSite=Lax/);
    // Plain http on loopback here; behind HTTPS (X-Forwarded-Proto: https) it is Secure too.
    assert.doesNotMatch(cookie.attributes, /; Secure/);
  });

  it('names a signed-in person by the sign-in and refuses a nickname in session:start', async () => {
    const cookie = await signIn(chat.chat.url, USERS.moderator.login);
    const socket = await connectClient(chat.chat.url, withCookie(cookie.header));
    const refused = errorOf(await rawRequest(socket, 'session:start', [{ nickname: 'Someone Else' }]), 'INVALID_PAYLOAD');
    assert.match(refused.message, /without a nickname/);
    const started = okValue(await request(socket, 'session:start', {}));
    assert.match(started.nickname, /^Morgan Reyes-[a-z0-9]{6}$/);
    assert.equal(started.moderator, true, 'the Chat.Moderator app role from the ID token\'s roles claim');
  });

  it('tells two people with the same display name apart, visibly', async () => {
    const [a, b] = await Promise.all([signIn(chat.chat.url, USERS.alexA.login), signIn(chat.chat.url, USERS.alexB.login)]);
    const socketA = await connectClient(chat.chat.url, withCookie(a.header));
    const socketB = await connectClient(chat.chat.url, withCookie(b.header));
    const nicknameA = okValue(await request(socketA, 'session:start', {})).nickname;
    const nicknameB = okValue(await request(socketB, 'session:start', {})).nickname;
    assert.match(nicknameA, /^Alex Kim-/);
    assert.match(nicknameB, /^Alex Kim-/);
    assert.notEqual(nicknameA, nicknameB);
  });

  it('makes one session of one person\'s tabs and devices, and ignores a token another person sends', async () => {
    // Two separate sign-ins of the same person: two devices.
    const [phone, laptop, other] = await Promise.all([
      signIn(chat.chat.url, USERS.entra.login),
      signIn(chat.chat.url, USERS.entra.login),
      signIn(chat.chat.url, USERS.alexB.login),
    ]);
    const first = okValue(await request(await connectClient(chat.chat.url, withCookie(phone.header)), 'session:start', {}));
    const second = okValue(await request(await connectClient(chat.chat.url, withCookie(laptop.header)), 'session:start', {}));
    assert.equal(second.nickname, first.nickname);
    assert.equal(second.session, first.session);
    assert.match(first.nickname, /^Pat Entra-/);
    assert.equal(first.moderator, false);

    const intruder = await connectClient(chat.chat.url, withCookie(other.header));
    const claimed = okValue(await request(intruder, 'session:start', { session: first.session }));
    assert.notEqual(claimed.session, first.session);
    assert.match(claimed.nickname, /^Alex Kim-/);
  });

  it('answers /auth/me with nickname mode when AUTH_MODE is unset, and has no sign-in routes then', async () => {
    const nickname = await startChatServer();
    try {
      assert.deepEqual(await (await fetch(`${nickname.url}/auth/me`)).json(), { mode: 'nickname' });
      assert.equal((await fetch(`${nickname.url}/auth/login`, { redirect: 'manual' })).status, 404);
    } finally {
      await nickname.close();
    }
  });

  it('builds the redirect URI from the page\'s origin behind a TLS-terminating front end, and marks the cookies Secure', async () => {
    const response = await fetch(`${chat.chat.url}/auth/login`, { headers: { 'x-forwarded-proto': 'https' }, redirect: 'manual' });
    assert.equal(response.status, 303);
    const authorize = new URL(response.headers.get('location') ?? '');
    assert.equal(authorize.searchParams.get('redirect_uri'), `${chat.chat.url.replace('http:', 'https:')}/auth/callback`);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('state') && authorize.searchParams.get('nonce'), 'state and nonce');
    assert.match(response.headers.getSetCookie().join('\n'), /chatapp_login=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600; Secure/);
  });

  it('answers /auth/me with who is signed in, and with signedIn false without the cookie', async () => {
    const cookie = await signIn(chat.chat.url, USERS.unnamed.login);
    const me = (await (await fetch(`${chat.chat.url}/auth/me`, { headers: { cookie: cookie.header } })).json()) as Record<string, unknown>;
    assert.equal(me.mode, 'oidc');
    assert.equal(me.signedIn, true);
    assert.equal(me.name, 'sam@example.com', 'preferred_username when the token has no name');
    assert.deepEqual(await (await fetch(`${chat.chat.url}/auth/me`)).json(), { mode: 'oidc', signedIn: false });
  });

  it('ends the session at sign-out: sockets disconnected, the cookie refused afterwards, the provider told', async () => {
    const cookie = await signIn(chat.chat.url, USERS.alexA.login);
    const tab1 = await connectClient(chat.chat.url, withCookie(cookie.header));
    const tab2 = await connectClient(chat.chat.url, withCookie(cookie.header));
    okValue(await request(tab1, 'session:start', {}));
    const disconnected = Promise.all([nextDisconnect(tab1), nextDisconnect(tab2)]);

    const response = await fetch(`${chat.chat.url}/auth/logout`, { headers: { cookie: cookie.header }, redirect: 'manual' });
    assert.equal(response.status, 303);
    assert.match(response.headers.get('location') ?? '', new RegExp(`^${chat.idp.issuer}/session/end\\?`), 'on to the provider\'s end-session endpoint');
    assert.match(response.headers.getSetCookie().join('\n'), /chatapp_signin=; .*Max-Age=0/);
    assert.deepEqual(await disconnected, ['io server disconnect', 'io server disconnect']);

    // A copy of the cookie kept by anyone is worth nothing now.
    const error = (await expectConnectError(chat.chat.url, withCookie(cookie.header))) as Error & { data?: { code?: string; message?: string } };
    assert.equal(error.data?.code, SIGN_IN_REQUIRED);
    assert.match(error.data?.message ?? '', /sign in again/);
  });
});

describe('a sign-in that expires', () => {
  let short: SignedInChat;
  before(async () => {
    short = await startSignedInChat({ idTokenTtlSeconds: 2 });
  });
  after(async () => {
    closeClients();
    await short.close();
  });

  it('disconnects its sockets when it ends, and its cookie is refused from then on', async () => {
    const cookie = await signIn(short.chat.url, USERS.alexA.login);
    const socket = await connectClient(short.chat.url, withCookie(cookie.header));
    okValue(await request(socket, 'session:start', {}));
    assert.equal(await nextDisconnect(socket, 5000), 'io server disconnect');
    const error = (await expectConnectError(short.chat.url, withCookie(cookie.header))) as Error & { data?: { code?: string } };
    assert.equal(error.data?.code, SIGN_IN_REQUIRED);
  });
});
