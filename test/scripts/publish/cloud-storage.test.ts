import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TokenCredential } from '@azure/identity';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AUTHORIZATION_API_VERSION, RESOURCES_API_VERSION, STORAGE_API_VERSION } from '../../../scripts/publish/api-versions.js';
import { type PublishEnvironment, publish } from '../../../scripts/publish/main.js';
import { defaultStorageAccountName } from '../../../scripts/publish/storage-account.js';
import { type BlobEmulator, DEVSTORE_ACCOUNT, DEVSTORE_KEY, startBlobEmulator } from './helpers/azurite-blob.js';
import { FAKE_ARM_CA, FAKE_STORAGE_KEYS, FakeResourceManager, type RecordedRequest } from './helpers/fake-resource-manager.js';

/**
 * A Cloud Service publish on a subscription where nothing exists yet: publish creates the resource
 * group, the storage account and the signed-in identity's data role, reads the account key for
 * history, and a second run creates nothing. The stand-in Resource Manager plays Azure; the upload
 * goes to the real Azurite blob service.
 */
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const OBJECT_ID = '0f0e0d0c-0b0a-4090-8070-605040302010';
const REDIS_SECRET = 'rediss://:redis-access-key-not-to-be-printed@chat.westeurope.redis.azure.net:10000';

/** A Resource Manager token as Entra issues it (unsigned here: only its claims are read). */
function signedIn(claims: Record<string, unknown> = { oid: OBJECT_ID, idtyp: 'user' }): () => Promise<TokenCredential> {
  const token = ['eyJhbGciOiJub25lIn0', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'signature'].join('.');
  return async () => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) });
}

/**
 * A blob client whose first `refusals` requests Blob storage answers as it does before a new role
 * applies (403 AuthorizationPermissionMismatch, Azure's own body), through a proxy in front of
 * Azurite that forwards the rest unchanged.
 */
async function refusingAtFirst(azurite: string, refusals: number, proxies: { close(): void }[]): Promise<BlobServiceClient> {
  const upstream = new URL(azurite);
  let left = refusals;
  const proxy = createServer((request, response) => {
    if (left-- > 0) {
      request.resume();
      response.writeHead(403, { 'content-type': 'application/xml', 'x-ms-error-code': 'AuthorizationPermissionMismatch' });
      response.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationPermissionMismatch</Code><Message>This request is not authorized to perform this operation using this permission.</Message></Error>');
      return;
    }
    const onward = forward({ host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    request.pipe(onward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxies.push({ close: () => { proxy.closeAllConnections(); proxy.close(); } });
  return new BlobServiceClient(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}${upstream.pathname}`, new StorageSharedKeyCredential(DEVSTORE_ACCOUNT, DEVSTORE_KEY));
}

describe('publish to a cloud service on a new subscription (storage account provisioned)', () => {
  let arm: FakeResourceManager;
  let blobs: BlobEmulator;
  let folder: string;
  let logged: string[] = [];
  const accountsAsked: string[] = [];
  const proxies: { close(): void }[] = [];

  before(async () => {
    arm = new FakeResourceManager();
    await arm.start();
    blobs = await startBlobEmulator();
    folder = mkdtempSync(join(tmpdir(), 'chatapp-cloud-storage-'));
    writeFileSync(join(folder, 'chatapp.cspkg'), 'PK fake cspkg');
  });
  after(async () => {
    for (const proxy of proxies) proxy.close();
    await arm.close();
    await blobs.close();
    rmSync(folder, { recursive: true, force: true });
  });

  // Only subscription, name and location (and Redis, which the Cloud cscfg's two instances need).
  const argv = (name: string, ...more: string[]) => [
    '--subscription', SUBSCRIPTION, '--name', name, '--location', 'westeurope', '--package', join(folder, 'chatapp.cspkg'), '--redis-url', REDIS_SECRET, ...more,
  ];
  const environment = (overrides: Partial<PublishEnvironment> = {}): PublishEnvironment => ({
    env: {},
    log: (line) => logged.push(line),
    credential: signedIn(),
    blobService: async (options) => {
      accountsAsked.push(options.storageAccount);
      return BlobServiceClient.fromConnectionString(blobs.connectionString);
    },
    arm: { endpoint: arm.url, tlsOptions: { ca: FAKE_ARM_CA }, pollIntervalMs: 5 },
    roleWait: { timeoutMs: 2_000, intervalMs: 10 },
    ...overrides,
  });
  const group = (name: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-${name}`;
  const lines = (requests: RecordedRequest[], name: string) =>
    requests
      .filter(({ path }) => !/\/(virtualNetworks|publicIPAddresses|cloudServices)\/|^\/operations\//.test(path))
      .map(({ method, path }) => `${method} ${path.replace(group(name), '~').replace(`/subscriptions/${SUBSCRIPTION}`, '')}`);
  const assertNoKeyLogged = () => {
    const output = logged.join('\n');
    for (const secret of [...FAKE_STORAGE_KEYS, 'AccountKey=', 'redis-access-key-not-to-be-printed']) assert.ok(!output.includes(secret), `${secret.slice(0, 12)}... reached the log`);
  };

  it('creates the resource group, the storage account and the role, reads the key for history, and publishes', async () => {
    logged = [];
    const account = defaultStorageAccountName(SUBSCRIPTION, 'chatapp-new');
    const result = await publish(argv('chatapp-new'), environment());
    assert.equal(result.outcome, 'created');
    assert.match(account, /^chatappnew[0-9a-f]{8}$/);
    assert.deepEqual(accountsAsked.splice(0), [account], 'the upload goes to the default account');

    const requests = arm.takeRequests();
    const roleAssignment = lines(requests, 'chatapp-new').find((line) => line.startsWith('PUT') && line.includes('roleAssignments'))!.slice(4);
    assert.deepEqual(lines(requests, 'chatapp-new'), [
      'HEAD /resourcegroups/rg-chatapp-new',
      'PUT /resourcegroups/rg-chatapp-new',
      `GET ~/providers/Microsoft.Storage/storageAccounts/${account}`,
      'POST /providers/Microsoft.Storage/checkNameAvailability',
      `PUT ~/providers/Microsoft.Storage/storageAccounts/${account}`,
      'GET /storage-operations/1',
      'GET /storage-operations/1/1',
      `GET ${roleAssignment}`,
      `PUT ${roleAssignment}`,
      `POST ~/providers/Microsoft.Storage/storageAccounts/${account}/listKeys`,
    ]);
    const body = (method: string, pattern: RegExp) => requests.find((request) => request.method === method && pattern.test(request.path))!;
    assert.equal(body('PUT', /resourcegroups\/rg-chatapp-new$/).apiVersion, RESOURCES_API_VERSION);
    assert.deepEqual(body('PUT', /resourcegroups\/rg-chatapp-new$/).body, { location: 'westeurope', tags: { application: 'chatapp', 'deployed-by': 'npm run publish' } });
    const accountPut = body('PUT', /storageAccounts\/[^/]+$/);
    assert.equal(accountPut.apiVersion, STORAGE_API_VERSION);
    assert.deepEqual(accountPut.body, {
      location: 'westeurope',
      tags: { application: 'chatapp', 'deployed-by': 'npm run publish' },
      sku: { name: 'Standard_LRS' },
      kind: 'StorageV2',
      properties: {
        minimumTlsVersion: 'TLS1_2',
        allowBlobPublicAccess: false,
        supportsHttpsTrafficOnly: true,
        // History on a cloud service reads the account with its key: shared-key access stays on.
        allowSharedKeyAccess: true,
        defaultToOAuthAuthentication: true,
      },
    });
    const rolePut = body('PUT', /roleAssignments\//);
    assert.equal(rolePut.apiVersion, AUTHORIZATION_API_VERSION);
    assert.match(rolePut.path, new RegExp(`^${group('chatapp-new')}/providers/Microsoft.Storage/storageAccounts/${account}/providers/Microsoft.Authorization/roleAssignments/[0-9a-f-]{36}$`));
    assert.deepEqual(rolePut.body, {
      properties: {
        roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`,
        principalId: OBJECT_ID,
        principalType: 'User',
      },
    });

    // The key reaches Azure only inside the uploaded cscfg, as history's connection string.
    const service = requests.find(({ method, path }) => method === 'PUT' && path.includes('/cloudServices/'))!.body as { properties: { configurationUrl: string } };
    const cscfg = await (await fetch(service.properties.configurationUrl)).text();
    assert.ok(
      cscfg.includes(`<Setting name="STORAGE_CONNECTION_STRING" value="DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=${FAKE_STORAGE_KEYS[0]};EndpointSuffix=core.windows.net"`),
    );
    assert.ok(!JSON.stringify(requests.map(({ body }) => body)).includes(FAKE_STORAGE_KEYS[0]), 'the key is in no request body');
    assert.ok(logged.includes(`storage account ${account}: created`));
    assert.ok(logged.some((line) => line.startsWith(`role Storage Blob Data Contributor for the signed-in identity (${OBJECT_ID}) on ${account}: assigned`)));
    assertNoKeyLogged();
  });

  it('creates nothing when run again: it finds the group, the account and the role', async () => {
    logged = [];
    const account = defaultStorageAccountName(SUBSCRIPTION, 'chatapp-new');
    const result = await publish(argv('chatapp-new'), environment());
    assert.equal(result.outcome, 'updated');
    const requests = arm.takeRequests();
    assert.deepEqual(
      requests.filter(({ method }) => method === 'PUT').map(({ path }) => path.slice(path.lastIndexOf('/providers/'))),
      ['/providers/Microsoft.Compute/cloudServices/chatapp-new'],
      'only the cloud service is PUT (updated in place)',
    );
    assert.deepEqual(lines(requests, 'chatapp-new').filter((line) => !line.includes('roleAssignments')), [
      'HEAD /resourcegroups/rg-chatapp-new',
      `GET ~/providers/Microsoft.Storage/storageAccounts/${account}`,
      `POST ~/providers/Microsoft.Storage/storageAccounts/${account}/listKeys`,
    ]);
    assert.ok(logged.includes(`storage account ${account}: exists (used as it is)`));
    assert.ok(logged.some((line) => line.endsWith(': already assigned')));
    assertNoKeyLogged();
  });

  it('with STORAGE_CONNECTION_STRING given, creates the account for the package only: no shared-key access, no key read', async () => {
    logged = [];
    const given = 'DefaultEndpointsProtocol=https;AccountName=history;AccountKey=Z2l2ZW4ta2V5;EndpointSuffix=core.windows.net';
    await publish(argv('chatapp-keyless', '--storage-connection-string', given), environment());
    const requests = arm.takeRequests();
    const accountPut = requests.find(({ method, path }) => method === 'PUT' && /storageAccounts\/[^/]+$/.test(path))!.body as { properties: Record<string, unknown> };
    assert.equal(accountPut.properties.allowSharedKeyAccess, false);
    assert.ok(!requests.some(({ path }) => path.endsWith('/listKeys')), 'no key is read');
    assert.ok(!logged.join('\n').includes('Z2l2ZW4ta2V5'));
  });

  it('waits, saying why, while a role assigned in this run is not in effect yet (Blob storage answers 403)', async () => {
    logged = [];
    const refusing = await refusingAtFirst(blobs.url, 2, proxies);
    await publish(argv('chatapp-waits'), environment({ blobService: async () => refusing }));
    const waits = logged.filter((line) => /role assigned just now is not in effect yet \(HTTP 403 .+\); Azure takes up to a few minutes: retrying in 0 s/.test(line));
    assert.ok(waits.length >= 1, logged.join('\n'));
    assert.ok(logged.some((line) => line === 'cloud service chatapp-waits created (Succeeded)'));
    arm.takeRequests();
  });

  it('when it may not assign the role and the upload is refused, says exactly what to ask an Owner to run', async () => {
    logged = [];
    arm.failNext({ method: 'PUT', pathIncludes: '/roleAssignments/', status: 403, code: 'AuthorizationFailed', message: "does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write'" });
    const account = defaultStorageAccountName(SUBSCRIPTION, 'chatapp-contrib');
    const refusing = await refusingAtFirst(blobs.url, Infinity, proxies);
    await assert.rejects(
      publish(argv('chatapp-contrib'), environment({ blobService: async () => refusing })),
      (error: Error) => {
        assert.match(error.message, /^missing permission \(HTTP 403/);
        assert.ok(
          error.message.includes(
            `az role assignment create --assignee ${OBJECT_ID} --role "Storage Blob Data Contributor" --scope ${group('chatapp-contrib')}/providers/Microsoft.Storage/storageAccounts/${account}`,
          ),
          error.message,
        );
        return true;
      },
    );
    assert.ok(logged.some((line) => line.endsWith('not assigned (no right to assign roles here); the upload shows whether a role given another way is enough')));
    assert.ok(!logged.some((line) => /retrying/.test(line)), 'no waiting for a role nobody assigned');
    arm.takeRequests();
  });

  it('gives up after the bounded wait when the new role never applies, and says to wait and run again', async () => {
    logged = [];
    const refusing = await refusingAtFirst(blobs.url, Infinity, proxies);
    await assert.rejects(
      publish(argv('chatapp-slow'), environment({ blobService: async () => refusing, roleWait: { timeoutMs: 2_000, intervalMs: 700 } })),
      /missing permission \(HTTP 403 AuthorizationPermissionMismatch\)[\s\S]*fix: publish assigned the Storage Blob Data Contributor role in this run and it has not applied yet: wait a few minutes and run publish again/,
    );
    const waits = logged.filter((line) => line.includes('retrying in'));
    assert.ok(waits.length >= 1 && waits.length <= 3, `bounded: ${waits.length} waits`);
    arm.takeRequests();
  });

  it('names an unknown identity and skips the role when the token carries no object id', async () => {
    logged = [];
    arm.takeRequests();
    await publish(argv('chatapp-noid'), environment({ credential: signedIn({ sub: 'x' }) }));
    assert.ok(!arm.takeRequests().some(({ path }) => path.includes('roleAssignments')));
    assert.ok(logged.some((line) => line.includes('not checked (the sign-in token names no object id)')));
  });
});
