import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { edit, problemsAfter, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

test('rejects a cscfg whose serviceName differs from the csdef name', () => {
  assert.deepEqual(problemsAfter([edit('ServiceConfiguration.Local.cscfg', 'serviceName="chatapp"', 'serviceName="chat"')]), [
    'ServiceConfiguration.Local.cscfg:3: serviceName "chat" does not match the name "chatapp" in ServiceDefinition.csdef',
  ]);
});

test('rejects a cscfg without serviceName', () => {
  assert.deepEqual(problemsAfter([edit('ServiceConfiguration.Cloud.cscfg', ' serviceName="chatapp"', '')]), [
    'ServiceConfiguration.Cloud.cscfg:3: <ServiceConfiguration> has no serviceName; it must be "chatapp", the name in ServiceDefinition.csdef',
  ]);
});
