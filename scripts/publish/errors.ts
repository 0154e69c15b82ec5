/**
 * An error a person can act on: what went wrong and what to do about it. Everything publish throws
 * on purpose is one of these; `explainError` turns what the Azure SDK throws into one.
 */
export class PublishError extends Error {
  constructor(
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${problem}\n  fix: ${fix}`);
    this.name = 'PublishError';
  }
}

/** What @azure/identity throws when no credential in DefaultAzureCredential's chain could sign in. */
const NOT_SIGNED_IN = new Set(['CredentialUnavailableError', 'AuthenticationRequiredError', 'AggregateAuthenticationError']);

interface ErrorContext {
  subscription?: string;
  resourceGroup?: string;
  name?: string;
  storageAccount?: string;
  /** Which kind of deployment failed; the fixes differ. Cloud Services when absent. */
  target?: 'cloudservice' | 'appservice';
}

/** Maps an SDK or credential error to cause + fix; unknown errors keep their message. */
export function explainError(error: unknown, context: ErrorContext = {}): PublishError {
  if (error instanceof PublishError) return error;
  const err = error as { name?: string; message?: string; statusCode?: number; code?: string; details?: unknown };
  const message = err?.message ?? String(error);

  if (NOT_SIGNED_IN.has(err?.name ?? '')) {
    return new PublishError(
      'not signed in to Azure: no credential was found (DefaultAzureCredential tried environment variables, managed identity, Azure CLI, Azure PowerShell and azd)',
      'run `az login` (or `Connect-AzAccount` in PowerShell, or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET for a service principal), then run publish again',
    );
  }
  if (err?.name === 'AuthenticationError') {
    return new PublishError(`Azure refused the sign-in: ${firstLine(message)}`, 'run `az login` again (the token may have expired or belong to another tenant)');
  }

  // Duck-typed RestError: the SDK packages each bundle their own copy of the class.
  const status = typeof err?.statusCode === 'number' ? err.statusCode : undefined;
  const code = err?.code ?? '';
  const where = context.resourceGroup ? ` on resource group ${context.resourceGroup}` : '';
  const appService = context.target === 'appservice';
  // Specific codes first: Azure sends MissingSubscriptionRegistration as a 409, for one.
  if (code === 'ResourceGroupNotFound') {
    return new PublishError(
      `resource group ${context.resourceGroup ?? ''} does not exist`,
      `create it: az group create --name ${context.resourceGroup ?? '<group>'} --location <region>`,
    );
  }
  if (code === 'MissingSubscriptionRegistration') {
    return new PublishError(
      `the subscription is not registered for a resource provider: ${firstLine(message)}`,
      appService
        ? `run \`az provider register --namespace ${/namespace '([^']+)'/i.exec(message)?.[1] ?? 'Microsoft.Web'}\`, wait until registered, publish again`
        : 'run `az provider register --namespace Microsoft.Compute` and `az provider register --namespace Microsoft.Network`, wait until registered, publish again',
    );
  }
  if (code === 'SubscriptionNotFound' || code === 'InvalidSubscriptionId') {
    return new PublishError(`subscription ${context.subscription ?? ''} not found`, 'check --subscription against `az account list -o table`');
  }
  if (code === 'RequestDisallowedByPolicy') {
    return new PublishError(
      `Azure Policy refused ${message.match(/Resource '([^']+)'/)?.[1] ?? 'a resource'}: ${policyNames(err) ?? firstLine(message)}`,
      'change what the policy forbids (its name says what), or ask the policy\'s owner for an exemption for this resource group',
    );
  }
  // The SDK wraps DNS failures as REQUEST_SEND_ERROR; the host name is in the message.
  if (/ENOTFOUND/.test(`${code} ${message}`) && context.storageAccount && message.includes(`${context.storageAccount}.blob.`)) {
    // Publish found or created the account through Resource Manager before uploading, so a name that
    // does not resolve is a new account's DNS lagging behind, or the wrong cloud or network.
    return new PublishError(
      `storage account ${context.storageAccount}: ${context.storageAccount}.blob.core.windows.net does not resolve`,
      'if publish created the account just now, its address can take a few minutes to appear: run publish again; otherwise check that this machine resolves *.blob.core.windows.net (a proxy or private DNS zone may hide it)',
    );
  }
  if (status === 403 || code === 'AuthorizationFailed' || code === 'AuthorizationPermissionMismatch') {
    const blob = !appService && (/blob|storage/i.test(message) || code === 'AuthorizationPermissionMismatch');
    return new PublishError(
      `missing permission (HTTP 403 ${code || 'Forbidden'}): ${firstLine(message)}`,
      blob
        ? `ask for the "Storage Blob Data Contributor" role on storage account ${context.storageAccount ?? '(the --storage-account)'} for the signed-in identity (role assignments can take a few minutes to apply)`
        : appService
          ? 'ask for "Contributor" on the subscription (the template creates the resource group and everything in it) and "User Access Administrator" or "Role Based Access Control Administrator" (it assigns roles to the web app\'s identity); check `az account show` is the subscription you meant'
          : `ask for the "Contributor" role${where} (it covers Microsoft.Compute/cloudServices and Microsoft.Network); check \`az account show\` is the subscription you meant`,
    );
  }
  if (appService && (status === 409 || code === 'Conflict' || /InUse|AlreadyExists|NotAvailable/i.test(code))) {
    return new PublishError(
      `name taken (HTTP 409 ${code || 'Conflict'}): ${firstLine(message)}`,
      `web app names are global: "${context.name ?? '<name>'}.azurewebsites.net" belongs to another app, maybe in another subscription; pick another --name. If the app is yours in another resource group or plan, publish to that group, or delete it first`,
    );
  }
  if (status === 409 || code === 'Conflict' || /InUse|AlreadyExists|NotAvailable/i.test(code)) {
    return new PublishError(
      `name taken (HTTP 409 ${code || 'Conflict'}): ${firstLine(message)}`,
      `the name ${context.name ? `"${context.name}" ` : ''}(also the DNS label <name>.<location>.cloudapp.azure.com) is used by another resource or subscription: pick another --name; if an earlier publish is still running on this service, wait for it to finish`,
    );
  }
  return new PublishError(firstLine(message), status ? `Azure answered HTTP ${status} ${code}; see the message above` : 'see the message above');
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

/** Where and what publish was doing with the storage account when Azure said no. */
interface StorageContext {
  account: string;
  resourceGroup: string;
  location: string;
  operation?: 'listKeys';
}

const SHARED_KEY = /shared.?key|allowSharedKeyAccess|key.?based|local.?auth/i;
const NO_MANAGED_IDENTITY =
  'a cloud service has no managed identity, so its history can only reach Table storage with a connection string that carries the account key';

/**
 * The storage account's own causes and fixes: a name taken elsewhere, a policy, a quota, shared-key
 * access refused. Anything else falls through to explainError.
 */
export function storageAccountError(error: unknown, context: StorageContext): PublishError {
  if (error instanceof PublishError) return error;
  const err = error as { message?: string; statusCode?: number; code?: string };
  const code = err?.code ?? '';
  const message = err?.message ?? String(error);
  const account = `storage account ${context.account}`;
  const another = 'pass --storage-account NAME (3-24 lowercase letters and digits)';
  const ownAccount = `pass --storage-account with an account that exists and that your organisation allows, and --setting STORAGE_CONNECTION_STRING=<its connection string> for history`;

  if (code === 'AlreadyExists' || code === 'StorageAccountAlreadyTaken') {
    return new PublishError(
      `${account}: the name is taken (storage account names are global across Azure; this one belongs to another subscription or another resource group)`,
      `${another} with a name nobody uses yet; if the account is yours in another resource group, pass that group as --resource-group`,
    );
  }
  if (code === 'AccountNameInvalid') return new PublishError(`${account}: ${firstLine(message) || 'not a valid name'}`, another);
  if (code === 'RequestDisallowedByPolicy') {
    const policy = policyNames(err) ?? firstLine(message);
    if (SHARED_KEY.test(`${policy} ${message}`)) {
      return new PublishError(
        `${account} refused by Azure Policy: ${policy}. Publish keeps shared-key access on that account because ${NO_MANAGED_IDENTITY}`,
        `either pass --setting STORAGE_CONNECTION_STRING=<connection string of an account your organisation allows keys on> (then publish creates ${context.account} for the package only, with shared-key access off), or deploy with --target appservice, which uses a managed identity and no key, or ask for a policy exemption`,
      );
    }
    if (/location/i.test(`${policy} ${message}`)) {
      return new PublishError(
        `${account} refused by Azure Policy in ${context.location}: ${policy}`,
        `pass a --location the policy allows (the cloud service goes there too), or ${ownAccount}, or ask for a policy exemption`,
      );
    }
    return new PublishError(`${account} refused by Azure Policy: ${policy}`, `${ownAccount}, or ask the policy's owner for an exemption`);
  }
  if (/QuotaExceeded|StorageAccountsPerRegion|TooManyStorageAccounts/i.test(`${code} ${message}`)) {
    return new PublishError(
      `${account}: the subscription's storage account quota in ${context.location} is used up (${code || 'quota'}: ${firstLine(message)})`,
      `${ownAccount}, or delete accounts you no longer use (az storage account list --query "[?location=='${context.location}'].name"), or ask for more in the portal (Quotas > Storage)`,
    );
  }
  if (code === 'SharedKeyAccessDisabled' || code === 'KeyBasedAuthenticationNotPermitted' || (context.operation === 'listKeys' && SHARED_KEY.test(message))) {
    return new PublishError(
      `${account} does not allow shared-key access, and ${NO_MANAGED_IDENTITY}`,
      `pass --setting STORAGE_CONNECTION_STRING=<connection string of an account that allows keys>; or, where policy permits, turn keys on for this one (az storage account update -n ${context.account} -g ${context.resourceGroup} --allow-shared-key-access true); or deploy with --target appservice, which needs no key`,
    );
  }
  if (context.operation === 'listKeys' && (err?.statusCode === 403 || code === 'AuthorizationFailed')) {
    return new PublishError(
      `cannot read the key of ${account} (HTTP 403 ${code || 'Forbidden'}): history on a cloud service needs it`,
      `ask for "Contributor" or "Storage Account Key Operator Service Role" on ${context.account}, or pass --setting STORAGE_CONNECTION_STRING=<connection string> yourself`,
    );
  }
  return explainError(error, { resourceGroup: context.resourceGroup, storageAccount: context.account });
}

/**
 * The policy's name from a RequestDisallowedByPolicy error: Azure puts the assignment and definition
 * in the message as JSON ("Policy identifiers: '[{"policyAssignment":{"name":...') and, in newer
 * answers, in additionalInfo. A person searches the portal by these names.
 */
export function policyNames(error: unknown): string | undefined {
  const err = error as { message?: string; details?: { error?: { additionalInfo?: { info?: Record<string, string> }[] } } };
  const names = new Set<string>();
  for (const { info } of err?.details?.error?.additionalInfo ?? []) {
    const name = info?.policyAssignmentDisplayName ?? info?.policyDefinitionDisplayName ?? info?.policyAssignmentName;
    if (name) names.add(name);
  }
  for (const match of (err?.message ?? '').matchAll(/\\?"policy(?:Assignment|Definition)\\?"\s*:\s*\{\s*\\?"name\\?"\s*:\s*\\?"([^"\\]+)/g)) {
    names.add(match[1]!);
  }
  return names.size > 0 ? `policy "${[...names].join('", "')}"` : undefined;
}
