import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nonEphemeralPort } from './non-ephemeral-port.js';

const entry = fileURLToPath(new URL('../../WorkerRole1/dist/server/main.js', import.meta.url));
const START_LIMIT_MS = 120_000;

function lastLines(instance: ChatInstance): string {
  return instance.logs.slice(-10).map((line) => JSON.stringify(line)).join('\n') || '(none)';
}

export interface ChatInstance {
  id: string;
  url: string;
  port: number;
  process: ChildProcess;
  /** Every log line the instance printed, parsed. */
  logs: Array<Record<string, unknown>>;
}

export interface ChatCluster {
  instances: ChatInstance[];
  /** Kills an instance at once, as a crash would (no drain). */
  kill(index: number): Promise<void>;
  /** Starts a killed instance again on its port. */
  restart(index: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ChatClusterOptions {
  /**
   * false: the instances get PATH and `env` only, not this process's environment, and run in an
   * empty working directory (no developer's .env), so a test knows everything they were given.
   * @default true
   */
  inheritEnvironment?: boolean;
  /** Settings of single instances, by index, over `env` (one instance's own path to storage, say). */
  instanceEnv?: Array<Record<string, string>>;
}

/**
 * Instances of the built server (`npm run build` first), each its own process on its own port,
 * configured only through the environment, as on Azure.
 */
export async function startChatCluster(count: number, env: Record<string, string>, options: ChatClusterOptions = {}): Promise<ChatCluster> {
  const inherit = options.inheritEnvironment ?? true;
  const cwd = inherit ? undefined : mkdtempSync(join(tmpdir(), 'chatapp-cluster-'));
  const instances: ChatInstance[] = [];
  for (let index = 0; index < count; index += 1) {
    const port = await nonEphemeralPort();
    instances.push({ id: `WorkerRole1_IN_${index}`, url: `http://127.0.0.1:${port}`, port, process: undefined!, logs: [] });
  }

  const launch = async (instance: ChatInstance, index: number) => {
    // A restarted instance's "chat listening" must be its own, not its predecessor's.
    instance.logs.length = 0;
    const base = inherit ? process.env : { PATH: process.env.PATH ?? '' };
    instance.process = spawn(process.execPath, [entry], {
      cwd,
      env: { ...base, LOG_LEVEL: 'info', ...env, ...options.instanceEnv?.[index], PORT: String(instance.port), HOST: '127.0.0.1', INSTANCE_ID: instance.id },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    const started = new Promise<void>((resolve, reject) => {
      // A start is waited for, not timed: on a loaded machine it takes as long as it takes (at a
      // load average of 30 on 2 cores, over 15 s). The bound is for a start that hangs.
      const timer = setTimeout(() => reject(new Error(`${instance.id} printed no "chat listening" within ${START_LIMIT_MS / 1000} s; its last lines:\n${lastLines(instance)}`)), START_LIMIT_MS);
      instance.process.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (line.trim()) instance.logs.push(JSON.parse(line) as Record<string, unknown>);
        if (instance.logs.some((line) => line.msg === 'chat listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      instance.process.once('close', (code, signal) => {
        clearTimeout(timer);
        // Its last error lines say why (a configuration error, Redis refusing it, ...).
        const reasons = instance.logs.filter((line) => Number(line.level) >= 50).map((line) => JSON.stringify(line));
        reject(new Error(`${instance.id} exited with ${code ?? signal}${reasons.length > 0 ? `: ${reasons.join('\n')}` : ''}`));
      });
    });
    await started;
  };
  const kill = async (instance: ChatInstance) => {
    if (instance.process.exitCode !== null || instance.process.signalCode !== null) return;
    const exited = once(instance.process, 'exit');
    instance.process.kill('SIGKILL');
    await exited;
  };

  const launched = await Promise.allSettled(instances.map(launch));
  const failed = launched.find((result) => result.status === 'rejected');
  if (failed) {
    // Nobody gets the cluster to stop: kill what did start rather than leave it running.
    await Promise.all(instances.filter((instance) => instance.process).map(kill));
    if (cwd) rmSync(cwd, { recursive: true, force: true });
    throw failed.reason;
  }
  return {
    instances,
    kill: (index) => kill(instances[index]!),
    restart: (index) => launch(instances[index]!, index),
    async stop() {
      await Promise.all(instances.map(kill));
      if (cwd) rmSync(cwd, { recursive: true, force: true });
    },
  };
}
