import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { developmentStorageConnectionString } from '../scripts/emulator/development-storage.js';
import { freePort } from '../scripts/emulator/free-port.js';
import type { LoopDelay } from './lib/heap-probe.js';
import { type ServerProcess, profileServersInto, startChatapp } from './lib/servers.js';
import { storedPathRows, type Window } from './lib/stored-path-report.js';

/**
 * What the emulator costs beside the role alone: `npm start -- --instances 1` (the load balancer,
 * the session registry it hosts and the cluster adapter's relay, around one instance) against
 * `npm run serve` (the role alone) pointed at the same Azurite, the one inside the emulator. Each
 * pass measures both under the same load: CPU per delivery of every process involved, and the
 * latency from send to delivery. Linux only (CPU time from /proc).
 * `--setups memory,serve` instead compares the role with in-memory history (no storage) against
 * the same role storing every message in that Azurite: what a stored message costs.
 * `--trace DIR` (with --setups memory,serve) timestamps each stored message's path in the role and
 * in Azurite (lib/stored-path-trace.mjs) and prints where each storage pass's time went.
 * `live` is a bench-only variant of `serve`: every message delivered live at once and acked once
 * stored (lib/stored-path-variant.mjs), to weigh that policy against the product's. `serial`
 * is another: one history transaction in flight per room, as before the writer kept a few
 * (the same preload). More than
 * two setups are compared each with the first, in an order that rotates from pass to pass.
 * `--pin role=0,emulator=1,generator=1` keeps storage off the role's core: each process on its CPU
 * (taskset, every thread), the same for every setup. Not a default: the other processes of the
 * machine still run anywhere.
 * Usage: npm run bench:emulator [-- --clients 200 --rate 10000 --seconds 10 --passes 2 --setups serve,emulator --cpu-prof DIR --trace DIR --pin role=0,emulator=1,generator=1]
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
/** `--pin role=0,emulator=1,generator=1`: the CPU each of them runs on. */
const pin = args.get('pin') === undefined ? undefined : parsePinning(args.get('pin')!);
function parsePinning(layout: string): Record<'role' | 'emulator' | 'generator', number> {
  const cpus = Object.fromEntries(layout.split(',').map((part) => part.split('=') as [string, string]).map(([name, cpu]) => [name, Number(cpu)]));
  for (const name of ['role', 'emulator', 'generator']) {
    if (!Number.isInteger(cpus[name])) throw new Error(`--pin: role=CPU,emulator=CPU,generator=CPU (got ${layout})`);
  }
  return cpus as Record<'role' | 'emulator' | 'generator', number>;
}
const clients = Number(args.get('clients') ?? 200);
const deliveriesPerSecond = Number(args.get('rate') ?? 10_000);
const seconds = Number(args.get('seconds') ?? 10);
const passes = Number(args.get('passes') ?? 2);
const SETUPS = {
  memory: 'npm run serve, in-memory history',
  serve: 'npm run serve + Azurite',
  live: 'npm run serve + Azurite, live at once (bench-only)',
  serial: 'npm run serve + Azurite, one transaction in flight per room (bench-only)',
  emulator: 'npm start -- --instances 1',
} as const;
type Setup = keyof typeof SETUPS;
const setups = (args.get('setups') ?? 'serve,emulator').split(',') as Setup[];
if (setups.length < 2 || setups.some((setup) => !(setup in SETUPS))) throw new Error(`--setups: two or more of ${Object.keys(SETUPS).join(', ')}`);
const [baseSetup] = setups as [Setup];
// The role started alone (memory, serve) writes a V8 CPU profile there.
const profileDir = args.get('cpu-prof');
if (profileDir !== undefined) profileServersInto(resolve(profileDir));
const traceDir = args.get('trace') === undefined ? undefined : resolve(args.get('trace')!);
if (traceDir !== undefined) mkdirSync(traceDir, { recursive: true });
const TRACE_PRELOAD = fileURLToPath(new URL('./lib/stored-path-trace.mjs', import.meta.url));
/** The bench-only variants of `serve`: the same role with a preload that changes one thing. */
const VARIANT_PRELOAD = fileURLToPath(new URL('./lib/stored-path-variant.mjs', import.meta.url));
const VARIANTS: readonly Setup[] = ['live', 'serial'];
/** Loads the tracing preload into a process started with this environment. */
const traceEnvironment: Record<string, string> =
  traceDir === undefined ? {} : { NODE_OPTIONS: `--import ${TRACE_PRELOAD}`, STORED_PATH_TRACE_DIR: traceDir };
const warmUpSeconds = 3;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLOCK_TICKS_PER_SECOND = 100;
/** The same for both: the Local cscfg says debug, which logs every message. */
const LOG_LEVEL = 'info';

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // utime and stime, fields 14 and 15 of the whole line (11 and 12 after the command name).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => fail(`no line matching ${pattern} within ${timeoutMs} ms`), timeoutMs);
    // An emulator that exits before the line (a bad service model, a port taken) says so at once.
    const onExit = (code: number | null) => fail(`the emulator exited with ${code} before a line matching ${pattern}`);
    const stop = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.stdout?.resume();
    };
    function fail(reason: string) {
      stop();
      reject(new Error(`${reason}; output:\n${buffered.slice(-2000)}`));
    }
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = buffered.match(pattern);
      if (!match) return;
      stop();
      resolve(match);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

interface Emulator {
  child: ChildProcess;
  port: number;
  storagePort: number;
  workerPid: number;
}

async function startEmulator(storageDir: string): Promise<Emulator> {
  const [port, storagePort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    // Compiled, as `npm start` runs it: Azurite's thread then starts from a file, which --trace's preload reaches.
    ['scripts/emulator/compiled.mjs', '--instances', '1', '--fresh', '--port', String(port),
      '--storage-port', String(storagePort), '--storage-dir', storageDir, '--pid-file', join(storageDir, 'emulator.pid'),
      '--setting', `LOG_LEVEL=${LOG_LEVEL}`],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...traceEnvironment } },
  );
  const started = waitForLine(child, /started \(pid (\d+), port \d+\)/);
  await waitForLine(child, /^emulator: chat at /m);
  return { child, port, storagePort, workerPid: Number((await started)[1]) };
}

/** The role alone (with the event loop probe); with its history in the emulator's Azurite unless `storagePort` is undefined. */
function startServe(storagePort: number | undefined, variant: Setup | undefined): Promise<ServerProcess> {
  const preloads = [...(traceDir === undefined ? [] : [TRACE_PRELOAD]), ...(variant === undefined ? [] : [VARIANT_PRELOAD])];
  return startChatapp({
    LOG_LEVEL,
    ...traceEnvironment,
    ...(variant === undefined ? {} : { STORED_PATH_VARIANT: variant }),
    ...(preloads.length === 0 ? {} : { NODE_OPTIONS: preloads.map((preload) => `--import ${preload}`).join(' ') }),
    ...(storagePort === undefined ? {} : { STORAGE_CONNECTION_STRING: developmentStorageConnectionString(storagePort) }),
  });
}

/** Every thread of `pid` onto `cpu`. */
function pinTo(pid: number, cpu: number): void {
  const pinned = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { encoding: 'utf8' });
  if (pinned.status !== 0) throw new Error(`taskset could not pin ${pid} to CPU ${cpu}: ${pinned.stderr || pinned.error?.message}`);
}

function connect(port: number): Promise<Socket> {
  const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

let room = 0;

/** `clients` sockets in one room; messages from each in turn, at the rate that gives `deliveriesPerSecond`. */
async function load(port: number, pids: Record<string, number>, loopDelay: () => Promise<LoopDelay | undefined> = async () => undefined) {
  const roomName = `bench${room++}`;
  const sockets: Socket[] = [];
  for (let i = 0; i < clients; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, clients - i) }, () => connect(port)));
    await Promise.all(batch.map((socket, j) => socket.emitWithAck('session:start', { nickname: `${roomName}u${i + j}` })));
    await Promise.all(batch.map((socket) => socket.emitWithAck('room:join', { room: roomName })));
    sockets.push(...batch);
  }
  let latencies: number[] = [];
  let recording = false;
  for (const socket of sockets) {
    socket.on('message', (message: { text: string }) => {
      if (recording) latencies.push(performance.now() - Number(message.text));
    });
  }
  const sendEveryMs = (1000 * clients) / deliveriesPerSecond;
  let sent = 0;
  let failed = 0;
  const run = async (durationMs: number) => {
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < durationMs) {
      const due = start + n * sendEveryMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const sender = sockets[sent++ % sockets.length]!;
      n += 1;
      void sender
        .timeout(10_000)
        .emitWithAck('message:send', { room: roomName, text: String(performance.now()), clientId: `c${sent}` })
        .then((ack: { ok: boolean }) => ack.ok || (failed += 1), () => (failed += 1));
    }
  };
  await run(warmUpSeconds * 1000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  latencies = [];
  recording = true;
  await loopDelay();
  const cpuBefore = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
  const started = performance.now();
  const window = { start: performance.timeOrigin + started, end: 0 };
  await run(seconds * 1000);
  // Deliveries still on their way count too.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const cpu = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid) - cpuBefore[name]!]));
  const elapsed = (performance.now() - started) / 1000;
  window.end = performance.timeOrigin + performance.now();
  const loop = await loopDelay();
  recording = false;
  for (const socket of sockets) socket.close();
  const sorted = Float64Array.from(latencies).sort();
  const deliveries = sorted.length;
  const totalCpu = Object.values(cpu).reduce((a, b) => a + b, 0);
  return {
    deliveries,
    deliveriesPerSecond: deliveries / elapsed,
    failed,
    cpuUsPerDelivery: (totalCpu * 1000) / deliveries,
    perProcess: Object.fromEntries(Object.entries(cpu).map(([name, ms]) => [name, (ms * 1000) / deliveries])),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    loop,
    window,
  };
}

console.log(
  `${clients} clients in one room (websocket), ${deliveriesPerSecond} deliveries/s for ${seconds} s after ${warmUpSeconds} s of warm-up, ` +
    `${passes} passes, Node ${process.version}, LOG_LEVEL=${LOG_LEVEL}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
);
const storageDir = mkdtempSync(join(tmpdir(), 'chatapp-bench-emulator-'));
const emulator = await startEmulator(storageDir);
if (pin) {
  pinTo(emulator.child.pid!, pin.emulator);
  pinTo(process.pid, pin.generator);
  console.log(`pinned: the role on CPU ${pin.role}, the emulator (Azurite) on CPU ${pin.emulator}, the load generator on CPU ${pin.generator}`);
}
const rows: Record<string, string | number>[] = [];
const ratios: { setup: Setup; cpu: number; instanceCpu: number; p99: number }[] = [];
const traced: { pass: number; setup: Setup; rolePid: number; window: Window }[] = [];
try {
  for (let pass = 1; pass <= passes; pass++) {
    // Alternate which goes first, so that neither always meets a warmer Azurite.
    const shift = (pass - 1) % setups.length;
    const order = [...setups.slice(shift), ...setups.slice(0, shift)];
    const results: Partial<Record<Setup, Awaited<ReturnType<typeof load>>>> = {};
    for (const kind of order) {
      if (kind === 'emulator') {
        if (pin) pinTo(emulator.workerPid, pin.role);
        results[kind] = await load(emulator.port, { 'emulator (balancer, registry, Azurite)': emulator.child.pid!, instance: emulator.workerPid });
      } else {
        const serve = await startServe(kind === 'memory' ? undefined : emulator.storagePort, VARIANTS.includes(kind) ? kind : undefined);
        if (pin) pinTo(serve.pid, pin.role);
        results[kind] = await load(serve.port, { 'emulator (Azurite only)': emulator.child.pid!, instance: serve.pid }, serve.loopDelay);
        await serve.stop();
        if (kind !== 'memory') traced.push({ pass, setup: kind, rolePid: serve.pid, window: results[kind]!.window });
      }
      const result = results[kind]!;
      rows.push({
        pass,
        setup: SETUPS[kind],
        'deliveries/s': Math.round(result.deliveriesPerSecond),
        'CPU µs/delivery': result.cpuUsPerDelivery.toFixed(1),
        'of which': Object.entries(result.perProcess).map(([name, us]) => `${name} ${us.toFixed(1)}`).join(', '),
        'p50 ms': result.p50.toFixed(1),
        'p99 ms': result.p99.toFixed(1),
        // The instance's event loop: a delay here is the instance's own; latency beyond it is the wait for storage.
        'loop p99 / max ms': result.loop ? `${result.loop.p99Ms.toFixed(1)} / ${result.loop.maxMs.toFixed(0)}` : '-',
        'failed acks': result.failed,
      });
    }
    const base = results[baseSetup]!;
    for (const setup of setups.slice(1)) {
      const other = results[setup]!;
      ratios.push({ setup, cpu: other.cpuUsPerDelivery / base.cpuUsPerDelivery, instanceCpu: other.perProcess.instance! / base.perProcess.instance!, p99: other.p99 / base.p99 });
    }
  }
} finally {
  emulator.child.kill('SIGINT');
  await once(emulator.child, 'exit');
  rmSync(storageDir, { recursive: true, force: true });
}
console.table(rows);
if (traceDir !== undefined) {
  for (const { pass, setup, rolePid, window } of traced) {
    console.log(`pass ${pass}, ${SETUPS[setup]}: the stored path over the measured window`);
    console.table(storedPathRows(traceDir, rolePid, window));
  }
}
const spread = (values: number[]) => `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;
const mean = (values: number[]) => (values.reduce((a, b) => a + b, 0) / values.length).toFixed(2);
for (const setup of setups.slice(1)) {
  const of = ratios.filter((r) => r.setup === setup);
  const ratio = `${setup} / ${baseSetup}`;
  console.log(`${ratio}, CPU per delivery:          mean ${mean(of.map((r) => r.cpu))}x (passes ${spread(of.map((r) => r.cpu))})`);
  console.log(`${ratio}, instance CPU per delivery: mean ${mean(of.map((r) => r.instanceCpu))}x (passes ${spread(of.map((r) => r.instanceCpu))})`);
  console.log(`${ratio}, p99 latency:               mean ${mean(of.map((r) => r.p99))}x (passes ${spread(of.map((r) => r.p99))})`);
}
console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
process.exit(0);
