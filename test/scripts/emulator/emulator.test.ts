import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it, test } from 'node:test';
import { nonEphemeralPort } from '../../helpers/non-ephemeral-port.js';
import { INSTANCES, addressFor, connect, emit, nextEvent, sockets } from './emulator-clients.js';
import { canListen, EMULATOR, ensureBuilt, healthzFrom, isAlive, ROOT, RunningEmulator, temporaryStorageDir } from './running-emulator.js';

const execFileAsync = promisify(execFile);

/**
 * The emulator as a developer runs it: two instances behind the load balancer, probed every
 * 500 ms. Each client gets its own loopback source address, so sourceIP hashing decides where it
 * lands, as it would for two browsers on two machines.
 */

const ALLOWED_ORIGIN = 'http://allowed.example';

/** The status of a Socket.IO long-polling handshake sent with this Origin through the load balancer. */
function handshakeStatus(url: string, origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin }, agent: false, timeout: 3000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error('handshake timed out')));
    request.on('error', reject);
  });
}

/**
 * A limit per test, not one on the whole describe: under load that one fell on whichever test ran
 * last (seen: all six cancelled at 60 s on a machine at load average 23), however well it was doing.
 */
const EACH = { timeout: 30_000 };

describe('emulator', () => {
  let emulator: RunningEmulator;

  before(async () => {
    ensureBuilt();
    emulator = await RunningEmulator.start([
      '--instances', '2', '--fresh', '--probe-interval-ms', '500', '--probe-timeout-ms', '1000',
      '--setting', `ALLOWED_ORIGINS=${ALLOWED_ORIGIN}`,
    ]);
    // A limit to fail by, not a measured time: at load average 23 two instances took over 30 s.
    await emulator.waitFor(/^emulator: chat at http:\/\/localhost/, 60_000);
  });

  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await emulator?.kill();
  });

  it('gives every instance its own port and Azure-style id, and sends one source address to one instance', EACH, async () => {
    assert.deepEqual([...emulator.pids.keys()].sort(), INSTANCES);
    for (const index of [0, 1]) {
      const address = addressFor(index);
      for (let i = 0; i < 3; i++) assert.equal((await healthzFrom(emulator.url, address)).instance, INSTANCES[index]);
    }
  });

  it('serves a long-polling client through the load balancer (affinity) and chat across instances', EACH, async () => {
    const ann = await connect(emulator.url, addressFor(0));
    const bob = await connect(emulator.url, addressFor(1));
    assert.equal((await emit(ann, 'session:start', { nickname: 'ann' })).ok, true);
    assert.equal((await emit(bob, 'session:start', { nickname: 'bob' })).ok, true);
    assert.equal((await emit(ann, 'room:join', { room: 'lobby' })).ok, true);

    const annSeesBob = nextEvent<{ nickname: string }>(ann, 'user:joined');
    const bobJoined = await emit(bob, 'room:join', { room: 'lobby' });
    assert.deepEqual([...(bobJoined.members as string[])].sort(), ['ann', 'bob']);
    assert.equal((await annSeesBob).nickname, 'bob');

    // Each reached a different instance: the connection counts say so.
    assert.equal((await healthzFrom(emulator.url, addressFor(0))).connections, 1);
    assert.equal((await healthzFrom(emulator.url, addressFor(1))).connections, 1);

    const bobGets = nextEvent<{ from: string; text: string }>(bob, 'message');
    assert.equal((await emit(ann, 'message:send', { room: 'lobby', text: 'hello from IN_0', clientId: 'm1' })).ok, true);
    assert.deepEqual(await bobGets.then(({ from, text }) => ({ from, text })), { from: 'ann', text: 'hello from IN_0' });

    const annGets = nextEvent<{ from: string; text: string }>(ann, 'message');
    assert.equal((await emit(bob, 'message:send', { room: 'lobby', text: 'hi from IN_1', clientId: 'm2' })).ok, true);
    assert.equal((await annGets).text, 'hi from IN_1');

    ann.disconnect();
    bob.disconnect();
  });

  it('takes an instance whose probe fails out of rotation, and back when it passes', EACH, async () => {
    const stoppedId = INSTANCES[0]!;
    const pid = emulator.pids.get(stoppedId)!;
    const from = emulator.lines.length;
    process.kill(pid, 'SIGSTOP');
    try {
      await emulator.waitFor(new RegExp(`^emulator: ${stoppedId} left the rotation \\(probe http /healthz failed`), 5000, from);
      // Even the addresses that hash to the stopped instance now reach the other one.
      for (const address of [addressFor(0), addressFor(0, [addressFor(0)]), addressFor(1)]) {
        assert.equal((await healthzFrom(emulator.url, address)).instance, INSTANCES[1]);
      }
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await emulator.waitFor(new RegExp(`^emulator: ${stoppedId} is in rotation`), 5000, from);
    assert.equal((await healthzFrom(emulator.url, addressFor(0))).instance, stoppedId);
  });

  it('restarts an instance that dies, and its clients reconnect to the service', EACH, async () => {
    const killedId = INSTANCES[1]!;
    const client = await connect(emulator.url, addressFor(1));
    const started = await emit(client, 'session:start', { nickname: 'cat' });
    assert.equal(started.ok, true);
    const oldPid = emulator.pids.get(killedId)!;
    const from = emulator.lines.length;
    const reconnected = new Promise<void>((resolve) => client.io.once('reconnect', () => resolve()));

    process.kill(oldPid, 'SIGKILL');

    await emulator.waitFor(new RegExp(`^emulator: ${killedId} exited \\(signal SIGKILL\\); restarting`), 5000, from);
    await reconnected;
    // The session outlived its instance in the shared registry: the client resumes it where it landed.
    const resumed = await emit(client, 'session:start', { nickname: 'cat', session: started.session });
    assert.equal(resumed.ok, true);
    assert.equal(resumed.session, started.session);
    await emulator.waitFor(new RegExp(`^emulator: ${killedId} started \\(pid \\d+`), 5000, from);
    await emulator.waitFor(new RegExp(`^emulator: ${killedId} is in rotation`), 10_000, from);
    assert.notEqual(emulator.pids.get(killedId), oldPid);
    assert.equal(isAlive(oldPid), false);
    client.disconnect();
  });

  it('gives the instances a --setting value in place of the Local cscfg one', EACH, async () => {
    assert.equal(await handshakeStatus(emulator.url, ALLOWED_ORIGIN), 200);
    assert.equal(await handshakeStatus(emulator.url, 'http://elsewhere.example'), 403);
  });

  it('stops on SIGINT, leaving no process and no port behind', EACH, async () => {
    const pids = [...emulator.allPids];
    const ports = [emulator.port, emulator.storagePort, ...emulator.instancePorts.values()];
    emulator.child.kill('SIGINT');
    assert.equal(await emulator.exited, 0);
    assert.ok(emulator.lines.includes('emulator: stopped'));
    for (const pid of pids) assert.equal(isAlive(pid), false, `worker pid ${pid} is still running`);
    for (const port of ports) assert.equal(await canListen(port), true, `port ${port} is still bound`);
  });
});

test('refuses a --setting the role does not have, naming it, before starting anything', async () => {
  // Its own pid file: a developer's emulator running from this folder must not answer first.
  const pidFile = join(temporaryStorageDir(), 'emulator.pid');
  const args = [...EMULATOR, '--setting', 'REDIS_ULR=redis://x', '--pid-file', pidFile, '--storage-port', String(await nonEphemeralPort())];
  const run = await execFileAsync(process.execPath, args, { cwd: ROOT }).then(
    () => undefined,
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(run?.code, 2);
  assert.match(run?.stderr ?? '', /--setting REDIS_ULR: not a setting of WorkerRole1/);
});

describe('emulator storage', { timeout: 120_000 }, () => {
  const storageDir = temporaryStorageDir();
  const running: RunningEmulator[] = [];

  async function start(args: string[]): Promise<RunningEmulator> {
    const emulator = await RunningEmulator.start(['--instances', '1', '--probe-interval-ms', '500', ...args], storageDir);
    running.push(emulator);
    await emulator.waitFor(/^emulator: chat at http:\/\/localhost/, 30_000);
    return emulator;
  }

  /** As `npm run emulator:stop` (and Stop-Emulator.ps1) does it, from another process. */
  async function stop(emulator: RunningEmulator): Promise<void> {
    const pidFile = join(storageDir, 'emulator.pid');
    assert.deepEqual(readFileSync(pidFile, 'utf8').split('\n').slice(0, 2), [String(emulator.child.pid), `http://localhost:${emulator.port}/`]);
    // Asynchronously: the emulator is this process's child, and only a free event loop reaps it.
    const stopper = await execFileAsync(process.execPath, ['--import', 'tsx', 'scripts/emulator/stop.ts', '--pid-file', pidFile], { cwd: ROOT });
    assert.match(stopper.stdout, /emulator: stopped/);
    assert.equal(await emulator.exited, 0);
    assert.equal(existsSync(pidFile), false, 'the pid file is gone');
  }

  async function lobbyHistory(emulator: RunningEmulator, nickname: string): Promise<string[]> {
    // WebSocket, upgraded from polling: the load balancer passes upgrades straight through.
    const socket = await connect(emulator.url, '127.0.0.1', ['polling', 'websocket']);
    if (socket.io.engine.transport.name !== 'websocket') await nextEvent(socket.io.engine, 'upgrade');
    assert.equal(socket.io.engine.transport.name, 'websocket');
    assert.equal((await emit(socket, 'session:start', { nickname })).ok, true);
    const joined = await emit(socket, 'room:join', { room: 'lobby' });
    socket.disconnect();
    return (joined.history as { text: string }[]).map(({ text }) => text);
  }

  after(async () => {
    for (const socket of sockets) socket.disconnect();
    for (const emulator of running) await emulator.kill();
    rmSync(storageDir, { recursive: true, force: true });
  });

  it('keeps history in Azurite across a restart, and --fresh empties it', async () => {
    const first = await start(['--fresh']);
    const socket = await connect(first.url, '127.0.0.1');
    assert.equal((await emit(socket, 'session:start', { nickname: 'dee' })).ok, true);
    assert.equal((await emit(socket, 'room:join', { room: 'lobby' })).ok, true);
    assert.equal((await emit(socket, 'message:send', { room: 'lobby', text: 'still here?', clientId: 'k1' })).ok, true);
    socket.disconnect();
    await stop(first);

    const second = await start([]);
    assert.deepEqual(await lobbyHistory(second, 'eve'), ['still here?']);
    await stop(second);

    const third = await start(['--fresh']);
    assert.deepEqual(await lobbyHistory(third, 'fay'), []);
    await stop(third);
  });
});
