import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isRunning } from '../../scripts/emulator/pid-file.js';
import { scratchDir } from './scratch-dir.js';

/**
 * Something expensive that several test files check from different sides (the App Service
 * package: what it holds, and that it deploys and runs), made once per `npm test` run instead of
 * once per file. scripts/run-tests.ts names a temporary folder for the run in TEST_SHARED_DIR and
 * removes it at the end; a file run on its own (`npx tsx --test ...`) gets a folder of its own, so
 * it makes the artefact itself, as before.
 *
 * The artefact is keyed by a hash of its inputs' contents, so a file never gets one made from
 * other inputs (a build that changed WorkerRole1/dist meanwhile makes a new one). Files running
 * side by side are safe: the first takes a lock (an atomic mkdir holding its pid) and makes the
 * artefact in a folder only it writes; the rest wait for its `made.json`, and take over when the
 * maker died or gave up (then they make it themselves and report their own error, if any).
 * Consumers must treat the folder as read-only.
 */
export interface SharedArtefact<T> {
  /** The folder the maker wrote into; read-only for every consumer. */
  folder: string;
  /** What `make` returned, through JSON. */
  made: T;
}

const runFolder = process.env.TEST_SHARED_DIR ?? scratchDir('chatapp-test-shared-');
if (process.env.TEST_SHARED_DIR === undefined) process.once('exit', () => rmSync(runFolder, { recursive: true, force: true }));

/** A hash of the contents of these files and folders (folders walked whole), paths included. */
export function hashInputs(root: string, paths: string[]): string {
  const hash = createHash('sha256');
  const add = (path: string) => {
    if (!existsSync(path)) {
      hash.update(`missing ${relative(root, path)}\0`);
      return;
    }
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(path, name));
      return;
    }
    hash.update(`${relative(root, path)}\0`).update(readFileSync(path)).update('\0');
  };
  for (const path of paths) add(join(root, path));
  return hash.digest('hex').slice(0, 16);
}

const POLL_MS = 200;

export async function sharedArtefact<T>(name: string, key: string, make: (folder: string) => T | Promise<T>): Promise<SharedArtefact<T>> {
  const folder = join(runFolder, `${name}-${key}`);
  const madeFile = join(folder, 'made.json');
  const lock = `${folder}.lock`;
  for (;;) {
    if (existsSync(madeFile)) return { folder, made: JSON.parse(readFileSync(madeFile, 'utf8')) as T };
    if (takeLock(lock)) {
      try {
        if (existsSync(madeFile)) continue; // made between the check above and the lock
        rmSync(folder, { recursive: true, force: true });
        mkdirSync(folder, { recursive: true });
        const made = await make(folder);
        writeFileSync(`${madeFile}.partial`, JSON.stringify(made));
        renameSync(`${madeFile}.partial`, madeFile);
        return { folder, made };
      } catch (error) {
        rmSync(folder, { recursive: true, force: true });
        throw error;
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
    await delay(POLL_MS);
  }
}

/**
 * Takes the lock (a folder holding the maker's pid, put in place by one rename, so a lock never
 * lacks its pid), or takes it over from a maker that died holding it; false while a maker lives.
 */
function takeLock(lock: string): boolean {
  const mine = `${lock}.${process.pid}`;
  mkdirSync(mine, { recursive: true });
  writeFileSync(join(mine, 'pid'), String(process.pid));
  try {
    renameSync(mine, lock);
    return true;
  } catch (error) {
    rmSync(mine, { recursive: true, force: true });
    if (!['EEXIST', 'ENOTEMPTY'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
  let holder: number;
  try {
    holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // released meanwhile: try again on the next poll
  }
  if (isRunning(holder)) return false;
  rmSync(lock, { recursive: true, force: true });
  return takeLock(lock);
}
