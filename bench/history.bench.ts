import { TableClient } from '@azure/data-tables';
import { monotonicFactory } from 'ulid';
import { TableHistoryStore } from '../WorkerRole1/src/server/history/table-history-store.js';
import { ascendingRowKey, dedupeRowKey, messageRowKey, partitionKey } from '../WorkerRole1/src/server/history/row-keys.js';
import { createLogger } from '../WorkerRole1/src/server/logger.js';
import { startAzurite } from '../test/helpers/azurite.js';

/**
 * Storing messages in Table Storage (real Azurite): chatapp's batching writer beside the same
 * three rows per message written as one transaction each, the way a store without a writer
 * would. Messages arrive in bursts, as a busy room's do. Usage: npm run bench:history
 */
const MESSAGES = 2000;
const BURST = 100;
const logger = createLogger({ level: 'silent', instanceId: 'bench' });
const nextId = monotonicFactory();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(name: string, append: (n: number) => Promise<unknown>) {
  const latencies: number[] = [];
  const started = performance.now();
  for (let burst = 0; burst < MESSAGES; burst += BURST) {
    await Promise.all(
      Array.from({ length: BURST }, async (_, i) => {
        const sentAt = performance.now();
        await append(burst + i);
        latencies.push(performance.now() - sentAt);
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    writer: name,
    'messages/s': Math.round(MESSAGES / seconds),
    'ack p50 (ms)': percentile(latencies, 50).toFixed(1),
    'ack p99 (ms)': percentile(latencies, 99).toFixed(1),
  };
}

const azurite = await startAzurite();
try {
  const baselineTable = TableClient.fromConnectionString(azurite.connectionString, 'benchbaseline', { allowInsecureConnection: true });
  await baselineTable.createTable();
  const partition = partitionKey('room:lobby');
  const baseline = await measure('one transaction per message', (n) => {
    const ts = Date.now();
    const id = nextId(ts);
    const row = { partitionKey: partition, from: 'ann', text: `message ${n}`, ts, clientId: `b${n}` };
    return baselineTable.submitTransaction([
      ['create', { partitionKey: partition, rowKey: dedupeRowKey('ann', `b${n}`), messageId: id, ts }],
      ['create', { ...row, rowKey: messageRowKey(id) }],
      ['create', { ...row, rowKey: ascendingRowKey(id) }],
    ]);
  });

  const store = new TableHistoryStore({ connectionString: azurite.connectionString, tableName: 'benchchatapp', writeQueueMax: 10_000, liveDeliveryAfterMs: 250, logger });
  await store.init();
  const chatapp = await measure('chatapp batch writer', (n) => {
    const ts = Date.now();
    return store.append({ message: { id: nextId(ts), conversation: 'room:lobby', from: 'ann', text: `message ${n}`, ts, clientId: `c${n}` }, senderKey: 'ann' });
  });
  await store.close();

  console.log(`${MESSAGES} messages to one room in bursts of ${BURST}, Azurite 3.35 on loopback, Node ${process.version}`);
  console.table([baseline, chatapp]);
} finally {
  await azurite.dispose();
}
process.exit(0);
