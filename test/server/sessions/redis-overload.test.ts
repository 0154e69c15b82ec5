import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { SessionStoreError } from '../../../WorkerRole1/src/server/sessions/session-registry.js';
import { Instance, sleep } from './registry-contract-helpers.js';
import { assertFailsFast, eventually, startCuttableProxy } from './redis-faults.js';
import { RedisTarget } from './redis-registry-target.js';

const COMMAND_TIMEOUT_MS = 300;
/** What the registry waits, with nothing coming back at all, before it calls a connection frozen. */
const FROZEN_AFTER_MS = 3 * COMMAND_TIMEOUT_MS;

/** Keeps Redis busy in a script for `ms`: nothing else runs meanwhile, as in a storm of member scans. */
const BUSY = `
local function micros() local t = redis.call('TIME') return tonumber(t[1]) * 1000000 + tonumber(t[2]) end
local start = micros()
while micros() - start < tonumber(ARGV[1]) * 1000 do end
return 1`;

describe('RedisSessionRegistry on an overloaded Redis', () => {
  const target = new RedisTarget();
  let network: Awaited<ReturnType<typeof startCuttableProxy>>;
  before(() => target.setUp());
  afterEach(async () => {
    await target.closePairs();
    await network?.close();
  });
  after(() => target.tearDown());

  async function throughProxy(): Promise<Instance> {
    network = await startCuttableProxy(target.redis.port);
    return new Instance(await target.registry({ commandTimeoutMs: COMMAND_TIMEOUT_MS }, network.url), 'east');
  }

  it('keeps its connection to a Redis that is slow but answers, failing only the commands that waited too long', async () => {
    const east = await throughProxy();
    const { session } = await east.take('alice');
    const busy = createClient({ url: target.redis.url });
    await busy.connect();
    const outcomes = { answered: 0, timedOut: 0 };
    let storming = true;
    const storm = (async () => {
      // Bursts longer than the command timeout, shorter than the frozen threshold, with short breathers.
      while (storming) {
        await busy.sendCommand(['EVAL', BUSY, '0', String(FROZEN_AFTER_MS * 0.5)]);
        await sleep(20);
      }
    })();
    try {
      const until = Date.now() + 8 * FROZEN_AFTER_MS;
      while (Date.now() < until) {
        try {
          assert.equal((await east.registry.get(session.token))?.nickname, 'alice');
          outcomes.answered += 1;
        } catch (error) {
          assert.ok(error instanceof SessionStoreError, String(error));
          outcomes.timedOut += 1;
        }
        await sleep(30);
      }
    } finally {
      storming = false;
      await storm;
      busy.destroy();
    }
    assert.ok(outcomes.timedOut > 0, `Redis was slow enough to fail commands: ${JSON.stringify(outcomes)}`);
    assert.ok(outcomes.answered > 0, `and still answered some: ${JSON.stringify(outcomes)}`);
    assert.equal(network.connections, 1, 'the connection was kept');
    assert.deepEqual(network.refusedAt, []);
    assert.equal((await east.registry.get(session.token))?.nickname, 'alice', 'answers at once after the storm');
  });

  it('replaces a connection on which nothing came back for three command timeouts, so a cut network heals', async () => {
    const east = await throughProxy();
    const { session } = await east.take('alice');
    const cutAt = Date.now();
    network.cut();
    await assertFailsFast(east.registry.get(session.token), COMMAND_TIMEOUT_MS + 500);
    await eventually(async () => assert.ok(network.refusedAt.length > 0, 'a new connection was attempted'));
    const replacedAfter = network.refusedAt[0]! - cutAt;
    assert.ok(replacedAfter >= FROZEN_AFTER_MS - 50, `not before it was frozen for three timeouts: ${replacedAfter} ms`);
    assert.ok(replacedAfter < FROZEN_AFTER_MS + 1_000, `soon after: ${replacedAfter} ms`);
    network.heal();
    const resumed = await eventually(() => east.registry.get(session.token));
    assert.equal(resumed?.nickname, 'alice');
    assert.equal(network.connections, 2, 'one connection replaced the frozen one');
  });
});
