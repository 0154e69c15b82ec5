import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { COMPUTE_API_VERSION, NETWORK_API_VERSION } from '../../../scripts/publish/api-versions.js';
import { type PublishEnvironment, publish } from '../../../scripts/publish/main.js';
import { type BlobEmulator, startBlobEmulator } from './helpers/azurite-blob.js';
import { FAKE_ARM_CA, FakeResourceManager, type RecordedRequest } from './helpers/fake-resource-manager.js';
import { checkAgainstDefinition, loadSwagger } from './helpers/swagger-check.js';

const swagger = loadSwagger(new URL('./fixtures/azure/cloudService-2022-09-04.json', import.meta.url).pathname);
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const GROUP = `/subscriptions/${SUBSCRIPTION}/resourceGroups/chat-rg/providers`;
const STORAGE_SECRET = 'DefaultEndpointsProtocol=https;AccountName=chatdata;AccountKey=c2VjcmV0LWtleS1ub3QtdG8tYmUtcHJpbnRlZA==;EndpointSuffix=core.windows.net';
const REDIS_SECRET = 'rediss://:redis-access-key-not-to-be-printed@chat.westeurope.redis.azure.net:10000';

const fakeCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: 'fake-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

describe('publish against a fake Azure Resource Manager and the real Azurite blob service', () => {
  let arm: FakeResourceManager;
  let blobs: BlobEmulator;
  let folder: string;
  let logged: string[] = [];

  before(async () => {
    arm = new FakeResourceManager();
    await arm.start();
    blobs = await startBlobEmulator();
    folder = mkdtempSync(join(tmpdir(), 'chatapp-publish-'));
    // cspack does not run here (Linux); any bytes stand in for the .cspkg.
    writeFileSync(join(folder, 'chatapp.cspkg'), 'PK fake cspkg');
  });
  after(async () => {
    await arm.close();
    await blobs.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const argv = () => [
    '--subscription', SUBSCRIPTION, '--resource-group', 'chat-rg', '--name', 'chatapp-test', '--location', 'westeurope',
    '--storage-account', 'devstoreaccount1', '--package', join(folder, 'chatapp.cspkg'),
    '--storage-connection-string', STORAGE_SECRET, '--redis-url', REDIS_SECRET,
  ];
  const environment = (overrides: Partial<PublishEnvironment> = {}): PublishEnvironment => ({
    env: {},
    log: (line) => logged.push(line),
    credential: async () => fakeCredential,
    blobService: async () => BlobServiceClient.fromConnectionString(blobs.connectionString),
    arm: { endpoint: arm.url, tlsOptions: { ca: FAKE_ARM_CA }, pollIntervalMs: 5 },
    ...overrides,
  });
  const lines = (requests: RecordedRequest[]) =>
    requests.map(({ method, path }) => `${method} ${path.replace(GROUP, '').replace(`/subscriptions/${SUBSCRIPTION}`, '')}`);
  const assertNoSecretLogged = () => {
    const output = logged.join('\n');
    for (const secret of [STORAGE_SECRET, REDIS_SECRET, 'c2VjcmV0LWtleS1ub3QtdG8tYmUtcHJpbnRlZA', 'redis-access-key-not-to-be-printed']) {
      assert.ok(!output.includes(secret), 'a secret reached the log');
    }
    assert.ok(!/[?&]sig=(?!<redacted>)/.test(output), 'a SAS signature reached the log');
  };

  it('creates the network, the public IP and the cloud service, then prints the public URL', async () => {
    logged = [];
    const result = await publish(argv(), environment());
    assert.deepEqual(result, { publicUrl: 'http://chatapp-test.westeurope.cloudapp.azure.com/', outcome: 'created' });

    const requests = arm.takeRequests();
    assert.deepEqual(lines(requests), [
      // The group and the storage account, created because they are missing (cloud-storage.test.ts
      // has the details); with STORAGE_CONNECTION_STRING given no key is read, and this token names
      // no identity, so no role is assigned.
      'HEAD /resourcegroups/chat-rg',
      'PUT /resourcegroups/chat-rg',
      'GET /Microsoft.Storage/storageAccounts/devstoreaccount1',
      'POST /providers/Microsoft.Storage/checkNameAvailability',
      'PUT /Microsoft.Storage/storageAccounts/devstoreaccount1',
      'GET /storage-operations/1',
      'GET /storage-operations/1/1',
      'GET /Microsoft.Network/virtualNetworks/chatapp-vnet',
      'PUT /Microsoft.Network/virtualNetworks/chatapp-vnet',
      'GET /Microsoft.Network/publicIPAddresses/chatapp-test-ip',
      'PUT /Microsoft.Network/publicIPAddresses/chatapp-test-ip',
      'GET /Microsoft.Compute/cloudServices/chatapp-test',
      'PUT /Microsoft.Compute/cloudServices/chatapp-test',
      'GET /operations/1',
      'GET /operations/1',
      'GET /operations/1',
      'GET /Microsoft.Compute/cloudServices/chatapp-test',
      'GET /Microsoft.Network/publicIPAddresses/chatapp-test-ip',
    ]);
    for (const request of requests) {
      assert.equal(request.authorization, 'Bearer fake-token', `${request.method} ${request.path} carries the token`);
      if (/Microsoft\.(Compute|Network)\//.test(request.path)) {
        assert.equal(request.apiVersion, request.path.includes('Microsoft.Compute') ? COMPUTE_API_VERSION : NETWORK_API_VERSION);
      }
    }

    const [vnetPut, ipPut, servicePut] = requests.filter(({ method, path }) => method === 'PUT' && /Microsoft\.(Compute|Network)\//.test(path)).map(({ body }) => body as any);
    // The wire bodies, after the SDK's serializers: what Azure would receive.
    assert.deepEqual(vnetPut.properties, {
      addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
      subnets: [{ name: 'WorkerRole1-subnet', properties: { addressPrefix: '10.0.0.0/24' } }],
    });
    assert.deepEqual(ipPut.sku, { name: 'Basic' });
    assert.deepEqual(ipPut.properties, { publicIPAllocationMethod: 'Dynamic', dnsSettings: { domainNameLabel: 'chatapp-test' } });
    assert.deepEqual(checkAgainstDefinition(swagger, 'CloudService', servicePut), []);
    assert.deepEqual(servicePut.properties.roleProfile, { roles: [{ name: 'WorkerRole1', sku: { name: 'Standard_D1_v2', tier: 'Standard', capacity: 2 } }] });
    assert.equal(
      servicePut.properties.networkProfile.loadBalancerConfigurations[0].properties.frontendIpConfigurations[0].properties.publicIPAddress.id,
      `${GROUP}/Microsoft.Network/publicIPAddresses/chatapp-test-ip`,
    );
    assert.equal(servicePut.properties.configuration, undefined, 'the cscfg (with its secrets) goes by URL, not in the body');

    // Azure reads both files through the SAS URLs; the cscfg it reads has the settings filled in.
    const sas = new URL(servicePut.properties.configurationUrl).searchParams;
    assert.equal(sas.get('sp'), 'r');
    const cscfg = await (await fetch(servicePut.properties.configurationUrl)).text();
    assert.ok(cscfg.includes(`value="${STORAGE_SECRET}"`));
    assert.ok(cscfg.includes(`value="${REDIS_SECRET}"`));
    assert.equal(await (await fetch(servicePut.properties.packageUrl)).text(), 'PK fake cspkg');

    assert.ok(logged.some((line) => /Azure is creating chatapp-test: running/.test(line)), 'progress while Azure works');
    assert.ok(logged.includes('chat: http://chatapp-test.westeurope.cloudapp.azure.com/'));
    assertNoSecretLogged();
  });

  it('updates in place when run again: same network and IP, one PUT of the cloud service', async () => {
    logged = [];
    const result = await publish(argv(), environment());
    assert.equal(result.outcome, 'updated');
    assert.deepEqual(lines(arm.takeRequests()), [
      'HEAD /resourcegroups/chat-rg',
      'GET /Microsoft.Storage/storageAccounts/devstoreaccount1',
      'GET /Microsoft.Network/virtualNetworks/chatapp-vnet',
      'GET /Microsoft.Network/publicIPAddresses/chatapp-test-ip',
      'GET /Microsoft.Compute/cloudServices/chatapp-test',
      'PUT /Microsoft.Compute/cloudServices/chatapp-test',
      'GET /operations/2',
      'GET /operations/2',
      'GET /operations/2',
      'GET /Microsoft.Compute/cloudServices/chatapp-test',
      'GET /Microsoft.Network/publicIPAddresses/chatapp-test-ip',
    ]);
    assert.ok(logged.includes('virtual network chatapp-vnet: exists'));
    assert.ok(logged.includes('storage account devstoreaccount1: exists (used as it is)'));
    assertNoSecretLogged();
  });

  it('turns a 409 into "name taken" with the fix', async () => {
    logged = [];
    arm.failNext({ method: 'PUT', pathIncludes: '/cloudServices/', status: 409, code: 'Conflict', message: 'The DNS name chatapp-test is already in use.' });
    await assert.rejects(publish(argv(), environment()), (error: Error) => {
      assert.match(error.message, /name taken \(HTTP 409 Conflict\): The DNS name chatapp-test is already in use\./);
      assert.match(error.message, /fix: .*pick another --name/);
      return true;
    });
    arm.takeRequests();
    assertNoSecretLogged();
  });

  it('turns a 403 into "missing permission" naming the role to ask for', async () => {
    arm.failNext({
      method: 'GET',
      pathIncludes: '/virtualNetworks/',
      status: 403,
      code: 'AuthorizationFailed',
      message: "The client 'someone@example.com' does not have authorization to perform action 'Microsoft.Network/virtualNetworks/read'.",
    });
    await assert.rejects(publish(argv(), environment()), (error: Error) => {
      assert.match(error.message, /missing permission \(HTTP 403 AuthorizationFailed\)/);
      assert.match(error.message, /fix: ask for the "Contributor" role on resource group chat-rg/);
      return true;
    });
    arm.takeRequests();
  });

  it('says "not signed in" when no credential works, before touching Azure', async () => {
    const notSignedIn = async (): Promise<TokenCredential> => ({
      getToken: async () => {
        const error = new Error('DefaultAzureCredential failed to retrieve a token from the included credentials.');
        error.name = 'AggregateAuthenticationError';
        throw error;
      },
    });
    // The first thing that needs a token is the resource group lookup; the upload uses Azurite's key.
    await assert.rejects(publish(argv(), environment({ credential: notSignedIn })), /not signed in to Azure[\s\S]*fix: run `az login`/);
    assert.equal(arm.takeRequests().length, 0);
  });

  it('says "package missing" with the fix, before uploading anything', async () => {
    const args = argv();
    args[args.indexOf('--package') + 1] = join(folder, 'nowhere.cspkg');
    await assert.rejects(publish(args, environment()), /package missing: .*nowhere\.cspkg[\s\S]*fix: run npm run package on Windows/);
  });
});
