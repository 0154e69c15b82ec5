// A preload (node --import) for `bench:emulator --setups ...,live`: the role delivers every message
// live at once and acks it once stored, instead of delivering it once stored (or after 250 ms).
// Bench-only: it measures what that policy would change; the product's policy is in
// history/create-history-store.ts (LIVE_DELIVERY_AFTER_MS). Plain JavaScript, loaded before tsx.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
if (process.argv.some((arg) => arg.endsWith('WorkerRole1/dist/server/main.js'))) {
  const { TableHistoryStore } = await import(join(ROOT, 'WorkerRole1/dist/server/history/table-history-store.js'));
  const write = TableHistoryStore.prototype.write;
  TableHistoryStore.prototype.write = function (...args) {
    // The store delivers a message whose write has not answered within this many ms: now.
    this.options.liveDeliveryAfterMs = 0;
    return write.apply(this, args);
  };
}
