import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemorySessionRegistry } from '../../../WorkerRole1/src/server/sessions/memory-session-registry.js';
import type { SessionRegistry } from '../../../WorkerRole1/src/server/sessions/session-registry.js';
import { sleep } from './registry-contract-helpers.js';
import { RedisTarget } from './redis-registry-target.js';

/**
 * The short-lived records sign-ins live in (AUTH_MODE=oidc): what one instance puts, another
 * reads; a take succeeds once across instances (a login transaction is used once, a sign-out is
 * final everywhere); a record is gone when its time is up.
 */
function recordsContract(pair: () => Promise<[SessionRegistry, SessionRegistry]>) {
  it('shows a record put through one instance to the other, until it is taken, and only once', async () => {
    const [east, west] = await pair();
    await east.putRecord('signin:abc', '{"who":"alex"}', 60_000);
    assert.equal(await west.getRecord('signin:abc'), '{"who":"alex"}');
    const takes = await Promise.all([east.takeRecord('signin:abc'), west.takeRecord('signin:abc')]);
    assert.deepEqual(takes.filter((value) => value !== undefined), ['{"who":"alex"}']);
    assert.equal(await east.getRecord('signin:abc'), undefined);
    assert.equal(await west.takeRecord('signin:unknown'), undefined);
  });

  it('forgets a record when its time is up', async () => {
    const [east, west] = await pair();
    await east.putRecord('login:short', 'x', 150);
    assert.equal(await west.getRecord('login:short'), 'x');
    await sleep(300);
    assert.equal(await west.getRecord('login:short'), undefined);
    assert.equal(await east.takeRecord('login:short'), undefined);
  });
}

describe('sign-in records in the memory registry (one process, or the emulator\'s host)', () => {
  recordsContract(async () => {
    const registry = new MemorySessionRegistry({ presenceIndividualMax: 50 });
    return [registry, registry];
  });
});

describe('sign-in records in Redis', () => {
  const target = new RedisTarget();
  before(() => target.setUp());
  after(async () => {
    await target.closePairs();
    await target.tearDown();
  });
  recordsContract(async () => [await target.registry(), await target.registry()]);
});
