import type { Config } from '../config/load-config.js';
import type { Logger } from '../logger.js';
import type { HistoryStore } from './history-store.js';
import { MemoryHistoryStore } from './memory-history-store.js';
import { TableHistoryStore } from './table-history-store.js';

/** How long a message waits for storage before it is delivered live anyway. */
const LIVE_DELIVERY_AFTER_MS = 250;

export function createHistoryStore(config: Config, logger: Logger): HistoryStore {
  if (config.storageConnectionString === undefined) return new MemoryHistoryStore(config.historyMaxPerRoom);
  return new TableHistoryStore({
    connectionString: config.storageConnectionString,
    tableName: config.historyTable,
    writeQueueMax: config.historyWriteQueueMax,
    liveDeliveryAfterMs: LIVE_DELIVERY_AFTER_MS,
    logger,
  });
}
