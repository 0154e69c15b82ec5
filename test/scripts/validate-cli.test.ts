import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPOSITORY_ROOT, copyService, edit, lineContaining, removeServiceCopies } from './service-copy.js';

after(removeServiceCopies);

/** Runs `npm run validate`'s script the way npm does, from the repository root. */
function validate(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/validate.ts', ...args], {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderrLines: result.stderr.split('\n').filter(Boolean) };
}

test('exits 1 and prints file:line: message for each problem in the repository files', () => {
  const root = copyService({
    from: REPOSITORY_ROOT,
    built: false,
    edits: [
      edit('ServiceConfiguration.Cloud.cscfg', 'osFamily="7"', 'osFamily="3"'),
      edit('ServiceDefinition.csdef', 'intervalInSeconds="5"', 'intervalInSeconds="2"'),
    ],
  });
  const osLine = lineContaining(readFileSync(join(root, 'ServiceConfiguration.Cloud.cscfg'), 'utf8'), 'osFamily="3"');
  const probeLine = lineContaining(readFileSync(join(root, 'ServiceDefinition.csdef'), 'utf8'), 'intervalInSeconds="2"');

  const result = validate('--root', root, '--no-build-check');

  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  assert.deepEqual(result.stderrLines, [
    `ServiceConfiguration.Cloud.cscfg:${osLine}: osFamily="3" (Windows Server 2012) is retired; use 5, 6, 7 (7 is Windows Server 2022)`,
    `ServiceDefinition.csdef:${probeLine}: probe HealthProbe intervalInSeconds "2" is below Azure's minimum of 5 seconds`,
    'service model: 2 problems',
  ]);
});

test('checks the entry point was built unless --no-build-check is given', () => {
  const root = copyService({ from: REPOSITORY_ROOT, built: false });
  const entryLine = lineContaining(readFileSync(join(root, 'ServiceDefinition.csdef'), 'utf8'), '<ProgramEntryPoint');

  const withCheck = validate('--root', root);
  assert.equal(withCheck.status, 1);
  assert.deepEqual(withCheck.stderrLines, [
    `ServiceDefinition.csdef:${entryLine}: entry point target WorkerRole1/dist/server/main.js does not exist; run npm run build first (or pass --no-build-check before a build)`,
    'service model: 1 problem',
  ]);
  assert.equal(validate('--root', root, '--no-build-check').status, 0);
});

test("exits 0 with a one-line OK summary on the repository's own files", () => {
  const result = validate('--no-build-check');
  assert.equal(result.status, 0, result.stderrLines.join('\n'));
  assert.deepEqual(result.stderrLines, []);
  assert.match(
    result.stdout,
    /^service model OK: ServiceDefinition\.csdef, ServiceConfiguration\.Cloud\.cscfg, ServiceConfiguration\.Local\.cscfg: 1 role, \d+ settings, 1 endpoint; build output not checked \(--no-build-check\)\n$/,
  );
});

test('rejects an unknown option with the usage and exit code 2', () => {
  const result = validate('--fix');
  assert.equal(result.status, 2);
  assert.deepEqual(result.stderrLines, ["Unknown option '--fix'", 'usage: npm run validate -- [--root DIR] [--no-build-check]']);
});
