import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { inputsDigest, isUpToDate, recordBuild } from '../../../scripts/build/up-to-date.js';

/**
 * `npm start` and `npm test` skip the build only while nothing it reads and nothing it wrote has
 * changed; here on a small tree laid out as the repository is, built once and then changed.
 */
describe('the up-to-date check that lets npm start skip a build', () => {
  const work = mkdtempSync(join(tmpdir(), 'chatapp-up-to-date-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  let root: string;
  let trees = 0;

  function write(path: string, text: string): void {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }

  /** One file in or at each input, a built dist, and the build recorded. */
  beforeEach(() => {
    trees += 1;
    root = join(work, String(trees));
    write('WorkerRole1/src/server/main.ts', 'export {};');
    write('WorkerRole1/src/client/main.ts', 'export {};');
    write('WorkerRole1/src/shared/events.ts', 'export {};');
    write('WorkerRole1/public/index.html', '<html></html>');
    write('WorkerRole1/tsconfig.json', '{}');
    write('WorkerRole1/package.json', '{"type":"module"}');
    write('tsconfig.json', '{}');
    write('package.json', '{}');
    write('package-lock.json', '{"packages":{"node_modules/typescript":{"version":"5.9.3"}}}');
    write('scripts/build.ts', '// build');
    write('scripts/build/move-into-place.ts', '// move');
    write('WorkerRole1/dist/server/main.js', 'export {};');
    write('WorkerRole1/dist/public/app.js', '//# sourceMappingURL=app.js.map');
    recordBuild(root, digest());
  });

  /** The digest scripts/build.ts takes before it compiles. */
  const digest = () => inputsDigest(root);

  it('is up to date right after a build, and stays so when files are only touched', () => {
    assert.equal(isUpToDate(root), true);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'WorkerRole1/src/server/main.ts'), later, later);
    assert.equal(isUpToDate(root), true, 'a newer modification time alone is no change');
  });

  const changes: Array<[what: string, change: () => void]> = [
    ['a server source edited', () => write('WorkerRole1/src/server/main.ts', 'export const changed = 1;')],
    ['a client source edited', () => write('WorkerRole1/src/client/main.ts', 'export const changed = 1;')],
    ['a shared source edited', () => write('WorkerRole1/src/shared/events.ts', 'export const changed = 1;')],
    ['a source added', () => write('WorkerRole1/src/server/new-feature.ts', 'export {};')],
    ['a source removed', () => rmSync(join(root, 'WorkerRole1/src/shared/events.ts'))],
    ['a source renamed', () => renameSync(join(root, 'WorkerRole1/src/shared/events.ts'), join(root, 'WorkerRole1/src/shared/wire.ts'))],
    ['a page or asset edited', () => write('WorkerRole1/public/index.html', '<html><body></body></html>')],
    ['the role tsconfig edited', () => write('WorkerRole1/tsconfig.json', '{"compilerOptions":{}}')],
    ['the role package.json edited', () => write('WorkerRole1/package.json', '{"type":"commonjs"}')],
    ['the root tsconfig edited', () => write('tsconfig.json', '{"compilerOptions":{}}')],
    ['the root package.json edited', () => write('package.json', '{"name":"x"}')],
    ['a dependency upgraded (package-lock.json)', () => write('package-lock.json', '{"packages":{"node_modules/typescript":{"version":"6.0.0"}}}')],
    ['the build script edited', () => write('scripts/build.ts', '// build, changed')],
    ['a module of the build edited', () => write('scripts/build/move-into-place.ts', '// move, changed')],
    ['a built file deleted', () => rmSync(join(root, 'WorkerRole1/dist/public/app.js'))],
    ['a built file edited', () => write('WorkerRole1/dist/server/main.js', 'export const patched = 1;')],
    ['dist deleted', () => rmSync(join(root, 'WorkerRole1/dist'), { recursive: true })],
    ['the record of the last build deleted', () => rmSync(join(root, 'node_modules'), { recursive: true })],
  ];
  for (const [what, change] of changes) {
    it(`is out of date after ${what}`, () => {
      change();
      assert.equal(isUpToDate(root), false);
    });
  }

  it('is out of date when an input changed while the build ran: the digest recorded is the one taken before it', () => {
    const before = digest();
    write('WorkerRole1/src/server/main.ts', 'export const editedMidBuild = 1;');
    recordBuild(root, before);
    assert.equal(isUpToDate(root), false);
  });

  it('is up to date again once the changed inputs are built', () => {
    write('WorkerRole1/src/server/main.ts', 'export const changed = 1;');
    write('WorkerRole1/dist/server/main.js', 'export const changed = 1;');
    assert.equal(isUpToDate(root), false);
    recordBuild(root, digest());
    assert.equal(isUpToDate(root), true);
  });
});
