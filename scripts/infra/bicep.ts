import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pinned with infra/install-bicep.sh, which puts this version where bicepPath() looks. */
export const BICEP_VERSION = '0.49.2';

export const INFRA_DIR = fileURLToPath(new URL('../../infra/', import.meta.url));
export const MAIN_BICEP = join(INFRA_DIR, 'main.bicep');
export const MAIN_JSON = join(INFRA_DIR, 'main.json');

/** `BICEP_PATH` if set, else where NuGet's global packages folder keeps the pinned CLI. */
export function bicepPath(): string {
  if (process.env.BICEP_PATH) return process.env.BICEP_PATH;
  const packages = process.env.NUGET_PACKAGES ?? join(homedir(), '.nuget', 'packages');
  return join(packages, 'azure.bicep.commandline.linux-x64', BICEP_VERSION, 'tools', 'bicep');
}

export class BicepMissingError extends Error {
  override name = 'BicepMissingError';
  constructor(path: string) {
    super(`the Bicep CLI ${BICEP_VERSION} is not at ${path}: run \`bash infra/install-bicep.sh\` (or set BICEP_PATH)`);
  }
}

export interface BicepBuild {
  /** The ARM JSON exactly as `bicep build` writes it. */
  template: string;
  /** Every warning, error and linter finding Bicep printed; a clean build has none. */
  diagnostics: string[];
}

export function buildBicep(file = MAIN_BICEP): BicepBuild {
  const bicep = bicepPath();
  if (!existsSync(bicep)) throw new BicepMissingError(bicep);
  const result = spawnSync(bicep, ['build', file, '--stdout'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  const diagnostics = result.stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  if (result.status !== 0 && diagnostics.length === 0) diagnostics.push(`bicep exited with code ${result.status}`);
  return { template: result.stdout, diagnostics };
}
