import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { installProductionDependencies } from './install-dependencies.js';
import type { PackageLayout } from './layout.js';
import { type PrunedDependencies, pruneDependencies } from './prune-dependencies.js';

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
  /** What was removed from node_modules after the install as unused at run time (prune-dependencies.ts). */
  pruned: PrunedDependencies;
}

/**
 * Builds the approot from scratch every time (a stale file from an earlier run would otherwise ship):
 *   dist/            compiled server and browser assets, without maps and declarations
 *   startup/*.cmd    the startup tasks, byte for byte (they must stay ASCII without a BOM)
 *   package.json     the role's own, with the package-lock.json cut out of the root lock
 *   node_modules/    production dependencies for win32-x64, without what no module loads at
 *                    run time (source maps, type declarations, TypeScript sources, docs, tests)
 *   node/node.exe    the pinned Windows Node runtime
 */
export function stageRole(options: StageOptions): StagedRole {
  const { layout } = options;
  const staged = stageCommon(layout, layout.stagedRole, 'win32', options.offline);

  const startup = join(layout.roleSource, 'startup');
  mkdirSync(join(layout.stagedRole, 'startup'));
  for (const file of readdirSync(startup).filter((name) => name.toLowerCase().endsWith('.cmd'))) {
    copyFileSync(join(startup, file), join(layout.stagedRole, 'startup', file));
  }

  mkdirSync(join(layout.stagedRole, 'node'));
  copyFileSync(options.nodeExe, join(layout.stagedRole, 'node', 'node.exe'));
  return staged;
}

/**
 * The same role for App Service on Linux, in its own folder: dist/, package.json, the cut lock and
 * node_modules/ for linux-x64. No node.exe and no startup tasks: App Service's Node image brings
 * the runtime, and its start command (`node dist/server/main.js`) replaces the csdef entry point.
 */
export function stageLinuxRole(options: { layout: PackageLayout; offline?: boolean }): StagedRole {
  return stageCommon(options.layout, options.layout.stagedLinuxRole, 'linux', options.offline);
}

function stageCommon(layout: PackageLayout, folder: string, platform: 'win32' | 'linux', offline: boolean | undefined): StagedRole {
  const built = join(layout.roleSource, 'dist');
  if (!existsSync(join(built, 'server'))) throw new Error(`${built} has no server build; run npm run build first`);

  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  cpSync(built, join(folder, 'dist'), { recursive: true, filter: (source) => !NOT_SHIPPED.test(source) });
  copyFileSync(join(layout.roleSource, 'package.json'), join(folder, 'package.json'));
  const { packages } = installProductionDependencies({
    repositoryRoot: layout.repositoryRoot,
    workspacePath: layout.roleName,
    stagedRole: folder,
    offline,
    platform,
  });
  return { folder, dependencyCount: packages, pruned: pruneDependencies(join(folder, 'node_modules')) };
}
