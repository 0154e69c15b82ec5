import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { developmentStorageConnectionString } from '../../scripts/emulator/development-storage.js';
import { nonEphemeralPort } from './non-ephemeral-port.js';

const tableMain = createRequire(import.meta.url).resolve('azurite/dist/src/table/main.js');

export interface AzuriteOptions {
  /**
   * Serve HTTPS with this certificate and accept Entra ID bearer tokens (`--oauth basic`: Azurite
   * checks a token's issuer, audience and times, not its signature; only over HTTPS).
   */
  oauth?: { certFile: string; keyFile: string };
}

export interface RunningAzurite {
  port: number;
  /** The shared-key connection string (http only: not for an `oauth` Azurite). */
  connectionString: string;
  /** The table endpoint, path style: `http(s)://127.0.0.1:<port>/devstoreaccount1`. */
  tableEndpoint: string;
  /** The table server's process id while it runs (a benchmark reads its CPU time). */
  readonly pid: number | undefined;
  /** Stops the table server cleanly (its data is saved) without forgetting port or data. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  dispose(): Promise<void>;
}

/** A real Azurite table server in its own process, on a free loopback port, data in a temp folder. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const port = await nonEphemeralPort();
  const location = mkdtempSync(join(tmpdir(), 'chatapp-azurite-'));
  let child: ChildProcess | undefined;
  const oauth = options.oauth ? ['--oauth', 'basic', '--cert', options.oauth.certFile, '--key', options.oauth.keyFile] : [];

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    // --silent: no access-log line per request, which this process would otherwise read and keep.
    child = spawn(
      process.execPath,
      [tableMain, '--tableHost', '127.0.0.1', '--tablePort', String(port), '--location', location, '--skipApiVersionCheck', '--disableTelemetry', '--loose', '--silent', ...oauth],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('successfully started')) resolve();
      });
      child!.once('exit', (code) => reject(new Error(`azurite exited with ${code}: ${output}`)));
    });
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const timer = setTimeout(() => child?.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    port,
    connectionString: developmentStorageConnectionString(port),
    tableEndpoint: `${options.oauth ? 'https' : 'http'}://127.0.0.1:${port}/devstoreaccount1`,
    get pid() {
      return child?.pid;
    },
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(location, { recursive: true, force: true });
    },
  };
}
