import { statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TableClient, TableTransaction } from '@azure/data-tables';
import { developmentStorageConnectionString } from '../../../scripts/emulator/development-storage.js';

/**
 * A large Azurite database and a save of it, seen from outside: what `npm start` meets after a
 * long history, when LokiJS writes the whole database every 5 s while rows change. Shared by the
 * test that the load balancer keeps handing over connections meanwhile and by its benchmark.
 */

const TABLE = 'bulk';
const ROWS_PER_BATCH = 100;
const EXTRA_PROPERTIES = 40;
/** Azurite's LokiJS file in its data folder (DEFAULT_TABLE_LOKI_DB_PATH). */
const DATABASE_FILE = '__azurite_db_table__.json';

function tableClient(storagePort: number): TableClient {
  return TableClient.fromConnectionString(developmentStorageConnectionString(storagePort), TABLE, { allowInsecureConnection: true });
}

/**
 * Stores `rows` rows, a partition per batch: a chat message's properties and 40 short ones more.
 * LokiJS's save costs by the property, Azurite's insert by the row: wide rows make a large save
 * with a fraction of the requests (and of the CPU) that as many message rows would take.
 */
export async function fillAzurite(storagePort: number, rows: number): Promise<void> {
  const client = tableClient(storagePort);
  await client.createTable();
  const text = 'a message of an ordinary length, as people write them in a chat room '.repeat(2);
  for (let batch = 0; batch * ROWS_PER_BATCH < rows; batch++) {
    const transaction = new TableTransaction();
    for (let row = 0; row < ROWS_PER_BATCH; row++) {
      const wide = Object.fromEntries(Array.from({ length: EXTRA_PROPERTIES }, (_, i) => [`f${i}`, `v${i}-${row}`]));
      transaction.createEntity({ partitionKey: `p${batch}`, rowKey: String(row).padStart(5, '0'), text, nickname: `user${row}`, room: 'lobby', sentAt: Date.now(), clientId: `c${batch}-${row}`, ...wide });
    }
    await client.submitTransaction(transaction.actions);
  }
}

/** The database file's modification time: it moves on every save. */
function savedAt(storageDir: string): number {
  try {
    return statSync(join(storageDir, DATABASE_FILE)).mtimeMs;
  } catch {
    return 0;
  }
}

/** Waits for the save that follows the last change (LokiJS checks every 5 s). */
export async function waitForSave(storageDir: string, timeoutMs = 30_000): Promise<void> {
  const before = savedAt(storageDir);
  const deadline = Date.now() + timeoutMs;
  while (savedAt(storageDir) === before) {
    if (Date.now() > deadline) throw new Error(`Azurite did not save ${DATABASE_FILE} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export function databaseMegabytes(storageDir: string): number {
  return statSync(join(storageDir, DATABASE_FILE)).size / 2 ** 20;
}

/** The slowest answer (ms) to a request made every `everyMs`, a new connection each time, until `until` settles. */
async function slowestAnswer(request: () => Promise<unknown>, everyMs: number, until: Promise<unknown>): Promise<number> {
  let done = false;
  void until.finally(() => (done = true));
  const timings: Promise<number>[] = [];
  while (!done) {
    const started = performance.now();
    timings.push(request().then(() => performance.now() - started));
    await sleep(everyMs);
  }
  return Math.max(...(await Promise.all(timings)));
}

function healthz(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/healthz`, { agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    request.on('timeout', () => request.destroy(new Error('healthz timed out')));
    request.on('error', reject);
  });
}

export interface SaveStall {
  /** The slowest of Azurite's answers during the save: how long its event loop was held. */
  azuriteMs: number;
  /** The slowest `/healthz` through the load balancer meanwhile (accepted, handed over, answered). */
  balancerMs: number;
}

/**
 * Changes one row so that LokiJS saves the whole database, and meanwhile asks Azurite for a row
 * and the load balancer for `/healthz` every 10 ms, each on a new connection, until the save is written.
 */
export async function measureSaveStall(url: string, storagePort: number, storageDir: string): Promise<SaveStall> {
  const client = tableClient(storagePort);
  await client.upsertEntity({ partitionKey: 'p0', rowKey: '00000', changedAt: Date.now() });
  const saved = waitForSave(storageDir);
  const [azuriteMs, balancerMs] = await Promise.all([
    slowestAnswer(() => client.getEntity('p0', '00001'), 10, saved),
    slowestAnswer(() => healthz(url), 10, saved),
  ]);
  return { azuriteMs, balancerMs };
}
