import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryHistoryStore } from '../../../WorkerRole1/src/server/history/memory-history-store.js';
import { changeOf, messageChangeContract, storedMessage } from './message-change-contract.js';

// One process: the "other instance" is the same store.
messageChangeContract({
  name: 'MemoryHistoryStore',
  async create() {
    const store = new MemoryHistoryStore(100);
    return { store, other: store };
  },
});

describe('MemoryHistoryStore edits', () => {
  it('forgets a message that fell out of the bounded history: changing it finds nothing', async () => {
    const store = new MemoryHistoryStore(2);
    const first = storedMessage('one', '1');
    await store.append({ message: first, senderKey: 'ann' });
    for (const n of [2, 3]) await store.append({ message: storedMessage(`m${n}`, String(n)), senderKey: 'ann' });
    assert.deepEqual(await store.change(changeOf(first.id, { kind: 'delete', at: Date.now() })), { outcome: 'missing' });
  });
});
