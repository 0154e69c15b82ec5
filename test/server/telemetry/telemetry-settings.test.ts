import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../WorkerRole1/src/server/config/load-config.js';
import { isSecretSetting } from '../../../scripts/publish/secrets.js';

describe('telemetry settings', () => {
  it('leaves telemetry off when neither destination is set, or set to an empty value', () => {
    const config = loadConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: '', OTEL_EXPORTER_OTLP_ENDPOINT: ' ' });
    assert.equal(config.appInsightsConnectionString, undefined);
    assert.equal(config.otlpEndpoint, undefined);
    assert.equal(config.otlpProtocol, 'http/protobuf');
    assert.equal(config.metricExportIntervalMs, 60_000);
  });

  it('rejects a connection string that is not one, without printing it', () => {
    const value = 'https://not-a-connection-string.example/secret-part';
    assert.throws(
      () => loadConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: value }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes('APPLICATIONINSIGHTS_CONNECTION_STRING=(value hidden)') &&
        !error.message.includes('secret-part'),
    );
  });

  it('rejects gRPC, which the role does not ship, naming the setting', () => {
    assert.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), /OTEL_EXPORTER_OTLP_PROTOCOL="grpc": expected http\/protobuf or http\/json/);
  });

  it('rejects an OTLP endpoint that is not an http(s) URL', () => {
    assert.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }), /OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318"/);
  });

  it('has publish treat the connection string and the OTLP headers as secrets, and the endpoint as not', () => {
    assert.equal(isSecretSetting('APPLICATIONINSIGHTS_CONNECTION_STRING'), true);
    assert.equal(isSecretSetting('OTEL_EXPORTER_OTLP_HEADERS'), true);
    assert.equal(isSecretSetting('OTEL_EXPORTER_OTLP_ENDPOINT'), false);
  });
});
