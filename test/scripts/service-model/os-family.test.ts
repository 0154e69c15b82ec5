import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { edit, problemsAfter, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

const CLOUD = 'ServiceConfiguration.Cloud.cscfg';

test('rejects retired Guest OS family 4 (Windows Server 2012 R2)', () => {
  assert.deepEqual(problemsAfter([edit(CLOUD, 'osFamily="7"', 'osFamily="4"')]), [
    'ServiceConfiguration.Cloud.cscfg:3: osFamily="4" (Windows Server 2012 R2) is retired; use 5, 6, 7 (7 is Windows Server 2022)',
  ]);
});

test('rejects a Guest OS family Azure does not offer', () => {
  assert.deepEqual(problemsAfter([edit(CLOUD, 'osFamily="7"', 'osFamily="8"')]), [
    'ServiceConfiguration.Cloud.cscfg:3: osFamily="8" is not a Guest OS family Azure offers; use 5, 6, 7 (7 is Windows Server 2022)',
  ]);
});

test('rejects a cscfg without osFamily', () => {
  assert.deepEqual(problemsAfter([edit('ServiceConfiguration.Local.cscfg', ' osFamily="7"', '')]), [
    'ServiceConfiguration.Local.cscfg:3: osFamily is missing; set a supported Guest OS family: 5, 6, 7 (7 is Windows Server 2022)',
  ]);
});

test('accepts the supported families 5, 6 and 7', () => {
  for (const family of ['5', '6', '7']) {
    assert.deepEqual(problemsAfter([edit(CLOUD, 'osFamily="7"', `osFamily="${family}"`)]), [], `osFamily ${family}`);
  }
});
