import type { Logger } from '../logger.js';
import type { HistoryStore } from './history-store.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Every instance purges, each at its own moment (the jitter spreads instances started together),
 * and a purge tolerates rows another instance deleted first.
 */
const PURGE_INTERVAL_MS = 6 * 60 * 60 * 1000;
const FIRST_PURGE_AFTER_MS = 60 * 1000;
const JITTER_MS = 5 * 60 * 1000;

/** Deletes history older than the retention period, a few minutes after start and then every six hours. */
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
  const first = setTimeout(() => void purge(), FIRST_PURGE_AFTER_MS + Math.random() * JITTER_MS);
  const every = setInterval(() => void purge(), PURGE_INTERVAL_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
