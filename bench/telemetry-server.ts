import { AsyncLocalStorage } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { loadConfig } from '../WorkerRole1/src/server/config/load-config.js';
import { startTelemetry } from '../WorkerRole1/src/server/telemetry/start-telemetry.js';

// BENCH_ASYNC_CONTEXT=1: no telemetry, but an AsyncLocalStorage entered, as OpenTelemetry's
// context manager keeps one (on Node 20 that switches on async hooks for every async resource).
if (process.env.BENCH_ASYNC_CONTEXT) new AsyncLocalStorage().enterWith({});

// BENCH_RETAIN_MB=N: no telemetry, but about N MB of small objects kept alive, as a started SDK
// keeps its modules and state: what a larger heap alone costs the delivery path (GC).
const retained: unknown[] = [];
for (let i = 0; i < Number(process.env.BENCH_RETAIN_MB ?? 0) * 5800; i += 1) retained.push({ id: i, name: `object ${i}`, tags: [i, i + 1] });
Object.assign(globalThis, { benchRetained: retained });

// BENCH_CHATTER_URL=URL: no telemetry, but a gzipped JSON POST over HTTP(S) to URL every second,
// as an exporter sends: whether other traffic through Node's streams slows the delivery path.
const chatter = process.env.BENCH_CHATTER_URL;
if (chatter) {
  const { request } = await import(chatter.startsWith('https:') ? 'node:https' : 'node:http');
  const { gzipSync } = await import('node:zlib');
  setInterval(() => {
    const body = gzipSync(JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ name: 'metric', value: i, tags: { role: 'bench' } }))));
    const post = request(`${chatter}/v2.1/track`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }, (response: import('node:http').IncomingMessage) => response.resume());
    post.on('error', () => {});
    post.end(body);
  }, 1000).unref();
}

// BENCH_SDK_PARTS=meter,tracer: no export, but one part of the SDK started on its own (a meter
// provider with an in-memory reader, and chatapp's instruments bound to it; a tracer provider that
// samples nothing, with its context manager and propagator), to see what each part costs.
const parts = process.env.BENCH_SDK_PARTS?.split(',') ?? [];
if (parts.length > 0) {
  const { api, metrics, node, resources, tracing } = await import('@opentelemetry/sdk-node');
  // Application Insights' distribution loaded (its modules and the Azure SDK's), not started.
  if (parts.includes('distro-loaded')) await import('@azure/monitor-opentelemetry');
  if (parts.includes('meter')) {
    const exporter = new metrics.InMemoryMetricExporter(metrics.AggregationTemporality.DELTA);
    api.metrics.setGlobalMeterProvider(new metrics.MeterProvider({ readers: [new metrics.PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 5000 })] }));
    (await import('../WorkerRole1/src/server/telemetry/instruments.js')).bindInstruments();
  }
  // Application Insights' distribution started as chatapp starts it (same options, same export,
  // live and standard metrics), but chatapp's event wrapper and instruments left on the no-op
  // path: what the per-event spans and the ack histogram cost, by their absence.
  if (parts.includes('distro-started')) {
    const { startAzureMonitor } = await import('../WorkerRole1/src/server/telemetry/azure-monitor.js');
    startAzureMonitor(process.env.BENCH_AI_CONNECTION_STRING!, resources.resourceFromAttributes({ 'service.name': 'WorkerRole1' }), undefined, undefined);
  }
  if (parts.includes('tracer')) new node.NodeTracerProvider({ sampler: new tracing.AlwaysOffSampler(), spanProcessors: [] }).register();
  // The same tracer provider with no context manager: spans made, context never entered.
  if (parts.includes('tracer-no-context')) new node.NodeTracerProvider({ sampler: new tracing.AlwaysOffSampler(), spanProcessors: [] }).register({ contextManager: null });
  // chatapp's event wrapper and log mixin make their OpenTelemetry calls only once telemetry has started.
  if (parts.some((part) => part === 'meter' || part.startsWith('tracer'))) (await import('../WorkerRole1/src/server/telemetry/telemetry-started.js')).markTelemetryStarted();
}
/**
 * The chat server for the telemetry benchmark, alone in its process so its CPU time can be read:
 * telemetry starts from the environment the benchmark gives it (off, Application Insights or
 * OTLP), before the server's modules load, as main.ts does.
 */
const telemetry = await startTelemetry(loadConfig({ ...process.env, LOG_LEVEL: 'silent', INSTANCE_ID: 'bench' }));
const { startChatServer } = await import('../test/helpers/chat-server.js');
const server = await startChatServer({ eventBurst: 1_000_000, eventRatePerSecond: 1000, messageBurst: 1_000_000, messageRatePerSecond: 1000 });

// Time spent in garbage collection, so far (a started SDK keeps more objects alive).
let gcMicros = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMicros += entry.duration * 1000;
}).observe({ entryTypes: ['gc'] });

/** The main thread's own CPU (Node 23.9 and later): without V8's and libuv's helper threads. */
const threadCpuUsage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
/** The process's CPU, its user part (socket writes are kernel time, the same whatever telemetry does) and the main thread's. */
const cpu = () => {
  const { user, system } = process.cpuUsage();
  const thread = threadCpuUsage?.call(process);
  return { cpuMicros: user + system, userMicros: user, mainMicros: thread ? thread.user + thread.system : Number.NaN, gcMicros, heapUsed: process.memoryUsage().heapUsed };
};
// BENCH_CPU_PROFILE=FILE: a CPU profile of the measured window only (start-up left out), flush included.
const profileFile = process.env.BENCH_CPU_PROFILE;
const profiler = new Session();
profiler.connect();
process.on('message', async (request: string) => {
  if (request === 'cpu') {
    if (profileFile) {
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    process.send?.(cpu());
  }
  // The export work of the measured window counts too: flush it before reading the clock.
  if (request === 'flush') {
    await telemetry.shutdown();
    const used = cpu();
    if (profileFile) writeFileSync(profileFile, JSON.stringify((await profiler.post('Profiler.stop')).profile));
    process.send?.(used);
  }
});
process.send?.({ port: server.port, destinations: telemetry.destinations });
