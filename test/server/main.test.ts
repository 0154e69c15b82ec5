import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  closeClients,
  errorOf,
  expectConnectError,
  joinRoom,
  nextEvent,
  okValue,
  request,
  startSession,
} from '../helpers/clients.js';
import { nonEphemeralPort } from '../helpers/non-ephemeral-port.js';

/**
 * The real process (WorkerRole1/dist/server/main.js, or src/server/main.ts through tsx when dist
 * is missing or older than the sources): configuration errors, signals, draining, exit code.
 */

const role = fileURLToPath(new URL('../../WorkerRole1/', import.meta.url));
const fixture = pathToFileURL(fileURLToPath(new URL('./fixtures/slow-append.mjs', import.meta.url))).href;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The built server when it is up to date with the sources, else the sources through tsx.
 * TEST_SERVER_ENTRY=src forces the sources.
 */
function serverEntry(): { loader: string[]; script: string; historyModule: string; what: string } {
  const built = join(role, 'dist/server/main.js');
  let fresh = false;
  if (process.env.TEST_SERVER_ENTRY !== 'src') try {
    fresh = statSync(built).mtimeMs >= Math.max(newestMtime(join(role, 'src/server')), newestMtime(join(role, 'src/shared')));
  } catch {
    fresh = false;
  }
  if (fresh) {
    return {
      loader: [],
      script: built,
      historyModule: pathToFileURL(join(role, 'dist/server/history/memory-history-store.js')).href,
      what: 'dist/server/main.js',
    };
  }
  return {
    loader: ['--import', import.meta.resolve('tsx')],
    script: join(role, 'src/server/main.ts'),
    historyModule: pathToFileURL(join(role, 'src/server/history/memory-history-store.ts')).href,
    what: 'src/server/main.ts through tsx (dist missing or stale)',
  };
}


interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

interface ServerProcess {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
  /** Resolves when stderr contains `text`. */
  waitForStderr(text: string, timeoutMs?: number): Promise<void>;
}

const entry = serverEntry();
const children = new Set<ChildProcess>();
// A fresh working directory: no developer's .env gets loaded by dotenv.
const cwd = mkdtempSync(join(tmpdir(), 'chatapp-main-test-'));

function runServer(options: { env?: Record<string, string>; args?: string[]; slowAppendMs?: number }): ServerProcess {
  const preload = options.slowAppendMs === undefined ? [] : ['--import', fixture];
  const child = spawn(process.execPath, [...entry.loader, ...preload, entry.script, ...(options.args ?? [])], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'info',
      INSTANCE_ID: 'process-test',
      ...(options.slowAppendMs === undefined
        ? {}
        : { SLOW_APPEND_MODULE: entry.historyModule, SLOW_APPEND_MS: String(options.slowAppendMs) }),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  const stderrWaiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const wake of stderrWaiters.splice(0)) wake();
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, at: Date.now() });
    });
  });
  const port = options.env?.PORT ?? options.args?.[options.args.indexOf('--port') + 1] ?? '8080';
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStderr(text, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`"${text}" not on stderr within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        const check = () => {
          if (stderr.includes(text)) {
            clearTimeout(timer);
            resolve();
          } else stderrWaiters.push(check);
        };
        check();
      });
    },
  };
}

/** Polls /healthz until the process serves; fails early if it exits. */
async function untilHealthy(server: ServerProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: Exit | undefined;
  void server.exited.then((exit) => (exited = exit));
  for (;;) {
    if (exited) assert.fail(`the server exited (${exited.code ?? exited.signal}) before serving; stderr: ${server.stderr()}`);
    try {
      const response = await fetch(`${server.url}/healthz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) assert.fail(`no healthy server within ${timeoutMs} ms; stderr: ${server.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe(`the server process (${entry.what})`, () => {
  afterEach(() => {
    closeClients();
    for (const child of children) child.kill('SIGKILL');
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  describe('configuration errors', () => {
    it('exits non-zero naming PORT (and every other invalid setting) when PORT=abc', async () => {
      const server = runServer({ env: { PORT: 'abc', SESSION_GRACE_MS: '-1' } });
      const exit = await server.exited;
      assert.notEqual(exit.code, 0);
      assert.equal(exit.signal, null);
      assert.match(server.stderr(), /\bPORT\b/);
      assert.match(server.stderr(), /\bSESSION_GRACE_MS\b/);
    });

    it('exits non-zero naming --port when the flag is invalid', async () => {
      const server = runServer({ args: ['--port', '70000'] });
      const exit = await server.exited;
      assert.notEqual(exit.code, 0);
      assert.match(server.stderr(), /--port/);
    });

    it('exits non-zero on an unknown command-line option', async () => {
      const server = runServer({ args: ['--prot', '8080'] });
      const exit = await server.exited;
      assert.notEqual(exit.code, 0);
      assert.match(server.stderr(), /--prot/);
    });
  });

  it('serves on the port given by --port and exits 0 on SIGINT after telling the clients', async () => {
    const port = await nonEphemeralPort();
    const server = runServer({ args: ['--port', String(port)] });
    await untilHealthy(server);
    const alice = await startSession(server.url, 'alice');
    const draining = nextEvent(alice.socket, 'server:draining', { timeoutMs: 5000 });
    const signalledAt = Date.now();
    server.child.kill('SIGINT');
    assert.deepEqual(await draining, {});
    const exit = await server.exited;
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    assert.ok(exit.at - signalledAt < 10_000, `exited after ${exit.at - signalledAt} ms`);
  });

  it('drains on SIGTERM: /healthz 503, server:draining, no new connections or events, exit 0 within 10 s', async () => {
    const port = await nonEphemeralPort();
    const server = runServer({ env: { PORT: String(port) }, slowAppendMs: 2000 });
    await untilHealthy(server);
    const alice = await startSession(server.url, 'alice');
    const bob = await startSession(server.url, 'bob');
    await joinRoom(alice.socket, 'lobby');
    await joinRoom(bob.socket, 'lobby');

    // A message:send that is still being stored when the signal comes.
    void request(alice.socket, 'message:send', { room: 'lobby', text: 'in flight', clientId: 'f1' }, 8000).catch(() => undefined);
    await server.waitForStderr('slow-append: started');

    const drained = [alice.socket, bob.socket].map((socket) => nextEvent(socket, 'server:draining', { timeoutMs: 5000 }));
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    for (const event of await Promise.all(drained)) assert.deepEqual(event, {});

    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 503);
    assert.equal(((await health.json()) as { status: string }).status, 'draining');
    await expectConnectError(server.url);
    errorOf(await request(bob.socket, 'history:fetch', { room: 'lobby' }), 'SERVER_DRAINING');

    const exit = await server.exited;
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, `stderr: ${server.stderr()}`);
    assert.ok(exit.at - signalledAt < 10_000, `exited after ${exit.at - signalledAt} ms`);
    assert.ok(exit.at - signalledAt >= 1000, 'the process waited for the message in flight');
    assert.doesNotMatch(server.stdout(), /"level":(50|60)/, 'no error or fatal log during the shutdown');
  });

  it(
    'still acks a message:send in flight when SIGTERM arrives',
    async () => {
      const port = await nonEphemeralPort();
      const server = runServer({ env: { PORT: String(port) }, slowAppendMs: 500 });
      await untilHealthy(server);
      const alice = await startSession(server.url, 'alice');
      await joinRoom(alice.socket, 'lobby');
      const inFlight = request(alice.socket, 'message:send', { room: 'lobby', text: 'in flight', clientId: 'f1' }, 8000);
      await server.waitForStderr('slow-append: started');
      server.child.kill('SIGTERM');
      const ack = okValue(await inFlight);
      assert.equal(ack.message.text, 'in flight');
      assert.equal((await server.exited).code, 0);
    },
  );
});
