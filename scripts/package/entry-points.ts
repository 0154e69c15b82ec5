import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * The export conditions Node itself resolves: "types", "browser", "react-native" and build-tool
 * conditions such as zod's "@zod/source" are never chosen without a --conditions flag, which the
 * role does not pass.
 */
const NODE_CONDITIONS = new Set(['node', 'import', 'require', 'default', 'module-sync', 'node-addons']);

/**
 * TypeScript files, declarations included, which Node cannot load from node_modules (see
 * prune-dependencies.ts): a target naming one is no file Node loads, whatever the condition.
 * @types packages name their index.d.ts under "import" and "require"; the Azure SDK's `imports`
 * map `#platform/*` to its src/*.ts for its own build, and its compiled code never imports them.
 */
const TYPESCRIPT = /\.[cm]?ts$/i;

/**
 * Every file that a package.json under `nodeModules` names for Node to load (`main`, and the
 * `exports` and `imports` targets under the conditions Node resolves) and that is missing: one
 * `node_modules/<package>: ...` line each. Empty for a complete install; after pruning, it shows
 * that no rule removed a file a module can load.
 */
export function missingEntryPoints(nodeModules: string): string[] {
  const problems: string[] = [];
  for (const manifestPath of packageManifests(nodeModules)) {
    const root = dirname(manifestPath);
    const shown = relative(dirname(nodeModules), root).split('\\').join('/');
    let manifest: { main?: unknown; exports?: unknown; imports?: unknown };
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as typeof manifest;
    } catch {
      continue; // not a package manifest (a fixture inside a package, say); Node would not read it as one
    }
    const missing = (field: string, target: string) => problems.push(`${shown}: package.json's ${field} names ${target}, which is missing`);
    if (typeof manifest.main === 'string' && !mainResolves(root, manifest.main)) missing('main', manifest.main);
    for (const field of ['exports', 'imports'] as const) {
      for (const target of targets(manifest[field])) if (!TYPESCRIPT.test(target) && !targetExists(root, target)) missing(field, target);
    }
  }
  return problems;
}

/** The package.json of every installed package, nested ones included. */
function packageManifests(nodeModules: string): string[] {
  if (!existsSync(nodeModules)) return [];
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === '.bin') continue;
      const path = join(dir, entry.name);
      if (entry.name.startsWith('@')) visit(path);
      else {
        if (existsSync(join(path, 'package.json'))) found.push(join(path, 'package.json'));
        if (existsSync(join(path, 'node_modules'))) visit(join(path, 'node_modules'));
      }
    }
  };
  visit(nodeModules);
  return found;
}

/** The relative targets of an `exports` or `imports` value, under the conditions Node resolves. */
function targets(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.startsWith('./')) out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) targets(item, out);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      // Subpath keys ("." "./x" "#x") lead on; any other key is a condition.
      if (key.startsWith('.') || key.startsWith('#') || NODE_CONDITIONS.has(key)) targets(item, out);
    }
  }
  return out;
}

/** A pattern target (`./dist/*.js`) counts when the folder before its `*` exists. */
function targetExists(root: string, target: string): boolean {
  const star = target.indexOf('*');
  if (star === -1) return existsSync(join(root, target));
  const prefix = target.slice(0, star);
  return existsSync(join(root, prefix.endsWith('/') ? prefix : dirname(prefix)));
}

/** `main` as Node's CommonJS loader resolves it: the file, with .js/.json/.node added, or a folder's index. */
function mainResolves(root: string, main: string): boolean {
  const path = join(root, main);
  return ['', '.js', '.json', '.node', '/index.js', '/index.json', '/index.node'].some((suffix) => existsSync(path + suffix));
}
