import { TableClient } from '@azure/data-tables';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { monotonicFactory } from 'ulid';
import { TableHistoryStore } from '../WorkerRole1/src/server/history/table-history-store.js';
import { ascendingRowKey, dedupeRowKey, messageRowKey, partitionKey } from '../WorkerRole1/src/server/history/row-keys.js';
import { createLogger } from '../WorkerRole1/src/server/logger.js';
import { startAzurite } from '../test/helpers/azurite.js';
import { handBuiltBatch } from './lib/hand-built-batch.js';
import { sampleProcess } from './lib/process-stats.js';

/**
 * Storing messages in Table Storage (real Azurite, its own process): chatapp's store and batching
 * writer beside the plainest client of the same SDK, which sends the same three rows per message
 * as one transaction each, and beside the SDK's floor (lib/hand-built-batch.ts: the same
 * transaction body sent as one request through the client's pipeline). Two loads: one message at a time (a chat at a few messages a second:
 * every message is its own transaction either way) and bursts of 100 (a busy room: chatapp's
 * writer groups them). chatapp's writer also runs as it was with one transaction in flight per
 * room, for the cost of keeping a few. Reported per message: this process's CPU (the writer's: process.cpuUsage),
 * Azurite's CPU (from /proc), and the ack latency. Each writer runs `--runs` times, interleaved.
 * Usage: npm run bench:history [-- --messages 2000 --runs 2]
 */
const { values: flags } = parseArgs({ options: { messages: { type: 'string', default: '2000' }, runs: { type: 'string', default: '2' } } });
function positiveInteger(name: keyof typeof flags): number {
  const raw = flags[name];
  if (!/^[1-9]\d*$/.test(raw)) throw new Error(`--${name} takes a whole number above 0, not "${raw}"`);
  return Number(raw);
}
const MESSAGES = positiveInteger('messages');
const RUNS = positiveInteger('runs');
const LOADS = [
  { name: 'one at a time', burst: 1 },
  { name: 'bursts of 100', burst: 100 },
];
const logger = createLogger({ level: 'silent', instanceId: 'bench' });
const nextId = monotonicFactory();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const ownCpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

interface Measured {
  writerCpuMicros: number;
  azuriteCpuMicros: number;
  p50: number;
  p99: number;
}

async function measure(azuritePid: number, burst: number, append: (n: number) => Promise<unknown>): Promise<Measured> {
  const latencies: number[] = [];
  const cpuBefore = ownCpuMicros();
  const azuriteBefore = sampleProcess(azuritePid).cpuMs;
  for (let first = 0; first < MESSAGES; first += burst) {
    await Promise.all(
      Array.from({ length: burst }, async (_, i) => {
        const sentAt = performance.now();
        await append(first + i);
        latencies.push(performance.now() - sentAt);
      }),
    );
  }
  const writerCpuMicros = (ownCpuMicros() - cpuBefore) / MESSAGES;
  const azuriteCpuMicros = ((sampleProcess(azuritePid).cpuMs - azuriteBefore) * 1000) / MESSAGES;
  latencies.sort((a, b) => a - b);
  return { writerCpuMicros, azuriteCpuMicros, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

console.log(`${MESSAGES} messages to one room per measurement, ${RUNS} runs each, Azurite 3.35 on loopback, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const azurite = await startAzurite();
const rows: Record<string, string>[] = [];
try {
  const plainTable = TableClient.fromConnectionString(azurite.connectionString, 'benchplain', { allowInsecureConnection: true });
  await plainTable.createTable();
  const store = new TableHistoryStore({ connectionString: azurite.connectionString, tableName: 'benchchatapp', writeQueueMax: 10_000, liveDeliveryAfterMs: 250, logger });
  await store.init();
  const serialStore = new TableHistoryStore({ connectionString: azurite.connectionString, tableName: 'benchserial', writeQueueMax: 10_000, liveDeliveryAfterMs: 250, logger });
  await serialStore.init();
  // Bench-only: the writer as it was before it kept a few transactions in flight per partition.
  (serialStore as unknown as { writer: { options: { inFlightPerPartition: number } } }).writer.options.inFlightPerPartition = 1;
  const floorTable = TableClient.fromConnectionString(azurite.connectionString, 'benchfloor', { allowInsecureConnection: true });
  await floorTable.createTable();
  const sendFloor = handBuiltBatch(floorTable);
  const partition = partitionKey('room:lobby');
  let sequence = 0;
  const threeRows = (n: number, clientId: string): Array<{ partitionKey: string; rowKey: string } & Record<string, string | number>> => {
    const ts = Date.now();
    const id = nextId(ts);
    const row = { partitionKey: partition, from: 'ann', text: `message ${n}`, ts, clientId };
    return [
      { partitionKey: partition, rowKey: dedupeRowKey('ann', clientId), messageId: id, ts },
      { ...row, rowKey: messageRowKey(id) },
      { ...row, rowKey: ascendingRowKey(id) },
    ];
  };
  const appendTo = (target: TableHistoryStore, n: number, prefix: string) => {
    const ts = Date.now();
    return target.append({ message: { id: nextId(ts), conversation: 'room:lobby', from: 'ann', text: `message ${n}`, ts, clientId: `${prefix}${sequence}-${n}` }, senderKey: 'ann' });
  };
  const writers: Record<string, (n: number) => Promise<unknown>> = {
    'plain SDK, a transaction per message': (n) => plainTable.submitTransaction(threeRows(n, `p${sequence}-${n}`).map((row) => ['create', row])),
    'SDK floor: hand-built batch, one pipeline request': (n) => sendFloor(threeRows(n, `f${sequence}-${n}`)),
    'chatapp store and batch writer': (n) => appendTo(store, n, 'c'),
    'chatapp, one transaction in flight per room (before)': (n) => appendTo(serialStore, n, 's'),
  };
  // A warm-up of each, so that neither pays for the other's JIT or Azurite's first table pages.
  for (const append of Object.values(writers)) await measure(azurite.pid!, 10, append);
  for (const load of LOADS) {
    const results: Record<string, Measured[]> = Object.fromEntries(Object.keys(writers).map((name) => [name, []]));
    for (let run = 0; run < RUNS; run += 1) {
      for (const [name, append] of Object.entries(writers)) {
        sequence += 1;
        results[name]!.push(await measure(azurite.pid!, load.burst, append));
      }
    }
    const plain = results['plain SDK, a transaction per message']!;
    const range = (values: number[], digits: number) => `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
    for (const [name, runs] of Object.entries(results)) {
      const ratios = runs.map((run, i) => run.writerCpuMicros / plain[i]!.writerCpuMicros);
      rows.push({
        load: load.name,
        writer: name,
        'writer CPU µs/message': range(runs.map((run) => run.writerCpuMicros), 0),
        'vs plain, per run': ratios.map((ratio) => ratio.toFixed(2)).join(' '),
        'Azurite CPU µs/message': range(runs.map((run) => run.azuriteCpuMicros), 0),
        'ack p50 ms': range(runs.map((run) => run.p50), 1),
        'ack p99 ms': range(runs.map((run) => run.p99), 1),
      });
    }
  }
  await store.close();
  await serialStore.close();
  console.table(rows);
} finally {
  await azurite.dispose();
}
process.exit(0);
