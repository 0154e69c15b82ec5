import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type ChatCluster, startChatCluster } from '../../helpers/chat-cluster.js';
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';
import { ReliableChatter } from '../../helpers/reliable-chatter.js';

const ACCESS_KEY = 'not-a-real-key-but-secret';

let certDir: string;
let redis: RunningRedisServer;
let cluster: ChatCluster | undefined;
const chatters: ReliableChatter[] = [];

before(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'chatapp-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'),
  ], { stdio: 'ignore' });
  redis = await startRedisServer({ password: ACCESS_KEY, tls: { certFile: join(certDir, 'cert.pem'), keyFile: join(certDir, 'key.pem') } });
});

after(async () => {
  for (const chatter of chatters) chatter.close();
  await cluster?.stop();
  await redis?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

test('instances join through Redis over TLS with an access key, as with Azure Managed Redis, and never log the key', async () => {
  assert.match(redis.url, /^rediss:\/\//);
  // The test certificate is self-signed; Node trusts it through its standard variable.
  cluster = await startChatCluster(2, { REDIS_URL: redis.url, NODE_EXTRA_CA_CERTS: join(certDir, 'cert.pem') });
  const [first, second] = cluster.instances.map((instance) => instance.url) as [string, string];
  const ann = new ReliableChatter('ann', [first], 'lobby');
  const bob = new ReliableChatter('bob', [second], 'lobby');
  chatters.push(ann, bob);
  await Promise.all([ann.connect(), bob.connect()]);
  await ann.send('over tls');
  const deadline = Date.now() + 3000;
  while (![...bob.seen.values()].some((message) => message.text === 'over tls')) {
    assert.ok(Date.now() < deadline, 'the message crossed instances');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const instance of cluster.instances) {
    assert.doesNotMatch(JSON.stringify(instance.logs), new RegExp(ACCESS_KEY));
  }
});

test('an instance given a wrong access key stops with an error that does not show the key', async () => {
  const wrong = redis.url.replace(encodeURIComponent(ACCESS_KEY), 'wrong-key-also-secret');
  const failed = await startChatCluster(1, { REDIS_URL: wrong, NODE_EXTRA_CA_CERTS: join(certDir, 'cert.pem') }).then(
    (started) => {
      void started.stop();
      return undefined;
    },
    (error: Error) => error,
  );
  assert.ok(failed, 'the instance did not start');
  assert.match(failed.message, /exited with 1/);
  assert.doesNotMatch(failed.message, /wrong-key-also-secret/);
});
