import type { TokenCredential } from '@azure/identity';
import type { Config } from '../config/load-config.js';
import type { Logger } from '../logger.js';
import type { HistoryStore } from './history-store.js';
import { MemoryHistoryStore } from './memory-history-store.js';
import type { TableAccess } from './table-history-store.js';

/** How long a message waits for storage before it is delivered live anyway. */
const LIVE_DELIVERY_AFTER_MS = 250;

/**
 * Table Storage with the account's key (STORAGE_CONNECTION_STRING) or, without any key, through
 * the process's Entra ID credential (STORAGE_TABLE_ENDPOINT); in memory when neither is set.
 * The Azure SDK (a fifth of an idle instance's memory) loads only when storage is configured.
 */
export async function createHistoryStore(config: Config, logger: Logger, credential: TokenCredential | undefined): Promise<HistoryStore> {
  let access: TableAccess;
  if (config.storageConnectionString !== undefined) access = { connectionString: config.storageConnectionString };
  else if (config.storageTableEndpoint !== undefined) {
    if (credential === undefined) throw new TypeError('STORAGE_TABLE_ENDPOINT needs a credential');
    access = { endpoint: config.storageTableEndpoint, credential };
  } else return new MemoryHistoryStore(config.historyMaxPerRoom);
  const { TableHistoryStore } = await import('./table-history-store.js');
  return new TableHistoryStore({
    ...access,
    tableName: config.historyTable,
    writeQueueMax: config.historyWriteQueueMax,
    liveDeliveryAfterMs: LIVE_DELIVERY_AFTER_MS,
    logger,
  });
}
