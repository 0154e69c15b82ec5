import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../WorkerRole1/src/server/config/load-config.js';

function configError(env: NodeJS.ProcessEnv, argv: string[] = []): ConfigError {
  try {
    loadConfig(env, argv);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`accepted ${JSON.stringify(env)} ${argv.join(' ')}`);
}

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, undefined);
    assert.deepEqual(config.allowedOrigins, []);
    assert.equal(config.sessionGraceMs, 30_000);
    assert.equal(config.messageRatePerSecond, 5);
    assert.equal(config.messageBurst, 10);
    assert.equal(config.eventRatePerSecond, 20);
    assert.equal(config.eventBurst, 40);
    assert.equal(config.floodDisconnectAfter, 30);
    assert.equal(config.maxPayloadBytes, 32_768);
    assert.ok(config.shutdownTimeoutMs < 10_000, 'shutdown must finish within the 10 s a stopping role gets');
    assert.ok(config.instanceId.length > 0);
  });

  it('reads every setting from the environment, trimmed', () => {
    const config = loadConfig({
      PORT: ' 9001 ',
      HOST: '127.0.0.1',
      INSTANCE_ID: 'role_IN_0',
      LOG_LEVEL: 'warn',
      SESSION_GRACE_MS: '1500',
      MESSAGE_RATE_PER_SECOND: '2.5',
      MESSAGE_BURST: '4',
      EVENT_RATE_PER_SECOND: '10',
      EVENT_BURST: '15',
      FLOOD_DISCONNECT_AFTER: '7',
      MAX_PAYLOAD_BYTES: '16384',
      HISTORY_MAX_PER_ROOM: '500',
      SHUTDOWN_TIMEOUT_MS: '2000',
    });
    assert.equal(config.port, 9001);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.instanceId, 'role_IN_0');
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.sessionGraceMs, 1500);
    assert.equal(config.messageRatePerSecond, 2.5);
    assert.equal(config.messageBurst, 4);
    assert.equal(config.eventRatePerSecond, 10);
    assert.equal(config.eventBurst, 15);
    assert.equal(config.floodDisconnectAfter, 7);
    assert.equal(config.maxPayloadBytes, 16_384);
    assert.equal(config.historyMaxPerRoom, 500);
    assert.equal(config.shutdownTimeoutMs, 2000);
  });

  it('treats a blank value as unset', () => {
    assert.equal(loadConfig({ PORT: '   ', SESSION_GRACE_MS: '' }).port, 8080);
  });

  it('lets --port win over PORT', () => {
    assert.equal(loadConfig({ PORT: '9001' }, ['--port', '9002']).port, 9002);
    assert.equal(loadConfig({}, ['--port=9003']).port, 9003);
  });

  it('normalises ALLOWED_ORIGINS to origins', () => {
    const config = loadConfig({ ALLOWED_ORIGINS: ' https://chat.example.com/ , http://localhost:3000 ,' });
    assert.deepEqual(config.allowedOrigins, ['https://chat.example.com', 'http://localhost:3000']);
  });

  const invalid: Array<[string, NodeJS.ProcessEnv]> = [
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '0' }],
    ['PORT', { PORT: '65536' }],
    ['PORT', { PORT: '80.5' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'chat.example.com' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'ftp://chat.example.com' }],
    ['SESSION_GRACE_MS', { SESSION_GRACE_MS: '-1' }],
    ['MESSAGE_RATE_PER_SECOND', { MESSAGE_RATE_PER_SECOND: '0' }],
    ['MESSAGE_BURST', { MESSAGE_BURST: 'ten' }],
    ['EVENT_BURST', { EVENT_BURST: '0' }],
    ['FLOOD_DISCONNECT_AFTER', { FLOOD_DISCONNECT_AFTER: '0' }],
    ['MAX_PAYLOAD_BYTES', { MAX_PAYLOAD_BYTES: '100' }],
    ['MAX_PAYLOAD_BYTES', { MAX_PAYLOAD_BYTES: '104857600' }],
    ['SHUTDOWN_TIMEOUT_MS', { SHUTDOWN_TIMEOUT_MS: '60000' }],
  ];
  for (const [name, env] of invalid) {
    it(`throws a ConfigError naming ${name} for ${JSON.stringify(env[name])}`, () => {
      const error = configError(env);
      assert.match(error.message, new RegExp(`\\b${name}\\b`));
    });
  }

  it('names every invalid setting at once', () => {
    const error = configError({ PORT: 'abc', LOG_LEVEL: 'loud', MESSAGE_BURST: '-3' });
    for (const name of ['PORT', 'LOG_LEVEL', 'MESSAGE_BURST']) assert.match(error.message, new RegExp(`\\b${name}\\b`));
    assert.doesNotMatch(error.message, /SESSION_GRACE_MS/, 'valid settings are not blamed');
  });

  it('names --port when the flag is the invalid value', () => {
    assert.match(configError({}, ['--port', 'abc']).message, /--port/);
  });
});
