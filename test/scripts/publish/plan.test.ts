import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { readValidServiceModel, singleRole } from '../../../scripts/package/read-service-model.js';
import { fillConfiguration } from '../../../scripts/publish/fill-configuration.js';
import { planPublish } from '../../../scripts/publish/plan.js';
import { checkAgainstDefinition, loadSwagger } from './helpers/swagger-check.js';
import { OFF_WHEN_EMPTY_SECRET_SETTINGS, type SettingName } from '../../../WorkerRole1/src/server/config/settings.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const AZURE = fileURLToPath(new URL('./fixtures/azure/', import.meta.url));
const swagger = loadSwagger(`${AZURE}cloudService-2022-09-04.json`);

function repositoryPlan() {
  const { model, cloud } = readValidServiceModel(REPOSITORY, false);
  const role = singleRole(model);
  return {
    role,
    cloud,
    plan: planPublish({
      subscription: '11111111-2222-3333-4444-555555555555',
      resourceGroup: 'chat-rg',
      name: 'chatapp-test',
      location: 'westeurope',
      publicIpSku: 'Basic',
      role,
      configuration: cloud,
      packageUrl: 'https://acct.blob.core.windows.net/c/p.cspkg?sv=x&sig=s',
      configurationUrl: 'https://acct.blob.core.windows.net/c/c.cscfg?sv=x&sig=s',
      deploymentStamp: '20260101T000000Z',
    }),
  };
}

describe('the swagger checker itself', () => {
  it('passes both official CloudServices_CreateOrUpdate examples and catches what it should', () => {
    const example = (name: string) => JSON.parse(readFileSync(`${AZURE}examples/${name}`, 'utf8')).parameters.parameters;
    assert.deepEqual(checkAgainstDefinition(swagger, 'CloudService', example('CloudService_Create_WithSingleRole.json')), []);
    // Azure's own RDP example is looser than its definition: ARM matches property names without
    // regard to case (publicIpAddress), and the extension settings are XML strings where 2022-09-04
    // says object. Pinned here so the checker stays strict and these stay the only differences.
    assert.deepEqual(checkAgainstDefinition(swagger, 'CloudService', example('CloudService_Create_WithSingleRoleAndRDP.json')), [
      'CloudService.properties.extensionProfile.extensions[0].properties.protectedSettings: expected an object',
      'CloudService.properties.extensionProfile.extensions[0].properties.settings: expected an object',
      'CloudService.properties.networkProfile.loadBalancerConfigurations[0].properties.frontendIpConfigurations[0].properties.publicIpAddress: not in the definition',
    ]);
    const problems = checkAgainstDefinition(swagger, 'CloudService', {
      id: 'x',
      properties: { upgradeMode: 'Sometimes', provisioningState: 'Succeeded', roleProfile: { roles: [{ sku: { capacity: 1.5 } }] }, typo: 1 },
    });
    assert.deepEqual(problems.sort(), [
      'CloudService.id: read-only, must not be sent',
      'CloudService.location: required',
      'CloudService.properties.provisioningState: read-only, must not be sent',
      'CloudService.properties.roleProfile.roles[0].sku.capacity: expected an integer',
      'CloudService.properties.typo: not in the definition',
      'CloudService.properties.upgradeMode: "Sometimes" is not one of Auto, Manual, Simultaneous',
    ]);
  });
});

describe('the request bodies planned from the repository csdef and cscfg', () => {
  it('validate against the CloudService definition (required fields, enums, no read-only fields)', () => {
    const { plan } = repositoryPlan();
    assert.deepEqual(checkAgainstDefinition(swagger, 'CloudService', plan.cloudService.body), []);
  });

  it('carry the role, its instance count from the cscfg and its VM size from the csdef', () => {
    const { plan, role, cloud } = repositoryPlan();
    const roles = plan.cloudService.body.properties?.roleProfile?.roles;
    const count = Number(cloud.roles.find((configured) => configured.name === role.name)?.instances?.count);
    assert.deepEqual(roles, [{ name: 'WorkerRole1', sku: { name: role.vmsize, tier: 'Standard', capacity: count } }]);
    // And what the repository files say today, so a change to them shows up here on purpose.
    assert.equal(role.vmsize, 'Standard_D1_v2');
    assert.equal(count, 2);
  });

  it('put a public IP with the service name as DNS label in front of the load balancer', () => {
    const { plan } = repositoryPlan();
    const lb = plan.cloudService.body.properties?.networkProfile?.loadBalancerConfigurations;
    assert.equal(lb?.length, 1);
    assert.equal(lb?.[0]?.properties.frontendIpConfigurations.length, 1, 'Azure: exactly one frontend IP per load balancer');
    assert.equal(
      lb?.[0]?.properties.frontendIpConfigurations[0]?.properties?.publicIPAddress?.id,
      '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/chat-rg/providers/Microsoft.Network/publicIPAddresses/chatapp-test-ip',
    );
    assert.equal(plan.publicIp.id, lb?.[0]?.properties.frontendIpConfigurations[0]?.properties?.publicIPAddress?.id);
    assert.deepEqual(plan.publicIp.body.properties.dnsSettings, { domainNameLabel: 'chatapp-test' });
    assert.equal(plan.publicUrl, 'http://chatapp-test.westeurope.cloudapp.azure.com/');
  });

  it('create the virtual network and subnet the cscfg names', () => {
    const { plan, cloud } = repositoryPlan();
    assert.equal(plan.virtualNetwork.name, cloud.network?.virtualNetworkSite?.name);
    assert.deepEqual(
      plan.virtualNetwork.body.properties.subnets.map(({ name }) => name),
      cloud.network?.instanceAddresses[0]?.subnets.map(({ name }) => name),
    );
  });

  it('send the configuration by SAS URL, never inline', () => {
    const { plan } = repositoryPlan();
    assert.equal(plan.cloudService.body.properties?.configuration, undefined);
    assert.match(plan.cloudService.body.properties?.configurationUrl ?? '', /^https:\/\/.+\.cscfg\?/);
    assert.match(plan.cloudService.body.properties?.packageUrl ?? '', /^https:\/\/.+\.cspkg\?/);
  });
});

describe('filling the cscfg settings', () => {
  const cscfg = readFileSync(`${REPOSITORY}ServiceConfiguration.Cloud.cscfg`, 'utf8');
  // Telemetry's secrets are off when empty: publish asks for the others only.
  const secretNames = () =>
    fillConfiguration(cscfg, 'WorkerRole1', allSecrets('x'))
      .settings.filter(({ name, secret }) => secret && !OFF_WHEN_EMPTY_SECRET_SETTINGS.has(name as SettingName))
      .map(({ name }) => name);
  const allSecrets = (value: string) =>
    Object.fromEntries(
      [...cscfg.matchAll(/<Setting name="([A-Z_]+)"/g)]
        .map((match) => match[1]!)
        .filter((name) => /(CONNECTION_STRING|_URL$|KEY$)/.test(name) && !OFF_WHEN_EMPTY_SECRET_SETTINGS.has(name as SettingName))
        // Values must pass the role's own checks: a URL setting gets the secret as its password.
        .map((name) => [name, name.endsWith('_URL') ? `rediss://:${value}@cache.example.net:10000` : value]),
    );

  it('puts the values in and leaves every other byte of meaning alone', () => {
    const filled = fillConfiguration(cscfg, 'WorkerRole1', { ...allSecrets('secret-value'), LOG_LEVEL: 'warn' });
    assert.equal(filled.settings.find(({ name }) => name === 'LOG_LEVEL')?.value, 'warn');
    for (const name of secretNames()) assert.match(filled.settings.find((setting) => setting.name === name)?.value ?? '', /secret-value/);
    assert.match(filled.xml, /<Instances count="2"\/>/);
    assert.match(filled.xml, /<VirtualNetworkSite name="chatapp-vnet"\/>/);
  });

  it('refuses a secret setting left empty, naming it and the flag that fills it', () => {
    const names = secretNames();
    assert.ok(names.length > 0, 'the cscfg has secret settings (connection string, Redis URL)');
    assert.throws(() => fillConfiguration(cscfg, 'WorkerRole1', {}), (error: Error) => {
      for (const name of names) assert.match(error.message, new RegExp(`${name}.*`));
      assert.match(error.message, /left empty/);
      assert.match(error.message, /fix: pass --setting/);
      return true;
    });
  });

  it('refuses a value the role would refuse at start, naming the setting but not showing a secret value', () => {
    assert.throws(
      () => fillConfiguration(cscfg, 'WorkerRole1', { ...allSecrets('x'), REDIS_URL: 'http://:hunter2@cache', LOG_LEVEL: 'loud' }),
      (error: Error) => {
        assert.match(error.message, /invalid setting values: .*LOG_LEVEL "loud" is not one of .*REDIS_URL: the value is not valid: expected redis/);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      },
    );
  });

  it('refuses a value for a setting the cscfg does not have', () => {
    assert.throws(() => fillConfiguration(cscfg, 'WorkerRole1', { ...allSecrets('x'), LOG_LEVL: 'debug' }), /no setting named LOG_LEVL/);
  });
});
