import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { edit, problemsAfter, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

test('rejects a classic VM size name, which extended support does not know', () => {
  assert.deepEqual(problemsAfter([edit('ServiceDefinition.csdef', 'vmsize="Standard_D1_v2"', 'vmsize="Small"')]), [
    'ServiceDefinition.csdef:7: role WorkerRole1 vmsize "Small" is not an ARM size name; extended support needs one such as Standard_D1_v2',
  ]);
});

test('rejects a role without vmsize, whose default is a classic size', () => {
  assert.deepEqual(problemsAfter([edit('ServiceDefinition.csdef', ' vmsize="Standard_D1_v2"', '')]), [
    'ServiceDefinition.csdef:7: role WorkerRole1 has no vmsize; the default (Small) is a classic size that extended support refuses, use an ARM size such as Standard_D1_v2',
  ]);
});
