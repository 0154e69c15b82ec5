import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TokenCredential } from '@azure/identity';
import { type PublishEnvironment, publish } from '../../../scripts/publish/main.js';
import { FAKE_ARM_CA, FakeResourceManager } from './helpers/fake-resource-manager.js';

/**
 * What a person reads when Azure refuses the storage account publish provisions for a cloud service:
 * each error names the account, the cause and the fix, and nothing is uploaded. Against the stand-in
 * Resource Manager, with Azure's own error codes and message shapes.
 */
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const GROUP = `/subscriptions/${SUBSCRIPTION}/resourceGroups/chat-rg`;
const token = ['eyJhbGciOiJub25lIn0', Buffer.from(JSON.stringify({ oid: '0f0e0d0c-0b0a-4090-8070-605040302010', idtyp: 'user' })).toString('base64url'), 's'].join('.');
const credential: TokenCredential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };

/** Azure's RequestDisallowedByPolicy message, which carries the policy's identifiers as JSON. */
const policyMessage = (resource: string, policy: string) =>
  `Resource '${resource}' was disallowed by policy. Policy identifiers: '[{"policyAssignment":{"name":"${policy}","id":"/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/policyAssignments/a1b2c3"},"policyDefinition":{"name":"${policy}","id":"/providers/Microsoft.Authorization/policyDefinitions/d4e5f6"}}]'.`;

describe('publish to a cloud service: storage account errors name the cause and the fix', () => {
  let arm: FakeResourceManager;
  before(async () => {
    arm = new FakeResourceManager();
    await arm.start();
    arm.seed(`/subscriptions/${SUBSCRIPTION}/resourcegroups/chat-rg`, { type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' });
  });
  after(() => arm.close());

  const argv = (account: string, ...more: string[]) => [
    '--subscription', SUBSCRIPTION, '--resource-group', 'chat-rg', '--name', 'chatapp-test', '--location', 'westeurope',
    '--storage-account', account, '--package', new URL(import.meta.url).pathname, '--redis-url', 'rediss://:k@chat.westeurope.redis.azure.net:10000', ...more,
  ];
  const environment = (): PublishEnvironment => ({
    env: {},
    log: () => {},
    credential: async () => credential,
    blobService: async () => assert.fail('nothing may be uploaded after a storage error'),
    arm: { endpoint: arm.url, tlsOptions: { ca: FAKE_ARM_CA }, pollIntervalMs: 5 },
  });
  const refused = async (args: string[], problem: RegExp, fix: RegExp) => {
    await assert.rejects(publish(args, environment()), (error: Error) => {
      const [said, fixed = ''] = error.message.split('\n  fix: ');
      assert.match(said!, problem);
      assert.match(fixed, fix);
      return true;
    });
    return arm.takeRequests();
  };

  it('a name taken in another subscription: checkNameAvailability says so before any PUT; fix: another --storage-account', async () => {
    arm.takenStorageNames.add('chatappdeploy');
    const requests = await refused(argv('chatappdeploy'), /^storage account chatappdeploy: the name is taken \(storage account names are global/, /pass --storage-account NAME/);
    assert.ok(!requests.some(({ method, path }) => method === 'PUT' && path.includes('/storageAccounts/')));
  });

  it('a policy that forbids shared-key access: names the policy, says why publish wants the key, offers the keyless ways', async () => {
    const policy = 'Storage accounts should prevent shared key access';
    arm.failNext({ method: 'PUT', pathIncludes: '/storageAccounts/', status: 403, code: 'RequestDisallowedByPolicy', message: policyMessage('denied1', policy) });
    await refused(
      argv('denied1'),
      new RegExp(`^storage account denied1 refused by Azure Policy: policy "${policy}"\\. Publish keeps shared-key access on that account because a cloud service has no managed identity`),
      /--setting STORAGE_CONNECTION_STRING=<connection string of an account your organisation allows keys on> \(then publish creates denied1 for the package only, with shared-key access off\), or deploy with --target appservice, .*or ask for a policy exemption/,
    );
  });

  it('a policy on locations: names the policy; fix: an allowed --location, or an existing account', async () => {
    arm.failNext({ method: 'PUT', pathIncludes: '/storageAccounts/', status: 403, code: 'RequestDisallowedByPolicy', message: policyMessage('denied2', 'Allowed locations') });
    await refused(argv('denied2'), /^storage account denied2 refused by Azure Policy in westeurope: policy "Allowed locations"/, /pass a --location the policy allows .*or pass --storage-account with an account that exists/);
  });

  it('any other policy: names it; fix: an existing account with its connection string, or an exemption', async () => {
    arm.failNext({ method: 'PUT', pathIncludes: '/storageAccounts/', status: 403, code: 'RequestDisallowedByPolicy', message: policyMessage('denied3', 'Require a cost-center tag') });
    await refused(
      argv('denied3'),
      /^storage account denied3 refused by Azure Policy: policy "Require a cost-center tag"$/,
      /pass --storage-account with an account that exists .* and --setting STORAGE_CONNECTION_STRING=<its connection string> for history, or ask the policy's owner for an exemption/,
    );
  });

  it('the subscription\'s storage account quota in the region: says so; fix: an existing account, clean up, or more quota', async () => {
    arm.failNext({
      method: 'PUT',
      pathIncludes: '/storageAccounts/',
      status: 409,
      code: 'SubscriptionQuotaExceeded',
      message: `The subscription '${SUBSCRIPTION}' has reached its limit of 250 storage accounts in location 'westeurope' (StorageAccountsPerRegion).`,
    });
    await refused(
      argv('quota1'),
      /^storage account quota1: the subscription's storage account quota in westeurope is used up \(SubscriptionQuotaExceeded/,
      /pass --storage-account with an account that exists.*delete accounts you no longer use \(az storage account list --query "\[\?location=='westeurope'\]\.name"\).*Quotas > Storage/,
    );
  });

  it('listKeys refused because key-based access is not permitted: explains that a cloud service needs the key for history', async () => {
    arm.failNext({ method: 'POST', pathIncludes: '/listKeys', status: 409, code: 'KeyBasedAuthenticationNotPermitted', message: 'Key based authentication is not permitted on this storage account.' });
    await refused(
      argv('nokeys1'),
      /^storage account nokeys1 does not allow shared-key access, and a cloud service has no managed identity, so its history can only reach Table storage with a connection string that carries the account key$/,
      /--setting STORAGE_CONNECTION_STRING=.*az storage account update -n nokeys1 -g chat-rg --allow-shared-key-access true.*--target appservice, which needs no key/,
    );
  });

  it('an existing account with shared-key access off: the same explanation, before reading a key, and the account is left as it is', async () => {
    arm.seed(`${GROUP}/providers/Microsoft.Storage/storageAccounts/keylessacct`, {
      type: 'Microsoft.Storage/storageAccounts',
      location: 'westeurope',
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
      properties: { allowSharedKeyAccess: false, provisioningState: 'Succeeded' },
    });
    const requests = await refused(argv('keylessacct'), /^storage account keylessacct does not allow shared-key access/, /--setting STORAGE_CONNECTION_STRING=/);
    assert.ok(!requests.some(({ path }) => path.endsWith('/listKeys')), 'no key is read');
    assert.ok(!requests.some(({ method, path }) => method === 'PUT' && path.includes('/storageAccounts/keylessacct') && !path.includes('roleAssignments')), 'the account is not modified');
  });

  it('a key nobody may read (HTTP 403 on listKeys): names the roles that can', async () => {
    arm.failNext({ method: 'POST', pathIncludes: '/listKeys', status: 403, code: 'AuthorizationFailed', message: "does not have authorization to perform action 'Microsoft.Storage/storageAccounts/listKeys/action'" });
    await refused(argv('nokeys2'), /^cannot read the key of storage account nokeys2 \(HTTP 403 AuthorizationFailed\)/, /"Contributor" or "Storage Account Key Operator Service Role" on nokeys2/);
  });

  it('a policy on the resource group: names the group and the policy', async () => {
    arm.failNext({ method: 'PUT', pathIncludes: '/resourcegroups/rg-chatapp-test', status: 403, code: 'RequestDisallowedByPolicy', message: policyMessage('rg-chatapp-test', 'Allowed locations for resource groups') });
    const args = argv('anyaccount').filter((_, index, all) => all[index] !== '--resource-group' && all[index - 1] !== '--resource-group');
    await refused(args, /^Azure Policy refused rg-chatapp-test: policy "Allowed locations for resource groups"$/, /exemption/);
  });
});
