/**
 * The role's own package-lock.json, cut out of the workspace root's lock.
 *
 * Why: the repository is an npm workspace, so the only lock is the root one, and it mixes the
 * role's production dependencies with every dev tool of the repository. The staged role needs
 * exactly the versions the root lock pins, and nothing else. A lock that holds just the entries
 * reachable from the role's `dependencies` lets `npm ci` in the staged folder install those exact
 * versions, with their recorded integrity, and fail if anything disagrees. (The alternative,
 * copying the whole root lock and running `npm ci --workspace`, installs into a root
 * node_modules that would then have to be moved, and drags the root's optional dev packages
 * through npm's platform filter.)
 */

export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  hasInstallScript?: boolean;
  os?: string[];
  cpu?: string[];
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  link?: boolean;
  [field: string]: unknown;
}

export interface PackageLock {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export interface ProductionLock {
  lock: PackageLock;
  /** `name@version` of every package that runs an install script (a native build, usually). */
  installScripts: string[];
}

/**
 * `workspacePath` is the workspace's folder relative to the root lock (`WorkerRole1`). Throws when
 * a dependency is missing from the lock (the lock is stale: `npm install` at the root fixes it) or
 * when two different versions would land on the same path once the workspace is the root.
 */
export function productionLock(rootLock: PackageLock, workspacePath: string): ProductionLock {
  if (rootLock.lockfileVersion < 2) throw new Error('package-lock.json is lockfileVersion 1; npm 7 or later writes the version this needs');
  const workspace = rootLock.packages[workspacePath];
  if (!workspace) throw new Error(`package-lock.json has no entry for the workspace ${workspacePath}; run npm install at the root`);

  const needed = new Map<string, LockEntry>(); // lock path in the root lock -> entry
  const queue: { from: string; name: string; optional: boolean }[] = [];
  const enqueue = (from: string, entry: LockEntry) => {
    for (const name of Object.keys(entry.dependencies ?? {})) queue.push({ from, name, optional: false });
    for (const name of Object.keys(entry.optionalDependencies ?? {})) queue.push({ from, name, optional: true });
    for (const name of Object.keys(entry.peerDependencies ?? {})) {
      queue.push({ from, name, optional: entry.peerDependenciesMeta?.[name]?.optional === true });
    }
  };
  enqueue(workspacePath, workspace);

  while (queue.length > 0) {
    const { from, name, optional } = queue.shift()!;
    const path = resolveFrom(rootLock, from, name);
    if (!path) {
      if (optional) continue; // an optional dependency npm skipped (another platform, say)
      throw new Error(`package-lock.json: ${name}, needed by ${from || 'the root'}, is not in the lock; run npm install at the root`);
    }
    if (needed.has(path)) continue;
    const entry = rootLock.packages[path]!;
    needed.set(path, entry);
    enqueue(path, entry);
  }

  const packages: Record<string, LockEntry> = {
    '': { name: workspace.name as string | undefined, version: workspace.version, ...pick(workspace, ['dependencies', 'optionalDependencies', 'peerDependencies', 'engines', 'license']) },
  };
  for (const [path, entry] of [...needed].sort(([a], [b]) => a.localeCompare(b))) {
    const relocated = relocate(path, workspacePath);
    const existing = packages[relocated];
    if (existing && existing.version !== entry.version) {
      throw new Error(`${relocated}: both ${existing.version} and ${entry.version} would be installed there; the role's dependencies cannot be cut out of the root lock cleanly`);
    }
    // dev/devOptional describe the root project's view; in the role's own lock everything is production.
    const { dev: _dev, devOptional: _devOptional, ...rest } = entry;
    packages[relocated] = rest;
  }
  // The lock keeps a package's name only in its path.
  const installScripts = [...needed]
    .filter(([, entry]) => entry.hasInstallScript)
    .map(([path, entry]) => `${packageName(path)}@${entry.version}`);

  return {
    lock: { name: workspace.name as string | undefined, version: workspace.version, lockfileVersion: 3, requires: true, packages },
    installScripts,
  };
}

/** Node's lookup, on lock paths: `<from>/node_modules/<name>`, then each parent's, then the root's. */
function resolveFrom(lock: PackageLock, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    const entry = lock.packages[candidate];
    if (entry) return entry.link ? undefined : candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/** `WorkerRole1/node_modules/x` and `node_modules/x` both become `node_modules/x` in the role's lock. */
function relocate(path: string, workspacePath: string): string {
  const prefix = `${workspacePath}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

function packageName(path: string): string {
  return path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

function pick(entry: LockEntry, fields: string[]): Partial<LockEntry> {
  return Object.fromEntries(fields.filter((field) => entry[field] !== undefined).map((field) => [field, entry[field]]));
}
