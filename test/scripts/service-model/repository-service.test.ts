import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SETTING_NAMES } from '../../../WorkerRole1/src/server/config/settings.js';
import { REPOSITORY_ROOT, copyService, problemsIn, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

const ROLE_SETTINGS = { names: SETTING_NAMES, source: 'SETTINGS in WorkerRole1/src/server/config/settings.ts' };

// The build output is checked by the CLI tests and the entry point tests; these run with or without a build.
test("the repository's own csdef and cscfg files pass every rule", () => {
  assert.deepEqual(problemsIn(REPOSITORY_ROOT, { roleSettings: ROLE_SETTINGS, checkBuild: false }), []);
});

test('a setting added to settings.ts without a csdef mapping fails validation of the repository files', () => {
  const roleSettings = { ...ROLE_SETTINGS, names: [...SETTING_NAMES, 'NEW_SETTING'] };
  const problems = problemsIn(copyService({ from: REPOSITORY_ROOT }), { roleSettings, checkBuild: false });
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /^ServiceDefinition\.csdef:\d+: role WorkerRole1 does not map NEW_SETTING, which the role reads \(SETTINGS in WorkerRole1\/src\/server\/config\/settings\.ts\)/);
});
