import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nonEphemeralPort } from '../../helpers/non-ephemeral-port.js';

const role = fileURLToPath(new URL('../../../WorkerRole1/', import.meta.url));
const recordConnections = fileURLToPath(new URL('./fixtures/record-connections.mjs', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The built server when it is up to date with the sources (npm test builds first), else the sources through tsx. */
function serverEntry(): string[] {
  const built = join(role, 'dist/server/main.js');
  const fresh =
    existsSync(built) && statSync(built).mtimeMs >= Math.max(newestMtime(join(role, 'src/server')), newestMtime(join(role, 'src/shared')));
  return fresh ? [built] : ['--import', import.meta.resolve('tsx'), join(role, 'src/server/main.ts')];
}

export interface ServerProcess {
  url: string;
  instanceId: string;
  stdout(): string;
  /** Every TCP destination (host:port) the process opened; non-loopback ones were refused. */
  connections(): string[];
  /** SIGTERM (drain, flush telemetry), then waits for the exit; SIGKILL after the timeout. */
  stop(timeoutMs?: number): Promise<number | null>;
}

/**
 * The real server process, started as the role starts it, with a fresh working directory (no
 * developer's .env) and only the environment given here, its connections recorded.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const cwd = mkdtempSync(join(tmpdir(), 'chatapp-telemetry-test-'));
  const connectionsLog = join(cwd, 'connections.log');
  const port = await nonEphemeralPort();
  const instanceId = `telemetry-test-${port}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', recordConnections, ...serverEntry()], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      INSTANCE_ID: instanceId,
      LOG_LEVEL: 'info',
      TEST_CONNECTIONS_LOG: connectionsLog,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;

  // Loading the distribution takes 3-4 s of CPU; on a machine shared with other test files that
  // is 30 s of waiting or more. A server that exits is reported at once, whatever the deadline.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before serving: ${stderr}${stdout}`);
    const healthy = await fetch(`${url}/healthz`).then((response) => response.ok, () => false);
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`no healthy server within 120 s: ${stderr}${stdout}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  // Read before the working directory is removed at stop.
  let recorded: string[] | undefined;
  const connections = () =>
    recorded ?? (existsSync(connectionsLog) ? readFileSync(connectionsLog, 'utf8').split('\n').filter(Boolean) : []);
  return {
    url,
    instanceId,
    stdout: () => stdout,
    connections,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      recorded ??= connections();
      rmSync(cwd, { recursive: true, force: true });
      return code;
    },
  };
}
