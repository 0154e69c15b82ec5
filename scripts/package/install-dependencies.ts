import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { npmCommand } from './node-runtime.js';
import { type PackageLock, productionLock } from './production-lock.js';

export interface InstallOptions {
  /** The repository root, which holds the workspace's package-lock.json. */
  repositoryRoot: string;
  /** The workspace folder relative to the root (`WorkerRole1`). */
  workspacePath: string;
  /** The staged role folder; its package.json is already there. */
  stagedRole: string;
  /** Install only from npm's cache (tests, and machines without network after `npm ci`). */
  offline?: boolean;
  /** Where the role runs: `win32` for a Cloud Service VM (the default), `linux` for App Service. */
  platform?: 'win32' | 'linux';
}

/**
 * Installs the role's production dependencies into the staged folder as they will run on the VM:
 * for win32-x64 (or linux-x64 for App Service), at the root lock's exact versions (see
 * production-lock.ts for why a lock subset).
 *
 * `--ignore-scripts`: an install script would run here, on the build machine, and build for this
 * OS, not for the VM. The role must not need one; a package that has one is refused before
 * anything is installed, so a native module shows up as a clear error rather than a crash on the VM.
 */
export function installProductionDependencies(options: InstallOptions): { packages: number } {
  const rootLock = JSON.parse(readFileSync(join(options.repositoryRoot, 'package-lock.json'), 'utf8')) as PackageLock;
  const platform = options.platform ?? 'win32';
  const { lock, installScripts } = productionLock(rootLock, options.workspacePath);
  if (installScripts.length > 0) {
    throw new Error(
      `the role depends on packages with install scripts (native modules, usually): ${installScripts.join(', ')}. ` +
        `They would be built for this machine, not for the ${platform === 'win32' ? 'Windows VM' : 'App Service Linux worker'}. Replace them with pure-JavaScript ` +
        `packages, or package on ${platform === 'win32' ? 'Windows' : 'Linux'} x64.`,
    );
  }
  writeFileSync(join(options.stagedRole, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  execFileSync(
    npmCommand(),
    [
      'ci',
      '--omit=dev',
      `--os=${platform}`,
      '--cpu=x64',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
      options.offline ? '--offline' : '--prefer-offline',
      '--loglevel=error',
    ],
    {
      cwd: options.stagedRole,
      stdio: ['ignore', 'ignore', 'inherit'],
      shell: process.platform === 'win32',
      // npm must see the staged folder as a project of its own, not as part of this workspace.
      env: { ...process.env, npm_config_workspaces: undefined, npm_config_workspace: undefined } as NodeJS.ProcessEnv,
    },
  );
  return { packages: Object.keys(lock.packages).length - 1 };
}
