import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Receiver, startOtlpReceiver } from './receivers.js';
import { leaks } from './secrets.js';
import { type ServerProcess, startServerProcess } from './server-process.js';
import { type ChatTranscript, newMarker, shortChat } from './short-chat.js';

interface KeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string | number };
}
interface JsonSpan {
  name: string;
  traceId: string;
  attributes: KeyValue[];
}
interface ResourceSpans {
  resource: { attributes: KeyValue[] };
  scopeSpans: Array<{ spans: JsonSpan[] }>;
}
interface ResourceMetrics {
  resource: { attributes: KeyValue[] };
  scopeMetrics: Array<{ metrics: Array<{ name: string }> }>;
}

const attribute = (attributes: KeyValue[], key: string) => attributes.find((candidate) => candidate.key === key)?.value.stringValue;

async function chatAgainstCollector(protocol: 'http/json' | 'http/protobuf') {
  const marker = newMarker();
  const collector = await startOtlpReceiver();
  const server = await startServerProcess({
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
    // Proves headers reach the collector; the value is a secret and must not appear in the data.
    OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${marker}header`,
  });
  const transcript = await shortChat(server.url, marker);
  await new Promise((resolve) => setTimeout(resolve, 1200));
  assert.equal(await server.stop(), 0);
  return { marker, collector, server, transcript };
}

describe('export over OTLP/HTTP, JSON', () => {
  let marker: string;
  let collector: Receiver;
  let server: ServerProcess;
  let transcript: ChatTranscript;

  before(async () => {
    ({ marker, collector, server, transcript } = await chatAgainstCollector('http/json'));
  });
  after(() => collector?.close());

  const bodies = (path: string) => collector.requests.filter((request) => request.path === path).map((request) => JSON.parse(request.body.toString('utf8')) as unknown);

  it('sends spans named after the Socket.IO events, with their outcome, from service WorkerRole1 and this instance', () => {
    const batches = bodies('/v1/traces').flatMap((body) => (body as { resourceSpans: ResourceSpans[] }).resourceSpans);
    assert.ok(batches.length > 0, 'no trace export arrived');
    for (const batch of batches) {
      assert.equal(attribute(batch.resource.attributes, 'service.name'), 'WorkerRole1');
      assert.equal(attribute(batch.resource.attributes, 'service.instance.id'), server.instanceId);
    }
    const spans = batches.flatMap((batch) => batch.scopeSpans.flatMap((scope) => scope.spans));
    const sends = spans.filter((span) => span.name === 'socket.io message:send');
    assert.deepEqual(sends.map((span) => attribute(span.attributes, 'chat.outcome')).sort(), ['INVALID_MESSAGE', 'ok', 'ok', 'ok', 'ok']);
    assert.ok(spans.some((span) => span.name === 'GET' || span.name.startsWith('GET ')), 'the HTTP server spans (health probe, polling)');
  });

  it('sends the chat metrics', () => {
    const names = new Set(
      bodies('/v1/metrics').flatMap((body) =>
        (body as { resourceMetrics: ResourceMetrics[] }).resourceMetrics.flatMap((batch) => batch.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.name))),
      ),
    );
    for (const name of ['chat.sockets.connected', 'chat.sessions.live', 'chat.messages.accepted', 'chat.messages.delivered', 'chat.ack.duration', 'chat.events.refused']) {
      assert.ok(names.has(name), `${name} not exported; got ${[...names].join(', ')}`);
    }
  });

  it('sends the headers OTEL_EXPORTER_OTLP_HEADERS names with every export', () => {
    assert.ok(collector.requests.length > 0);
    for (const request of collector.requests) assert.equal(request.authorization, `Bearer ${marker}header`);
  });

  it('sends no message text, nickname, session token or header value in the data', () => {
    assert.deepEqual(leaks(collector.requests, [marker, ...transcript.tokens]), []);
  });
});

describe('export over OTLP/HTTP, protobuf (the default protocol)', () => {
  let marker: string;
  let collector: Receiver;
  let transcript: ChatTranscript;

  before(async () => {
    ({ marker, collector, transcript } = await chatAgainstCollector('http/protobuf'));
  });
  after(() => collector?.close());

  it('posts protobuf traces and metrics to the standard paths', () => {
    const paths = new Set(collector.requests.map((request) => `${request.path} ${request.contentType}`));
    assert.ok(paths.has('/v1/traces application/x-protobuf'), [...paths].join(', '));
    assert.ok(paths.has('/v1/metrics application/x-protobuf'), [...paths].join(', '));
    // Protobuf keeps strings as UTF-8 bytes: the span name is readable in the raw body.
    assert.ok(collector.requests.some((request) => request.body.includes('socket.io message:send')));
  });

  it('sends no message text, nickname or session token', () => {
    assert.deepEqual(leaks(collector.requests, [marker, ...transcript.tokens]), []);
  });
});
