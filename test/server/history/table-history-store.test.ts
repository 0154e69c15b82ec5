import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { monotonicFactory } from 'ulid';
import { HistoryUnavailableError, type StoredMessage } from '../../../WorkerRole1/src/server/history/history-store.js';
import { TableHistoryStore } from '../../../WorkerRole1/src/server/history/table-history-store.js';
import { createLogger } from '../../../WorkerRole1/src/server/logger.js';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite.js';

const logger = createLogger({ level: 'silent', instanceId: 'test' });
const nextId = monotonicFactory();
let azurite: RunningAzurite;
let tableCount = 0;

function createStore(overrides: { writeQueueMax?: number; liveDeliveryAfterMs?: number } = {}): TableHistoryStore {
  tableCount += 1;
  return new TableHistoryStore({
    connectionString: azurite.connectionString,
    tableName: `history${tableCount}`,
    writeQueueMax: overrides.writeQueueMax ?? 1000,
    liveDeliveryAfterMs: overrides.liveDeliveryAfterMs ?? 250,
    logger,
  });
}

function message(conversation: string, text: string, clientId: string, ts = Date.now()): StoredMessage {
  return { id: nextId(ts), conversation, from: 'ann', text, ts, clientId };
}

before(async () => {
  azurite = await startAzurite();
});

after(async () => {
  await azurite.dispose();
});

describe('table history store (real Azurite)', () => {
  it('pages newest, before and after an id, oldest first, across more than one query page', async () => {
    const store = createStore();
    await store.init();
    const texts = Array.from({ length: 1200 }, (_, n) => `m${n}`);
    for (let start = 0; start < texts.length; start += 200) {
      await Promise.all(texts.slice(start, start + 200).map((text) => store.append({ message: message('room:lobby', text, text), senderKey: 'ann' })));
    }
    const newest = await store.list('room:lobby', { limit: 5 });
    assert.deepEqual(newest.map((m) => m.text), ['m1195', 'm1196', 'm1197', 'm1198', 'm1199']);
    const older = await store.list('room:lobby', { limit: 3, before: newest[0]!.id });
    assert.deepEqual(older.map((m) => m.text), ['m1192', 'm1193', 'm1194']);
    const first = (await store.list('room:lobby', { limit: 100, before: older[0]!.id })).at(0)!;
    assert.equal(first.text, 'm1092');
    // 1100 messages are newer than m99; the oldest of them come first, from the oldest-first rows.
    const m99 = (await store.list('room:lobby', { limit: 1, before: (await store.list('room:lobby', { limit: 1100 }))[0]!.id }))[0]!;
    assert.equal(m99.text, 'm99');
    const after99 = await store.list('room:lobby', { limit: 4, after: m99.id });
    assert.deepEqual(after99.map((m) => m.text), ['m100', 'm101', 'm102', 'm103']);
  });

  it('keeps conversations apart, private ones included', async () => {
    const store = createStore();
    await store.init();
    await store.append({ message: message('room:a', 'in a', 'x'), senderKey: 'ann' });
    await store.append({ message: { ...message('dm:ann|bob', 'psst', 'x'), to: 'bob' }, senderKey: 'ann' });
    assert.deepEqual((await store.list('room:a', { limit: 10 })).map((m) => m.text), ['in a']);
    const [direct] = await store.list('dm:ann|bob', { limit: 10 });
    assert.equal(direct?.to, 'bob');
  });

  it('returns the first copy for a resent clientId, concurrently and later, from another store too', async () => {
    const store = createStore();
    await store.init();
    const [first, concurrent] = await Promise.all([
      store.append({ message: message('room:lobby', 'hello', 'c1'), senderKey: 'ann' }),
      store.append({ message: message('room:lobby', 'hello again', 'c1'), senderKey: 'ann' }),
    ]);
    assert.equal(first.created, true);
    assert.equal(concurrent.created, false);
    assert.equal(concurrent.message.id, first.message.id);

    const otherInstance = new TableHistoryStore({ connectionString: azurite.connectionString, tableName: `history${tableCount}`, writeQueueMax: 10, liveDeliveryAfterMs: 250, logger });
    const later = await otherInstance.append({ message: message('room:lobby', 'hello from elsewhere', 'c1'), senderKey: 'ann' });
    assert.equal(later.created, false);
    assert.equal(later.message.text, 'hello');
    const sameIdOtherSender = await store.append({ message: message('room:lobby', 'bob says', 'c1'), senderKey: 'bob' });
    assert.equal(sameIdOtherSender.created, true);
    assert.deepEqual((await store.list('room:lobby', { limit: 10 })).map((m) => m.text), ['hello', 'bob says']);
  });

  it('while storage is down: delivers live after the delay, acks once stored, refuses beyond the queue bound', async () => {
    const store = createStore({ writeQueueMax: 2, liveDeliveryAfterMs: 100 });
    await store.init();
    await azurite.stop();
    try {
      const delivered: string[] = [];
      const pending = [
        store.append({ message: message('room:lobby', 'one', '1'), senderKey: 'ann' }, (m) => delivered.push(m.text)),
        store.append({ message: message('room:lobby', 'two', '2'), senderKey: 'ann' }, (m) => delivered.push(m.text)),
      ];
      await assert.rejects(
        store.append({ message: message('room:lobby', 'three', '3'), senderKey: 'ann' }),
        (error) => error instanceof HistoryUnavailableError && error.retryAfterMs > 0,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(delivered, ['one', 'two']);
      let settled = false;
      void Promise.all(pending).then(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(settled, false, 'no ack while nothing is stored');
      await azurite.start();
      const results = await Promise.all(pending);
      assert.deepEqual(results.map((r) => r.created), [true, true]);
      assert.deepEqual((await store.list('room:lobby', { limit: 10 })).map((m) => m.text), ['one', 'two']);
    } finally {
      await azurite.start();
    }
  });

  it('purges messages older than the retention cut-off, and their dedupe records', async () => {
    const store = createStore();
    await store.init();
    const day = 24 * 60 * 60 * 1000;
    const now = Date.now();
    await store.append({ message: message('room:lobby', 'old', 'old', now - 40 * day), senderKey: 'ann' });
    await store.append({ message: message('room:lobby', 'new', 'new', now), senderKey: 'ann' });
    const otherInstance = new TableHistoryStore({ connectionString: azurite.connectionString, tableName: `history${tableCount}`, writeQueueMax: 10, liveDeliveryAfterMs: 250, logger });
    // Two instances purging at once: each row is deleted once, and neither run fails.
    const purged = await Promise.all([store.purgeOlderThan(now - 30 * day), otherInstance.purgeOlderThan(now - 30 * day)]);
    assert.ok(purged.every((count) => count <= 1) && purged.some((count) => count === 1), `purged ${purged}`);
    assert.deepEqual((await store.list('room:lobby', { limit: 10 })).map((m) => m.text), ['new']);
    const resent = await store.append({ message: message('room:lobby', 'old again', 'old', now), senderKey: 'ann' });
    assert.equal(resent.created, true, 'the dedupe record went with the message');
  });
});
