import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { type FSWatcher, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, watch, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { moveIntoPlace } from '../../../scripts/build/move-into-place.js';
import { nonEphemeralPort } from '../../helpers/non-ephemeral-port.js';
import { ensureBuilt, ROOT } from './running-emulator.js';

/** The files of the page a browser loads, and how each one ends when it is complete. */
const PAGE_FILES: Array<[path: string, completeEnding: RegExp]> = [
  ['/', /<\/html>\s*$/],
  ['/app.js', /\/\/# sourceMappingURL=app\.js\.map\s*$/],
  ['/styles.css', /\}\s*$/],
];

/**
 * How often the page is requested: every few milliseconds while a folder the page is served from
 * changes, and for a second after each change; every 100 ms otherwise. A request can find a file
 * missing or cut short only while those folders change. The compile before the move, most of the
 * build, writes elsewhere, and requesting every few milliseconds through it cost the server and
 * this process seconds of CPU for nothing.
 */
const BUSY_PAUSE_MS = 3;
const IDLE_PAUSE_MS = 100;
const BUSY_AFTER_CHANGE_MS = 1000;

/** Notes every change to WorkerRole1/dist and dist/public (where the page's files are). */
class DistChanges {
  changedAt = Number.NEGATIVE_INFINITY;
  private readonly watchers: FSWatcher[];
  private wake: (() => void) | undefined;

  constructor() {
    this.watchers = [join(ROOT, 'WorkerRole1', 'dist'), join(ROOT, 'WorkerRole1', 'dist', 'public')].map((folder) =>
      watch(folder, () => {
        this.changedAt = Date.now();
        this.wake?.();
      }),
    );
  }

  get busy(): boolean {
    return Date.now() - this.changedAt < BUSY_AFTER_CHANGE_MS;
  }

  /** Waits the pause due now, cut short by a change. */
  pause(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.busy ? BUSY_PAUSE_MS : IDLE_PAUSE_MS);
      this.wake = done;
    });
  }

  close(): void {
    for (const watcher of this.watchers) watcher.close();
  }
}

function exitOf(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('npm run build while a server runs from WorkerRole1/dist', { timeout: 240_000 }, () => {
  let server: ReturnType<typeof spawn>;
  let base: string;

  before(async () => {
    ensureBuilt();
    const port = await nonEphemeralPort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['WorkerRole1/dist/server/main.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    // Ready when /healthz answers; the server's own start, not a measured time.
    for (;;) {
      const ok = await fetch(`${base}/healthz`).then((response) => response.ok, () => false);
      if (ok) break;
      assert.equal(server.exitCode, null, 'the server exited before it answered /healthz');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  after(() => {
    server?.kill('SIGKILL');
  });

  it('serves every file of the page, whole, to requests made every few milliseconds while the build changes dist', async () => {
    const changes = new DistChanges();
    const build = spawn('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    const built = exitOf(build);
    let building = true;
    void built.then(() => (building = false));

    const failures: string[] = [];
    let requests = 0;
    let requestsWhileChanging = 0;
    try {
      // On for a moment after the build: the move into place is its last step.
      while (building || changes.busy) {
        for (const [path, completeEnding] of PAGE_FILES) {
          if (changes.busy) requestsWhileChanging += 1;
          const response = await fetch(`${base}${path}`);
          const body = await response.text();
          requests += 1;
          if (response.status !== 200) failures.push(`${path}: ${response.status}`);
          else if (!completeEnding.test(body)) failures.push(`${path}: cut short (${body.length} bytes)`);
        }
        await changes.pause();
      }
    } finally {
      changes.close();
    }

    assert.equal(await built, 0, 'npm run build succeeded');
    assert.ok(requests > 30, `only ${requests} requests were made during the build`);
    assert.ok(requestsWhileChanging > 30, `only ${requestsWhileChanging} requests were made while dist changed`);
    assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed`);
    assert.deepEqual(
      readdirSync(join(ROOT, 'WorkerRole1')).filter((name) => name.startsWith('.dist-building-')),
      [],
      'the staging folder is gone',
    );
  });

  it('is skipped by npm start and npm test right after that build (nothing it reads changed), leaving dist as it was', async () => {
    const entry = join(ROOT, 'WorkerRole1', 'dist', 'server', 'main.js');
    const builtAt = statSync(entry).mtimeMs;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--if-changed'], { cwd: ROOT });
    assert.match(stdout, /^WorkerRole1\/dist is up to date/);
    assert.equal(statSync(entry).mtimeMs, builtAt, 'dist/server/main.js was not written again');
  });
});

describe('moveIntoPlace', () => {
  const work = mkdtempSync(join(tmpdir(), 'chatapp-move-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  function write(path: string, text: string): void {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  }

  it('replaces every file, drops what the new build no longer has, and removes the staging folder', () => {
    const target = join(work, 'dist');
    const staged = join(work, '.dist-building-1');
    write(join(target, 'public', 'index.html'), 'old page');
    write(join(target, 'public', 'gone.js'), 'dropped');
    write(join(target, 'server', 'old', 'module.js'), 'dropped folder');
    write(join(staged, 'public', 'index.html'), 'new page');
    write(join(staged, 'server', 'main.js'), 'new server');

    moveIntoPlace(staged, target);

    assert.equal(readFileSync(join(target, 'public', 'index.html'), 'utf8'), 'new page');
    assert.equal(readFileSync(join(target, 'server', 'main.js'), 'utf8'), 'new server');
    assert.equal(existsSync(join(target, 'public', 'gone.js')), false);
    assert.equal(existsSync(join(target, 'server', 'old')), false);
    assert.equal(existsSync(staged), false);
  });

  it('creates the target on a first build', () => {
    const target = join(work, 'first');
    const staged = join(work, '.dist-building-2');
    write(join(staged, 'public', 'app.js'), 'script');
    moveIntoPlace(staged, target);
    assert.equal(readFileSync(join(target, 'public', 'app.js'), 'utf8'), 'script');
  });
});
