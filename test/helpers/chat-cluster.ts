import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { restartablePort } from './restartable-port.js';

const entry = fileURLToPath(new URL('../../WorkerRole1/dist/server/main.js', import.meta.url));

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
    const port = await restartablePort();
    instances.push({ id: `WorkerRole1_IN_${index}`, url: `http://127.0.0.1:${port}`, port, process: undefined!, logs: [] });
  }

  const launch = async (instance: ChatInstance) => {
    // A restarted instance's "chat listening" must be its own, not its predecessor's.
    instance.logs.length = 0;
    const base = inherit ? process.env : { PATH: process.env.PATH ?? '' };
    instance.process = spawn(process.execPath, [entry], {
      cwd,
      env: { ...base, LOG_LEVEL: 'info', ...env, PORT: String(instance.port), HOST: '127.0.0.1', INSTANCE_ID: instance.id },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    instance.process.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line.trim()) instance.logs.push(JSON.parse(line) as Record<string, unknown>);
    });
    const deadline = Date.now() + 15_000;
    while (!instance.logs.some((line) => line.msg === 'chat listening')) {
      if (instance.process.exitCode !== null) {
        // Its last error lines say why (a configuration error, Redis refusing it, ...).
        const reasons = instance.logs.filter((line) => Number(line.level) >= 50).map((line) => JSON.stringify(line));
        throw new Error(`${instance.id} exited with ${instance.process.exitCode}${reasons.length > 0 ? `: ${reasons.join('\n')}` : ''}`);
      }
      if (Date.now() > deadline) throw new Error(`${instance.id} did not start within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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
    restart: (index) => launch(instances[index]!),
    async stop() {
      await Promise.all(instances.map(kill));
      if (cwd) rmSync(cwd, { recursive: true, force: true });
    },
  };
}
