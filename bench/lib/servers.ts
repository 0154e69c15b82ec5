import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/emulator/free-port.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BARE_ENTRY = fileURLToPath(new URL('../server-under-test.ts', import.meta.url));
const CHATAPP_ENTRY = fileURLToPath(new URL('../../WorkerRole1/dist/server/main.js', import.meta.url));
const HEAP_PROBE = fileURLToPath(new URL('./heap-probe.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

/** A server process the load generator talks to and measures. */
export interface ServerProcess {
  url: string;
  port: number;
  pid: number;
  /** Heap in use after a full collection, in bytes. */
  heapBytes(): Promise<number>;
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
 */
export async function startChatapp(settings: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  return launch([CHATAPP_ENTRY], port, { LOG_LEVEL: 'info', ...settings, PORT: String(port), HOST: '127.0.0.1' });
}

async function launch(args: string[], port: number, env: Record<string, string>): Promise<ServerProcess> {
  // Both servers get the same flags: the heap probe needs gc() and tsx; logs go nowhere.
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', HEAP_PROBE, ...args], {
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
    heapBytes: () => heapOf(child),
    kill,
    async stop() {
      if (child.connected) child.disconnect();
      await kill();
    },
  };
}

const HEAP_TIMEOUT_MS = 30_000;

/** NaN when the server is gone or does not answer, so a crashed server fails the measurement, not the run. */
async function heapOf(child: ChildProcess): Promise<number> {
  if (!child.connected) return Number.NaN;
  const reply = (once(child, 'message') as Promise<[{ heap: number }]>).then(([{ heap }]) => heap);
  const gone = new Promise<number>((resolve) => {
    const timer = setTimeout(() => resolve(Number.NaN), HEAP_TIMEOUT_MS);
    timer.unref();
    child.once('exit', () => resolve(Number.NaN));
  });
  child.send('heap');
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
