import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What `npm ci` puts into the staged node_modules that no module loads at run time, left out of
 * both packages (the .cspkg's approot and the App Service zip): about two thirds of its ~46,000
 * files, which every package build zips, every deployment uploads and unpacks, and every test that
 * makes a package writes and reads. Each rule says why nothing the role runs can need what it
 * removes; a file no rule names stays. Licence files, package.json files and every .js, .cjs,
 * .mjs, .json and .node file are never removed. checkStagedRole confirms afterwards that every
 * file a package.json names for Node to load is still there.
 */
const UNUSED_FILES: { pattern: RegExp; why: string }[] = [
  {
    pattern: /\.map$/i,
    why:
      'source maps: Node reads one only under --enable-source-maps (or process.setSourceMapsEnabled), and the role ' +
      'runs `node dist/server/main.js` with no flags on both targets (csdef ProgramEntryPoint, App Service appCommandLine); ' +
      'our own dist/ maps are not staged either (stage-role.ts), so stack traces name the compiled files everywhere',
  },
  {
    pattern: /\.d\.[cm]?ts$/i,
    why: 'type declarations: read by the TypeScript compiler and editors, never by Node ("types" is no condition Node resolves)',
  },
  {
    pattern: /\.[cm]?ts$/i,
    why:
      'TypeScript sources, shipped for editors to jump to: Node 20 cannot run them and Node 22+ refuses to strip ' +
      'types under node_modules, so no module there can load one (the Azure SDK\'s `imports` map names some, as ' +
      'aliases for its own build; its compiled code never imports them)',
  },
  {
    pattern: /^(changelog|changes|history)\.(md|markdown|txt)$/i,
    why: 'release notes: documents, with a documents\' extension (a module named history.js stays)',
  },
];

/** A README is documentation, but a few packages state their licence only there: it goes only where a licence file stays beside it. */
const README = /^readme(\.(md|markdown|txt))?$/i;
const LICENCE = /^(licen[cs]e|copying|notice)([.-].*)?$/i;

/**
 * Folders at a package's root (beside its package.json) that hold the package's own repository
 * tooling: its tests, benchmarks, examples and CI configuration. A package's code does not import
 * them (checked on the role's dependencies: no module outside such a folder names one) and, where
 * the package has `exports`, nothing else may.
 */
const UNUSED_PACKAGE_FOLDERS = new Set(['test', 'tests', '__tests__', 'benchmark', 'benchmarks', 'example', 'examples', '.github']);

export interface PrunedDependencies {
  files: number;
  bytes: number;
}

/** Whether a rule above removes this file; `siblings` are the names in its folder. */
export function isUnusedAtRunTime(name: string, siblings: readonly string[]): boolean {
  if (UNUSED_FILES.some(({ pattern }) => pattern.test(name))) return true;
  return README.test(name) && siblings.some((sibling) => LICENCE.test(sibling));
}

export function isUnusedPackageFolder(name: string, siblings: readonly string[]): boolean {
  return UNUSED_PACKAGE_FOLDERS.has(name) && siblings.includes('package.json');
}

/** Removes, under `nodeModules`, what the rules above name; returns how much went. */
export function pruneDependencies(nodeModules: string): PrunedDependencies {
  const pruned: PrunedDependencies = { files: 0, bytes: 0 };
  const prune = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    const names = entries.map((entry) => entry.name);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (isUnusedPackageFolder(entry.name, names)) {
          count(path, pruned);
          rmSync(path, { recursive: true });
        } else prune(path);
      } else if (entry.isFile() && isUnusedAtRunTime(entry.name, names)) {
        pruned.files += 1;
        pruned.bytes += lstatSync(path).size;
        rmSync(path);
      }
    }
  };
  if (existsSync(nodeModules)) prune(nodeModules);
  return pruned;
}

function count(dir: string, into: PrunedDependencies): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) count(path, into);
    else {
      into.files += 1;
      into.bytes += lstatSync(path).size;
    }
  }
}
