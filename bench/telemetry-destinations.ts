import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startIngestionServer, startOtlpReceiver } from '../test/server/telemetry/receivers.js';

/**
 * What the telemetry benchmarks export to, on loopback: an Application Insights ingestion stand-in
 * and an OTLP collector stand-in, with the environment that puts a server in each mode. The
 * connections log is where the connection recorder (test/server/telemetry/fixtures) writes.
 */
export async function startTelemetryDestinations() {
  const ingestion = await startIngestionServer();
  const collector = await startOtlpReceiver();
  const connectionsLog = fileURLToPath(new URL(`../.bench-connections-${process.pid}.log`, import.meta.url));
  const appInsights = {
    APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${randomUUID()};IngestionEndpoint=${ingestion.url}/;LiveEndpoint=${ingestion.url}/`,
    NODE_EXTRA_CA_CERTS: ingestion.caFile,
  };
  const modes: Record<string, Record<string, string>> = {
    off: {},
    // A second server with export off: the noise floor, and whether a server's place in the
    // round (off always answers first) biases its figure.
    'off-twin': {},
    'application-insights': appInsights,
    otlp: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
    // Export off, but an AsyncLocalStorage in use, as the context manager of either exporting mode
    // keeps one: what carrying the context through every callback and promise costs by itself.
    'context-only': { BENCH_ASYNC_CONTEXT: '1' },
    // Metrics and context propagation without recording spans: what sampling saves.
    // No export; the SDK's meter provider, its tracer provider (sampling nothing), or both.
    'sdk-meter': { BENCH_SDK_PARTS: 'meter' },
    'sdk-tracer': { BENCH_SDK_PARTS: 'tracer' },
    'sdk-meter-tracer': { BENCH_SDK_PARTS: 'meter,tracer' },
    // Export off, the SDK's (or the distribution's) modules imported and nothing started: what the footprint costs.
    'sdk-loaded': { BENCH_SDK_PARTS: 'loaded' },
    'distro-loaded': { BENCH_SDK_PARTS: 'distro-loaded' },
    // Export off, but a POST a second to a receiver, as an exporter sends.
    'off-https-chatter': { BENCH_CHATTER_URL: ingestion.url, NODE_EXTRA_CA_CERTS: ingestion.caFile },
    'off-http-chatter': { BENCH_CHATTER_URL: collector.url },
    // Export off, but the heap as large as Application Insights leaves it (~70 MB more).
    'off-heap': { BENCH_RETAIN_MB: '70' },
    'sdk-tracer-no-context': { BENCH_SDK_PARTS: 'tracer-no-context' },
    // Node 24 builds AsyncLocalStorage (and so the context manager) on async context frames; without them, on async hooks.
    'application-insights-no-acf': { ...appInsights, BENCH_NODE_FLAGS: '--no-async-context-frame' },
    'otlp-no-acf': { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, BENCH_NODE_FLAGS: '--no-async-context-frame' },
    'off-no-acf': { BENCH_NODE_FLAGS: '--no-async-context-frame' },
    // The distribution started as shipped, with no per-event span or histogram record from chatapp.
    'ai-no-event': { BENCH_SDK_PARTS: 'distro-started', BENCH_AI_CONNECTION_STRING: appInsights.APPLICATIONINSIGHTS_CONNECTION_STRING, NODE_EXTRA_CA_CERTS: ingestion.caFile },
    'otlp-unsampled': { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_TRACES_SAMPLER: 'always_off' },
  };
  return {
    ingestion,
    collector,
    connectionsLog,
    modes,
    async close(): Promise<void> {
      await Promise.all([ingestion.close(), collector.close()]);
      rmSync(connectionsLog, { force: true });
    },
  };
}
