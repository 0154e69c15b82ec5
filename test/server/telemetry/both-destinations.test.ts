import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type IngestionServer, type Receiver, startIngestionServer, startOtlpReceiver } from './receivers.js';
import { startServerProcess } from './server-process.js';
import { newMarker, shortChat } from './short-chat.js';

interface OtlpTraces {
  resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }>;
}
interface OtlpMetrics {
  resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string }> }> }>;
}

/**
 * Application Insights and OTLP at once: the OTLP span processor and metric reader ride on the
 * distribution's SDK, so both destinations must get the same events and the same chat metrics.
 */
describe('with both APPLICATIONINSIGHTS_CONNECTION_STRING and OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let ingestion: IngestionServer;
  let collector: Receiver;

  before(async () => {
    [ingestion, collector] = await Promise.all([startIngestionServer(), startOtlpReceiver()]);
    const server = await startServerProcess({
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${randomUUID()};IngestionEndpoint=${ingestion.url}/;LiveEndpoint=${ingestion.url}/`,
      NODE_EXTRA_CA_CERTS: ingestion.caFile,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_TRACES_SAMPLER: 'always_on',
    });
    await shortChat(server.url, newMarker());
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.equal(await server.stop(), 0);
  });

  after(async () => {
    await Promise.all([ingestion?.close(), collector?.close()]);
  });

  const otlp = <T>(path: string) => collector.requests.filter((request) => request.path === path).map((request) => JSON.parse(request.body.toString('utf8')) as T);

  it('sends each handled event as a request to Application Insights and as a span to the collector', () => {
    const requests = new Set(ingestion.envelopes().filter((envelope) => envelope.data?.baseType === 'RequestData').map((envelope) => envelope.data!.baseData!.name));
    const spans = new Set(otlp<OtlpTraces>('/v1/traces').flatMap((body) => body.resourceSpans.flatMap((batch) => batch.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.name)))));
    for (const name of ['socket.io dm:send', 'socket.io message:send']) {
      assert.ok(requests.has(name), `Application Insights requests: ${[...requests].join(', ')}`);
      assert.ok(spans.has(name), `collector spans: ${[...spans].join(', ')}`);
    }
  });

  it('sends the chat metrics to both', () => {
    const toInsights = new Set(
      ingestion.envelopes().flatMap((envelope) => (envelope.data?.baseType === 'MetricData' ? envelope.data.baseData!.metrics!.map((metric) => metric.name) : [])),
    );
    const toCollector = new Set(otlp<OtlpMetrics>('/v1/metrics').flatMap((body) => body.resourceMetrics.flatMap((batch) => batch.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.name)))));
    for (const name of ['chat.messages.accepted', 'chat.messages.refused', 'chat.ack.duration', 'chat.sockets.connected']) {
      assert.ok(toInsights.has(name), `${name} not sent to Application Insights`);
      assert.ok(toCollector.has(name), `${name} not sent to the collector`);
    }
  });
});
