import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Whether WorkerRole1/dist is the build of the files it is built from, so that `npm start` and
 * `npm test` can skip a build (about 12 CPU seconds) that would write the same files again.
 *
 * A build records two digests: of everything the build reads (BUILD_INPUTS) before it starts, and
 * of the dist it left. dist is up to date while both still match: any change to an input (its
 * contents, a file added, removed or renamed), or to dist itself (a file deleted or edited), means
 * a build. Contents, not modification times: a checkout or a copy that keeps old times cannot
 * hide a change. The record lives in node_modules/.cache, so a fresh `npm ci` (perhaps a new
 * TypeScript) builds again.
 */

/** What scripts/build.ts reads, relative to the repository: folders whole, files as named. */
export const BUILD_INPUTS = [
  'WorkerRole1/src',
  'WorkerRole1/public',
  'WorkerRole1/tsconfig.json',
  // "type": "module" decides how tsc emits the server.
  'WorkerRole1/package.json',
  'tsconfig.json',
  'package.json',
  // The versions of tsc, esbuild and every type the compile checks against.
  'package-lock.json',
  'scripts/build.ts',
  'scripts/build',
];

export const DIST = 'WorkerRole1/dist';
export const STAMP = 'node_modules/.cache/chatapp/build-stamp.json';

interface Stamp {
  inputs: string;
  dist: string;
}

/** One digest of the named files and folders under `root`: their paths and contents. */
export function digestOf(root: string, paths: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of paths.flatMap((path) => filesUnder(root, path)).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Every file at or under `path`, relative to `root`, with forward slashes; none if it is missing. */
function filesUnder(root: string, path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => filesUnder(root, `${path}/${name}`));
}

export function inputsDigest(root: string): string {
  return digestOf(root, BUILD_INPUTS);
}

/** True when the last build recorded these inputs and left the dist that is there now. */
export function isUpToDate(root: string, inputs = inputsDigest(root)): boolean {
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, STAMP), 'utf8')) as Stamp;
  } catch {
    return false;
  }
  return stamp.inputs === inputs && existsSync(join(root, DIST)) && stamp.dist === digestOf(root, [DIST]);
}

/**
 * Records a build that succeeded: `inputs` as they were when it began (an input edited while it
 * ran then still counts as a change), and dist as it is now. Written whole or not at all.
 */
export function recordBuild(root: string, inputs: string): void {
  const path = join(root, STAMP);
  mkdirSync(dirname(path), { recursive: true });
  const staged = `${path}.${process.pid}`;
  writeFileSync(staged, JSON.stringify({ inputs, dist: digestOf(root, [DIST]) } satisfies Stamp));
  renameSync(staged, path);
}
