import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ChatCluster, startChatCluster } from '../helpers/chat-cluster.js';
import { type RunningRedisServer, startRedisServer } from '../helpers/redis-server.js';
import { ReliableChatter } from '../helpers/reliable-chatter.js';

let redis: RunningRedisServer;
let cluster: ChatCluster;
const chatters: ReliableChatter[] = [];

before(async () => {
  redis = await startRedisServer();
  cluster = await startChatCluster(2, { REDIS_URL: redis.url });
});

after(async () => {
  for (const chatter of chatters) chatter.close();
  await cluster?.stop();
  await redis?.stop();
});

test('after a Redis restart, delivery between instances resumes within 5 s and no instance exits', async () => {
  const [first, second] = cluster.instances.map((instance) => instance.url) as [string, string];
  const sender = new ReliableChatter('sender', [first], 'lobby');
  const receiver = new ReliableChatter('receiver', [second], 'lobby');
  chatters.push(sender, receiver);
  await Promise.all([sender.connect(), receiver.connect()]);
  await sender.send('before-restart');
  await waitFor(() => [...receiver.seen.values()].some((message) => message.text === 'before-restart'), 2000);

  await redis.restart();
  const restartedAt = Date.now();
  let n = 0;
  let deliveredAt: number | undefined;
  while (deliveredAt === undefined && Date.now() - restartedAt < 10_000) {
    const text = `after-restart-${n++}`;
    await Promise.race([sender.send(text), new Promise((resolve) => setTimeout(resolve, 500))]);
    if ([...receiver.seen.values()].some((message) => message.text.startsWith('after-restart-'))) deliveredAt = Date.now();
  }

  assert.ok(deliveredAt !== undefined, 'a message crossed instances after the restart');
  const resumedInMs = deliveredAt - restartedAt;
  console.log(`cross-instance delivery resumed ${resumedInMs} ms after the Redis restart`);
  assert.ok(resumedInMs < 5000, `resumed in ${resumedInMs} ms`);
  for (const instance of cluster.instances) assert.equal(instance.process.exitCode, null, `${instance.id} is still running`);
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
