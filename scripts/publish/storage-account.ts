import { createHash } from 'node:crypto';
import type { StorageAccount } from '@azure/arm-storage';
import { type AzureClients, type Outcome, getOrUndefined } from './arm-client.js';
import { PublishError, storageAccountError } from './errors.js';
import type { PlannedResource } from './plan.js';

/**
 * The storage account a cloud service's package is uploaded to, which publish creates when it is
 * missing and, unless told otherwise, also gives the role for its history (a connection string with
 * the account key: Cloud Services has no managed identity).
 */

/** The cscfg setting that carries history's connection string. */
export const HISTORY_SETTING = 'STORAGE_CONNECTION_STRING';

/**
 * `--storage-account`'s default: the name's letters and digits and eight hex digits of a hash of the
 * subscription and the name. Storage account names are global across Azure, so a bare
 * `chatappdemo` would already belong to someone; the hash keeps the default free yet stable, so a
 * second publish of the same service finds the account the first one made.
 */
export function defaultStorageAccountName(subscription: string, name: string): string {
  const stem = name.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 16);
  const hash = createHash('sha256').update(`${subscription.toLowerCase()}/${name}`).digest('hex').slice(0, 8);
  return `${stem}${hash}`;
}

/** Azure's rule for a storage account name, said the way a person can fix it. */
export function storageAccountNameProblem(account: string): string | undefined {
  return /^[a-z0-9]{3,24}$/.test(account) ? undefined : 'a storage account name is 3 to 24 lowercase letters and digits (no hyphens)';
}

/** The request body as it goes over the wire (the SDK's model flattens `properties` away). */
export interface StorageAccountBody {
  location: string;
  tags: Record<string, string>;
  sku: { name: 'Standard_LRS' };
  kind: 'StorageV2';
  properties: {
    minimumTlsVersion: 'TLS1_2';
    allowBlobPublicAccess: false;
    supportsHttpsTrafficOnly: true;
    allowSharedKeyAccess: boolean;
    defaultToOAuthAuthentication: true;
  };
}

export interface StorageAccountInput {
  subscription: string;
  resourceGroup: string;
  account: string;
  location: string;
  /** History will read the account with its key: shared-key access must stay on. */
  keyForHistory: boolean;
}

export function planStorageAccount(input: StorageAccountInput): PlannedResource<StorageAccountBody> {
  return {
    name: input.account,
    id: `/subscriptions/${input.subscription}/resourceGroups/${input.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${input.account}`,
    body: {
      location: input.location,
      tags: { application: 'chatapp', 'deployed-by': 'npm run publish' },
      sku: { name: 'Standard_LRS' },
      kind: 'StorageV2',
      properties: {
        minimumTlsVersion: 'TLS1_2',
        allowBlobPublicAccess: false,
        supportsHttpsTrafficOnly: true,
        // The upload signs in with Microsoft Entra and never needs the key. Only history on a cloud
        // service does (no managed identity there), so the key stays usable only when history uses it.
        allowSharedKeyAccess: input.keyForHistory,
        // The portal and tools then default to Entra too, not to the key.
        defaultToOAuthAuthentication: true,
      },
    },
  };
}

/**
 * Creates the account when it is missing; an existing one is used as it is (never modified). Before
 * creating, asks whether the name is free: names are global, and "taken by someone else" deserves
 * its own fix rather than a failed PUT.
 */
export async function ensureStorageAccount(
  clients: AzureClients,
  resourceGroup: string,
  planned: PlannedResource<StorageAccountBody>,
): Promise<{ outcome: Outcome; account: StorageAccount }> {
  const context = { account: planned.name, resourceGroup, location: planned.body.location };
  try {
    const existing = await getOrUndefined(() => clients.storage.storageAccounts.getProperties(resourceGroup, planned.name));
    if (existing) return { outcome: 'exists', account: existing };
    const availability = await clients.storage.storageAccounts.checkNameAvailability({ name: planned.name, type: 'Microsoft.Storage/storageAccounts' });
    if (availability.nameAvailable === false) {
      throw storageAccountError({ code: availability.reason ?? 'AlreadyExists', message: availability.message ?? '' }, context);
    }
    const { body } = planned;
    const account = await clients.storage.storageAccounts.beginCreateAndWait(
      resourceGroup,
      planned.name,
      {
        location: body.location,
        tags: body.tags,
        sku: body.sku,
        kind: body.kind,
        minimumTlsVersion: body.properties.minimumTlsVersion,
        allowBlobPublicAccess: body.properties.allowBlobPublicAccess,
        enableHttpsTrafficOnly: body.properties.supportsHttpsTrafficOnly,
        allowSharedKeyAccess: body.properties.allowSharedKeyAccess,
        defaultToOAuthAuthentication: body.properties.defaultToOAuthAuthentication,
      },
      { updateIntervalInMs: clients.pollIntervalMs },
    );
    return { outcome: 'created', account };
  } catch (error) {
    throw storageAccountError(error, context);
  }
}

/**
 * History's connection string, with the account's first key: the one secret publish handles. It goes
 * only into the uploaded cscfg; the caller adds it to the values redacted from every line printed.
 */
export async function historyConnectionString(clients: AzureClients, resourceGroup: string, account: StorageAccount): Promise<{ connectionString: string; key: string }> {
  const name = account.name ?? '';
  const context = { account: name, resourceGroup, location: account.location ?? '' };
  // Checked before reading the key: with shared-key access off, the role would hold a key that
  // every request is refused with (a policy with a "modify" effect can turn it off at creation, too).
  if (account.allowSharedKeyAccess === false) throw storageAccountError({ code: 'SharedKeyAccessDisabled', message: '' }, context);
  let key: string | undefined;
  try {
    const { keys } = await clients.storage.storageAccounts.listKeys(resourceGroup, name);
    key = keys?.find(({ permissions }) => permissions?.toLowerCase() === 'full')?.value ?? keys?.[0]?.value;
  } catch (error) {
    throw storageAccountError(error, { ...context, operation: 'listKeys' });
  }
  if (!key) {
    throw new PublishError(
      `storage account ${name} returned no account key`,
      `check it in the portal (Security + networking > Access keys), or pass --setting ${HISTORY_SETTING}=<connection string> for history`,
    );
  }
  // The endpoint suffix of the account's own cloud (core.windows.net, or a sovereign cloud's).
  const suffix = account.primaryEndpoints?.blob?.match(/\.blob\.([^/]+)/)?.[1] ?? 'core.windows.net';
  return { connectionString: `DefaultEndpointsProtocol=https;AccountName=${name};AccountKey=${key};EndpointSuffix=${suffix}`, key };
}
