import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { edit, problemsAfter, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

const CLOUD = 'ServiceConfiguration.Cloud.cscfg';
const LOCAL = 'ServiceConfiguration.Local.cscfg';

test('rejects a cscfg that leaves a declared setting without a value, pointing at the declaration', () => {
  assert.deepEqual(problemsAfter([edit(CLOUD, '      <Setting name="LOG_LEVEL" value="info" />\n', '')]), [
    'ServiceConfiguration.Cloud.cscfg:6: role WorkerRole1 has no value for setting LOG_LEVEL, declared at ServiceDefinition.csdef:9',
  ]);
});

test('rejects a cscfg that values a setting the csdef does not declare', () => {
  const extra = '      <Setting name="REDIS_URL" value="" />\n';
  assert.deepEqual(problemsAfter([edit(LOCAL, '    </ConfigurationSettings>', `${extra}    </ConfigurationSettings>`)]), [
    'ServiceConfiguration.Local.cscfg:9: setting REDIS_URL is not declared in role WorkerRole1 of ServiceDefinition.csdef',
  ]);
});

test('names both the missing and the extra setting of a misspelt name, each at its line', () => {
  assert.deepEqual(problemsAfter([edit(CLOUD, '<Setting name="LOG_LEVEL"', '<Setting name="LOGLEVEL"')]), [
    'ServiceConfiguration.Cloud.cscfg:6: role WorkerRole1 has no value for setting LOG_LEVEL, declared at ServiceDefinition.csdef:9',
    'ServiceConfiguration.Cloud.cscfg:7: setting LOGLEVEL is not declared in role WorkerRole1 of ServiceDefinition.csdef',
  ]);
});

test('rejects a setting valued twice in one cscfg', () => {
  const again = '      <Setting name="LOG_LEVEL" value="warn" />\n';
  assert.deepEqual(problemsAfter([edit(LOCAL, '    </ConfigurationSettings>', `${again}    </ConfigurationSettings>`)]), [
    'ServiceConfiguration.Local.cscfg:9: setting LOG_LEVEL is valued twice in role WorkerRole1 (first at line 7)',
  ]);
});

test('rejects a setting without a value attribute, while accepting an empty value', () => {
  assert.deepEqual(problemsAfter([edit(LOCAL, '<Setting name="LOG_LEVEL" value="debug" />', '<Setting name="LOG_LEVEL" />')]), [
    'ServiceConfiguration.Local.cscfg:7: setting LOG_LEVEL has no value attribute (use value="" for an empty one)',
  ]);
});
