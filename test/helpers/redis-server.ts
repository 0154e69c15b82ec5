import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nonEphemeralPort } from './non-ephemeral-port.js';

export interface RedisServerOptions {
  /** Clients must AUTH with it (Azure Managed Redis's access key). */
  password?: string;
  /** Serve TLS only, with this certificate. */
  tls?: { certFile: string; keyFile: string };
  /** Users from this ACL file (`user default off`, `user <name> on ><password> ~* &* +@all`), as Azure Managed Redis's access policies. */
  aclFile?: string;
}

export interface RunningRedisServer {
  url: string;
  port: number;
  /** Kills the server (SIGKILL, like a crash) and starts a fresh one on the same port, empty. */
  restart(): Promise<void>;
  /** Kills the server and leaves it down until `start()`. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open but nothing answers, as in a network partition. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
const READY_TIMEOUT_MS = 10_000;


/**
 * A real Debian redis-server on a free loopback port, without persistence, in a temporary
 * directory: a restart loses every key, as a cache node that fails over without persistence would.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RunningRedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'chatapp-redis-'));
  const port = await nonEphemeralPort();
  let child: ChildProcess | undefined;
  const security = [
    ...(options.password === undefined ? [] : ['--requirepass', options.password]),
    ...(options.aclFile === undefined ? [] : ['--aclfile', options.aclFile]),
    // TLS only, as Azure Managed Redis serves it: the plain port is closed.
    ...(options.tls === undefined
      ? ['--port', String(port)]
      : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.certFile, '--tls-key-file', options.tls.keyFile, '--tls-auth-clients', 'no']),
  ];

  async function start(): Promise<void> {
    if (child) throw new Error('redis-server is already running');
    const args = [...security, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const started = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => fail(new Error(`redis-server not ready after ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) settle();
      };
      const onExit = (code: number | null) => fail(new Error(`redis-server exited with ${code}:\n${output}`));
      function cleanUp() {
        clearTimeout(timer);
        started.stdout?.off('data', onData);
        started.off('exit', onExit);
      }
      function settle() {
        cleanUp();
        resolve();
      }
      function fail(error: Error) {
        cleanUp();
        started.kill('SIGKILL');
        child = undefined;
        reject(error);
      }
      started.stdout?.on('data', onData);
      started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      started.once('exit', onExit);
    });
    // The log is not read after start-up; draining it keeps the pipe from filling and stalling the server.
    started.stdout?.resume();
    started.stderr?.resume();
  }

  async function kill(): Promise<void> {
    const running = child;
    if (!running) return;
    child = undefined;
    if (running.exitCode === null && running.signalCode === null) {
      const exited = once(running, 'exit');
      running.kill('SIGKILL');
      await exited;
    }
  }

  await start();
  const credentials = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://${credentials}127.0.0.1:${port}`,
    port,
    start,
    kill,
    async restart() {
      await kill();
      await start();
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
