import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../WorkerRole1/src/server/config/load-config.js';
import { needsCredential } from '../../../WorkerRole1/src/server/identity/credential.js';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
}

const TABLE_ENDPOINT = 'https://chathist.table.core.windows.net';
const CONNECTION_STRING = 'DefaultEndpointsProtocol=https;AccountName=chathist;AccountKey=c2VjcmV0LWtleQ==;EndpointSuffix=core.windows.net';
const CLIENT_ID = '0f2c6a4e-3b1d-4c8e-9a7f-5d6e7f8a9b0c';

describe('settings for running without keys', () => {
  it('defaults to keys: no table endpoint, REDIS_AUTH=key, no Entra ID for telemetry, no credential', () => {
    const config = loadConfig({});
    assert.equal(config.storageTableEndpoint, undefined);
    assert.equal(config.redisAuth, 'key');
    assert.equal(config.appInsightsAuthentication, undefined);
    assert.equal(needsCredential(config), false);
  });

  it('reads STORAGE_TABLE_ENDPOINT without its trailing slash, Azurite path-style URLs included', () => {
    assert.equal(loadConfig({ STORAGE_TABLE_ENDPOINT: `${TABLE_ENDPOINT}/` }).storageTableEndpoint, TABLE_ENDPOINT);
    const azurite = 'https://127.0.0.1:10002/devstoreaccount1';
    assert.equal(loadConfig({ STORAGE_TABLE_ENDPOINT: azurite }).storageTableEndpoint, azurite);
    assert.equal(needsCredential(loadConfig({ STORAGE_TABLE_ENDPOINT: azurite })), true);
  });

  it('refuses a table endpoint that is not an https URL, naming the setting', () => {
    for (const value of ['http://chathist.table.core.windows.net', 'chathist.table.core.windows.net', 'https://']) {
      assert.match(configError({ STORAGE_TABLE_ENDPOINT: value }).message, /STORAGE_TABLE_ENDPOINT ".*" is not valid: .*https:\/\/<account>\.table\.core\.windows\.net/, value);
    }
  });

  it('refuses STORAGE_CONNECTION_STRING and STORAGE_TABLE_ENDPOINT together, naming both and hiding the key', () => {
    const { message } = configError({ STORAGE_CONNECTION_STRING: CONNECTION_STRING, STORAGE_TABLE_ENDPOINT: TABLE_ENDPOINT });
    assert.match(message, /STORAGE_CONNECTION_STRING and STORAGE_TABLE_ENDPOINT are both set/);
    assert.doesNotMatch(message, /c2VjcmV0LWtleQ|AccountKey/);
  });

  it('takes REDIS_AUTH=entra with a password-less REDIS_URL, and then needs a credential', () => {
    const config = loadConfig({ REDIS_URL: 'rediss://chat-redis.westeurope.redis.azure.net:10000', REDIS_AUTH: 'entra' });
    assert.equal(config.redisAuth, 'entra');
    assert.equal(needsCredential(config), true);
    assert.equal(needsCredential(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_AUTH: 'key' })), false);
  });

  it('refuses a REDIS_AUTH other than key or entra, naming the setting', () => {
    assert.match(configError({ REDIS_AUTH: 'aad' }).message, /REDIS_AUTH "aad" is not valid: expected key .* or entra/);
  });

  it('refuses a password or user in REDIS_URL with REDIS_AUTH=entra, naming both settings and hiding the password', () => {
    for (const url of ['rediss://:access-key-secret@chat.redis.azure.net:10000', 'rediss://someone:access-key-secret@chat.redis.azure.net:10000']) {
      const { message } = configError({ REDIS_URL: url, REDIS_AUTH: 'entra' });
      assert.match(message, /REDIS_URL carries a user name or password \(value hidden\), but REDIS_AUTH=entra/);
      assert.doesNotMatch(message, /access-key-secret/);
    }
  });

  it('refuses REDIS_AUTH=entra without REDIS_URL, naming both', () => {
    assert.match(configError({ REDIS_AUTH: 'entra' }).message, /REDIS_AUTH=entra needs REDIS_URL/);
  });

  it('reads APPLICATIONINSIGHTS_AUTHENTICATION_STRING with and without a ClientId', () => {
    assert.deepEqual(loadConfig({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD' }).appInsightsAuthentication, { clientId: undefined });
    assert.deepEqual(
      loadConfig({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `Authorization=AAD;ClientId=${CLIENT_ID.toUpperCase()}` }).appInsightsAuthentication,
      { clientId: CLIENT_ID },
    );
  });

  it('needs a credential for telemetry only when telemetry goes to Application Insights', () => {
    assert.equal(needsCredential(loadConfig({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD' })), false);
    const connectionString = 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';
    assert.equal(needsCredential(loadConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString })), false);
    assert.equal(
      needsCredential(loadConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD' })),
      true,
    );
  });

  it('refuses a malformed authentication string, naming the setting', () => {
    for (const value of ['AAD', 'Authorization=Key', 'Authorization=AAD;ClientId=not-a-guid', 'Authorization=AAD;Secret=x']) {
      assert.match(
        configError({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: value }).message,
        /APPLICATIONINSIGHTS_AUTHENTICATION_STRING ".*" is not valid: expected Authorization=AAD/,
        value,
      );
    }
  });
});
