import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { foldPerfRecording, PERF_FREQUENCY, PERF_NODE_FLAGS, startPerfRecord } from './lib/perf-record.js';
import { startTelemetryDestinations } from './telemetry-destinations.js';

/**
 * What telemetry costs: the same chat server with export off, to Application Insights (a local
 * ingestion endpoint, the distribution's default sampling) and over OTLP/HTTP (every trace
 * sampled), all running at once, messages sent to each in turn. Reports server CPU time per
 * delivered message (and its user part) and fan-out latency, with the machine's load average.
 * Usage: npm run bench:telemetry [-- --clients 50 --messages 1000 --passes 2 --modes off,off-twin,application-insights,otlp]
 * `--warm-up N` sends each server N messages before the measured window (30 by default).
 * `--burst B` sends each server B messages in a row before the next server's turn (1 by default).
 * `--idle S` also reads each server's CPU over S seconds with its clients connected and no traffic
 * (what it spends per second whatever the load: timers, export, live metrics).
 * `--cpu-prof DIR` writes a CPU profile of each server's measured window into DIR (read it with
 * bench/profile-top.ts). `--perf DIR` samples every server's measured window with Linux perf, as
 * root (native frames too: V8's builtins and compiler threads, libuv, the kernel) into
 * DIR/pass-N.data, folded into DIR/pass-N.folded beside DIR/pass-N.json (which pid is which mode);
 * read them with bench/telemetry-perf-top.ts. Keep DIR out of the repository (/dev/shm).
 * `--baseline DIR` also measures each exporting mode with the server of another checkout of
 * chatapp that has its own node_modules (e.g. `git worktree add DIR <commit>` and `npm ci` there,
 * to compare a dependency change), reported as `<mode> (baseline)`.
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const clients = Number(args.get('clients') ?? 50);
const messages = Number(args.get('messages') ?? 1000);
const passes = Number(args.get('passes') ?? 2);
// Messages to each server before the window: V8 compiles what runs often with its optimising
// tiers only after many calls, and telemetry's code runs once per event, not per delivery.
const warmUp = Number(args.get('warm-up') ?? 30);
const burst = Number(args.get('burst') ?? 1);
const idleSeconds = Number(args.get('idle') ?? 0);
const profileDir = args.get('cpu-prof');
const perfDir = args.get('perf');
const baseline = args.get('baseline');
const here = fileURLToPath(new URL('..', import.meta.url));

const BASELINE_SUFFIX = ' (baseline)';
const { ingestion, collector, connectionsLog, modes, close } = await startTelemetryDestinations();
const requested = (args.get('modes') ?? 'off,application-insights,otlp').split(',');
// `MODE@FLAGS` runs MODE's server with Node flags of its own (space-separated after the @), beside MODE itself.
const baseMode = (mode: string) => mode.replace(BASELINE_SUFFIX, '').split('@')[0]!;
const modeEnv = (mode: string): Record<string, string> => {
  const [name, flags] = mode.replace(BASELINE_SUFFIX, '').split('@');
  const env = modes[name!]!;
  return flags ? { ...env, BENCH_NODE_FLAGS: [env.BENCH_NODE_FLAGS, flags].filter(Boolean).join(' ') } : env;
};
for (const mode of requested) if (!(baseMode(mode) in modes)) throw new Error(`--modes: unknown mode ${mode}; known: ${Object.keys(modes).join(', ')}`);
if (baseMode(requested[0]!) !== 'off') throw new Error('--modes must start with off, the baseline');
const exporting = (mode: string) => !mode.startsWith('off') && mode !== 'context-only' && !mode.startsWith('sdk-');
const chosen = requested.flatMap((mode) => (baseline && exporting(mode) ? [mode, `${mode}${BASELINE_SUFFIX}`] : [mode]));

async function startServer(mode: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const root = mode.endsWith(BASELINE_SUFFIX) ? resolve(baseline!) : here;
  // The connection recorder keeps the distribution's Azure metadata lookup on this machine.
  const recorder = fileURLToPath(new URL('test/server/telemetry/fixtures/record-connections.mjs', pathToFileURL(`${here}/`)));
  // A mode's BENCH_NODE_FLAGS go to its server's Node (e.g. --no-async-context-frame on Node 24).
  // `--node-flags '...'` go to every server (e.g. --log-deopt --logfile=DIR/v8-%p.log).
  const nodeFlags = [...(env.BENCH_NODE_FLAGS?.split(' ') ?? []), ...(args.get('node-flags')?.split(' ') ?? []), ...(perfDir ? PERF_NODE_FLAGS : [])];
  const child = fork(resolve(root, 'bench/telemetry-server.ts'), [], {
    execArgv: [...nodeFlags, '--import', recorder, '--import', 'tsx'],
    env: {
      PATH: process.env.PATH ?? '',
      TEST_CONNECTIONS_LOG: connectionsLog,
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      ...(profileDir ? { BENCH_CPU_PROFILE: `${profileDir}/${mode.replace(BASELINE_SUFFIX, '-baseline').replace(/[^\w.-]+/g, '_')}-${Date.now()}.cpuprofile` } : {}),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [{ port: number }];
  if (nodeFlags.length > 0) console.log(`${mode}: pid ${child.pid}, ${nodeFlags.join(' ')}`);
  return { child, port: ready.port };
}

/** The server's CPU so far; a baseline checkout's server that predates `userMicros` and `mainMicros` sends the total only. */
async function cpuOf(child: ChildProcess, request: 'cpu' | 'flush' = 'cpu'): Promise<{ cpuMicros: number; userMicros: number; mainMicros: number; gcMicros: number; heapUsed: number }> {
  child.send(request);
  const [reply] = (await once(child, 'message')) as [{ cpuMicros: number; userMicros?: number; mainMicros?: number; gcMicros?: number; heapUsed?: number }];
  return {
    cpuMicros: reply.cpuMicros,
    userMicros: reply.userMicros ?? Number.NaN,
    mainMicros: reply.mainMicros ?? Number.NaN,
    gcMicros: reply.gcMicros ?? Number.NaN,
    heapUsed: reply.heapUsed ?? Number.NaN,
  };
}

function connect(port: number): Promise<Socket> {
  const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

interface Server {
  mode: string;
  child: ChildProcess;
  broadcast(n: number): Promise<number>;
}

/** One server with its clients connected, a session each, all in one room. */
async function open(mode: string): Promise<Server> {
  const { child, port } = await startServer(mode, modeEnv(mode));
  const sockets = await Promise.all(Array.from({ length: clients }, () => connect(port)));
  await Promise.all(sockets.map((socket, i) => socket.emitWithAck('session:start', { nickname: `user${i}` })));
  await Promise.all(sockets.map((socket) => socket.emitWithAck('room:join', { room: 'lobby' })));
  const sender = sockets[0]!;
  const broadcast = async (n: number) => {
    const sentAt = performance.now();
    const everyone = Promise.all(sockets.map((socket) => new Promise((resolve) => socket.once('message', resolve))));
    await sender.emitWithAck('message:send', { room: 'lobby', text: `message ${n}`, clientId: `c${n}` });
    await everyone;
    return performance.now() - sentAt;
  };
  child.once('exit', () => sockets.forEach((socket) => socket.close()));
  return { mode, child, broadcast };
}

/**
 * Every mode's server runs at once and the messages go to them in turn, one round each, so that
 * the other sessions' load on this shared machine falls on every mode alike, message by message.
 */
async function measure(chosenModes: string[], pass: number) {
  const servers: Server[] = [];
  for (const mode of chosenModes) servers.push(await open(mode));
  // Each round starts with the next server, so no mode always answers first or last.
  // A turn is `--burst` messages in a row to one server (1 by default): with more, a server's
  // caches stay warm through its turn instead of the other servers' work evicting them each message.
  const rounds = async (count: number, each: (server: number, n: number) => Promise<void>) => {
    for (let n = 0; n < count; n += burst)
      for (let k = 0; k < servers.length; k += 1) for (let m = n; m < Math.min(count, n + burst); m += 1) await each((n / burst + k) % servers.length, m);
  };
  await rounds(warmUp, async (i, n) => void (await servers[i]!.broadcast(-1 - n)));
  // The warm-up's garbage collected and its code compiled before the idle window opens.
  if (idleSeconds > 0) await new Promise((resolve) => setTimeout(resolve, 5000));
  const idleStart = await Promise.all(servers.map((server) => cpuOf(server.child)));
  if (idleSeconds > 0) await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const perf = perfDir ? await startPerfRecord(servers.map((server) => server.child.pid!), `${perfDir}/pass-${pass}.data`) : undefined;
  const idleEnd = await Promise.all(servers.map((server) => cpuOf(server.child)));
  const before = idleEnd;
  const started = performance.now();
  const latencies = servers.map((): number[] => []);
  await rounds(messages, async (i, n) => void latencies[i]!.push(await servers[i]!.broadcast(n)));
  const after = await Promise.all(servers.map((server) => cpuOf(server.child, 'flush')));
  const seconds = (performance.now() - started) / 1000;
  await perf?.stop();
  for (const server of servers) {
    server.child.kill('SIGKILL');
    await once(server.child, 'exit');
  }
  const deliveries = messages * clients;
  if (perfDir) {
    const pids = servers.map((server) => server.child.pid!);
    writeFileSync(`${perfDir}/pass-${pass}.folded`, await foldPerfRecording(`${perfDir}/pass-${pass}.data`, pids));
    const modesByPid = Object.fromEntries(servers.map((server, i) => [pids[i], { mode: server.mode, cpuMicros: after[i]!.cpuMicros - before[i]!.cpuMicros }]));
    writeFileSync(`${perfDir}/pass-${pass}.json`, JSON.stringify({ deliveries, frequency: PERF_FREQUENCY, pids: modesByPid, loadavg: loadavg() }));
  }
  return servers.map((server, i) => {
    const sorted = latencies[i]!.sort((a, b) => a - b);
    return {
      mode: server.mode,
      cpuPerDelivery: (after[i]!.cpuMicros - before[i]!.cpuMicros) / deliveries,
      userPerDelivery: (after[i]!.userMicros - before[i]!.userMicros) / deliveries,
      mainPerDelivery: (after[i]!.mainMicros - before[i]!.mainMicros) / deliveries,
      gcPerDelivery: (after[i]!.gcMicros - before[i]!.gcMicros) / deliveries,
      heapMegabytes: before[i]!.heapUsed / 1e6,
      idleMillisPerSecond: (idleEnd[i]!.cpuMicros - idleStart[i]!.cpuMicros) / 1000 / idleSeconds,
      // Less what the server would have spent idle over the window: the part that comes with the traffic.
      busyPerDelivery: idleSeconds > 0 ? (after[i]!.cpuMicros - before[i]!.cpuMicros - ((idleEnd[i]!.cpuMicros - idleStart[i]!.cpuMicros) / idleSeconds) * seconds) / deliveries : Number.NaN,
      deliveriesPerSecond: deliveries / seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  });
}

const distro = (root: string) =>
  (JSON.parse(readFileSync(resolve(root, 'node_modules/@azure/monitor-opentelemetry/package.json'), 'utf8')) as { version: string }).version;
console.log(`${clients} clients in one room, ${messages} messages each delivered to all after ${warmUp} to warm up, ${burst} at a time per server, ${passes} passes, Node ${process.version}`);
console.log(`load average at start: ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
console.log(`@azure/monitor-opentelemetry ${distro(here)}${baseline ? `; baseline ${resolve(baseline)}: ${distro(baseline)}` : ''}`);
const results: Record<string, Array<Awaited<ReturnType<typeof measure>>[number]>> = Object.fromEntries(chosen.map((mode) => [mode, []]));
for (let pass = 0; pass < passes; pass += 1) for (const result of await measure(chosen, pass)) results[result.mode]!.push(result);

const range = (values: number[], digits: number) =>
  values.length === 1 ? values[0]!.toFixed(digits) : `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const off = results.off!;
const perPass = (runs: typeof off) => runs.map((run, i) => run.cpuPerDelivery / off[i]!.cpuPerDelivery);
console.table(
  Object.entries(results).map(([mode, runs]) => ({
    export: mode,
    'CPU/delivery (µs)': range(runs.map((run) => run.cpuPerDelivery), 2),
    'CPU vs off': (mean(runs.map((run) => run.cpuPerDelivery)) / mean(off.map((run) => run.cpuPerDelivery))).toFixed(2),
    'CPU ratio per pass': perPass(runs).map((ratio) => ratio.toFixed(2)).join(' '),
    'median ratio': median(perPass(runs)).toFixed(2),
    // The kernel's part (socket writes to 50 clients) is the same work in every mode but swings with the machine's load.
    'main thread vs off': (mean(runs.map((run) => run.mainPerDelivery)) / mean(off.map((run) => run.mainPerDelivery))).toFixed(2),
    'user CPU vs off': (mean(runs.map((run) => run.userPerDelivery)) / mean(off.map((run) => run.userPerDelivery))).toFixed(2),
    ...(idleSeconds > 0
      ? {
          'idle CPU (ms/s)': range(runs.map((run) => run.idleMillisPerSecond), 1),
          'less idle, vs off': median(runs.map((run, i) => run.busyPerDelivery / off[i]!.busyPerDelivery)).toFixed(2),
        }
      : {}),
    'GC/delivery (µs)': range(runs.map((run) => run.gcPerDelivery), 2),
    'heap (MB)': range(runs.map((run) => run.heapMegabytes), 0),
    'deliveries/s': range(runs.map((run) => run.deliveriesPerSecond), 0),
    'fan-out p99 (ms)': range(runs.map((run) => run.p99), 1),
    'p99 vs off': (mean(runs.map((run) => run.p99)) / mean(off.map((run) => run.p99))).toFixed(2),
  })),
);
console.log(`export requests received: Application Insights ${ingestion.requests.length}, OTLP ${collector.requests.length}`);
console.log(`load average at end: ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
await close();
process.exit(0);
