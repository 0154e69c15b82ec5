import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ServerProcess, startServerProcess } from './server-process.js';
import { newMarker, shortChat } from './short-chat.js';

describe('with neither APPLICATIONINSIGHTS_CONNECTION_STRING nor OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let server: ServerProcess;

  before(async () => {
    server = await startServerProcess({ OTEL_METRIC_EXPORT_INTERVAL: '1000' });
    await shortChat(server.url, newMarker());
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.equal(await server.stop(), 0);
  });
  after(() => server?.stop());

  it('opens no connection to anywhere: no exporter, no metadata lookup', () => {
    assert.deepEqual(server.connections(), []);
  });

  it('writes no trace ids into its log lines', () => {
    assert.ok(server.stdout().includes('"msg":"session started"'));
    assert.ok(!server.stdout().includes('trace_id'));
  });
});
