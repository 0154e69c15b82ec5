import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EmulatedRole } from '../../../scripts/emulator/emulated-role.js';
import { instanceId, roleEnvironment } from '../../../scripts/emulator/role-environment.js';
import { configurationSettingXPath, endpointPortXPath, INSTANCE_ID_XPATH } from '../../../scripts/service-model/role-instance-xpaths.js';

const role: EmulatedRole = {
  name: 'WorkerRole1',
  instanceCount: 2,
  endpoint: { name: 'HttpIn', port: 80, distribution: 'sourceIP', idleTimeoutMs: 600_000 },
  probe: undefined,
  environment: [
    { name: 'PORT', value: undefined, xpath: endpointPortXPath('HttpIn') },
    { name: 'OTHER_PORT', value: undefined, xpath: endpointPortXPath('Elsewhere') },
    { name: 'INSTANCE_ID', value: undefined, xpath: INSTANCE_ID_XPATH },
    { name: 'LOG_LEVEL', value: undefined, xpath: configurationSettingXPath('LOG_LEVEL') },
    { name: 'HOST', value: undefined, xpath: configurationSettingXPath('HOST') },
    { name: 'QUOTED', value: undefined, xpath: `/RoleEnvironment/CurrentInstance/ConfigurationSettings/ConfigurationSetting[@name="LOG_LEVEL"]/@value` },
    { name: 'NODE_ENV', value: 'production', xpath: undefined },
  ],
  settings: new Map([
    ['LOG_LEVEL', 'debug'],
    ['HOST', ''],
  ]),
  roleFolder: '/srv/WorkerRole1',
  entryScript: '/srv/WorkerRole1/dist/server/main.js',
  entryArgs: [],
};

describe('role environment', () => {
  it('names instances as Azure does', () => {
    assert.equal(instanceId('WorkerRole1', 0), 'WorkerRole1_IN_0');
    assert.equal(instanceId('WorkerRole1', 11), 'WorkerRole1_IN_11');
  });

  it('gives each instance its own port, its id and the cscfg settings; empty settings stay unset', () => {
    assert.deepEqual(roleEnvironment(role, 'WorkerRole1_IN_1', 40001), {
      PORT: '40001',
      INSTANCE_ID: 'WorkerRole1_IN_1',
      LOG_LEVEL: 'debug',
      QUOTED: 'debug',
      NODE_ENV: 'production',
    });
  });
});
