import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildBicep, MAIN_JSON } from '../../scripts/infra/bicep.js';
import { propertiesRead } from '../../scripts/infra/arm-expression-parser.js';
import { deploy, deployment, evaluate, LOCATION, nested, only, SITE_PRINCIPAL, template, type ArmResource } from './helpers/compiled-template.js';

/**
 * infra/main.bicep through the real Bicep CLI (type checks against Azure's published resource types
 * and the linter), and the compiled infra/main.json that publish deploys, read as Resource Manager
 * would: every property issue 15 names, and no key anywhere.
 */

const STORAGE_TABLE_DATA_CONTRIBUTOR = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3';
const MONITORING_METRICS_PUBLISHER = '3913510d-42f4-4e42-8a64-420c390055eb';
const ROLE_DEFINITIONS = '/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions';

const resources = nested.resources;
const ofType = (type: string) => only(resources, type);
const twoInstances = () => deploy({ name: 'chat-Demo', location: LOCATION }).inner;
const oneInstance = () => deploy({ name: 'chat-Demo', location: LOCATION, instanceCount: 1 }).inner;
const deployed = (resource: ArmResource, scope = twoInstances()) => evaluate(resource, scope) as ArmResource;
const condition = (resource: ArmResource, scope = twoInstances()) => resource.condition === undefined || evaluate(resource.condition, scope) === true;
const appSettings = (scope = twoInstances()) => {
  const list = deployed(ofType('Microsoft.Web/sites'), scope).properties!.siteConfig.appSettings as { name: string; value: string }[];
  return Object.fromEntries(list.map(({ name, value }) => [name, value]));
};

describe('infra/main.bicep through the Bicep CLI', () => {
  // Fails, never skips, without the CLI: .ci/run installs it, and a skipped build would hide a stale main.json.
  const build = (() => {
    try {
      return buildBicep();
    } catch (error) {
      return error as Error;
    }
  })();

  it('builds with no warning, error or linter finding', () => {
    if (build instanceof Error) assert.fail(build.message);
    assert.deepEqual(build.diagnostics, [], 'bicep build printed diagnostics');
  });

  it('is what the committed infra/main.json holds (npm run infra:build rewrites it)', () => {
    if (build instanceof Error) assert.fail(build.message);
    assert.ok(build.template === readFileSync(MAIN_JSON, 'utf8'), 'infra/main.json is stale: run `npm run infra:build` and commit it');
  });
});

describe('the compiled template (infra/main.json)', () => {
  it('creates the resource group at subscription scope and deploys the rest into it in one nested deployment', () => {
    assert.match(String((template as unknown as Record<string, unknown>).$schema), /subscriptionDeploymentTemplate\.json/);
    const group = deployed(only(template.resources, 'Microsoft.Resources/resourceGroups'), deploy({ name: 'chat-demo', location: LOCATION }).outer);
    assert.equal(group.name, 'rg-chat-demo');
    assert.equal(group.location, LOCATION);
    assert.equal(deployment.resourceGroup, "[parameters('resourceGroupName')]");
    assert.deepEqual(deployment.properties!.expressionEvaluationOptions, { scope: 'inner' });
  });

  it('takes the parameters publish sends, with the defaults the contract names; only name and location are required', () => {
    const declared = template.parameters;
    assert.deepEqual(Object.keys(declared).sort(), ['instanceCount', 'keptAppSettings', 'location', 'name', 'redisSku', 'resourceGroupName', 'roleSettings', 'sku']);
    assert.deepEqual(Object.keys(declared).filter((name) => declared[name]!.defaultValue === undefined).sort(), ['location', 'name']);
    const { parameters } = deploy({ name: 'chat-demo', location: LOCATION }).outer;
    assert.deepEqual(parameters, { name: 'chat-demo', location: LOCATION, resourceGroupName: 'rg-chat-demo', sku: 'P0v3', instanceCount: 2, redisSku: 'Balanced_B0', roleSettings: {}, keptAppSettings: {} });
    assert.equal(declared.keptAppSettings!.type, 'secureObject');
    assert.equal(nested.parameters.keptAppSettings!.type, 'secureObject', 'kept settings must stay secure inside the nested deployment too');
  });

  it('names every resource from name alone, as the contract computes them', () => {
    const names = (name: string) => Object.fromEntries(resources.filter((r) => r.type.split('/').length === 2 && r.type !== 'Microsoft.Authorization/roleAssignments').map((r) => [r.type, evaluate(r.name, deploy({ name, location: LOCATION }).inner)]));
    assert.deepEqual(names('Chat-Demo'), {
      'Microsoft.Storage/storageAccounts': 'chatdemohist',
      'Microsoft.Cache/redisEnterprise': 'Chat-Demo-redis',
      'Microsoft.OperationalInsights/workspaces': 'Chat-Demo-logs',
      'Microsoft.Insights/components': 'Chat-Demo-insights',
      'Microsoft.Web/serverfarms': 'Chat-Demo-plan',
      'Microsoft.Web/sites': 'Chat-Demo',
    });
    const storage = names('a-very-long-chat-application-name-for-tests')['Microsoft.Storage/storageAccounts'] as string;
    assert.equal(storage, 'averylongchatapplicahist');
    assert.match(storage, /^[a-z0-9]{3,24}$/);
  });

  it('runs the site on Linux Node 24 with WebSockets, ARR affinity, Always On, HTTPS only, TLS 1.2, no FTP and the /healthz check', () => {
    const plan = deployed(ofType('Microsoft.Web/serverfarms'), deploy({ name: 'chat-demo', location: LOCATION, sku: 'S1', instanceCount: 3 }).inner);
    assert.equal(plan.kind, 'linux');
    assert.deepEqual(plan.sku, { name: 'S1', capacity: 3 });
    assert.equal(plan.properties!.reserved, true);
    const site = deployed(ofType('Microsoft.Web/sites'));
    assert.equal(site.kind, 'app,linux');
    assert.equal(site.properties!.serverFarmId, evaluate("[resourceId('Microsoft.Web/serverfarms', 'chat-Demo-plan')]", twoInstances()));
    assert.equal(site.properties!.httpsOnly, true);
    assert.equal(site.properties!.clientAffinityEnabled, true);
    const { appSettings: _, ...config } = site.properties!.siteConfig;
    assert.deepEqual(config, {
      linuxFxVersion: 'NODE|24-lts',
      appCommandLine: 'node dist/server/main.js',
      webSocketsEnabled: true,
      alwaysOn: true,
      healthCheckPath: '/healthz',
      minTlsVersion: '1.2',
      scmMinTlsVersion: '1.2',
      ftpsState: 'Disabled',
    });
    const basicAuth = resources.filter((r) => r.type === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies').map((r) => deployed(r));
    assert.deepEqual(basicAuth.map((r) => [r.name, r.properties!.allow]).sort(), [['chat-Demo/ftp', false], ['chat-Demo/scm', false]]);
  });

  it('gives the site a system-assigned identity and the tag azd deploys by (azd-service-name: web)', () => {
    const site = deployed(ofType('Microsoft.Web/sites'));
    assert.deepEqual(site.identity, { type: 'SystemAssigned' });
    assert.equal(site.tags['azd-service-name'], 'web');
  });

  it('makes a storage account that refuses shared keys, public blobs, plain HTTP and TLS below 1.2, and lets the site use its tables', () => {
    const storage = deployed(ofType('Microsoft.Storage/storageAccounts'));
    assert.equal(storage.kind, 'StorageV2');
    assert.deepEqual(storage.sku, { name: 'Standard_LRS' });
    assert.deepEqual(
      { ...storage.properties },
      { allowSharedKeyAccess: false, defaultToOAuthAuthentication: true, minimumTlsVersion: 'TLS1_2', supportsHttpsTrafficOnly: true, allowBlobPublicAccess: false, allowCrossTenantReplication: false },
    );
    const grant = roleAssignment(STORAGE_TABLE_DATA_CONTRIBUTOR);
    assert.equal(grant.scope, evaluate("[resourceId('Microsoft.Storage/storageAccounts', 'chatdemohist')]", twoInstances()));
  });

  it('provisions Azure Managed Redis only with more than one instance: access keys off, TLS only, the site given the default access policy', () => {
    const redisTypes = ['Microsoft.Cache/redisEnterprise', 'Microsoft.Cache/redisEnterprise/databases', 'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments'];
    for (const type of redisTypes) {
      assert.equal(condition(ofType(type), oneInstance()), false, `${type} with one instance`);
      assert.equal(condition(ofType(type), twoInstances()), true, `${type} with two`);
      assert.equal(condition(ofType(type), deploy({ name: 'x1', location: LOCATION, instanceCount: 5 }).inner), true, `${type} with five`);
    }
    assert.ok(resources.filter((r) => r.type.startsWith('Microsoft.Cache/')).every((r) => redisTypes.includes(r.type)));
    const cluster = deployed(ofType('Microsoft.Cache/redisEnterprise'), deploy({ name: 'chat-Demo', location: LOCATION, redisSku: 'Balanced_B1' }).inner);
    assert.deepEqual(cluster.sku, { name: 'Balanced_B1' });
    assert.equal(cluster.properties!.minimumTlsVersion, '1.2');
    const database = deployed(ofType('Microsoft.Cache/redisEnterprise/databases'));
    assert.equal(database.name, 'chat-Demo-redis/default');
    assert.equal(database.properties!.accessKeysAuthentication, 'Disabled');
    assert.equal(database.properties!.clientProtocol, 'Encrypted');
    assert.equal(database.properties!.port, 10000);
    // The role's client is a plain createClient: it needs the proxy's single endpoint, not OSS cluster mode.
    assert.equal(database.properties!.clusteringPolicy, 'EnterpriseCluster');
    const assignment = deployed(ofType('Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments'));
    assert.match(assignment.name, /^chat-Demo-redis\/default\/[A-Za-z0-9]{1,60}$/);
    assert.deepEqual(assignment.properties, { accessPolicyName: 'default', user: { objectId: SITE_PRINCIPAL } });
  });

  it('makes a Log Analytics workspace and workspace-based Application Insights, both without local auth, and lets the site publish telemetry', () => {
    const logs = deployed(ofType('Microsoft.OperationalInsights/workspaces'));
    assert.equal(logs.properties!.features.disableLocalAuth, true);
    const insights = deployed(ofType('Microsoft.Insights/components'));
    assert.equal(insights.properties!.DisableLocalAuth, true);
    assert.equal(insights.properties!.WorkspaceResourceId, evaluate("[resourceId('Microsoft.OperationalInsights/workspaces', 'chat-Demo-logs')]", twoInstances()));
    const grant = roleAssignment(MONITORING_METRICS_PUBLISHER);
    assert.equal(grant.scope, evaluate("[resourceId('Microsoft.Insights/components', 'chat-Demo-insights')]", twoInstances()));
  });

  it('writes app settings with endpoints and switches only: Redis through Entra ID with two instances, none with one', () => {
    assert.deepEqual(appSettings(), {
      STORAGE_TABLE_ENDPOINT: 'https://chatdemohist.table.core.windows.net/',
      REDIS_URL: `rediss://chat-Demo-redis.${LOCATION}.redis.azure.net:10000`,
      REDIS_AUTH: 'entra',
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD',
      SCM_DO_BUILD_DURING_DEPLOYMENT: 'false',
    });
    const single = appSettings(oneInstance());
    assert.equal('REDIS_URL' in single, false);
    assert.equal('REDIS_AUTH' in single, false);
  });

  it('merges app settings as roleSettings, then keptAppSettings, then its own: the template wins, HISTORY_TABLE only from roleSettings', () => {
    const settings = appSettings(deploy({
      name: 'chat-Demo',
      location: LOCATION,
      roleSettings: { LOG_LEVEL: 'debug', HISTORY_TABLE: 'chathistory', SESSION_GRACE_MS: '30000' },
      keptAppSettings: { LOG_LEVEL: 'warn', ADDED_IN_PORTAL: 'yes', STORAGE_TABLE_ENDPOINT: 'https://other.table.core.windows.net/', REDIS_AUTH: 'key' },
    }).inner);
    assert.equal(settings.LOG_LEVEL, 'warn');
    assert.equal(settings.SESSION_GRACE_MS, '30000');
    assert.equal(settings.HISTORY_TABLE, 'chathistory');
    assert.equal(settings.ADDED_IN_PORTAL, 'yes');
    assert.equal(settings.STORAGE_TABLE_ENDPOINT, 'https://chatdemohist.table.core.windows.net/');
    assert.equal(settings.REDIS_AUTH, 'entra');
    assert.equal('HISTORY_TABLE' in appSettings(), false);
  });

  it('returns the outputs azd and publish read, named as the contract says, REDIS_HOST_NAME empty without Redis', () => {
    const nestedFor: Record<string, string> = {
      WEB_APP_NAME: 'webAppName',
      WEB_APP_URL: 'webAppUrl',
      STORAGE_ACCOUNT_NAME: 'storageAccountName',
      STORAGE_TABLE_ENDPOINT: 'storageTableEndpoint',
      REDIS_HOST_NAME: 'redisHostName',
      APPLICATIONINSIGHTS_NAME: 'applicationInsightsName',
    };
    assert.deepEqual(Object.keys(template.outputs).sort(), ['AZURE_RESOURCE_GROUP', ...Object.keys(nestedFor)].sort());
    assert.equal(evaluate(template.outputs.AZURE_RESOURCE_GROUP!.value, deploy({ name: 'chat-Demo', location: LOCATION }).outer), 'rg-chat-Demo');
    for (const [output, inner] of Object.entries(nestedFor)) {
      const read = propertiesRead(String(template.outputs[output]!.value)).map(({ property }) => property);
      assert.deepEqual(read.slice(-3), ['outputs', inner, 'value'], output);
    }
    const values = (scope = twoInstances()) => Object.fromEntries(Object.entries(nested.outputs).map(([name, { value }]) => [name, evaluate(value, scope)]));
    assert.deepEqual(values(), {
      webAppName: 'chat-Demo',
      webAppUrl: 'https://chat-Demo.azurewebsites.net/',
      storageAccountName: 'chatdemohist',
      storageTableEndpoint: 'https://chatdemohist.table.core.windows.net/',
      redisHostName: `chat-Demo-redis.${LOCATION}.redis.azure.net`,
      applicationInsightsName: 'chat-Demo-insights',
    });
    assert.equal(values(oneInstance()).redisHostName, '');
  });
});

function roleAssignment(roleId: string): ArmResource {
  const found = resources.filter((r) => r.type === 'Microsoft.Authorization/roleAssignments').map((r) => deployed(r)).filter((r) => r.properties!.roleDefinitionId === `${ROLE_DEFINITIONS}/${roleId}`);
  assert.equal(found.length, 1, `one assignment of role ${roleId}`);
  const [grant] = found;
  assert.equal(grant!.properties!.principalId, SITE_PRINCIPAL);
  assert.equal(grant!.properties!.principalType, 'ServicePrincipal');
  // A guid() of the scope, the site and the role: a second deployment finds the same assignment.
  assert.match(grant!.name, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(deployed(ofType('Microsoft.Web/sites')).name, 'chat-Demo');
  return grant!;
}
