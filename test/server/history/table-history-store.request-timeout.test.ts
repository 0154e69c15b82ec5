import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { monotonicFactory } from 'ulid';
import { developmentStorageConnectionString } from '../../../scripts/emulator/development-storage.js';
import { HistoryUnavailableError, type StoredMessage } from '../../../WorkerRole1/src/server/history/history-store.js';
import { TableHistoryStore } from '../../../WorkerRole1/src/server/history/table-history-store.js';
import { createLogger } from '../../../WorkerRole1/src/server/logger.js';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite.js';
import { type DelayingProxy, startDelayingProxy } from '../../helpers/delaying-proxy.js';

/** The store's wait for an answer here; the product's is STORAGE_REQUEST_TIMEOUT_MS (10 s). */
const REQUEST_TIMEOUT_MS = 1000;
/** Longer than anyone waits: a request or an answer held this long never arrives. */
const NEVER_MS = 3_600_000;
/** Without a timeout these tests wait for ever; their own limit says so instead. */
const WITHIN = { timeout: 30_000 };

const logger = createLogger({ level: 'silent', instanceId: 'test' });
const nextId = monotonicFactory();
let azurite: RunningAzurite;
let storage: DelayingProxy;
let tableCount = 0;

before(async () => {
  azurite = await startAzurite();
  storage = await startDelayingProxy(azurite.port);
});

after(async () => {
  await storage?.close();
  await azurite?.dispose();
});

async function createStore(t: { after(fn: () => unknown): void }): Promise<TableHistoryStore> {
  storage.delayMs = 0;
  storage.answerDelayMs = 0;
  tableCount += 1;
  const store = new TableHistoryStore({
    connectionString: developmentStorageConnectionString(storage.port),
    tableName: `requesttimeout${tableCount}`,
    writeQueueMax: 100,
    liveDeliveryAfterMs: 250,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    logger,
  });
  // Closing stops the writer retrying, should an assertion fail first.
  t.after(() => store.close());
  await store.init();
  return store;
}

function message(conversation: string, text: string): StoredMessage {
  const ts = Date.now();
  return { id: nextId(ts), conversation, from: 'ann', text, ts, clientId: text };
}

/** Appends `sent`; resolves once the store has delivered it live for want of an answer, with the append itself. */
function appendUnanswered(store: TableHistoryStore, sent: StoredMessage): Promise<{ appended: ReturnType<TableHistoryStore['append']> }> {
  return new Promise((delayed) => {
    const appended = store.append({ message: sent, senderKey: 'ann' }, () => delayed({ appended }));
  });
}

test('a transaction whose request never reaches storage is given up and sent again: the message is stored once, and so is the one behind it', WITHIN, async (t) => {
  const store = await createStore(t);
  storage.delayMs = NEVER_MS;
  const lost = message('room:lobby', 'request lost');
  const { appended } = await appendUnanswered(store, lost);
  storage.delayMs = 0;
  const behind = store.append({ message: message('room:lobby', 'behind it'), senderKey: 'ann' });

  const [first, second] = await Promise.all([appended, behind]);
  assert.deepEqual([first.message.id, first.created], [lost.id, true]);
  assert.equal(second.created, true);
  assert.deepEqual((await store.list('room:lobby', { limit: 10 })).map(({ text }) => text), ['request lost', 'behind it']);
});

test('a transaction that landed but whose answer never came is found by its retry: the message keeps its id and is stored once', WITHIN, async (t) => {
  const store = await createStore(t);
  storage.answerDelayMs = NEVER_MS;
  const landed = message('room:lobby', 'answer lost');
  const { appended } = await appendUnanswered(store, landed);
  storage.answerDelayMs = 0;

  const result = await appended;
  assert.equal(result.message.id, landed.id, 'the first copy, the one already delivered live');
  assert.equal(result.created, false, 'the retry found the rows the first transaction stored');
  assert.deepEqual((await store.list('room:lobby', { limit: 10 })).map(({ id }) => id), [landed.id]);
});

test('a history read that gets no answer fails as storage unavailable instead of waiting for ever, and the next read works', WITHIN, async (t) => {
  const store = await createStore(t);
  await store.append({ message: message('room:lobby', 'kept'), senderKey: 'ann' });
  storage.delayMs = NEVER_MS;
  await assert.rejects(store.list('room:lobby', { limit: 10 }), (error: unknown) => {
    assert.ok(error instanceof HistoryUnavailableError, String(error));
    assert.match(error.message, /no answer from Table Storage within 1000 ms/);
    return true;
  });
  storage.delayMs = 0;
  assert.deepEqual((await store.list('room:lobby', { limit: 10 })).map(({ text }) => text), ['kept']);
});

test('a store that cannot reach its table at start says so within the timeout', WITHIN, async () => {
  storage.delayMs = NEVER_MS;
  const store = new TableHistoryStore({
    connectionString: developmentStorageConnectionString(storage.port),
    tableName: 'requesttimeoutstart',
    writeQueueMax: 100,
    liveDeliveryAfterMs: 250,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    logger,
  });
  await assert.rejects(store.init(), /cannot reach history table "requesttimeoutstart": STORAGE_REQUEST_TIMEOUT no answer from Table Storage within 1000 ms/);
  storage.delayMs = 0;
  await store.close();
});
