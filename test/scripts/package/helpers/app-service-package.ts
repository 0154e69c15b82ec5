import { type AppServicePackageResult, packageAppService } from '../../../../scripts/package/main.js';
import { hashInputs, sharedArtefact } from '../../../helpers/shared-artefact.js';

/**
 * `npm run package -- --target appservice` as the tests run it (the existing build, dependencies
 * from npm's cache), made once per `npm test` run: stage-linux.test.ts checks what it holds and
 * publish/app-service.test.ts deploys it and starts it. Making it is an offline `npm ci` of ~46,000
 * files (about 17 CPU seconds), pruned to ~15,400, and a 19 MiB zip (4 CPU seconds), the largest
 * single piece of work in the suite.
 * The key covers everything packaging reads and its own code, so a change to any of them makes a
 * new package.
 */
export interface MadeAppServicePackage {
  /** The folder packaging wrote into (its outDir); read-only. */
  outDir: string;
  result: AppServicePackageResult;
  /** What packaging logged, line by line. */
  logged: string[];
}

const INPUTS = [
  'WorkerRole1/dist',
  'WorkerRole1/package.json',
  'package.json',
  'package-lock.json',
  'ServiceDefinition.csdef',
  'ServiceConfiguration.Cloud.cscfg',
  'ServiceConfiguration.Local.cscfg',
  'scripts/package',
  'scripts/service-model',
  'WorkerRole1/src/server/config',
];

export async function appServicePackage(repository: string): Promise<MadeAppServicePackage> {
  const { folder, made } = await sharedArtefact('appservice-package', hashInputs(repository, INPUTS), (outDir) => {
    const logged: string[] = [];
    // Offline: the dependencies come from npm's cache, filled by the `npm ci` that set up this clone.
    const result = packageAppService({ root: repository, skipBuild: true, offline: true, outDir, log: (line) => logged.push(line) });
    return { result, logged };
  });
  return { outDir: folder, ...made };
}
