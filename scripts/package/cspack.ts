import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PackageLayout } from './layout.js';

/**
 * cspack.exe ships only with the Azure SDK for .NET on Windows (proprietary; the .cspkg it writes
 * carries Microsoft's host binaries, so this repository never produces one any other way).
 * `CSPACK_PATH` overrides the search, for SDK installs outside Program Files.
 */
export function findCspack(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform !== 'win32') return undefined;
  if (env.CSPACK_PATH) return existsSync(env.CSPACK_PATH) ? env.CSPACK_PATH : undefined;
  const programFiles = [env.ProgramFiles, env['ProgramFiles(x86)']].filter((dir): dir is string => Boolean(dir));
  const sdkVersions = ['v2.9', 'v2.8', 'v2.7'];
  for (const base of programFiles) {
    for (const version of sdkVersions) {
      const candidate = join(base, 'Microsoft SDKs', 'Azure', '.NET SDK', version, 'bin', 'cspack.exe');
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * `cspack ServiceDefinition.csdef /role:<name>;<approot> /rolePropertiesFile:<name>;<file> /out:<cspkg>`.
 * The role is a ProgramEntryPoint (no .NET entry DLL); the properties file only tells cspack which
 * .NET Framework the guest needs, which a Node role does not use but cspack asks for.
 * Not run in this repository's CI (Linux): verified only by reading the SDK's documented usage.
 */
export function runCspack(cspack: string, layout: PackageLayout): void {
  mkdirSync(dirname(layout.cspkg), { recursive: true });
  const roleProperties = join(dirname(layout.stagedRole), 'roleproperties.txt');
  writeFileSync(roleProperties, 'TargetFrameworkVersion=v4.8\r\n', 'ascii');
  execFileSync(
    cspack,
    [
      join(layout.repositoryRoot, 'ServiceDefinition.csdef'),
      `/role:${layout.roleName};${layout.stagedRole}`,
      `/rolePropertiesFile:${layout.roleName};${roleProperties}`,
      `/out:${layout.cspkg}`,
    ],
    { stdio: 'inherit' },
  );
  copyFileSync(join(layout.repositoryRoot, 'ServiceConfiguration.Cloud.cscfg'), layout.cscfgCopy);
}
