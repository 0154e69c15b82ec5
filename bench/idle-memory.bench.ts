import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { freePort } from '../scripts/emulator/free-port.js';
import { childPids, sampleProcess } from './lib/process-stats.js';
import { waitForPort } from './lib/servers.js';

/**
 * Idle memory, read from /proc: the role as `npm run serve` runs it (`node
 * WorkerRole1/dist/server/main.js`, in-memory history, telemetry off) beside the bare Socket.IO
 * peer run the same way (plain `node`, bundled by esbuild first with the role's module it shares,
 * packages left to node_modules, so neither carries a loader); then `npm start`'s whole process
 * tree (npm, the emulator with Azurite on a thread of its own, the role
 * instances) by process. `npm run build` first. Usage: npm run bench:memory [-- --runs 2]
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 2);
// V8 shrinks the young generation that start-up grew after about 10 s idle (its memory reducer).
const SETTLE_MS = 15_000;
const MiB = 1024 * 1024;

function rssOf(pid: number): number {
  return sampleProcess(pid).rssBytes / MiB;
}

function treeOf(pid: number): number[] {
  return [pid, ...childPids(pid).flatMap(treeOf)];
}

function commandOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).map((part) => part.replace(ROOT, '')).join(' ').slice(0, 70);
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

async function idleRss(args: (port: number) => string[], env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, args(port), { cwd: ROOT, env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env }, stdio: 'ignore' });
  try {
    await waitForPort(port, child);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return rssOf(child.pid!);
  } finally {
    await stop(child, 'SIGKILL');
  }
}

async function emulatorTree(instances: number): Promise<Array<{ pid: number; command: string; rss: number }>> {
  const dir = mkdtempSync(join(tmpdir(), 'chatapp-bench-memory-'));
  const [port, storagePort] = [await freePort(), await freePort()];
  const child = spawn('npm', ['start', '--', '--instances', String(instances), '--fresh', '--port', String(port),
    '--storage-port', String(storagePort), '--storage-dir', join(dir, 'azurite'), '--pid-file', join(dir, 'emulator.pid')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  try {
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start was not healthy within 120 s:\n${output.slice(-2000)}`)), 120_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/healthy after/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return treeOf(child.pid!).map((pid) => ({ pid, command: commandOf(pid), rss: rssOf(pid) }));
  } finally {
    // The whole group: npm forwards signals, but the emulator drains on SIGTERM itself.
    process.kill(-child.pid!, 'SIGTERM');
    await once(child, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
}

const range = (values: number[], digits = 1) => `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

console.log(`Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${runs} runs; RSS after ${SETTLE_MS / 1000} s idle`);
const scratch = join(ROOT, '.cache', 'bench');
mkdirSync(scratch, { recursive: true });
const bare = join(scratch, 'bare-peer.mjs');
await build({ entryPoints: [join(ROOT, 'bench/server-under-test.ts')], outfile: bare, format: 'esm', platform: 'node', bundle: true, packages: 'external', logLevel: 'warning' });

const peer: number[] = [];
const role: number[] = [];
for (let run = 0; run < runs; run += 1) {
  peer.push(await idleRss((port) => [bare, '--port', String(port)], {}));
  role.push(await idleRss(() => ['WorkerRole1/dist/server/main.js'], { LOG_LEVEL: 'info', HOST: '127.0.0.1' }));
}
const ratios = role.map((value, i) => value / peer[i]!);
console.table([
  { process: 'bare Socket.IO peer', 'idle RSS (MiB)': `${median(peer).toFixed(1)} (${range(peer)})` },
  { process: 'role (npm run serve)', 'idle RSS (MiB)': `${median(role).toFixed(1)} (${range(role)})` },
  { process: 'role / peer', 'idle RSS (MiB)': `${median(ratios).toFixed(2)}× (${range(ratios, 2)})` },
]);

for (const instances of process.argv.includes("--role-only") ? [] : [1, 2]) {
  const totals: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const tree = await emulatorTree(instances);
    totals.push(tree.reduce((sum, process) => sum + process.rss, 0));
    if (run === 0) console.table(tree.map(({ command, rss }) => ({ command, 'RSS (MiB)': rss.toFixed(1) })));
  }
  console.log(`npm start -- --instances ${instances}: all processes ${median(totals).toFixed(1)} MiB (${range(totals)}) idle`);
}
process.exit(0);
