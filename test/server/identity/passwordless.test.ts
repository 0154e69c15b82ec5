import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, test } from 'node:test';
import { type ChatCluster, startChatCluster } from '../../helpers/chat-cluster.js';
import { startManagedIdentityEndpoint } from '../../helpers/managed-identity-endpoint.js';
import { ReliableChatter } from '../../helpers/reliable-chatter.js';
import { type PasswordlessServices, REDIS_AUDIENCE, STORAGE_AUDIENCE, startPasswordlessServices } from './passwordless-services.js';

/**
 * The role as App Service runs it with a managed identity and no key anywhere: two real instances
 * (WorkerRole1/dist/server/main.js) take their tokens from a stand-in of the site's identity
 * endpoint, keep history in real Azurite in OAuth mode over HTTPS, and meet through a real
 * redis-server whose ACL knows the identity's object id with its tokens as passwords. Tokens live
 * a few seconds, so they expire and are renewed while people chat.
 */
const TOKEN_LIFETIME_SECONDS = 5;

let services: PasswordlessServices;
let cluster: ChatCluster;
const chatters: ReliableChatter[] = [];

before(async () => {
  services = await startPasswordlessServices(TOKEN_LIFETIME_SECONDS);
  cluster = await startChatCluster(2, services.roleEnv, { inheritEnvironment: false });
});

after(async () => {
  for (const chatter of chatters) chatter.close();
  await cluster?.stop();
  await services?.stop();
});

/** The environment the kernel holds for the process: exactly what it was started with. */
function environmentOf(pid: number): Map<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return new Map(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Lists tables in Azurite with this Authorization header (the test trusts the certificate itself). */
function listTables(authorization: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = request(
      `${services.azurite.tableEndpoint}/Tables`,
      {
        ca: readFileSync(services.certificate.certFile),
        headers: { accept: 'application/json', 'x-ms-version': '2019-02-02', ...(authorization ? { authorization } : {}) },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    call.on('error', reject);
    call.end();
  });
}

/** Tokens this test fetched for itself, not the instances. */
const ownTokens = new Set<string>();

async function tokenFor(resource: string): Promise<string> {
  const { IDENTITY_ENDPOINT, IDENTITY_HEADER } = services.identity.env;
  const response = await fetch(`${IDENTITY_ENDPOINT}?resource=${encodeURIComponent(resource)}&api-version=2019-08-01`, {
    headers: { 'X-IDENTITY-HEADER': IDENTITY_HEADER },
  });
  const token = ((await response.json()) as { access_token: string }).access_token;
  ownTokens.add(token);
  return token;
}

const texts = (chatter: ReliableChatter) => [...chatter.seen.values()].map((message) => message.text);

test('Azurite checks the tokens: it takes a current one for storage and refuses none, an expired one or another audience', async () => {
  const token = await tokenFor(STORAGE_AUDIENCE);
  assert.equal(await listTables(`Bearer ${token}`), 200);
  const refused = [401, 403];
  assert.ok(refused.includes(await listTables(undefined)));
  const [header, claims] = token.split('.') as [string, string];
  const expired = { ...JSON.parse(Buffer.from(claims, 'base64url').toString()), exp: Math.floor(Date.now() / 1000) - 60 };
  assert.ok(refused.includes(await listTables(`Bearer ${header}.${Buffer.from(JSON.stringify(expired)).toString('base64url')}.`)), 'expired');
  assert.ok(refused.includes(await listTables(`Bearer ${await tokenFor(REDIS_AUDIENCE)}`)), 'another audience');
});

test('two instances chat with history and Redis through Entra ID tokens alone, renewed mid-run without losing a message', async () => {
  // No key, password or connection string reaches either instance.
  for (const instance of cluster.instances) {
    const env = environmentOf(instance.process.pid!);
    assert.equal(env.get('REDIS_AUTH'), 'entra');
    assert.ok(env.get('IDENTITY_ENDPOINT') && env.get('IDENTITY_HEADER') && env.get('STORAGE_TABLE_ENDPOINT'));
    for (const name of ['STORAGE_CONNECTION_STRING', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'AZURE_CLIENT_SECRET', 'AZURE_STORAGE_CONNECTION_STRING']) {
      assert.equal(env.has(name), false, `${instance.id} has ${name}`);
    }
    assert.equal(new URL(env.get('REDIS_URL')!).password, '');
    assert.equal(new URL(env.get('REDIS_URL')!).username, '');
    for (const [name, value] of env) {
      assert.doesNotMatch(value, /AccountKey|SharedAccessSignature|password/i, name);
      for (const secret of services.secrets()) assert.ok(!value.includes(secret), `${name} carries a secret`);
    }
  }

  const [first, second] = cluster.instances.map((instance) => instance.url) as [string, string];
  const ann = new ReliableChatter('ann', [first], 'lobby');
  const bob = new ReliableChatter('bob', [second], 'lobby');
  chatters.push(ann, bob);
  await Promise.all([ann.connect(), bob.connect()]);

  // Chat until every Redis connection of both instances has authenticated again, on the same
  // connection, with a token minted after its first one: a renewal on live connections.
  const sent: string[] = [];
  const { recorder } = services;
  const renewedEverywhere = () =>
    recorder.connections.length >= 2 && recorder.connections.filter((connection) => connection.open).every((connection) => new Set(connection.passwords).size >= 2);
  const renewalDeadline = Date.now() + 6 * TOKEN_LIFETIME_SECONDS * 1000;
  for (let round = 0; !renewedEverywhere() || round < 5; round += 1) {
    assert.ok(Date.now() < renewalDeadline, 'the Redis connections were not re-authenticated with a renewed token');
    await Promise.all([ann.send(`ann-${round}`), bob.send(`bob-${round}`)]);
    sent.push(`ann-${round}`, `bob-${round}`);
  }
  const live = recorder.connections.filter((connection) => connection.open);
  assert.ok(live.length >= 4, `each instance keeps its Redis connections (${live.length} open)`);
  assert.ok(live.every((connection) => connection.usernames.every((name) => name === services.identity.objectId)), 'they authenticate as the object id');
  assert.equal(recorder.connections.filter((connection) => !connection.open).length, 0, 'no Redis connection was dropped to renew its token');

  // The first token is revoked, as if it had expired at Azure Managed Redis: chatting goes on.
  const redisTokens = services.identity.minted.filter(({ resource, token }) => resource === REDIS_AUDIENCE && !ownTokens.has(token));
  assert.ok(redisTokens.length >= 3, `tokens for Redis: ${redisTokens.length} (a first per instance, then renewals)`);
  await services.admin.sendCommand(['ACL', 'SETUSER', services.identity.objectId, `<${redisTokens[0]!.token}`]);
  for (let round = 0; round < 5; round += 1) {
    await Promise.all([ann.send(`ann-after-${round}`), bob.send(`bob-after-${round}`)]);
    sent.push(`ann-after-${round}`, `bob-after-${round}`);
  }

  // Every message reached both people exactly once.
  await until('both saw every message', () => sent.every((text) => texts(ann).includes(text) && texts(bob).includes(text)));
  for (const chatter of [ann, bob]) {
    assert.deepEqual([...texts(chatter)].sort(), [...sent].sort(), `${chatter.nickname} saw each message once`);
  }

  // Redis refused no AUTH, and every connection it has (but the test's own) is the identity's.
  const aclLog = (await services.admin.sendCommand(['ACL', 'LOG'])) as unknown[];
  assert.deepEqual(aclLog, [], 'no AUTH was refused');
  const clients = String(await services.admin.sendCommand(['CLIENT', 'LIST'])).trim().split('\n');
  const users = new Set(clients.map((line) => /\buser=(\S+)/.exec(line)?.[1]).filter((user) => user !== 'admin'));
  assert.deepEqual([...users], [services.identity.objectId]);

  // An instance restarted after the revocation starts with tokens of its own and reads the stored history.
  await cluster.kill(0);
  await cluster.restart(0);
  const carol = new ReliableChatter('carol', [first], 'lobby');
  chatters.push(carol);
  await carol.connect();
  const history = (await carol.readWholeHistory()).map((message) => message.text);
  assert.deepEqual([...history].sort(), [...sent].sort(), 'history holds every message once');

  // Tokens came from the identity endpoint, again and again, and never from a refused request.
  assert.equal(services.identity.refused, 0);
  assert.ok(services.identity.requestsFor(STORAGE_AUDIENCE) >= 2, `storage tokens: ${services.identity.requestsFor(STORAGE_AUDIENCE)}`);
  assert.ok(services.identity.requestsFor(REDIS_AUDIENCE) > redisTokens.length + 1, 'the restarted instance fetched its own Redis token');

  // No token, and no other secret, in any log line; no error logged.
  for (const instance of cluster.instances) {
    const logs = JSON.stringify(instance.logs);
    for (const secret of services.secrets()) assert.ok(!logs.includes(secret), `${instance.id} logged a secret`);
    const errors = instance.logs.filter((line) => Number(line.level) >= 50);
    assert.deepEqual(errors, [], `${instance.id} logged errors`);
  }
});

test('a failing token renewal is logged and retried while the chat goes on, and the next token is used once the endpoint recovers', async () => {
  const [first, second] = cluster.instances.map((instance) => instance.url) as [string, string];
  const dan = new ReliableChatter('dan', [first], 'renewal');
  const eve = new ReliableChatter('eve', [second], 'renewal');
  chatters.push(dan, eve);
  await Promise.all([dan.connect(), eve.connect()]);
  const renewalFailed = () =>
    cluster.instances.every((instance) => instance.logs.some((line) => line.msg === 'Redis token renewal failed; retrying'));

  // A 400 reaches the renewal logic at once; MSAL would retry a 5xx on its own for many seconds first.
  services.identity.failFor(REDIS_AUDIENCE, 400);
  const sent: string[] = [];
  const deadline = Date.now() + 30_000;
  for (let round = 0; !renewalFailed(); round += 1) {
    assert.ok(Date.now() < deadline, 'no instance reported the failed renewal');
    await dan.send(`while-failing-${round}`);
    sent.push(`while-failing-${round}`);
  }
  const mintedBefore = services.identity.minted.length;
  services.identity.failFor(undefined);
  await until('a token minted after the recovery is used on the Redis connections', () =>
    services.identity.minted
      .slice(mintedBefore)
      .some(({ resource, token }) => resource === REDIS_AUDIENCE && services.recorder.connections.some((connection) => connection.open && connection.passwords.includes(token))),
  );
  await dan.send('after-recovery');
  sent.push('after-recovery');
  await until('eve saw every message', () => sent.every((text) => texts(eve).includes(text)));
  assert.ok(services.identity.failed > 0);
  for (const instance of cluster.instances) assert.equal(instance.process.exitCode, null, `${instance.id} is still running`);
});

test('an identity the Redis ACL does not know stops the instance at start, saying what to grant, showing no token', async () => {
  const stranger = await startManagedIdentityEndpoint();
  try {
    const failed = await startChatCluster(1, { ...services.roleEnv, ...stranger.env }, { inheritEnvironment: false }).then(
      async (started) => {
        await started.stop();
        return undefined;
      },
      (error: Error) => error,
    );
    assert.ok(failed, 'the instance did not start');
    assert.match(failed.message, /exited with 1/);
    assert.match(failed.message, /WRONGPASS.*REDIS_AUTH=entra: does the identity have an access policy assignment/);
    assert.ok(stranger.minted.length > 0);
    for (const { token } of stranger.minted) assert.ok(!failed.message.includes(token));
  } finally {
    await stranger.close();
  }
});
