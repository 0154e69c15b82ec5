import { fork } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../WorkerRole1/src/server/config/load-config.js';
import { startTelemetry } from '../WorkerRole1/src/server/telemetry/start-telemetry.js';
import { startTelemetryDestinations } from './telemetry-destinations.js';

/**
 * What telemetry costs per handled event, apart from any socket: each mode's process runs
 * chatapp's event wrapper (`traceEvent`: the span, the ack histogram, the counters) around a
 * handler that does nothing, then flushes the export, and reports CPU per event. Unlike
 * bench:telemetry's fan-out, nothing here waits on a socket, so the other sessions' load on this
 * machine moves it little; the fan-out's cost per delivery is this divided by the room's size,
 * plus whatever the context manager adds to each delivery (bench:telemetry's `context-only`).
 * `--between KB` reads KB of memory between events (the same in every mode), so that each event
 * finds telemetry's code and data evicted from the caches, as in a server between two events.
 * Usage: npx tsx bench/telemetry-events.bench.ts [--events 20000] [--passes 3] [--between 0]
 */
const role = process.env.BENCH_EVENTS_MODE;
if (role !== undefined) {
  const telemetry = await startTelemetry(loadConfig({ ...process.env, LOG_LEVEL: 'silent', INSTANCE_ID: 'bench' }));
  const { traceEvent } = await import('../WorkerRole1/src/server/telemetry/event-span.js');
  const events = Number(process.env.BENCH_EVENTS);
  const handle = async () => undefined;
  // BENCH_BETWEEN_KB: between events, read this much memory (a cache line at a time), as a
  // server's fan-out does between two events: telemetry's code and data then start cold.
  const between = new Uint8Array(Number(process.env.BENCH_BETWEEN_KB ?? 0) * 1024);
  let touched = 0;
  const disturb = () => {
    for (let offset = 0; offset < between.length; offset += 64) touched += between[offset]!;
  };
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  // The same event names and outcomes as a chat: most messages, some joins, a few refusals.
  const run = async (count: number) => {
    for (let i = 0; i < count; i += 1) {
      await traceEvent(i % 10 === 0 ? 'room:join' : 'message:send', i % 50 === 0 ? async () => 'RATE_LIMITED' : handle);
      disturb();
      // Let timers (the export's) run, as the event loop of a server does between events.
      if (i % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await run(2000);
  const started = cpu();
  await run(events);
  await telemetry.shutdown();
  process.send?.({ micros: (cpu() - started) / events, touched });
  process.exit(0);
}

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const events = Number(args.get('events') ?? 20_000);
const passes = Number(args.get('passes') ?? 3);
const betweenKb = args.get('between') ?? '0';
const { connectionsLog, modes, close } = await startTelemetryDestinations();
const measured = ['off', 'application-insights', 'otlp', 'otlp-unsampled'];

async function perEvent(mode: string): Promise<number> {
  const recorder = fileURLToPath(new URL('../test/server/telemetry/fixtures/record-connections.mjs', import.meta.url));
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', recorder, '--import', 'tsx'],
    env: { PATH: process.env.PATH ?? '', TEST_CONNECTIONS_LOG: connectionsLog, OTEL_METRIC_EXPORT_INTERVAL: '5000', BENCH_EVENTS_MODE: mode, BENCH_EVENTS: String(events), BENCH_BETWEEN_KB: betweenKb, ...modes[mode] },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [reply] = (await once(child, 'message')) as [{ micros: number }];
  await once(child, 'exit');
  return reply.micros;
}

console.log(`${events} events per mode, ${betweenKb} KB read between events, ${passes} passes, Node ${process.version}, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
const results: Record<string, number[]> = Object.fromEntries(measured.map((mode) => [mode, []]));
for (let pass = 0; pass < passes; pass += 1) for (const mode of measured) results[mode]!.push(await perEvent(mode));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const off = median(results.off!);
console.table(
  Object.entries(results).map(([mode, runs]) => ({
    export: mode,
    'CPU per event (µs), median': median(runs).toFixed(1),
    'per pass': runs.map((micros) => micros.toFixed(1)).join(' '),
    'beyond off (µs)': (median(runs) - off).toFixed(1),
  })),
);
console.log(`load average at end: ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
await close();
process.exit(0);
