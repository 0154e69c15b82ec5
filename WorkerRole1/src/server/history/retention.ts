import type { Logger } from '../logger.js';
import type { HistoryStore } from './history-store.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Every instance purges; deletes are idempotent, so overlapping runs only cost a few requests. */
const PURGE_INTERVAL_MS = 6 * 60 * 60 * 1000;
const FIRST_PURGE_AFTER_MS = 60 * 1000;

/** Deletes history older than the retention period, soon after start and then every six hours. */
export function scheduleRetention(history: HistoryStore, retentionDays: number, logger: Logger): () => void {
  if (retentionDays === 0) return () => {};
  const purge = async () => {
    try {
      const purged = await history.purgeOlderThan(Date.now() - retentionDays * DAY_MS);
      logger.info({ purged, retentionDays }, 'history retention ran');
    } catch (error) {
      logger.warn({ err: error }, 'history retention failed; retrying at the next run');
    }
  };
  const first = setTimeout(() => void purge(), FIRST_PURGE_AFTER_MS);
  const every = setInterval(() => void purge(), PURGE_INTERVAL_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
