import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { edit, problemsAfter, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

test('rejects a cscfg that configures a different role than the csdef defines, naming both', () => {
  assert.deepEqual(problemsAfter([edit('ServiceConfiguration.Local.cscfg', '<Role name="WorkerRole1">', '<Role name="WorkerRole2">')]), [
    'ServiceConfiguration.Local.cscfg:3: no <Role name="WorkerRole1">; every role in ServiceDefinition.csdef (line 7) needs one',
    'ServiceConfiguration.Local.cscfg:4: role WorkerRole2 is not defined in ServiceDefinition.csdef',
  ]);
});

test('rejects a role configured twice in one cscfg', () => {
  const role = '  <Role name="WorkerRole1">\n    <Instances count="1" />\n  </Role>\n';
  assert.deepEqual(problemsAfter([edit('ServiceConfiguration.Local.cscfg', '</ServiceConfiguration>', `${role}</ServiceConfiguration>`)]), [
    'ServiceConfiguration.Local.cscfg:11: role WorkerRole1 is configured twice (first at line 4)',
  ]);
});
