import type { TokenCredential } from '@azure/identity';
import { AUTHORIZATION_API_VERSION, RESOURCES_API_VERSION, STORAGE_API_VERSION } from './api-versions.js';
import type { AzureClients, Outcome } from './arm-client.js';
import { type RoleOutcome, STORAGE_BLOB_DATA_CONTRIBUTOR, type SignedInPrincipal, ensureRoleAssignment, planRoleAssignment, signedInPrincipal } from './role-assignment.js';
import { HISTORY_SETTING, type StorageAccountBody, ensureStorageAccount, historyConnectionString, planStorageAccount } from './storage-account.js';
import type { PlannedResource } from './plan.js';

/**
 * Everything a cloud service's upload needs before the first byte goes up, on a subscription where
 * nothing exists yet: the resource group, the storage account, the signed-in identity's data role on
 * it, and (when history uses the account) its connection string. Each step looks first and creates
 * only what is missing, so a second publish creates nothing.
 */
export interface StoragePlan {
  subscription: string;
  resourceGroup: PlannedResource<{ location: string; tags: Record<string, string> }>;
  storageAccount: PlannedResource<StorageAccountBody>;
  /** No STORAGE_CONNECTION_STRING was given: history uses this account, with its key. */
  keyForHistory: boolean;
}

export interface StoragePlanInput {
  subscription: string;
  resourceGroup: string;
  location: string;
  storageAccount: string;
  keyForHistory: boolean;
}

export function planStorage(input: StoragePlanInput): StoragePlan {
  return {
    subscription: input.subscription,
    resourceGroup: {
      name: input.resourceGroup,
      id: `/subscriptions/${input.subscription}/resourcegroups/${input.resourceGroup}`,
      body: { location: input.location, tags: { application: 'chatapp', 'deployed-by': 'npm run publish' } },
    },
    storageAccount: planStorageAccount({ ...input, account: input.storageAccount }),
    keyForHistory: input.keyForHistory,
  };
}

export interface ProvisionedStorage {
  account: Outcome;
  principal: SignedInPrincipal | undefined;
  role: RoleOutcome | 'unknown identity';
  /** Set when history uses the account: the secret that goes into the cscfg, and the bare key. */
  history?: { connectionString: string; key: string };
}

export async function provisionStorage(clients: AzureClients, credential: TokenCredential, plan: StoragePlan, log: (line: string) => void): Promise<ProvisionedStorage> {
  const group = plan.resourceGroup;
  log(`resource group ${group.name}: ${await ensureResourceGroup(clients, group)}`);
  const { outcome, account } = await ensureStorageAccount(clients, group.name, plan.storageAccount);
  log(`storage account ${plan.storageAccount.name}: ${outcome}${outcome === 'exists' ? ' (used as it is)' : ''}`);

  const principal = await signedInPrincipal(credential);
  const role = principal ? await ensureRoleAssignment(clients, planRoleAssignment(plan.subscription, plan.storageAccount.id, principal)) : 'unknown identity';
  const who = principal ? `the signed-in identity (${principal.objectId})` : 'the signed-in identity';
  const said = {
    created: 'assigned; Azure takes up to a few minutes to apply it',
    exists: 'already assigned',
    'not allowed': 'not assigned (no right to assign roles here); the upload shows whether a role given another way is enough',
    'unknown identity': 'not checked (the sign-in token names no object id); the upload shows whether the role is there',
  }[role];
  log(`role ${STORAGE_BLOB_DATA_CONTRIBUTOR.name} for ${who} on ${plan.storageAccount.name}: ${said}`);

  if (!plan.keyForHistory) return { account: outcome, principal, role };
  const history = await historyConnectionString(clients, group.name, account);
  log(`history: ${HISTORY_SETTING} from storage account ${plan.storageAccount.name}'s key (goes only into the uploaded cscfg)`);
  return { account: outcome, principal, role, history };
}

/** Created only when missing; an existing group is left as it is, wherever it is. */
async function ensureResourceGroup(clients: AzureClients, planned: StoragePlan['resourceGroup']): Promise<Outcome> {
  const { body: exists } = await clients.resources.resourceGroups.checkExistence(planned.name);
  if (exists) return 'exists';
  await clients.resources.resourceGroups.createOrUpdate(planned.name, planned.body);
  return 'created';
}

/** The `--dry-run` lines for these steps, with their request bodies. */
export function describeStoragePlan(plan: StoragePlan): string[] {
  const { subscription } = plan;
  const json = (value: unknown) => JSON.stringify(value, null, 2).replace(/^/gm, '     ');
  const account = plan.storageAccount;
  const roleName = '<GUID from the account, the identity and the role>';
  const roleBody = {
    properties: {
      roleDefinitionId: `/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_BLOB_DATA_CONTRIBUTOR.id}`,
      principalId: '<object id of the signed-in identity>',
      principalType: '<User or ServicePrincipal>',
    },
  };
  return [
    `  a. resource group ${plan.resourceGroup.name}, if missing: PUT ${plan.resourceGroup.id}?api-version=${RESOURCES_API_VERSION}`,
    json(plan.resourceGroup.body),
    `  b. storage account ${account.name}, used as it is when it exists; if missing:`,
    `     POST /subscriptions/${subscription}/providers/Microsoft.Storage/checkNameAvailability?api-version=${STORAGE_API_VERSION}`,
    json({ name: account.name, type: 'Microsoft.Storage/storageAccounts' }),
    `     then PUT ${account.id}?api-version=${STORAGE_API_VERSION}`,
    json(account.body),
    `  c. role ${STORAGE_BLOB_DATA_CONTRIBUTOR.name} for the signed-in identity, so the upload needs no key; if missing:`,
    `     PUT ${account.id}/providers/Microsoft.Authorization/roleAssignments/${roleName}?api-version=${AUTHORIZATION_API_VERSION}`,
    json(roleBody),
    plan.keyForHistory
      ? `  d. POST ${account.id}/listKeys?api-version=${STORAGE_API_VERSION}: history's ${HISTORY_SETTING}, with the account key, goes into the uploaded cscfg only (a cloud service has no managed identity, so the account keeps shared-key access)`
      : `  d. history: ${HISTORY_SETTING} as given; publish reads no key and ${account.name} gets no shared-key access`,
  ];
}
