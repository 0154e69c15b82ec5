import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { startIngestionServer, startOtlpReceiver } from '../test/server/telemetry/receivers.js';

/**
 * What telemetry costs: the same chat server with export off, to Application Insights (a local
 * ingestion endpoint, the distribution's default sampling) and over OTLP/HTTP (every trace
 * sampled), in the same run. Reports server CPU time per delivered message and fan-out latency.
 * Usage: npm run bench:telemetry [-- --clients 50 --messages 1000 --passes 2 --modes off,otlp,otlp-unsampled]
 * `--cpu-prof DIR` writes a CPU profile of each server's measured window into DIR (read it with
 * bench/profile-top.ts). `--baseline DIR` also measures each exporting mode with the server of
 * another checkout of chatapp that has its own node_modules (e.g. `git worktree add DIR <commit>`
 * and `npm ci` there, to compare a dependency change), reported as `<mode> (baseline)`.
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const clients = Number(args.get('clients') ?? 50);
const messages = Number(args.get('messages') ?? 1000);
const passes = Number(args.get('passes') ?? 2);
const warmUp = 30;
const profileDir = args.get('cpu-prof');
const baseline = args.get('baseline');
const here = fileURLToPath(new URL('..', import.meta.url));

const ingestion = await startIngestionServer();
const collector = await startOtlpReceiver();
const connectionsLog = fileURLToPath(new URL(`../.bench-connections-${process.pid}.log`, import.meta.url));

const modes: Record<string, Record<string, string>> = {
  off: {},
  'application-insights': {
    APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${randomUUID()};IngestionEndpoint=${ingestion.url}/;LiveEndpoint=${ingestion.url}/`,
    NODE_EXTRA_CA_CERTS: ingestion.caFile,
  },
  otlp: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
  // Metrics and context propagation without recording spans: what sampling saves.
  'otlp-unsampled': { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_TRACES_SAMPLER: 'always_off' },
};
const requested = (args.get('modes') ?? 'off,application-insights,otlp').split(',');
for (const mode of requested) if (!(mode in modes)) throw new Error(`--modes: unknown mode ${mode}; known: ${Object.keys(modes).join(', ')}`);
if (requested[0] !== 'off') throw new Error('--modes must start with off, the baseline');
const BASELINE_SUFFIX = ' (baseline)';
const chosen = requested.flatMap((mode) => (baseline && mode !== 'off' ? [mode, `${mode}${BASELINE_SUFFIX}`] : [mode]));

async function startServer(mode: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const root = mode.endsWith(BASELINE_SUFFIX) ? resolve(baseline!) : here;
  // The connection recorder keeps the distribution's Azure metadata lookup on this machine.
  const recorder = fileURLToPath(new URL('test/server/telemetry/fixtures/record-connections.mjs', pathToFileURL(`${here}/`)));
  const child = fork(resolve(root, 'bench/telemetry-server.ts'), [], {
    execArgv: ['--import', recorder, '--import', 'tsx'],
    env: {
      PATH: process.env.PATH ?? '',
      TEST_CONNECTIONS_LOG: connectionsLog,
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      ...(profileDir ? { BENCH_CPU_PROFILE: `${profileDir}/${mode.replace(BASELINE_SUFFIX, '-baseline')}-${Date.now()}.cpuprofile` } : {}),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [{ port: number }];
  return { child, port: ready.port };
}

async function cpuOf(child: ChildProcess, request: 'cpu' | 'flush' = 'cpu'): Promise<number> {
  child.send(request);
  const [reply] = (await once(child, 'message')) as [{ cpuMicros: number }];
  return reply.cpuMicros;
}

function connect(port: number): Promise<Socket> {
  const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function measure(mode: string) {
  const { child, port } = await startServer(mode, modes[mode.replace(BASELINE_SUFFIX, '')]!);
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
  for (let n = 0; n < warmUp; n += 1) await broadcast(-1 - n);
  const cpuBefore = await cpuOf(child);
  const latencies: number[] = [];
  for (let n = 0; n < messages; n += 1) latencies.push(await broadcast(n));
  const cpuMicros = (await cpuOf(child, 'flush')) - cpuBefore;
  latencies.sort((a, b) => a - b);
  for (const socket of sockets) socket.close();
  child.kill('SIGKILL');
  await once(child, 'exit');
  return { cpuPerDelivery: cpuMicros / (messages * clients), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

function received(chosenMode: string): number {
  const mode = chosenMode.replace(BASELINE_SUFFIX, '');
  if (mode === 'application-insights') return ingestion.requests.length;
  return mode.startsWith('otlp') ? collector.requests.length : 0;
}

const distro = (root: string) =>
  (JSON.parse(readFileSync(resolve(root, 'node_modules/@azure/monitor-opentelemetry/package.json'), 'utf8')) as { version: string }).version;
console.log(`${clients} clients in one room, ${messages} messages each delivered to all, ${passes} passes, Node ${process.version}`);
console.log(`@azure/monitor-opentelemetry ${distro(here)}${baseline ? `; baseline ${resolve(baseline)}: ${distro(baseline)}` : ''}`);
const results: Record<string, Array<Awaited<ReturnType<typeof measure>>>> = Object.fromEntries(chosen.map((mode) => [mode, []]));
// Modes interleave within each pass so that drift on a shared machine hits them alike.
const exports: Record<string, number> = Object.fromEntries(chosen.map((mode) => [mode, 0]));
for (let pass = 0; pass < passes; pass += 1) {
  for (const mode of chosen) {
    const before = received(mode);
    results[mode]!.push(await measure(mode));
    exports[mode]! += received(mode) - before;
  }
}

const range = (values: number[], digits: number) =>
  values.length === 1 ? values[0]!.toFixed(digits) : `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const off = results.off!;
console.table(
  Object.entries(results).map(([mode, runs]) => ({
    export: mode,
    'CPU/delivery (µs)': range(runs.map((run) => run.cpuPerDelivery), 2),
    'CPU vs off': (mean(runs.map((run) => run.cpuPerDelivery)) / mean(off.map((run) => run.cpuPerDelivery))).toFixed(2),
    'CPU ratio per pass': runs.map((run, i) => (run.cpuPerDelivery / off[i]!.cpuPerDelivery).toFixed(2)).join(' '),
    'fan-out p99 (ms)': range(runs.map((run) => run.p99), 1),
    'p99 vs off': (mean(runs.map((run) => run.p99)) / mean(off.map((run) => run.p99))).toFixed(2),
    'export requests': exports[mode],
  })),
);
await Promise.all([ingestion.close(), collector.close()]);
rmSync(connectionsLog, { force: true });
process.exit(0);
