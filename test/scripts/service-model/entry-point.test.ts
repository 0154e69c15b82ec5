import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { copyService, edit, problemsAfter, problemsIn, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

const DEFINITION = 'ServiceDefinition.csdef';

test('rejects an entry point whose script has not been built', () => {
  assert.deepEqual(problemsIn(copyService({ built: false })), [
    'ServiceDefinition.csdef:34: entry point target WorkerRole1/dist/server/main.js does not exist; run npm run build first (or pass --no-build-check before a build)',
  ]);
});

test('skips the build output check when asked to, as before a first build', () => {
  assert.deepEqual(problemsIn(copyService({ built: false }), { checkBuild: false }), []);
});

test('rejects an entry point that runs a script the build does not produce', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, 'dist\\server\\main.js', 'dist\\server.js')]), [
    'ServiceDefinition.csdef:34: entry point target WorkerRole1/dist/server.js does not exist; run npm run build first (or pass --no-build-check before a build)',
  ]);
});

test('rejects setReadyOnProcessStart="false", which would leave a Node role Busy', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, 'setReadyOnProcessStart="true"', 'setReadyOnProcessStart="false"')]), [
    'ServiceDefinition.csdef:34: ProgramEntryPoint needs setReadyOnProcessStart="true"; a Node program cannot report Ready itself, so the instance would stay Busy',
  ]);
});

test('rejects an entry point command line that names no script', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, 'node\\node.exe dist\\server\\main.js', 'node\\node.exe')], { checkBuild: false }), [
    'ServiceDefinition.csdef:34: ProgramEntryPoint commandLine "node\\\\node.exe" names no .js script for node to run',
  ]);
});
