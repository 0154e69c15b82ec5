import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { publish } from '../../../scripts/publish/main.js';
import { defaultStorageAccountName } from '../../../scripts/publish/storage-account.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const STORAGE_SECRET = 'DefaultEndpointsProtocol=https;AccountName=chatdata;AccountKey=ZHJ5LXJ1bi1zZWNyZXQ=;EndpointSuffix=core.windows.net';
const REDIS_SECRET = 'rediss://:dry-run-redis-key@chat.westeurope.redis.azure.net:10000';
const FLAGS = ['--subscription', '11111111-2222-3333-4444-555555555555', '--resource-group', 'chat-rg', '--name', 'chatapp-test', '--location', 'westeurope', '--storage-account', 'chatdeploy'];

function assertNoSecrets(output: string) {
  for (const secret of [STORAGE_SECRET, REDIS_SECRET, 'ZHJ5LXJ1bi1zZWNyZXQ', 'dry-run-redis-key', 'AccountKey=ZH']) {
    assert.ok(!output.includes(secret), `a secret (${secret.slice(0, 12)}...) was printed`);
  }
}

describe('publish --dry-run', () => {
  it('prints every request body with the repository values, secrets redacted, and sends nothing', async () => {
    const printed: string[] = [];
    // No credential, no blob service, no endpoint: a dry run that tried to reach Azure would fail.
    const result = await publish([...FLAGS, '--dry-run', '--storage-connection-string', STORAGE_SECRET, '--setting', `REDIS_URL=${REDIS_SECRET}`], {
      env: {},
      log: (line) => printed.push(line),
      credential: async () => assert.fail('a dry run must not sign in'),
      blobService: async () => assert.fail('a dry run must not upload'),
    });
    assert.equal(result.outcome, 'dry-run');
    const output = printed.join('\n');
    assertNoSecrets(output);
    assert.match(output, /STORAGE_CONNECTION_STRING = <redacted>/);
    assert.match(output, /REDIS_URL = <redacted>/);
    assert.match(output, /<Setting name="REDIS_URL" value="<redacted>"\/>/);
    assert.match(output, /LOG_LEVEL = "info"/, 'plain settings are shown');
    assert.match(output, /PUT \/subscriptions\/.+\/cloudServices\/chatapp-test\?api-version=2024-11-04/);
    assert.match(output, /"capacity": 2/);
    assert.match(output, /"name": "Standard_D1_v2"/);
    assert.match(output, /"domainNameLabel": "chatapp-test"/);
    assert.match(output, /http:\/\/chatapp-test\.westeurope\.cloudapp\.azure\.com\//);
    assert.match(output, /nothing was uploaded and no request was sent/);
  });

  it('as a command (`npm run publish -- --dry-run`), with secrets from environment variables, prints none of them', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/publish/main.ts', ...FLAGS, '--dry-run'], {
      cwd: REPOSITORY,
      encoding: 'utf8',
      env: { ...process.env, CHATAPP_SETTING_STORAGE_CONNECTION_STRING: STORAGE_SECRET, CHATAPP_SETTING_REDIS_URL: REDIS_SECRET },
    });
    assert.equal(run.status, 0, run.stderr);
    assertNoSecrets(run.stdout + run.stderr);
    assert.match(run.stdout, /REDIS_URL = <redacted>/);
  });

  it('names a secret setting left empty and how to fill it, without printing a plan', async () => {
    const printed: string[] = [];
    // STORAGE_CONNECTION_STRING is not among them: left out, it comes from the storage account.
    await assert.rejects(publish([...FLAGS, '--dry-run'], { env: {}, log: (line) => printed.push(line) }), (error: Error) => {
      assert.match(error.message, /setting left empty: REDIS_URL\n/);
      assert.match(error.message, /fix: pass --setting REDIS_URL=<value> or set CHATAPP_SETTING_REDIS_URL/);
      return true;
    });
    assert.deepEqual(printed, []);
  });

  it('refuses the Cloud cscfg\'s two instances with REDIS_URL deployed empty on purpose', async () => {
    await assert.rejects(
      publish([...FLAGS, '--dry-run', '--storage-connection-string', STORAGE_SECRET, '--setting', 'REDIS_URL='], { env: {}, log: () => {} }),
      /2 instances without REDIS_URL[\s\S]*fix: pass --redis-url .* or set <Instances count="1"\/> in ServiceConfiguration\.Cloud\.cscfg/,
    );
  });

  it('names the flags that are missing: for a cloud service only subscription, name and location', async () => {
    await assert.rejects(publish(['--dry-run'], { env: {} }), /missing --subscription \(or AZURE_SUBSCRIPTION_ID\), --name \(or CHATAPP_NAME\), --location \(or CHATAPP_LOCATION\)\n/);
  });

  it('with only subscription, name and location, shows the resource group, storage account, role and key read it would do', async () => {
    const printed: string[] = [];
    const minimal = ['--subscription', '11111111-2222-3333-4444-555555555555', '--name', 'chatapp-new', '--location', 'westeurope', '--redis-url', REDIS_SECRET, '--dry-run'];
    await publish(minimal, {
      env: {},
      log: (line) => printed.push(line),
      credential: async () => assert.fail('a dry run must not sign in'),
      blobService: async () => assert.fail('a dry run must not upload'),
    });
    const output = printed.join('\n');
    const account = defaultStorageAccountName('11111111-2222-3333-4444-555555555555', 'chatapp-new');
    assert.match(output, /publish plan for cloud service chatapp-new in resource group rg-chatapp-new \(westeurope\)/);
    assert.match(output, /a\. resource group rg-chatapp-new, if missing: PUT \/subscriptions\/11111111-2222-3333-4444-555555555555\/resourcegroups\/rg-chatapp-new\?api-version=2025-04-01/);
    assert.match(output, /POST \/subscriptions\/[^/]+\/providers\/Microsoft\.Storage\/checkNameAvailability\?api-version=2025-06-01/);
    assert.ok(output.includes(`then PUT /subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-chatapp-new/providers/Microsoft.Storage/storageAccounts/${account}?api-version=2025-06-01`));
    for (const property of ['"kind": "StorageV2"', '"name": "Standard_LRS"', '"minimumTlsVersion": "TLS1_2"', '"allowBlobPublicAccess": false', '"supportsHttpsTrafficOnly": true', '"allowSharedKeyAccess": true']) {
      assert.ok(output.includes(property), property);
    }
    assert.match(output, /roleAssignments\/<GUID from the account, the identity and the role>\?api-version=2022-04-01/);
    assert.match(output, /"roleDefinitionId": "\/subscriptions\/[^/]+\/providers\/Microsoft\.Authorization\/roleDefinitions\/ba92f5b4-2d11-453d-a403-e96b0029c9fe"/);
    assert.ok(output.includes(`d. POST /subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-chatapp-new/providers/Microsoft.Storage/storageAccounts/${account}/listKeys`));
    assert.match(output, /STORAGE_CONNECTION_STRING = <redacted>/);
    assert.ok(output.includes(`-> https://${account}.blob.core.windows.net/chatapp-packages/`));
    assert.match(output, /nothing was uploaded and no request was sent/);
  });

  it('with STORAGE_CONNECTION_STRING given, the account it would create has no shared-key access and no key is read', async () => {
    const printed: string[] = [];
    await publish([...FLAGS, '--dry-run', '--storage-connection-string', STORAGE_SECRET, '--redis-url', REDIS_SECRET], { env: {}, log: (line) => printed.push(line) });
    const output = printed.join('\n');
    assert.match(output, /"allowSharedKeyAccess": false/);
    assert.match(output, /d\. history: STORAGE_CONNECTION_STRING as given; publish reads no key and chatdeploy gets no shared-key access/);
    assert.doesNotMatch(output, /listKeys/);
    assertNoSecrets(output);
  });

  it('refuses a --storage-account Azure would refuse, with the rule', async () => {
    await assert.rejects(publish([...FLAGS, '--storage-account', 'Chat-Deploy', '--dry-run'], { env: {} }), /--storage-account "Chat-Deploy": a storage account name is 3 to 24 lowercase letters and digits[\s\S]*fix: pass another --storage-account/);
  });
});
