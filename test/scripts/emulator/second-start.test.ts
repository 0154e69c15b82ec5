import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { ensureBuilt, healthzFrom, ROOT, RunningEmulator, temporaryStorageDir } from './running-emulator.js';

/** `npm start -- ARGS` as a developer types it (package.json builds only after its checks); its exit code and output. */
function npmStart(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['start', '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Signs that the start went past its checks: the build ran (or found dist up to date), or something was started. */
const STARTED_SOMETHING = /built WorkerRole1\/dist|WorkerRole1\/dist is up to date|Azurite table service on|load balancer for|started \(pid/;

describe('a second npm start while an emulator runs from this folder', { timeout: 120_000 }, () => {
  let first: RunningEmulator;
  let storageDir: string;

  before(async () => {
    ensureBuilt();
    storageDir = temporaryStorageDir();
    first = await RunningEmulator.start(['--instances', '1', '--fresh'], storageDir);
    await first.waitFor(/^emulator: chat at http:\/\/localhost/, 30_000);
  });

  after(async () => {
    await first?.kill();
    rmSync(storageDir, { recursive: true, force: true });
  });

  it('names the running one (its pid, its URL, how to stop it), exits non-zero, and neither builds nor starts anything', async () => {
    const second = await npmStart(['--pid-file', join(storageDir, 'emulator.pid')]);

    assert.equal(second.code, 1);
    assert.match(
      second.output,
      new RegExp(
        `emulator: an emulator is already running from this folder \\(pid ${first.child.pid}, chat at http://localhost:${first.port}/\\); ` +
          'use it, or stop it with npm run emulator:stop -- --pid-file ',
      ),
    );
    assert.doesNotMatch(second.output, STARTED_SOMETHING);
    assert.equal((await healthzFrom(first.url, '127.0.0.1')).instance, 'WorkerRole1_IN_0', 'the first one still serves');
  });
});

test('a port another program holds is named with what it is for and the flag that moves it, before any build', async () => {
  const occupant = net.createServer();
  await new Promise<void>((resolve) => occupant.listen(0, '127.0.0.1', resolve));
  const taken = (occupant.address() as net.AddressInfo).port;
  const storageDir = temporaryStorageDir();
  try {
    const run = await npmStart([
      '--storage-port', String(taken), '--port', String(taken), '--pid-file', join(storageDir, 'emulator.pid'),
      '--setting', 'SESSION_GRACE_MS=soon',
    ]);
    assert.equal(run.code, 1);
    const lines = run.output.split('\n');
    assert.ok(
      lines.includes(
        `emulator: port ${taken}, Azurite's table service (what UseDevelopmentStorage=true points at), is in use by another program; ` +
          'stop that program, or give the emulator\'s storage another port with --storage-port P (Start-Emulator.ps1 -StoragePort P)',
      ),
      run.output,
    );
    assert.ok(
      lines.includes(
        `emulator: port ${taken} (--port), the chat's load balancer, is in use by another program; ` +
          "pass another --port (Start-Emulator.ps1 -Port), or none to take the csdef's port or the first free one from 8080",
      ),
      run.output,
    );
    assert.ok(lines.includes('emulator: --setting SESSION_GRACE_MS "soon" is not a whole number of milliseconds (e.g. 30000)'), run.output);
    assert.doesNotMatch(run.output, STARTED_SOMETHING);
  } finally {
    occupant.close();
    rmSync(storageDir, { recursive: true, force: true });
  }
});

test('an emulator that is not running (a stale pid file) does not stop a start', async () => {
  // The pid of a process that has exited: this test's own short-lived child.
  const exited = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => exited.once('exit', resolve));
  const storageDir = temporaryStorageDir();
  writeFileSync(join(storageDir, 'emulator.pid'), `${exited.pid}\nhttp://localhost:1/\n`);
  const emulator = await RunningEmulator.start(['--instances', '1', '--fresh'], storageDir);
  try {
    await emulator.waitFor(/^emulator: chat at http:\/\/localhost/, 30_000);
  } finally {
    await emulator.kill();
    rmSync(storageDir, { recursive: true, force: true });
  }
});
