import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { zipDeployUrl } from '../../../scripts/publish/app-service/zip-deploy.js';
import { publish } from '../../../scripts/publish/main.js';
import { checkAgainstDefinition, loadSwagger } from './helpers/swagger-check.js';
import { TEMPLATE_UNDER_TEST } from './helpers/template-under-test.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const WEB = fileURLToPath(new URL('./fixtures/azure/web-2024-11-01/', import.meta.url));
const web = loadSwagger(`${WEB}CommonDefinitions.json`);
const STORAGE_SECRET = 'DefaultEndpointsProtocol=https;AccountName=chatdata;AccountKey=ZHJ5LXJ1bi1zZWNyZXQ=;EndpointSuffix=core.windows.net';
const REDIS_SECRET = 'rediss://:dry-run-redis-key@chat.westeurope.redis.azure.net:10000';
// Only subscription, name and location: nothing else is required.
const FLAGS = ['--target', 'appservice', '--subscription', '11111111-2222-3333-4444-555555555555', '--name', 'chatapp-test', '--location', 'westeurope'];

const noAzure = {
  env: {},
  templateFile: TEMPLATE_UNDER_TEST,
  credential: async () => assert.fail('a dry run must not sign in'),
  blobService: async () => assert.fail('a dry run must not upload'),
};

async function dryRun(...extra: string[]): Promise<string> {
  const printed: string[] = [];
  const result = await publish([...FLAGS, '--dry-run', ...extra], { ...noAzure, log: (line) => printed.push(line) });
  assert.equal(result.outcome, 'dry-run');
  return printed.join('\n');
}

/** The resource lines of the dry run: "<type>  <name>  <notes>", indented by nesting. */
function resourceLines(output: string): { type: string; name: string; notes: string }[] {
  const block = output.split('resources the template declares')[1]!.split('\n  2. ')[0]!;
  return block.split('\n').slice(1).map((line) => {
    const [, type, name, notes = ''] = /^\s+(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line)!;
    return { type: type!, name: name!, notes };
  });
}

function assertNoSecrets(output: string) {
  for (const secret of [STORAGE_SECRET, REDIS_SECRET, 'ZHJ5LXJ1bi1zZWNyZXQ', 'dry-run-redis-key']) {
    assert.ok(!output.includes(secret), `a secret (${secret.slice(0, 12)}...) was printed`);
  }
}

describe('the swagger checker on the Microsoft.Web 2024-11-01 definitions', () => {
  it('passes both official examples and catches read-only, required, enum and unknown fields through allOf', () => {
    const example = (name: string) => JSON.parse(readFileSync(`${WEB}examples/${name}`, 'utf8')).parameters;
    assert.deepEqual(checkAgainstDefinition(web, 'AppServicePlan', example('CreateOrUpdateAppServicePlan.json').appServicePlan), []);
    assert.deepEqual(checkAgainstDefinition(web, 'Site', example('CreateOrUpdateWebApp.json').siteEnvelope), []);
    const problems = checkAgainstDefinition(web, 'Site', {
      id: 'x',
      properties: { defaultHostName: 'a.azurewebsites.net', httpsOnly: 'yes', siteConfig: { minTlsVersion: '1.4', webSocketEnabled: true } },
    });
    assert.deepEqual(problems.sort(), [
      'Site.id: read-only, must not be sent',
      'Site.location: required',
      'Site.properties.defaultHostName: read-only, must not be sent',
      'Site.properties.httpsOnly: expected a boolean',
      'Site.properties.siteConfig.minTlsVersion: "1.4" is not one of 1.0, 1.1, 1.2, 1.3',
      'Site.properties.siteConfig.webSocketEnabled: not in the definition',
    ]);
  });
});

describe('publish --target appservice --dry-run', () => {
  it('prints the one deployment (scope, name, location, every parameter, the secure one hidden) and sends nothing', async () => {
    const output = await dryRun();
    assert.match(output, /PUT \/subscriptions\/11111111-2222-3333-4444-555555555555\/providers\/Microsoft\.Resources\/deployments\/chatapp-chatapp-test\?api-version=2025-04-01/);
    assert.match(output, /location: westeurope/);
    assert.match(output, /mode: Incremental/);
    for (const parameter of ['name: "chatapp-test"', 'location: "westeurope"', 'resourceGroupName: "rg-chatapp-test"', 'sku: "P0v3"', 'instanceCount: 2', 'roleSettings: {"LOG_LEVEL":"info"}', 'keptAppSettings: <secure>']) {
      assert.ok(output.includes(`      ${parameter}`), `parameter ${parameter}`);
    }
    assert.match(output, /POST dist\/chatapp-appservice\.zip\n\s+-> https:\/\/chatapp-test\.scm\.azurewebsites\.net\/api\/zipdeploy\?isAsync=true/);
    assert.match(output, /then: https:\/\/chatapp-test\.azurewebsites\.net\//);
    assert.match(output, /dry run: nothing was sent and no sign-in was needed/);
  });

  it('lists every resource the template declares, by type and the name infra/resources.bicep gives it, Redis only above one instance', async () => {
    const resources = resourceLines(await dryRun());
    const names = (type: string) => resources.filter((resource) => resource.type === type).map(({ name }) => name);
    assert.deepEqual(names('Microsoft.Resources/resourceGroups'), ['rg-chatapp-test']);
    assert.deepEqual(names('Microsoft.Web/serverfarms'), ['chatapp-test-plan']);
    assert.deepEqual(names('Microsoft.Web/sites'), ['chatapp-test']);
    assert.deepEqual(names('Microsoft.Storage/storageAccounts'), ['chatapptesthist']);
    assert.deepEqual(names('Microsoft.Cache/redisEnterprise'), ['chatapp-test-redis']);
    assert.deepEqual(names('Microsoft.OperationalInsights/workspaces'), ['chatapp-test-logs']);
    assert.deepEqual(names('Microsoft.Insights/components'), ['chatapp-test-insights']);
    assert.ok(names('Microsoft.Authorization/roleAssignments').length >= 2, 'the role assignments, named by Azure (guid())');
    const template = JSON.parse(readFileSync(TEMPLATE_UNDER_TEST, 'utf8'));
    const declared = (t: any): number => (Array.isArray(t.resources) ? t.resources : Object.values(t.resources)).reduce((count: number, r: any) => count + 1 + (r.properties?.template ? declared(r.properties.template) : 0), 0);
    assert.equal(resources.length, declared(template), 'every resource, modules included');
    const redis = resources.find(({ type }) => type === 'Microsoft.Cache/redisEnterprise')!;
    assert.match(redis.notes, /\(only when instanceCount > 1; deployed with these parameters\)/);
    const single = resourceLines(await dryRun('--instances', '1')).find(({ type }) => type === 'Microsoft.Cache/redisEnterprise')!;
    assert.match(single.notes, /\(only when instanceCount > 1; not deployed with these parameters\)/);
  });

  it('as a command, prints the plan with no sign-in, no storage account and no resource group', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/publish/main.ts', ...FLAGS, '--dry-run'], {
      cwd: REPOSITORY,
      encoding: 'utf8',
      env: { ...process.env, CHATAPP_STORAGE_ACCOUNT: '', CHATAPP_RESOURCE_GROUP: '' },
    });
    // Without infra/main.json (before the infra branch is merged) it says what is missing and how to get it.
    if (TEMPLATE_UNDER_TEST.endsWith('infra-main.json')) {
      assert.equal(run.status, 1);
      assert.match(run.stderr, /template missing: infra\/main\.json\n\s+fix: it is committed with the repository/);
      return;
    }
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /resourceGroupName: "rg-chatapp-test"/);
  });

  it('refuses STORAGE_CONNECTION_STRING, REDIS_URL and APPLICATIONINSIGHTS_CONNECTION_STRING given by the user, naming them and not their values', async () => {
    await assert.rejects(dryRun('--storage-connection-string', STORAGE_SECRET, '--redis-url', REDIS_SECRET), (error: Error) => {
      assert.match(error.message, /STORAGE_CONNECTION_STRING, REDIS_URL given, but on App Service the template provisions them without keys/);
      assertNoSecrets(error.message);
      return true;
    });
    await assert.rejects(dryRun('--setting', 'APPLICATIONINSIGHTS_CONNECTION_STRING=InstrumentationKey=x'), /APPLICATIONINSIGHTS_CONNECTION_STRING given/);
    await assert.rejects(
      publish([...FLAGS, '--dry-run'], { ...noAzure, env: { CHATAPP_SETTING_REDIS_URL: REDIS_SECRET }, log: () => {} }),
      /REDIS_URL given[\s\S]*unset CHATAPP_SETTING_REDIS_URL/,
    );
    await assert.rejects(dryRun('--setting', 'OTEL_EXPORTER_OTLP_HEADERS=api-key=abc'), /secret setting OTEL_EXPORTER_OTLP_HEADERS given: .* must never carry a secret[\s\S]*fix: set it on the site once/);
    // An explicit empty value is no secret: allowed.
    await dryRun('--setting', 'REDIS_URL=');
  });

  it('takes the instance count from --instances and the SKU from --sku, and says what Basic lacks', async () => {
    const output = await dryRun('--sku', 'b2', '--instances', '3');
    assert.match(output, /sku: "B2"\n\s+instanceCount: 3/);
    assert.match(output, /note: Basic allows at most 350 concurrent WebSocket connections per instance/);
  });

  it('refuses a tier that cannot run the chat as asked, naming what to pass instead', async () => {
    await assert.rejects(dryRun('--sku', 'F1'), /Free and Shared plans have no Always On[\s\S]*fix: pass --sku P0v3/);
    await assert.rejects(dryRun('--sku', 'B1', '--instances', '4'), /4 instances, but a Basic plan \(B1\) allows at most 3[\s\S]*fix: pass --instances 3 or fewer/);
    await assert.rejects(dryRun('--sku', 'X9'), /--sku X9: not a Linux App Service plan size publish knows/);
    await assert.rejects(dryRun('--instances', 'two'), /--instances two: expected a whole number from 1 to 30/);
  });

  it('checks every setting with the role\'s own schema before printing anything, and passes only non-empty, non-secret ones', async () => {
    await assert.rejects(dryRun('--setting', 'LOG_LEVEL=loud'), /invalid setting value: LOG_LEVEL "loud" is not one of/);
    await assert.rejects(dryRun('--setting', 'NO_SUCH=1'), /no setting named NO_SUCH in the cscfg/);
    const output = await dryRun('--setting', 'LOG_LEVEL=', '--setting', 'HISTORY_TABLE=chat', '--allowed-origins', 'https://chat.example.com');
    assert.match(output, /roleSettings: \{"ALLOWED_ORIGINS":"https:\/\/chat\.example\.com","HISTORY_TABLE":"chat"\}/);
  });

  it('keeps the App Service flags away from a cloud service, a web app name within its rules, --dry-run apart from --what-if', async () => {
    const cloud = FLAGS.filter((flag) => flag !== '--target' && flag !== 'appservice');
    await assert.rejects(
      publish([...cloud, '--resource-group', 'chat-rg', '--storage-account', 'chatdeploy', '--dry-run', '--sku', 'S1'], noAzure),
      /--sku only apply to --target appservice[\s\S]*fix: for a cloud service the csdef sets the VM size/,
    );
    await assert.rejects(publish([...cloud, '--resource-group', 'chat-rg', '--storage-account', 'chatdeploy', '--what-if'], noAzure), /--what-if only apply to --target appservice/);
    await assert.rejects(dryRun('--name', 'Chat_App'), /cannot be a web app name/);
    await assert.rejects(dryRun('--what-if'), /--dry-run and --what-if both given/);
    await assert.rejects(publish([...FLAGS.slice(0, 1), 'webapp', '--dry-run'], noAzure), /--target webapp: expected cloudservice or appservice/);
  });
});

describe('the zip deployment endpoint, from the WEB_APP_URL output', () => {
  it('is Kudu beside the site, for classic and unique default host names alike', () => {
    assert.equal(zipDeployUrl('https://chatapp-demo.azurewebsites.net/'), 'https://chatapp-demo.scm.azurewebsites.net/api/zipdeploy?isAsync=true');
    assert.equal(zipDeployUrl('https://chatapp-demo-a1b2c3.westeurope-01.azurewebsites.net/'), 'https://chatapp-demo-a1b2c3.scm.westeurope-01.azurewebsites.net/api/zipdeploy?isAsync=true');
  });
});
