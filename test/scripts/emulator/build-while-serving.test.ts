import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('serves every file of the page, whole, to requests made every few milliseconds during the build', async () => {
    const build = spawn('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    const built = exitOf(build);
    let building = true;
    void built.then(() => (building = false));

    const failures: string[] = [];
    let requests = 0;
    while (building) {
      for (const [path, completeEnding] of PAGE_FILES) {
        const response = await fetch(`${base}${path}`);
        const body = await response.text();
        requests += 1;
        if (response.status !== 200) failures.push(`${path}: ${response.status}`);
        else if (!completeEnding.test(body)) failures.push(`${path}: cut short (${body.length} bytes)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 3));
    }

    assert.equal(await built, 0, 'npm run build succeeded');
    assert.ok(requests > 30, `only ${requests} requests were made during the build`);
    assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed`);
    assert.deepEqual(
      readdirSync(join(ROOT, 'WorkerRole1')).filter((name) => name.startsWith('.dist-building-')),
      [],
      'the staging folder is gone',
    );
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
