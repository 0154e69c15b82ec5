import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { databaseMegabytes, fillAzurite, measureSaveStall, waitForSave } from '../test/scripts/emulator/azurite-save.js';
import { ROOT, RunningEmulator, temporaryStorageDir } from '../test/scripts/emulator/running-emulator.js';

/**
 * The load balancer while Azurite saves a large database: `npm start -- --instances 1` with
 * `--rows` rows in its Azurite (a long chat history), one row changed so that LokiJS writes the
 * whole database, and meanwhile a request to Azurite and a `/healthz` through the balancer every
 * 10 ms. Prints the slowest of each per save. `--baseline DIR`: another checkout of this
 * repository (built, with node_modules), e.g. the commit before a change, measured in the same run,
 * emulators alternating.
 * Usage: npx tsx bench/emulator-save.bench.ts [--rows 20000 --saves 3 --baseline DIR]
 */
const { values } = parseArgs({ options: { rows: { type: 'string', default: '20000' }, saves: { type: 'string', default: '3' }, baseline: { type: 'string' } } });
const rows = Number(values.rows);
const saves = Number(values.saves);
if (!Number.isInteger(rows) || rows < 100 || !Number.isInteger(saves) || saves < 1) throw new Error('--rows: a whole number from 100, --saves: from 1');
const checkouts = [...(values.baseline === undefined ? [] : [['baseline', resolve(values.baseline)]]), ['this checkout', ROOT]] as const;

const load = () => loadavg()[0]!.toFixed(1);

for (const [name, root] of checkouts) {
  const storageDir = temporaryStorageDir();
  const emulator = await RunningEmulator.startFrom(root, ['--instances', '1', '--fresh'], storageDir);
  try {
    await emulator.waitFor(/^emulator: chat at /, 120_000);
    const filling = performance.now();
    await fillAzurite(emulator.storagePort, rows);
    await waitForSave(storageDir);
    console.log(`${name}: ${rows} rows stored in ${((performance.now() - filling) / 1000).toFixed(1)} s, database ${databaseMegabytes(storageDir).toFixed(1)} MB`);
    for (let save = 1; save <= saves; save++) {
      const stall = await measureSaveStall(emulator.url, emulator.storagePort, storageDir);
      console.log(`${name}: save ${save}: slowest Azurite answer ${stall.azuriteMs.toFixed(0)} ms, slowest /healthz through the balancer ${stall.balancerMs.toFixed(0)} ms (load average ${load()})`);
    }
  } finally {
    await emulator.kill();
    rmSync(storageDir, { recursive: true, force: true });
  }
}
