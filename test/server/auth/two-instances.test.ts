import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SIGN_IN_REQUIRED } from '../../../WorkerRole1/src/shared/protocol.js';
import { type ChatCluster, startChatCluster } from '../../helpers/chat-cluster.js';
import { closeClients, connectClient, expectConnectError, nextDisconnect, okValue, request } from '../../helpers/clients.js';
import { type RunningOidcProvider, signIn, startOidcProvider, USERS } from '../../helpers/oidc-provider.js';
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';
import { CHAT_CLIENT } from './signed-in-server.js';

/**
 * Two instances of the built server sharing one Redis, as on Azure: a sign-in made through one
 * is accepted by the other, and a sign-out through one disconnects the sockets on the other.
 */

let redis: RunningRedisServer;
let idp: RunningOidcProvider;
let cluster: ChatCluster;
const withCookie = (header: string) => ({ extraHeaders: { cookie: header } });

describe('a sign-in across two instances', () => {
  before(async () => {
    [redis, idp] = await Promise.all([startRedisServer(), startOidcProvider()]);
    cluster = await startChatCluster(2, {
      REDIS_URL: redis.url,
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: CHAT_CLIENT.clientId,
      OIDC_CLIENT_SECRET: CHAT_CLIENT.clientSecret,
    });
    idp.addClient(CHAT_CLIENT, cluster.instances.map(({ url }) => url));
  }, { timeout: 30_000 });

  after(async () => {
    closeClients();
    await cluster?.stop();
    await Promise.all([redis?.stop(), idp?.close()]);
  });

  it('is accepted by the other instance, and one person is one session on both', async () => {
    const [first, second] = cluster.instances.map(({ url }) => url) as [string, string];
    const cookie = await signIn(first, USERS.alexA.login);
    const there = okValue(await request(await connectClient(second, withCookie(cookie.header)), 'session:start', {}));
    const here = okValue(await request(await connectClient(first, withCookie(cookie.header)), 'session:start', {}));
    assert.match(there.nickname, /^Alex Kim-/);
    assert.equal(here.session, there.session);
  });

  it('ends at a sign-out through either instance, on both', async () => {
    const [first, second] = cluster.instances.map(({ url }) => url) as [string, string];
    const cookie = await signIn(second, USERS.alexB.login);
    const onFirst = await connectClient(first, withCookie(cookie.header));
    const onSecond = await connectClient(second, withCookie(cookie.header));
    okValue(await request(onFirst, 'session:start', {}));
    const disconnected = Promise.all([nextDisconnect(onFirst, 5000), nextDisconnect(onSecond, 5000)]);

    const response = await fetch(`${second}/auth/logout`, { headers: { cookie: cookie.header }, redirect: 'manual' });
    assert.equal(response.status, 303);
    assert.deepEqual(await disconnected, ['io server disconnect', 'io server disconnect']);
    for (const url of [first, second]) {
      const error = (await expectConnectError(url, withCookie(cookie.header))) as Error & { data?: { code?: string } };
      assert.equal(error.data?.code, SIGN_IN_REQUIRED, url);
    }
  });
});
