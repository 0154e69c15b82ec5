import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { MemorySessionRegistry } from '../../../WorkerRole1/src/server/sessions/memory-session-registry.js';
import { Instance, type RegistryTarget, sleep } from './registry-contract-helpers.js';
import { leaseContract } from './registry-lease-contract.js';
import { membershipContract } from './registry-membership-contract.js';
import { roomBanContract } from './registry-room-ban-contract.js';
import { senderContract } from './registry-sender-contract.js';

/** Two instances of the emulator: two holders of one registry, kept by the primary process. */
const memory: RegistryTarget = {
  name: 'MemorySessionRegistry',
  async setUp() {},
  async pair(options) {
    const registry = new MemorySessionRegistry(options);
    return [new Instance(registry, 'east'), new Instance(registry, 'west')];
  },
  async closePairs() {},
  async tearDown() {},
};

describe('MemorySessionRegistry', () => {
  before(() => memory.setUp());
  afterEach(() => memory.closePairs());
  after(() => memory.tearDown());
  membershipContract(memory);
  leaseContract(memory);
  roomBanContract(memory);
  senderContract(memory);

  it('never lapses a session without a lease (one process), and renews nothing', async () => {
    const registry = new MemorySessionRegistry({ presenceIndividualMax: 50 });
    const alone = new Instance(registry, 'only');
    assert.equal(registry.renewEveryMs, undefined);
    const { session } = await alone.take('alice');
    await sleep(20);
    assert.deepEqual(await registry.sweepExpired(), []);
    assert.equal((await registry.get(session.token))?.nickname, 'alice');
    assert.equal((await alone.release(session))?.nickname, 'alice', 'its only holder let go');
  });
});
