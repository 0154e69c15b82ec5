import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { monotonicFactory, ulid } from 'ulid';
import { developmentStorageConnectionString } from '../../../scripts/emulator/development-storage.js';
import { HistoryUnavailableError, type StoredMessage } from '../../../WorkerRole1/src/server/history/history-store.js';
import { TableHistoryStore } from '../../../WorkerRole1/src/server/history/table-history-store.js';
import { STORAGE_REQUEST_TIMEOUT_MS } from '../../../WorkerRole1/src/server/history/table-request-timeout.js';
import { createLogger } from '../../../WorkerRole1/src/server/logger.js';
import { LIMITS } from '../../../WorkerRole1/src/shared/protocol.js';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite.js';
import { type DelayingProxy, startDelayingProxy } from '../../helpers/delaying-proxy.js';

/** The store's wait for an answer here; the product's is STORAGE_REQUEST_TIMEOUT_MS (10 s). */
const REQUEST_TIMEOUT_MS = 1000;
/** Longer than anyone waits: a request or an answer held this long never arrives. */
const NEVER_MS = 3_600_000;
/** How long the hung transaction is out: well past the catch-up margin, within the product's request timeout. */
const HUNG_MS = LIMITS.catchUpMarginMs + 2000;
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

async function createStore(t: { after(fn: () => unknown): void }, requestTimeoutMs = REQUEST_TIMEOUT_MS): Promise<TableHistoryStore> {
  storage.delayMs = 0;
  storage.answerDelayMs = 0;
  storage.stallAnswerBodies = false;
  tableCount += 1;
  const store = new TableHistoryStore({
    connectionString: developmentStorageConnectionString(storage.port),
    tableName: `requesttimeout${tableCount}`,
    writeQueueMax: 100,
    liveDeliveryAfterMs: 250,
    requestTimeoutMs,
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

for (const [what, breakPath] of [
  ['gets no answer', () => (storage.delayMs = NEVER_MS)],
  ['gets an answer that stops after its headers', () => (storage.stallAnswerBodies = true)],
] as const) {
  test(`a history read that ${what} fails as storage unavailable instead of waiting for ever, and the next read works`, WITHIN, async (t) => {
    const store = await createStore(t);
    await store.append({ message: message('room:lobby', 'kept'), senderKey: 'ann' });
    breakPath();
    await assert.rejects(store.list('room:lobby', { limit: 10 }), (error: unknown) => {
      assert.ok(error instanceof HistoryUnavailableError, String(error));
      assert.match(error.message, /no complete answer from Table Storage within 1000 ms/);
      return true;
    });
    storage.delayMs = 0;
    storage.stallAnswerBodies = false;
    assert.deepEqual((await store.list('room:lobby', { limit: 10 })).map(({ text }) => text), ['kept']);
  });
}

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
  await assert.rejects(store.init(), /cannot reach history table "requesttimeoutstart": STORAGE_REQUEST_TIMEOUT no complete answer from Table Storage within 1000 ms/);
  storage.delayMs = 0;
  await store.close();
});

test('while a room\'s transaction hangs, its later messages wait instead of landing past the catch-up margin; other rooms go on; each is stored once', async (t) => {
  // The product's request timeout (10 s): the hung transaction is answered before it gives up.
  const store = await createStore(t, STORAGE_REQUEST_TIMEOUT_MS);
  const acked: string[] = [];
  const append = (stored: StoredMessage, onDelayed?: () => void) =>
    store.append({ message: stored, senderKey: 'ann' }, onDelayed).then((result) => {
      acked.push(result.message.text);
      return result;
    });

  // The first message's transaction reaches storage only after HUNG_MS; the store delivers it
  // live after 250 ms without it, by which time its request is on its way.
  const hung = message('room:busy', 'hung');
  storage.delayMs = HUNG_MS;
  const { hungWrite } = await new Promise<{ hungWrite: Promise<unknown> }>((delayed) => {
    const written = append(hung, () => delayed({ hungWrite: written }));
  });
  storage.delayMs = 0;
  const alongside = message('room:busy', 'sent alongside');
  const writes = [hungWrite, append(alongside)];

  // Past the margin: a message stored now would have an id too new for a catch-up to reach back to the hung one.
  await new Promise((resolve) => setTimeout(resolve, hung.ts + LIMITS.catchUpMarginMs + 200 - Date.now()));
  const later = message('room:busy', 'later');
  const elsewhere = message('room:quiet', 'elsewhere');
  writes.push(append(later));
  await append(elsewhere);
  assert.deepEqual(acked, ['elsewhere'], 'another room is stored while the busy one waits');

  // What a browser reads meanwhile: whatever it holds, a catch-up from its newest id minus the margin reaches back to the hung message.
  const storedBeforeIt = new Set<string>();
  for (let stored = await store.list('room:busy', { limit: 10 }); !stored.some(({ id }) => id === hung.id); stored = await store.list('room:busy', { limit: 10 })) {
    for (const { text } of stored) storedBeforeIt.add(text);
    const newest = stored.at(-1);
    if (newest) assert.ok(newest.ts - hung.ts < LIMITS.catchUpMarginMs, `"${newest.text}" is stored ${newest.ts - hung.ts} ms after the hung message's id, before it`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.deepEqual([...storedBeforeIt], ['sent alongside'], 'the message sent within the window is stored beside the hung one, not after it');
  await Promise.all(writes);

  assert.deepEqual(acked, ['elsewhere', 'hung', 'sent alongside', 'later'], 'the busy room\'s acks keep the order of its messages');
  const texts = ['hung', 'sent alongside', 'later'];
  assert.deepEqual((await store.list('room:busy', { limit: 10 })).map(({ text }) => text), texts);
  assert.deepEqual((await store.list('room:busy', { limit: 10, after: ulid(hung.ts - 1) })).map(({ text }) => text), texts, 'the oldest-first rows too');
  assert.deepEqual((await store.list('room:quiet', { limit: 10 })).map(({ text }) => text), ['elsewhere']);
});
