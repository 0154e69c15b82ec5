import { join } from 'node:path';

/**
 * Where packaging reads and writes, relative to the repository root. Everything it writes is under
 * `dist/` (staged role, .cspkg, cscfg copy) and `.cache/` (the Node runtime), both git-ignored.
 */
export interface PackageLayout {
  repositoryRoot: string;
  /** The role folder in the repository, `WorkerRole1/`; also the role's name in the csdef. */
  roleName: string;
  roleSource: string;
  /** `dist/package/<role>/`: the approot exactly as it will be on the VM. */
  stagedRole: string;
  /** `dist/package-linux/<role>/`: the same role staged for App Service (linux-x64, no node.exe). */
  stagedLinuxRole: string;
  /** `dist/chatapp-appservice.zip`: that folder zipped, what App Service's zip deployment receives. */
  appServiceZip: string;
  /** `dist/chatapp.cspkg`, written only where cspack runs. */
  cspkg: string;
  /** The cscfg copied next to the .cspkg, as Publish-AzureServiceProject left it. */
  cscfgCopy: string;
  nodeRuntimeCache: string;
}

export function packageLayout(repositoryRoot: string, roleName = 'WorkerRole1', outDir = join(repositoryRoot, 'dist')): PackageLayout {
  return {
    repositoryRoot,
    roleName,
    roleSource: join(repositoryRoot, roleName),
    stagedRole: join(outDir, 'package', roleName),
    stagedLinuxRole: join(outDir, 'package-linux', roleName),
    appServiceZip: join(outDir, 'chatapp-appservice.zip'),
    cspkg: join(outDir, 'chatapp.cspkg'),
    cscfgCopy: join(outDir, 'ServiceConfiguration.Cloud.cscfg'),
    nodeRuntimeCache: join(repositoryRoot, '.cache', 'node-win-x64'),
  };
}
