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
  // The SDK wraps DNS failures as REQUEST_SEND_ERROR; the host name is in the message.
  if (/ENOTFOUND/.test(`${code} ${message}`) && context.storageAccount && message.includes(`${context.storageAccount}.blob.`)) {
    return new PublishError(`storage account ${context.storageAccount} does not exist`, `create it: az storage account create --name ${context.storageAccount} --resource-group <group> --sku Standard_LRS`);
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
