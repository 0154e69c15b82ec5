import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/emulator/free-port.js';
import type { LoopDelay } from './heap-probe.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BARE_ENTRY = fileURLToPath(new URL('../server-under-test.ts', import.meta.url));
const FAIR_PEER_ENTRY = fileURLToPath(new URL('../fair-peer.ts', import.meta.url));
const CHATAPP_ENTRY = fileURLToPath(new URL('../../WorkerRole1/dist/server/main.js', import.meta.url));
const HEAP_PROBE = fileURLToPath(new URL('./heap-probe.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 15_000;

let profileDir: string | undefined;

/**
 * From now on every server started here runs with `--cpu-prof` into `dir`, and stops by exiting
 * normally (the profile is written at exit) instead of by kill -9.
 */
export function profileServersInto(dir: string): void {
  profileDir = dir;
}

/** The node flags that profile a server into that folder; none unless asked for. */
export function serverProfileFlags(): string[] {
  return profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
}

/** A server process the load generator talks to and measures. */
export interface ServerProcess {
  url: string;
  port: number;
  pid: number;
  /** Heap in use after a full collection, in bytes. */
  heapBytes(): Promise<number>;
  /** The event loop's delay since the last call (or the start); NaNs when the server does not answer. */
  loopDelay(): Promise<LoopDelay>;
  /** kill -9, as a crash. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** The bare Socket.IO baseline (bench/server-under-test.ts), alone in its process. */
export async function startBare(): Promise<ServerProcess> {
  const port = await freePort();
  return launch([BARE_ENTRY, '--port', String(port)], port, {});
}

/**
 * chatapp's built server (`npm run build` first), as `npm run serve` runs it but on a loopback
 * port, with `settings` as its environment: nothing else from this process's environment.
 * `entry` is another checkout's built main.js, to compare two builds.
 */
export async function startChatapp(settings: Record<string, string> = {}, entry = CHATAPP_ENTRY): Promise<ServerProcess> {
  const port = await freePort();
  return launch([entry], port, { LOG_LEVEL: 'info', ...settings, PORT: String(port), HOST: '127.0.0.1' });
}

async function launch(args: string[], port: number, env: Record<string, string>): Promise<ServerProcess> {
  // Both servers get the same flags: the heap probe needs gc() and tsx; logs go nowhere.
  const profile = serverProfileFlags();
  const child = spawn(process.execPath, ['--expose-gc', ...profile, '--import', 'tsx', '--import', HEAP_PROBE, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  await waitForPort(port, child);
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    heapBytes: async () => (await ask<{ heap: number }>(child, 'heap'))?.heap ?? Number.NaN,
    loopDelay: async () => (await ask<{ loop: LoopDelay }>(child, 'loop'))?.loop ?? { p50Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN, gc: { pauses: 0, totalMs: Number.NaN, maxMs: Number.NaN, majorPauses: 0, majorMs: Number.NaN } },
    kill,
    async stop() {
      if (profileDir !== undefined && child.connected) {
        child.send('exit');
        const timer = setTimeout(() => void kill(), EXIT_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
        return;
      }
      if (child.connected) child.disconnect();
      await kill();
    },
  };
}

const PROBE_TIMEOUT_MS = 30_000;

/**
 * Asks the server's probe (heap-probe.ts); undefined when the server is gone or does not answer,
 * so a crashed server fails the measurement, not the run.
 */
async function ask<T>(child: ChildProcess, request: 'heap' | 'loop'): Promise<T | undefined> {
  if (!child.connected) return undefined;
  const reply = (once(child, 'message') as Promise<[T]>).then(([answer]) => answer);
  const gone = new Promise<undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), PROBE_TIMEOUT_MS);
    timer.unref();
    child.once('exit', () => resolve(undefined));
  });
  child.send(request);
  return Promise.race([reply, gone]);
}

export async function waitForPort(port: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`the server exited with ${child.exitCode ?? child.signalCode} before listening on ${port}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on port ${port} within ${START_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface FairPeer {
  url: string;
  /** Its Socket.IO processes (cluster workers); the balancer's process is not among them. */
  instancePids: number[];
  stop(): Promise<void>;
}

/**
 * Bare Socket.IO on two processes with the Redis streams adapter on `redisUrl`, behind the
 * emulator's balancer (bench/fair-peer.ts): what chatapp through the emulator with Redis is
 * measured against.
 */
export async function startFairPeer(redisUrl: string): Promise<FairPeer> {
  const child = spawn(process.execPath, [...serverProfileFlags(), '--import', 'tsx', FAIR_PEER_ENTRY, '--port', '0', '--redis', redisUrl], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the fair peer did not listen within ${START_TIMEOUT_MS} ms: ${output}`)), START_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /fair peer: listening on (\d+), instances ([\d ]+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.resume();
      resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`the fair peer exited with ${code}: ${output}`)));
  });
  return {
    url: `http://127.0.0.1:${ready[1]}`,
    instancePids: ready[2]!.trim().split(' ').map(Number),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
