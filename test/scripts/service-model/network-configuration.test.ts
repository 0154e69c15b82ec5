import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { edit, problemsAfter, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

const CLOUD = 'ServiceConfiguration.Cloud.cscfg';
const NETWORK_CONFIGURATION = [
  '  <NetworkConfiguration>',
  '    <VirtualNetworkSite name="chatapp-vnet" />',
  '    <AddressAssignments>',
  '      <InstanceAddress roleName="WorkerRole1">',
  '        <Subnets>',
  '          <Subnet name="WorkerRole1-subnet" />',
  '        </Subnets>',
  '      </InstanceAddress>',
  '    </AddressAssignments>',
  '  </NetworkConfiguration>',
  '',
].join('\n');

test('rejects a Cloud cscfg without the NetworkConfiguration extended support requires', () => {
  assert.deepEqual(problemsAfter([edit(CLOUD, NETWORK_CONFIGURATION, '')]), [
    'ServiceConfiguration.Cloud.cscfg:3: no <NetworkConfiguration>; extended support needs a <VirtualNetworkSite> and an <InstanceAddress> with a subnet for each role',
  ]);
});

test('does not require a NetworkConfiguration in the Local cscfg, which emulators ignore', () => {
  assert.deepEqual(problemsAfter([]), []);
});

test('rejects a NetworkConfiguration without a VirtualNetworkSite', () => {
  assert.deepEqual(problemsAfter([edit(CLOUD, '    <VirtualNetworkSite name="chatapp-vnet" />\n', '')]), [
    'ServiceConfiguration.Cloud.cscfg:11: <NetworkConfiguration> has no <VirtualNetworkSite name="...">; extended support needs the virtual network to deploy into',
  ]);
});

test('rejects address assignments for a role the csdef does not define, and none for the one it does', () => {
  assert.deepEqual(problemsAfter([edit(CLOUD, 'roleName="WorkerRole1"', 'roleName="WorkerRole2"')]), [
    'ServiceConfiguration.Cloud.cscfg:13: no <InstanceAddress roleName="WorkerRole1"> under <AddressAssignments>; extended support needs a subnet for every role',
    'ServiceConfiguration.Cloud.cscfg:14: <InstanceAddress> names role WorkerRole2, which ServiceDefinition.csdef does not define',
  ]);
});

test('rejects an InstanceAddress without a subnet', () => {
  const subnets = '        <Subnets>\n          <Subnet name="WorkerRole1-subnet" />\n        </Subnets>\n';
  assert.deepEqual(problemsAfter([edit(CLOUD, subnets, '')]), [
    'ServiceConfiguration.Cloud.cscfg:14: <InstanceAddress roleName="WorkerRole1"> has no <Subnets><Subnet name="..."/>',
  ]);
});
