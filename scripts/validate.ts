/**
 * `npm run validate`: checks ServiceDefinition.csdef and every ServiceConfiguration.*.cscfg for
 * what Azure Cloud Services (extended support) would reject, that the csdef gives the role every
 * environment variable it reads, and that every setting value is one the role accepts (its own
 * schema, its own words). Prints `file:line: message` per problem on stderr and exits 1, or prints
 * one OK line and exits 0.
 *
 *   --root DIR         validate the service in DIR instead of this repository (tests use fixtures)
 *   --no-build-check   skip the checks that need `npm run build` to have run (the entry point's
 *                      script). They run by default, so `npm run validate` after a build checks
 *                      everything; a step that validates before building passes this flag.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { okSummary, problemLines } from './service-model/report.js';
import { CHATAPP_ROLE_SETTINGS } from './service-model/role-settings.js';
import { validateServiceModel } from './service-model/validate-service-model.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));
const USAGE = 'usage: npm run validate -- [--root DIR] [--no-build-check]';

export function main(argv: string[]): number {
  let options: { root?: string; 'no-build-check'?: boolean };
  try {
    ({ values: options } = parseArgs({
      args: argv,
      options: { root: { type: 'string' }, 'no-build-check': { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }

  const checkBuild = !options['no-build-check'];
  const { problems, model } = validateServiceModel({
    root: resolve(options.root ?? REPOSITORY_ROOT),
    roleSettings: CHATAPP_ROLE_SETTINGS,
    checkBuild,
  });
  if (problems.length > 0 || !model) {
    for (const line of problemLines(problems)) console.error(line);
    console.error(`service model: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    return 1;
  }
  console.log(okSummary(model, checkBuild));
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
