import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { monotonicFactory, ulid } from 'ulid';
import { developmentStorageConnectionString } from '../../../scripts/emulator/development-storage.js';
import type { StoredMessage } from '../../../WorkerRole1/src/server/history/history-store.js';
import { TableHistoryStore } from '../../../WorkerRole1/src/server/history/table-history-store.js';
import { createLogger } from '../../../WorkerRole1/src/server/logger.js';
import { LIMITS } from '../../../WorkerRole1/src/shared/protocol.js';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite.js';
import { type DelayingProxy, startDelayingProxy } from '../../helpers/delaying-proxy.js';

/** How long the first transaction is out: well past the catch-up margin, as a hung request. */
const HUNG_MS = LIMITS.catchUpMarginMs + 2000;

const logger = createLogger({ level: 'silent', instanceId: 'test' });
const nextId = monotonicFactory();
let azurite: RunningAzurite;
let storage: DelayingProxy;

before(async () => {
  azurite = await startAzurite();
  storage = await startDelayingProxy(azurite.port);
});

after(async () => {
  await storage?.close();
  await azurite?.dispose();
});

function message(conversation: string, text: string): StoredMessage {
  const ts = Date.now();
  return { id: nextId(ts), conversation, from: 'ann', text, ts, clientId: text };
}

test('while a room\'s transaction hangs, its later messages wait instead of landing past the catch-up margin; other rooms go on; each is stored once', async (t) => {
  const store = new TableHistoryStore({
    connectionString: developmentStorageConnectionString(storage.port),
    tableName: 'hungtransaction',
    writeQueueMax: 100,
    liveDeliveryAfterMs: 250,
    logger,
  });
  // Closing stops the writer retrying against a proxy that is gone, should an assertion fail first.
  t.after(() => store.close());
  await store.init();
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
