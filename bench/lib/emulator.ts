import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/emulator/free-port.js';
import { serverProfileFlags } from './servers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export interface RunningEmulator {
  url: string;
  /** The role instances' process ids (cluster workers of the emulator). */
  instancePids: number[];
  stop(): Promise<void>;
}

/**
 * `npm start`'s emulator with its own Azurite port and folder (fresh), a free balancer port, and
 * `settings` as --setting overrides. Resolves once it says every instance is healthy.
 */
export async function startEmulator(instances: number, settings: Record<string, string>): Promise<RunningEmulator> {
  const [port, storagePort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'chatapp-bench-emulator-'));
  // Profiling flags reach the instances too (scripts/emulator/profiling-flags.ts).
  const args = [
    ...serverProfileFlags(),
    '--import',
    'tsx',
    'scripts/emulator/main.ts',
    '--port', String(port),
    '--instances', String(instances),
    '--fresh',
    '--storage-port', String(storagePort),
    '--storage-dir', join(dir, 'azurite'),
    '--pid-file', join(dir, 'emulator.pid'),
    ...Object.entries(settings).flatMap(([name, value]) => ['--setting', `${name}=${value}`]),
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  const exited = once(child, 'exit');
  const instancePids: number[] = [];
  try {
    await waitUntilHealthy(child, instancePids);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    instancePids,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          for (const pid of instancePids) killQuietly(pid);
        }, STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Reads the emulator's own lines until "healthy"; after that its output (the instances' logs too) is drained unread. */
function waitUntilHealthy(child: ChildProcess, instancePids: number[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => finish(new Error(`the emulator was not healthy within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const started = /^emulator: \S+ started \(pid (\d+),/.exec(line);
        if (started) instancePids.push(Number(started[1]));
        if (/^emulator: .* healthy after/.test(line)) finish();
      }
    };
    const onExit = (code: number | null) => finish(new Error(`the emulator exited with ${code} before it was healthy`));
    function finish(error?: Error) {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.stdout!.resume();
      if (error) reject(error);
      else resolve();
    }
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}
