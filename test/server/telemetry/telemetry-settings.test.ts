import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../WorkerRole1/src/server/config/load-config.js';
import { readFileSync } from 'node:fs';
import { fillConfiguration } from '../../../scripts/publish/fill-configuration.js';
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
        error.message.includes('APPLICATIONINSIGHTS_CONNECTION_STRING: the value is not valid') &&
        !error.message.includes('secret-part'),
    );
  });

  it('rejects gRPC, which the role does not ship, naming the setting', () => {
    assert.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), /OTEL_EXPORTER_OTLP_PROTOCOL "grpc" is not valid: expected http\/protobuf or http\/json/);
  });

  it('rejects an OTLP endpoint that is not an http(s) URL', () => {
    assert.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }), /OTEL_EXPORTER_OTLP_ENDPOINT "collector:4318" is not valid/);
  });

  it('has publish treat the connection string and the OTLP headers as secrets, and the endpoint as not', () => {
    assert.equal(isSecretSetting('APPLICATIONINSIGHTS_CONNECTION_STRING'), true);
    assert.equal(isSecretSetting('OTEL_EXPORTER_OTLP_HEADERS'), true);
    assert.equal(isSecretSetting('OTEL_EXPORTER_OTLP_ENDPOINT'), false);
  });

  describe('publish', () => {
    const cscfg = readFileSync(new URL('../../../ServiceConfiguration.Cloud.cscfg', import.meta.url), 'utf8');
    const required = { STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', REDIS_URL: 'rediss://:key@cache:6380' };

    it('deploys with telemetry off when no connection string is given', () => {
      const filled = fillConfiguration(cscfg, 'WorkerRole1', required);
      const value = (name: string) => filled.settings.find((setting) => setting.name === name)?.value;
      assert.equal(value('APPLICATIONINSIGHTS_CONNECTION_STRING'), '');
      assert.equal(value('OTEL_EXPORTER_OTLP_HEADERS'), '');
    });

    it('keeps a given connection string among the values it redacts', () => {
      const connectionString = 'InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';
      const filled = fillConfiguration(cscfg, 'WorkerRole1', { ...required, APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString });
      assert.ok(filled.secretValues.includes(connectionString));
    });

    it('refuses a connection string the role would refuse, without showing it', () => {
      assert.throws(
        () => fillConfiguration(cscfg, 'WorkerRole1', { ...required, APPLICATIONINSIGHTS_CONNECTION_STRING: 'hunter2-not-a-connection-string' }),
        (error: unknown) => error instanceof Error && error.message.includes('APPLICATIONINSIGHTS_CONNECTION_STRING:') && !error.message.includes('hunter2'),
      );
    });
  });
});
