import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../scripts/emulator/free-port.js';
import { type Backend, LoadBalancer } from '../scripts/emulator/load-balancer.js';
import { profilingFlags } from '../scripts/emulator/profiling-flags.js';

/**
 * The fair peer of chatapp through the emulator with Redis: bare Socket.IO
 * (server-under-test.ts) in `--instances` processes joined by the Redis streams adapter on the
 * same Redis, behind the emulator's own load balancer (sourceIP, as the csdef asks), which hands
 * each connection to a process as it does to chatapp's instances. Prints
 * `fair peer: listening on <port>, instances <pid> <pid>` once every process listens.
 * Started under a profiler (`--cpu-prof --cpu-prof-dir DIR`), it profiles its processes instead,
 * with the probe that exits them normally on "exit" so that the profile gets written.
 * Usage: node --import tsx bench/fair-peer.ts --port P --redis URL [--instances 2]
 */
const { values } = parseArgs({ options: { port: { type: 'string' }, redis: { type: 'string' }, instances: { type: 'string', default: '2' } } });
if (values.port === undefined || values.redis === undefined) {
  console.error('usage: node --import tsx bench/fair-peer.ts --port P --redis URL [--instances N]');
  process.exit(2);
}
const instances = Number(values.instances);
const listening: Backend[] = [];
const profiling = profilingFlags(process.execArgv);
const probe = profiling.length === 0 ? [] : ['--import', fileURLToPath(new URL('./lib/heap-probe.ts', import.meta.url)), ...profiling];

// Each process accepts on its own port besides what the balancer hands it, as the emulator's instances do.
cluster.schedulingPolicy = cluster.SCHED_NONE;
for (let i = 0; i < instances; i += 1) {
  const args = ['--port', String(await freePort()), '--redis', values.redis];
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./server-under-test.ts', import.meta.url)), execArgv: ['--import', 'tsx', ...probe], args });
  cluster.fork();
}
const balancer = new LoadBalancer({ distribution: 'sourceIP', inRotation: () => listening, log: (line) => console.log(line) });
cluster.on('listening', (worker) => {
  listening.push({ id: String(worker.id), worker });
  if (listening.length < instances) return;
  void balancer.listen(Number(values.port)).then((port) => {
    console.log(`fair peer: listening on ${port}, instances ${listening.map((backend) => backend.worker!.process.pid).join(' ')}`);
  });
});
cluster.on('exit', (worker, code, signal) => {
  console.error(`fair peer: instance pid ${worker.process.pid} exited (${signal ?? code})`);
  process.exit(1);
});
process.once('SIGTERM', () => {
  cluster.removeAllListeners('exit');
  if (profiling.length === 0) {
    for (const backend of listening) backend.worker?.process.kill('SIGKILL');
    process.exit(0);
  }
  for (const backend of listening) backend.worker?.send('exit');
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
});
