// A preload (node --import) for `bench:emulator --setups ...,serial`: the role's history writer
// keeps one transaction in flight per partition, as it did before it kept a few
// (history/batch-writer.ts TRANSACTIONS_IN_FLIGHT_PER_PARTITION), to weigh the two in one run.
// Bench-only. Plain JavaScript, loaded before tsx.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
if (process.argv.some((arg) => arg.endsWith('WorkerRole1/dist/server/main.js'))) {
  const { BatchWriter } = await import(join(ROOT, 'WorkerRole1/dist/server/history/batch-writer.js'));
  const write = BatchWriter.prototype.write;
  BatchWriter.prototype.write = function (...args) {
    this.options.inFlightPerPartition = 1;
    return write.apply(this, args);
  };
}
