import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { nonEphemeralPort } from '../../helpers/non-ephemeral-port.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRY = `${ROOT}WorkerRole1/dist/server/main.js`;

/**
 * The emulator as `npm start` runs it, without npm and its --build: compiled by esbuild in under a
 * second, then run. Under tsx it took half a CPU second more to start, every start.
 */
export const EMULATOR = ['scripts/emulator/compiled.mjs'];

/** The emulator needs the compiled role; build it once when a fresh clone has not. */
export function ensureBuilt(): void {
  if (existsSync(ENTRY)) return;
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
}

export function temporaryStorageDir(): string {
  return mkdtempSync(join(tmpdir(), 'chatapp-emulator-'));
}


export function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Waiter {
  pattern: RegExp;
  resolve(match: RegExpMatchArray): void;
  reject(error: Error): void;
}

/**
 * `scripts/emulator/main.ts` as a child process, as a developer runs it, with the lines it prints
 * and the pid and port of each instance (from its "started" lines).
 */
export class RunningEmulator {
  readonly lines: string[] = [];
  readonly pids = new Map<string, number>();
  readonly instancePorts = new Map<string, number>();
  /** Every worker pid ever seen, so that cleanup reaches restarted ones too. */
  readonly allPids = new Set<number>();
  private readonly waiters = new Set<Waiter>();
  readonly exited: Promise<number | null>;
  /** Everything that wrote to its output has ended (under npm: the emulator too, not npm alone). */
  readonly outputClosed: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly storagePort: number,
    private readonly ownGroup = false,
  ) {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) this.onLine(line);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.outputClosed = new Promise((resolve) => child.once('close', () => resolve()));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        // A waiter would otherwise sit out its timeout for a line that can no longer come.
        for (const waiter of this.waiters) waiter.reject(this.failure(`the emulator exited (code ${code})`));
        this.waiters.clear();
        resolve(code);
      }),
    );
  }

  /**
   * `storageDir`: Azurite's data folder, kept afterwards; by default a temporary one, removed when
   * the emulator exits. Never the developer's .emulator/azurite: tests start fresh and would empty it.
   * `env`: the emulator's own environment (PATH, DISPLAY), by default this process's.
   */
  static async start(args: string[] = [], storageDir?: string, env?: NodeJS.ProcessEnv): Promise<RunningEmulator> {
    return RunningEmulator.launch(process.execPath, EMULATOR, args, storageDir, env);
  }

  /** The emulator of another checkout (`root`: a benchmark's baseline), as `start` runs this one's. */
  static async startFrom(root: string, args: string[], storageDir: string): Promise<RunningEmulator> {
    return RunningEmulator.launch(process.execPath, EMULATOR, args, storageDir, undefined, false, root);
  }

  /**
   * `npm start -- ...` itself, whatever package.json makes of it (it builds first), in a process
   * group of its own, as a terminal runs it: `interrupt()` is Ctrl-C.
   */
  static async npmStart(args: string[] = [], env?: NodeJS.ProcessEnv): Promise<RunningEmulator> {
    return RunningEmulator.launch(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['start', '--'], args, undefined, env, true);
  }

  private static async launch(command: string, commandArgs: string[], args: string[], storageDir: string | undefined, env: NodeJS.ProcessEnv | undefined, ownGroup = false, root = ROOT): Promise<RunningEmulator> {
    const port = await nonEphemeralPort();
    const storagePort = await nonEphemeralPort();
    const ownsStorage = storageDir === undefined;
    storageDir ??= temporaryStorageDir();
    const child = spawn(
      command,
      [
        ...commandArgs,
        '--port', String(port), '--storage-port', String(storagePort), '--storage-dir', storageDir,
        '--pid-file', join(storageDir, 'emulator.pid'),
        ...args,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env, detached: ownGroup },
    );
    const emulator = new RunningEmulator(child, port, storagePort, ownGroup);
    if (ownsStorage) void emulator.exited.then(() => rmSync(storageDir, { recursive: true, force: true }));
    return emulator;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves with the first line (already printed or still to come) that matches. */
  waitFor(pattern: RegExp, timeoutMs = 15_000, fromLine = 0): Promise<RegExpMatchArray> {
    for (const line of this.lines.slice(fromLine)) {
      const match = line.match(pattern);
      if (match) return Promise.resolve(match);
    }
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.reject(this.failure(`the emulator has exited, with no line matching ${pattern}`));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        pattern,
        resolve: (match) => {
          clearTimeout(timer);
          resolve(match);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(this.failure(`no line matching ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private failure(message: string): Error {
    return new Error(`${message}; its last lines:\n${this.lines.slice(-15).join('\n')}`);
  }

  /** Ends everything whatever state it is in; for `after` hooks, so a failed test leaves nothing. */
  async kill(): Promise<void> {
    for (const pid of this.allPids) {
      if (!isAlive(pid)) continue;
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    }
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.ownGroup) signalGroup(this.child, 'SIGKILL');
      else this.child.kill('SIGKILL');
    }
    await this.exited;
  }

  /** Ctrl-C in the terminal: SIGINT to the whole process group (npm, the emulator, its instances). */
  interrupt(): void {
    if (this.ownGroup) signalGroup(this.child, 'SIGINT');
    else this.child.kill('SIGINT');
  }

  private onLine(line: string): void {
    this.lines.push(line);
    if (process.env.TEST_EMULATOR_LOG) console.log(line);
    const started = line.match(/^emulator: (\S+) started \(pid (\d+), port (\d+)\)/);
    if (started) {
      const pid = Number(started[2]);
      this.pids.set(started[1]!, pid);
      this.allPids.add(pid);
      this.instancePorts.set(started[1]!, Number(started[3]));
    }
    for (const waiter of this.waiters) {
      const match = line.match(waiter.pattern);
      if (match) {
        this.waiters.delete(waiter);
        waiter.resolve(match);
      }
    }
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** GET /healthz through the load balancer from `localAddress`: which instance answered. */
export function healthzFrom(url: string, localAddress: string): Promise<{ instance: string; connections: number }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/healthz`, { localAddress, agent: false, timeout: 3000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (error) {
          reject(error);
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error('healthz timed out')));
    request.on('error', reject);
  });
}
