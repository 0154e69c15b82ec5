/**
 * azd's `prepackage` hook for the `web` service (azure.yaml): builds the App Service package with
 * `npm run package -- --target appservice`, the same command publish relies on, so `azd up` deploys
 * the folder that dist/chatapp-appservice.zip is made of.
 *
 * azd then zips the service's `dist` folder itself. For a `js` service it leaves node_modules out
 * (it expects an Oryx build on the site) unless the folder has a `.webappignore`; with one, only its
 * patterns are left out. Ours names what our own zip leaves out, npm's `.bin` links, so azd's zip
 * holds the same files, node_modules included, and SCM_DO_BUILD_DURING_DEPLOYMENT=false stands.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageLayout } from '../package/layout.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const WEBAPP_IGNORE = ['# Written by scripts/infra/azd-package.ts for azd; see there.', '**/node_modules/.bin/', ''].join('\n');

export function writeWebAppIgnore(stagedLinuxRole: string): string {
  const path = join(stagedLinuxRole, '.webappignore');
  writeFileSync(path, WEBAPP_IGNORE);
  return path;
}

function main(): void {
  // npm is npm.cmd on Windows, which Node only starts through a shell.
  const result = spawnSync('npm', ['run', 'package', '--', '--target', 'appservice'], { cwd: REPOSITORY_ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeWebAppIgnore(packageLayout(REPOSITORY_ROOT).stagedLinuxRole);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
