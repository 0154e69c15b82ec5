import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { edit, problemsAfter, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

test('rejects an instance count of 0', () => {
  assert.deepEqual(problemsAfter([edit('ServiceConfiguration.Local.cscfg', '<Instances count="2" />', '<Instances count="0" />')]), [
    'ServiceConfiguration.Local.cscfg:5: role WorkerRole1 Instances count "0" is not a whole number of at least 1',
  ]);
});

test('rejects a role with no Instances element', () => {
  assert.deepEqual(problemsAfter([edit('ServiceConfiguration.Cloud.cscfg', '    <Instances count="2" />\n', '')]), [
    'ServiceConfiguration.Cloud.cscfg:4: role WorkerRole1 has no <Instances count="..."/>',
  ]);
});
