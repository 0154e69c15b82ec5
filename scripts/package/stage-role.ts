import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { installProductionDependencies } from './install-dependencies.js';
import type { PackageLayout } from './layout.js';

/**
 * Build output that must not ship: source maps (esbuild's embed the TypeScript sources, and the
 * server would hand the browser ones to anyone who asks), declarations and tsc's incremental state.
 */
const NOT_SHIPPED = /\.(map|d\.ts|tsbuildinfo)$/;

export interface StageOptions {
  layout: PackageLayout;
  /** node.exe from ensureNodeRuntime. */
  nodeExe: string;
  offline?: boolean;
}

export interface StagedRole {
  folder: string;
  dependencyCount: number;
}

/**
 * Builds the approot from scratch every time (a stale file from an earlier run would otherwise ship):
 *   dist/            compiled server and browser assets, without maps and declarations
 *   startup/*.cmd    the startup tasks, byte for byte (they must stay ASCII without a BOM)
 *   package.json     the role's own, with the package-lock.json cut out of the root lock
 *   node_modules/    production dependencies for win32-x64
 *   node/node.exe    the pinned Windows Node runtime
 */
export function stageRole(options: StageOptions): StagedRole {
  const { layout } = options;
  const built = join(layout.roleSource, 'dist');
  if (!existsSync(join(built, 'server'))) throw new Error(`${built} has no server build; run npm run build first`);

  rmSync(layout.stagedRole, { recursive: true, force: true });
  mkdirSync(layout.stagedRole, { recursive: true });

  cpSync(built, join(layout.stagedRole, 'dist'), { recursive: true, filter: (source) => !NOT_SHIPPED.test(source) });

  const startup = join(layout.roleSource, 'startup');
  mkdirSync(join(layout.stagedRole, 'startup'));
  for (const file of readdirSync(startup).filter((name) => name.toLowerCase().endsWith('.cmd'))) {
    copyFileSync(join(startup, file), join(layout.stagedRole, 'startup', file));
  }

  copyFileSync(join(layout.roleSource, 'package.json'), join(layout.stagedRole, 'package.json'));
  const { packages } = installProductionDependencies({
    repositoryRoot: layout.repositoryRoot,
    workspacePath: layout.roleName,
    stagedRole: layout.stagedRole,
    offline: options.offline,
  });

  mkdirSync(join(layout.stagedRole, 'node'));
  copyFileSync(options.nodeExe, join(layout.stagedRole, 'node', 'node.exe'));
  return { folder: layout.stagedRole, dependencyCount: packages };
}
