import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Moves a freshly built tree (`staged`) over the live one (`target`) so that a server reading
 * `target` at the same time always finds complete files: never a missing one, never a half-written
 * one. `staged` must be on the same file system (a sibling folder), so that every move is a rename.
 *
 * Why file by file and not the whole folder: a folder cannot be renamed onto a folder that has
 * files in it, so swapping whole folders takes two renames (target -> old, staged -> target), and a
 * request arriving between the two finds no folder at all: a 404. A symlink swapped in one rename
 * avoids that gap, but Node resolves the real path of the module it runs, so a server started
 * before the swap would go on serving its own (old) folder, which then could never be deleted.
 *
 * So `target` stays a real folder and each file is renamed onto its old version. On POSIX rename(2)
 * replaces the directory entry atomically: an open() sees the old file or the new one, complete
 * either way, and a file already open keeps its old contents. (Windows' MoveFileEx replaces it the
 * same way, unless another program holds the file open without sharing delete; Node's reads share.) Between two renames the tree mixes old and new files (the new page beside the old
 * script, say) for a few microseconds; every file a request finds is still whole. Pages go last, so
 * a new page never names an asset that is not there yet. Then whatever the new build no longer has
 * is removed, and the empty staging folder with it.
 */
export function moveIntoPlace(staged: string, target: string): void {
  mkdirSync(target, { recursive: true });
  const files = filesUnder(staged);
  const pagesLast = [...files.filter((file) => !file.endsWith('.html')), ...files.filter((file) => file.endsWith('.html'))];
  for (const file of pagesLast) {
    const destination = join(target, file);
    makeFolder(join(destination, '..'), target);
    // A folder where the new build has a file (a rare change of layout) has to go first.
    if (existsSync(destination) && lstatSync(destination).isDirectory()) rmSync(destination, { recursive: true, force: true });
    renameSync(join(staged, file), destination);
  }
  removeAllBut(target, new Set(files));
  rmSync(staged, { recursive: true, force: true });
}

/** Every file under `root`, as paths relative to it. */
function filesUnder(root: string, folder = root): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(root, path) : [relative(root, path)];
  });
}

/** mkdir -p, replacing a file that stands where a folder of the new build goes. */
function makeFolder(folder: string, target: string): void {
  if (existsSync(folder) && lstatSync(folder).isDirectory()) return;
  if (folder !== target) makeFolder(join(folder, '..'), target);
  if (existsSync(folder)) rmSync(folder, { force: true });
  mkdirSync(folder);
}

/** Deletes what `keep` does not name (files of the previous build that this one dropped). */
function removeAllBut(target: string, keep: ReadonlySet<string>, folder = target): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    const name = relative(target, path);
    if (entry.isDirectory()) {
      const prefix = `${name}${sep}`;
      if ([...keep].some((file) => file.startsWith(prefix))) removeAllBut(target, keep, path);
      else rmSync(path, { recursive: true, force: true });
    } else if (!keep.has(name)) {
      rmSync(path, { force: true });
    }
  }
}
