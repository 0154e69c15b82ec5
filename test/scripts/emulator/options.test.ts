import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OptionsError, parseEmulatorOptions } from '../../../scripts/emulator/options.js';

describe('emulator options', () => {
  it('leaves everything to the service model by default', () => {
    assert.deepEqual(parseEmulatorOptions([]), {
      instances: undefined,
      port: undefined,
      fresh: false,
      probeIntervalMs: undefined,
      probeTimeoutMs: undefined,
      storagePort: 10002,
      storageDir: undefined,
      pidFile: '.emulator/emulator.pid',
      settings: new Map(),
      launch: false,
      build: false,
    });
  });

  it('reads every option', () => {
    assert.deepEqual(
      parseEmulatorOptions([
        '--instances', '3', '--port', '9000', '--fresh',
        '--probe-interval-ms', '500', '--probe-timeout-ms', '1000', '--storage-port', '20002', '--storage-dir', '/tmp/a',
        '--pid-file', '/tmp/a.pid', '--setting', 'REDIS_URL=redis://127.0.0.1:6379', '--setting', 'LOG_LEVEL=', '--launch', '--build',
      ]),
      {
        instances: 3, port: 9000, fresh: true, probeIntervalMs: 500, probeTimeoutMs: 1000, storagePort: 20002, storageDir: '/tmp/a', pidFile: '/tmp/a.pid',
        settings: new Map([['REDIS_URL', 'redis://127.0.0.1:6379'], ['LOG_LEVEL', '']]),
        launch: true,
        build: true,
      },
    );
    assert.equal(parseEmulatorOptions(['--instances=4']).instances, 4);
  });

  it('rejects what is not a whole number in range, naming the option', () => {
    assert.throws(() => parseEmulatorOptions(['--instances', '0']), new OptionsError('--instances must be a whole number from 1 to 64, got "0"'));
    assert.throws(() => parseEmulatorOptions(['--port', '70000']), /--port must be a whole number from 1 to 65535, got "70000"/);
    assert.throws(() => parseEmulatorOptions(['--port', '80x']), /--port must be a whole number/);
    assert.throws(() => parseEmulatorOptions(['--instances', '-1']), OptionsError);
  });

  it('rejects a --setting that is not NAME=VALUE', () => {
    assert.throws(() => parseEmulatorOptions(['--setting', 'REDIS_URL']), new OptionsError('--setting takes NAME=VALUE, got "REDIS_URL"'));
  });

  it('rejects unknown options and stray arguments', () => {
    assert.throws(() => parseEmulatorOptions(['--instance', '2']), (error) => error instanceof OptionsError && /--instance/.test(error.message));
    assert.throws(() => parseEmulatorOptions(['start']), OptionsError);
  });
});
