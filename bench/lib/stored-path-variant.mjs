// A preload (node --import) for the bench-only variants of `serve` in `bench:emulator --setups`,
// named by STORED_PATH_VARIANT; each changes one thing in the role, to weigh it against the product:
// - live: every message delivered live at once and acked once stored, instead of delivered once
//   stored (or after 250 ms); the product's policy is in history/create-history-store.ts
//   (LIVE_DELIVERY_AFTER_MS);
// - serial: the history writer keeps one transaction in flight per room, as before it kept a few
//   (history/batch-writer.ts TRANSACTIONS_IN_FLIGHT_PER_PARTITION).
// Plain JavaScript, loaded before tsx.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HISTORY = fileURLToPath(new URL('../../WorkerRole1/dist/server/history', import.meta.url));
const variant = process.env.STORED_PATH_VARIANT;
if (process.argv.some((arg) => arg.endsWith('WorkerRole1/dist/server/main.js'))) {
  if (variant === 'live') {
    const { TableHistoryStore } = await import(join(HISTORY, 'table-history-store.js'));
    const write = TableHistoryStore.prototype.write;
    TableHistoryStore.prototype.write = function (...args) {
      // The store delivers a message whose write has not answered within this many ms: now.
      this.options.liveDeliveryAfterMs = 0;
      return write.apply(this, args);
    };
  } else if (variant === 'serial') {
    const { BatchWriter } = await import(join(HISTORY, 'batch-writer.js'));
    const write = BatchWriter.prototype.write;
    BatchWriter.prototype.write = function (...args) {
      this.options.inFlightPerPartition = 1;
      return write.apply(this, args);
    };
  } else {
    throw new Error(`STORED_PATH_VARIANT: live or serial, not ${variant}`);
  }
}
