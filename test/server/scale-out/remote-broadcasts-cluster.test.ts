import assert from 'node:assert/strict';
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { after, it } from 'node:test';
import { setupPrimary } from '@socket.io/cluster-adapter';

/**
 * The emulator's instances are cluster workers joined by @socket.io/cluster-adapter (no Redis):
 * the recent-history cache of each relies on hearing the others' broadcasts through it, as with
 * Redis (remote-broadcasts.test.ts). Two real workers (fixtures/broadcast-worker.ts), this process
 * their primary, as scripts/emulator/instances.ts sets it up.
 */

const WORKER = fileURLToPath(new URL('./fixtures/broadcast-worker.ts', import.meta.url));
const workers: Worker[] = [];
const heard = new Map<Worker, unknown[]>();

after(() => {
  for (const worker of workers) worker.process.kill('SIGKILL');
});

function fork(): Promise<{ worker: Worker; unwatchable: number }> {
  const worker = cluster.fork();
  workers.push(worker);
  heard.set(worker, []);
  // One listener for everything: the adapter's own messages come in bursts, emitted in one tick,
  // so awaiting `once` per message would miss the one after.
  return new Promise((resolve) => {
    worker.on('message', (message: { heard?: unknown; ready?: true; unwatchable: number }) => {
      if (message?.heard !== undefined) heard.get(worker)!.push(message.heard);
      if (message?.ready) resolve({ worker, unwatchable: message.unwatchable });
    });
  });
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`within 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it("tells each worker of the other's room broadcasts through the cluster adapter, and not of its own or of server-side events", { timeout: 30_000 }, async () => {
  setupPrimary();
  cluster.setupPrimary({ exec: WORKER, execArgv: ['--import', 'tsx'] });
  const [east, west] = await Promise.all([fork(), fork()]);
  assert.deepEqual([east.unwatchable, west.unwatchable], [0, 0], 'the cluster adapter can be watched');

  east.worker.send({ serverSide: 'not a room broadcast' });
  east.worker.send({ broadcast: 'from east' });
  west.worker.send({ broadcast: 'from west' });
  await until(() => heard.get(east.worker)!.length > 0 && heard.get(west.worker)!.length > 0, 'each worker hears a broadcast of the other');
  // Anything heard late (an own broadcast, the server-side event) would follow the other's: give it the time to.
  await new Promise((resolve) => setTimeout(resolve, 200));

  assert.deepEqual(heard.get(east.worker), [{ event: 'message', payload: { room: 'lobby', text: 'from west' } }]);
  assert.deepEqual(heard.get(west.worker), [{ event: 'message', payload: { room: 'lobby', text: 'from east' } }]);
});
