import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { HistoryUnavailableError } from '../../../WorkerRole1/src/server/history/history-store.js';
import { ascendingRowKey, messageRowKey, partitionKey } from '../../../WorkerRole1/src/server/history/row-keys.js';
import { TableHistoryStore } from '../../../WorkerRole1/src/server/history/table-history-store.js';
import { createLogger } from '../../../WorkerRole1/src/server/logger.js';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite.js';
import { changeOf, messageChangeContract, storedMessage } from './message-change-contract.js';

const logger = createLogger({ level: 'silent', instanceId: 'test' });
let azurite: RunningAzurite;
let tableCount = 0;

const storeOn = (tableName: string) =>
  new TableHistoryStore({ connectionString: azurite.connectionString, tableName, writeQueueMax: 1000, liveDeliveryAfterMs: 100, logger });

/** Two instances' stores on one table, as two instances share one storage account. */
async function createPair() {
  tableCount += 1;
  const tableName = `changes${tableCount}`;
  const [store, other] = [storeOn(tableName), storeOn(tableName)];
  await store.init();
  await other.init();
  return { store, other, tableName };
}

before(async () => {
  azurite = await startAzurite();
});

after(async () => {
  await azurite.dispose();
});

messageChangeContract({ name: 'TableHistoryStore (real Azurite)', create: createPair });

describe('TableHistoryStore edits (real Azurite)', () => {
  it('changes both rows of a message together: read back, they hold the same text, editedTs and tombstone', async () => {
    const { store, tableName } = await createPair();
    const original = storedMessage('first', 'c1');
    await store.append({ message: original, senderKey: 'ann' });
    const table = TableClient.fromConnectionString(azurite.connectionString, tableName, { allowInsecureConnection: true });
    const rows = () =>
      Promise.all([messageRowKey(original.id), ascendingRowKey(original.id)].map((rowKey) => table.getEntity(partitionKey('room:lobby'), rowKey)));
    const edited = await store.change(changeOf(original.id, { kind: 'edit', text: 'second', at: Date.now() }));
    assert.ok('message' in edited);
    for (const row of await rows()) assert.deepEqual([row.text, row.editedTs, row.deleted], ['second', edited.message.editedTs, undefined]);
    const deleted = await store.change(changeOf(original.id, { kind: 'delete', at: Date.now() }));
    assert.ok('message' in deleted);
    for (const row of await rows()) assert.deepEqual([row.text, row.editedTs, row.deleted], ['', deleted.message.editedTs, true]);
  });

  it('applies an edit of a message still waiting in the write queue after the message lands, not before or under it', async () => {
    const { store } = await createPair();
    const original = storedMessage('queued', 'c1');
    await azurite.stop();
    let appended;
    let changed;
    try {
      const delivered: string[] = [];
      appended = store.append({ message: original, senderKey: 'ann' }, (message) => delivered.push(message.id));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(delivered, [original.id], 'delivered live while storage is down');
      changed = store.change(changeOf(original.id, { kind: 'edit', text: 'edited while queued', at: Date.now() }));
    } finally {
      await azurite.start();
    }
    assert.equal((await appended).created, true);
    assert.equal((await changed).outcome, 'changed');
    const [listed] = await store.list('room:lobby', { limit: 1 });
    assert.equal(listed!.text, 'edited while queued');
  });

  it('asks another instance to retry a change of a message too young to be stored yet, and says not found for an old unknown id', async () => {
    const { other } = await createPair();
    const young = storedMessage('not stored anywhere yet', 'c1');
    await assert.rejects(other.change(changeOf(young.id, { kind: 'delete', at: Date.now() })), (error) => error instanceof HistoryUnavailableError);
    const old = storedMessage('never stored', 'c2', 'session:ann', Date.now() - 60_000);
    assert.deepEqual(await other.change(changeOf(old.id, { kind: 'delete', at: Date.now() })), { outcome: 'missing' });
  });
});
