import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { publish } from '../../../scripts/publish/main.js';
import { checkAgainstDefinition, loadSwagger } from './helpers/swagger-check.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const WEB = fileURLToPath(new URL('./fixtures/azure/web-2024-11-01/', import.meta.url));
const web = loadSwagger(`${WEB}CommonDefinitions.json`);
const STORAGE_SECRET = 'DefaultEndpointsProtocol=https;AccountName=chatdata;AccountKey=ZHJ5LXJ1bi1zZWNyZXQ=;EndpointSuffix=core.windows.net';
const REDIS_SECRET = 'rediss://:dry-run-redis-key@chat.westeurope.redis.azure.net:10000';
const FLAGS = ['--target', 'appservice', '--subscription', '11111111-2222-3333-4444-555555555555', '--resource-group', 'chat-rg', '--name', 'chatapp-test', '--location', 'westeurope'];
const SECRETS = ['--storage-connection-string', STORAGE_SECRET, '--redis-url', REDIS_SECRET];

const noAzure = {
  env: {},
  credential: async () => assert.fail('a dry run must not sign in'),
  blobService: async () => assert.fail('a dry run must not upload'),
};

async function dryRun(...extra: string[]): Promise<string> {
  const printed: string[] = [];
  const result = await publish([...FLAGS, '--dry-run', ...extra], { ...noAzure, log: (line) => printed.push(line) });
  assert.equal(result.outcome, 'dry-run');
  return printed.join('\n');
}

/** The JSON bodies as printed: each starts at a line "     {" and ends at the next "     }". */
function printedBodies(output: string): any[] {
  return [...output.matchAll(/^ {5}\{\n[\s\S]*?\n {5}\}$/gm)].map(([block]) => JSON.parse(block));
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
  it('prints every request body, each valid against the 2024-11-01 definitions, secrets redacted, and sends nothing', async () => {
    const output = await dryRun(...SECRETS);
    const [plan, site, config, settings, ...more] = printedBodies(output);
    assert.equal(more.length, 0);
    assert.deepEqual(checkAgainstDefinition(web, 'AppServicePlan', plan), []);
    assert.deepEqual(checkAgainstDefinition(web, 'Site', site), []);
    assert.deepEqual(checkAgainstDefinition(web, 'SiteConfig', config.properties), []);
    assert.deepEqual(checkAgainstDefinition(web, 'StringDictionary', settings), []);
    assert.deepEqual(plan.sku, { name: 'P0v3', tier: 'PremiumV3', capacity: 2 });
    assert.equal(site.properties.clientAffinityEnabled, true);
    assert.equal(config.properties.webSocketsEnabled, true);
    assert.deepEqual(settings.properties, { LOG_LEVEL: 'info', STORAGE_CONNECTION_STRING: '<redacted>', REDIS_URL: '<redacted>', SCM_DO_BUILD_DURING_DEPLOYMENT: 'false' });
    assert.match(output, /PUT \/subscriptions\/.+\/Microsoft\.Web\/serverfarms\/chatapp-test-plan\?api-version=2024-11-01/);
    assert.match(output, /POST dist\/chatapp-appservice\.zip\n\s+-> https:\/\/chatapp-test\.scm\.azurewebsites\.net\/api\/zipdeploy\?isAsync=true/);
    assert.match(output, /then: https:\/\/chatapp-test\.azurewebsites\.net\//);
    assert.match(output, /nothing was uploaded and no request was sent/);
    assertNoSecrets(output);
  });

  it('as a command, with secrets from environment variables and no storage account, prints none of them', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/publish/main.ts', ...FLAGS, '--dry-run'], {
      cwd: REPOSITORY,
      encoding: 'utf8',
      env: { ...process.env, CHATAPP_STORAGE_ACCOUNT: '', CHATAPP_SETTING_STORAGE_CONNECTION_STRING: STORAGE_SECRET, CHATAPP_SETTING_REDIS_URL: REDIS_SECRET },
    });
    assert.equal(run.status, 0, run.stderr);
    assertNoSecrets(run.stdout + run.stderr);
    assert.match(run.stdout, /"REDIS_URL": "<redacted>"/);
  });

  it('takes the instance count from --instances and the SKU from --sku, and says what Basic lacks', async () => {
    const output = await dryRun(...SECRETS, '--sku', 'b2', '--instances', '3');
    assert.deepEqual(printedBodies(output)[0].sku, { name: 'B2', tier: 'Basic', capacity: 3 });
    assert.match(output, /note: Basic allows at most 350 concurrent WebSocket connections per instance/);
  });

  it('refuses a tier that cannot run the chat as asked, naming what to pass instead', async () => {
    await assert.rejects(dryRun(...SECRETS, '--sku', 'F1'), /Free and Shared plans have no Always On[\s\S]*fix: pass --sku P0v3/);
    await assert.rejects(dryRun(...SECRETS, '--sku', 'B1', '--instances', '4'), /4 instances, but a Basic plan \(B1\) allows at most 3[\s\S]*fix: pass --instances 3 or fewer/);
    await assert.rejects(dryRun(...SECRETS, '--sku', 'X9'), /--sku X9: not a Linux App Service plan size publish knows/);
    await assert.rejects(dryRun(...SECRETS, '--instances', 'two'), /--instances two: expected a whole number from 1 to 30/);
  });

  it('refuses more than one instance without REDIS_URL, and deploys one without it', async () => {
    await assert.rejects(dryRun('--storage-connection-string', STORAGE_SECRET, '--setting', 'REDIS_URL='), /2 instances without REDIS_URL/);
    const output = await dryRun('--storage-connection-string', STORAGE_SECRET, '--setting', 'REDIS_URL=', '--instances', '1');
    assert.equal(printedBodies(output)[0].sku.capacity, 1);
    assert.ok(!('REDIS_URL' in printedBodies(output)[3].properties), 'an empty setting is left unset, so the role uses its default');
  });

  it('checks every setting with the role\'s own schema before printing anything', async () => {
    await assert.rejects(dryRun(...SECRETS, '--setting', 'LOG_LEVEL=loud'), /invalid setting value: LOG_LEVEL="loud"/);
    await assert.rejects(dryRun(...SECRETS, '--setting', 'NO_SUCH=1'), /no setting named NO_SUCH in the cscfg/);
  });

  it('keeps the App Service flags away from a cloud service, and a web app name within its rules', async () => {
    const cloud = FLAGS.filter((flag) => flag !== '--target' && flag !== 'appservice');
    await assert.rejects(
      publish([...cloud, '--storage-account', 'chatdeploy', '--dry-run', ...SECRETS, '--sku', 'S1'], noAzure),
      /--sku only apply to --target appservice[\s\S]*fix: for a cloud service the csdef sets the VM size/,
    );
    await assert.rejects(dryRun(...SECRETS.slice(0, 2), '--name', 'Chat_App'), /cannot be a web app name/);
    await assert.rejects(publish([...FLAGS.slice(0, 1), 'webapp', '--dry-run'], noAzure), /--target webapp: expected cloudservice or appservice/);
  });
});
