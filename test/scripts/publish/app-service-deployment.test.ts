import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { type PublishEnvironment, publish } from '../../../scripts/publish/main.js';
import type { ResourceFailure } from './helpers/fake-deployments.js';
import { FakeKudu } from './helpers/fake-kudu.js';
import { FAKE_ARM_CA, FakeResourceManager } from './helpers/fake-resource-manager.js';
import { TEMPLATE_UNDER_TEST } from './helpers/template-under-test.js';

/**
 * The deployment's failures and what-if, against the stand-in Resource Manager: each class of
 * error of issue 15 comes back naming the resource, the cause and the fix, from error bodies shaped
 * as Azure's (DeploymentFailed with details[], failed operations in the module's own deployment).
 */
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const GROUP = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-chatapp-test`;
const DEPLOYMENT = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Resources/deployments/chatapp-chatapp-test`;
const credential: TokenCredential = { getToken: async (): Promise<AccessToken> => ({ token: 'fake-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };

describe('publish --target appservice: deployment errors and what-if', () => {
  let arm: FakeResourceManager;
  let kudu: FakeKudu;
  let out: string;
  let zip: string;
  let logged: string[] = [];

  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'chatapp-deployment-'));
    zip = join(out, 'app.zip');
    const server = "require('node:http').createServer((q, s) => s.end('{\"status\":\"ok\"}')).listen(process.env.PORT, () => console.log('chat listening'));";
    writeFileSync(zip, zipSync({ 'dist/server/main.js': new TextEncoder().encode(server) }));
    arm = new FakeResourceManager();
    await arm.start();
    kudu = new FakeKudu(() => ({}));
    await kudu.start();
  });
  after(async () => {
    await kudu?.close();
    await arm?.close();
    rmSync(out, { recursive: true, force: true });
  });

  const argv = (...extra: string[]) => ['--target', 'appservice', '--subscription', SUBSCRIPTION, '--name', 'chatapp-test', '--location', 'westeurope', '--package', zip, ...extra];
  const environment = (): PublishEnvironment => ({
    env: {},
    log: (line) => logged.push(line),
    credential: async () => credential,
    arm: { endpoint: arm.url, tlsOptions: { ca: FAKE_ARM_CA }, pollIntervalMs: 5 },
    deployment: { endpoint: kudu.url, ca: FAKE_ARM_CA },
    templateFile: TEMPLATE_UNDER_TEST,
  });
  const failing = async (failure: Parameters<FakeResourceManager['failNextDeployment']>[0]): Promise<string> => {
    arm.failNextDeployment(failure);
    const deployments = kudu.deployments.length;
    const error = await publish(argv(), environment()).then(
      () => assert.fail('the deployment should have failed'),
      (caught: Error) => caught,
    );
    assert.equal(kudu.deployments.length, deployments, 'no zip after a failed deployment');
    arm.takeRequests();
    return error.message;
  };
  const resourceFailure = (failure: ResourceFailure) => ({ resources: [failure] });

  it('what-if before anything exists: every resource to create; sends the what-if and the read of the site\'s settings, nothing that changes anything', async () => {
    logged = [];
    const result = await publish(argv('--what-if'), environment());
    assert.equal(result.outcome, 'what-if');
    const requests = arm.takeRequests();
    assert.ok(requests.every(({ method }) => method !== 'PUT'), 'nothing deployed');
    assert.deepEqual([...new Set(requests.map(({ method, path }) => `${method} ${path.replace(/operationResults\/.*/, 'operationResults/<id>')}`))], [
      `POST ${GROUP}/providers/Microsoft.Web/sites/chatapp-test/config/appsettings/list`,
      `POST ${DEPLOYMENT}/whatIf`,
      `GET /subscriptions/${SUBSCRIPTION}/providers/Microsoft.Resources/locations/westeurope/operationResults/<id>`,
    ]);
    const body = requests.find(({ path }) => path.endsWith('/whatIf'))!.body as any;
    assert.equal(body.properties.mode, 'Incremental');
    assert.equal(body.properties.parameters.name.value, 'chatapp-test');
    const output = logged.join('\n');
    assert.match(output, /what-if for deployment chatapp-chatapp-test \(Resource Manager's prediction; nothing was deployed\)/);
    assert.match(output, new RegExp(`\\+ create   ${GROUP}/providers/Microsoft.Web/sites/chatapp-test\\n`));
    assert.match(output, /\+ create   .*\/Microsoft\.Cache\/redisEnterprise\/chatapp-test-redis/);
    assert.match(output, /7 create$/m);
    assert.equal(kudu.deployments.length, 0);
  });

  it('what-if after a deployment: nothing changes with the same inputs; a new --sku modifies the plan only', async () => {
    await publish(argv(), environment());
    arm.takeRequests();
    logged = [];
    await publish(argv('--what-if'), environment());
    assert.match(logged.join('\n'), /7 nochange$/m);
    logged = [];
    await publish(argv('--what-if', '--sku', 'S1'), environment());
    const output = logged.join('\n');
    assert.match(output, /~ modify   .*\/Microsoft\.Web\/serverfarms\/chatapp-test-plan\n {8}modify sku\.name/);
    assert.match(output, /1 modify, 6 nochange$/m);
    assert.ok(!arm.takeRequests().some(({ method }) => method === 'PUT'));
  });

  it('a policy denial at validation names the resource, the policy assignment and the fix', async () => {
    const message = await failing({
      immediate: {
        status: 400,
        code: 'InvalidTemplateDeployment',
        message: "The template deployment failed because of policy violation. Please see details for more information.",
        details: [{
          code: 'RequestDisallowedByPolicy',
          target: 'chatapptesthist',
          message: `Resource 'chatapptesthist' was disallowed by policy. Policy identifiers: '[{"policyAssignment":{"name":"Storage accounts must use private endpoints","id":"/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/policyAssignments/5f1ce12a"},"policyDefinition":{"name":"Deny storage accounts","id":"/providers/Microsoft.Authorization/policyDefinitions/34c877ad"}}]'.`,
        }],
      },
    });
    assert.match(message, /deployment chatapp-chatapp-test failed:\n {4}resource Microsoft\.Storage\/storageAccounts chatapptesthist: refused by Azure Policy \(assignment "Storage accounts must use private endpoints"\)/);
    assert.match(message, /fix: ask your Azure administrator for a policy exemption for this resource, or change the parameter the policy targets \(another --location/);
  });

  it('a policy denial in a resource operation takes the assignment from additionalInfo', async () => {
    const message = await failing(resourceFailure({
      type: 'Microsoft.Cache/redisEnterprise', name: 'chatapp-test-redis', statusCode: 'Forbidden', code: 'RequestDisallowedByPolicy',
      message: "Resource 'chatapp-test-redis' was disallowed by policy. Reasons: 'Allowed locations'. See error details for policy resource IDs.",
      additionalInfo: [{ type: 'PolicyViolation', info: { policyAssignmentDisplayName: 'Allowed locations', policyAssignmentName: 'a1b2c3', policyDefinitionDisplayName: 'Allowed locations' } }],
    }));
    assert.match(message, /resource Microsoft\.Cache\/redisEnterprise chatapp-test-redis: refused by Azure Policy \(assignment "Allowed locations"\)/);
  });

  it('quota: the plan over its SKU\'s quota, and "without additional quota", say another --sku/--location or a quota request', async () => {
    const message = await failing({
      resources: [
        { type: 'Microsoft.Web/serverfarms', name: 'chatapp-test-plan', statusCode: 'Unauthorized', code: 'SubscriptionIsOverQuotaForSku', message: 'This region has quota of 0 PremiumV3 instances for your subscription. Try selecting different region or SKU.' },
        { type: 'Microsoft.Cache/redisEnterprise', name: 'chatapp-test-redis', statusCode: 'BadRequest', code: 'BadRequest', message: 'Operation cannot be completed without additional quota. Additional details: Current limit 0, requested 1.' },
      ],
    });
    assert.match(message, /resource Microsoft\.Web\/serverfarms chatapp-test-plan: not enough quota in this subscription and region \(SubscriptionIsOverQuotaForSku: This region has quota of 0 PremiumV3 instances/);
    assert.match(message, /resource Microsoft\.Cache\/redisEnterprise chatapp-test-redis: not enough quota .* fix: pass another --sku or --location, or request more quota/);
  });

  it('a name taken (storage account, web app) says another --name', async () => {
    const message = await failing({
      resources: [
        { type: 'Microsoft.Storage/storageAccounts', name: 'chatapptesthist', statusCode: 'Conflict', code: 'StorageAccountAlreadyTaken', message: 'The storage account named chatapptesthist is already taken.' },
        { type: 'Microsoft.Web/sites', name: 'chatapp-test', statusCode: 'Conflict', code: 'Conflict', message: 'Website with given name chatapp-test already exists.' },
      ],
    });
    assert.match(message, /resource Microsoft\.Storage\/storageAccounts chatapptesthist: the name is taken, maybe in another subscription \(StorageAccountAlreadyTaken: The storage account named chatapptesthist is already taken\.\); fix: pass another --name/);
    assert.match(message, /resource Microsoft\.Web\/sites chatapp-test: the name is taken, maybe in another subscription \(Conflict: Website with given name chatapp-test already exists\.\); fix: pass another --name/);
  });

  it('a region without Azure Managed Redis, or without the SKU, says another --location and how to list regions', async () => {
    const message = await failing({
      resources: [
        { type: 'Microsoft.Cache/redisEnterprise', name: 'chatapp-test-redis', statusCode: 'BadRequest', code: 'LocationNotAvailableForResourceType', message: "The provided location 'westeurope' is not available for resource type 'Microsoft.Cache/redisEnterprise'. List of available regions for the resource type is 'eastus,northeurope'." },
        { type: 'Microsoft.Web/serverfarms', name: 'chatapp-test-plan', statusCode: 'BadRequest', code: 'SkuNotAvailable', message: "The requested size for resource 'chatapp-test-plan' is currently not available in location 'westeurope'." },
      ],
    });
    assert.match(message, /resource Microsoft\.Cache\/redisEnterprise chatapp-test-redis: not offered in this region .*; fix: pass another --location \(`az provider show -n Microsoft\.Cache --query "resourceTypes\[\?resourceType=='redisEnterprise'\]\.locations"` lists the regions\)/);
    assert.match(message, /resource Microsoft\.Web\/serverfarms chatapp-test-plan: not offered in this region with this SKU/);
  });

  it('an unregistered resource provider names each namespace to register', async () => {
    const message = await failing({
      resources: [
        { type: 'Microsoft.Cache/redisEnterprise', name: 'chatapp-test-redis', statusCode: 'Conflict', code: 'MissingSubscriptionRegistration', message: "The subscription is not registered to use namespace 'Microsoft.Cache'. See https://aka.ms/rps-not-found for how to register subscriptions." },
        { type: 'Microsoft.OperationalInsights/workspaces', name: 'chatapp-test-logs', statusCode: 'Conflict', code: 'MissingSubscriptionRegistration', message: "The subscription is not registered to use namespace 'Microsoft.OperationalInsights'." },
      ],
    });
    assert.match(message, /resource Microsoft\.Cache\/redisEnterprise chatapp-test-redis: the subscription is not registered for Microsoft\.Cache .*; fix: run `az provider register --namespace Microsoft\.Cache`/);
    assert.match(message, /fix: run `az provider register --namespace Microsoft\.OperationalInsights`/);
  });

  it('a role assignment refused asks for User Access Administrator or Role Based Access Control Administrator', async () => {
    const message = await failing(resourceFailure({
      type: 'Microsoft.Authorization/roleAssignments', name: '6a1f7a0e-0000-5000-8000-000000000001', statusCode: 'Forbidden', code: 'AuthorizationFailed',
      message: "The client 'someone@example.com' with object id '00000000-0000-0000-0000-000000000000' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '/subscriptions/x' or the scope is invalid.",
    }));
    assert.match(message, /resource Microsoft\.Authorization\/roleAssignments 6a1f7a0e-.*: missing permission .* "User Access Administrator" or "Role Based Access Control Administrator"/);
  });

  it('reads the failure from the deployment record and its nested deployment\'s operations, and says where the full record is', async () => {
    arm.failNextDeployment(resourceFailure({ type: 'Microsoft.Storage/storageAccounts', name: 'chatapptesthist', statusCode: 'Conflict', code: 'StorageAccountAlreadyTaken', message: 'The storage account named chatapptesthist is already taken.' }));
    await assert.rejects(publish(argv(), environment()), /az deployment operation sub list --name chatapp-chatapp-test/);
    const paths = arm.takeRequests().map(({ method, path }) => `${method} ${path}`);
    assert.ok(paths.includes(`GET ${DEPLOYMENT}`), 'the deployment record (its error)');
    assert.ok(paths.includes(`GET ${DEPLOYMENT}/operations`), 'its operations');
    assert.ok(paths.includes(`GET ${GROUP.replace('resourceGroups', 'resourcegroups')}/deployments/resources/operations`), 'the module\'s operations, where the resource failed');
  });

  it('a region other than the first deployment\'s says to keep --location or delete the old record', async () => {
    logged = [];
    const error = await publish(argv('--location', 'northeurope'), environment()).catch((caught: Error) => caught);
    assert.match(String(error), /an earlier deployment of this name was made in another region .*; fix: pass the same --location as before, or delete the old record/);
    arm.takeRequests();
  });
});
