import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import type { Config } from '../config/load-config.js';

/** Whether any setting asks for Microsoft Entra ID instead of a key. */
export function needsCredential(config: Config): boolean {
  return (
    config.storageTableEndpoint !== undefined ||
    (config.redisUrl !== undefined && config.redisAuth === 'entra') ||
    (config.appInsightsConnectionString !== undefined && config.appInsightsAuthentication !== undefined)
  );
}

/**
 * The process's one Microsoft Entra ID credential: DefaultAzureCredential, which is App Service's
 * managed identity there (IDENTITY_ENDPOINT, IDENTITY_HEADER; AZURE_CLIENT_ID picks a user-assigned
 * one) and a developer's `az login` on a workstation. One object, so that each token audience is
 * fetched and cached once for the history store, Redis and telemetry together.
 *
 * @azure/identity is imported on the first token request, not here: main.ts creates this before
 * telemetry starts, and the Azure SDK modules must load after telemetry's instrumentation hook so
 * that their calls are traced. A role that uses keys only never loads it at all.
 */
export function createCredential(): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  const resolve = () =>
    (credential ??= import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential()));
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      return (await resolve()).getToken(scopes, options);
    },
  };
}

/**
 * Application Insights' ClientId names a user-assigned identity for ingestion alone (as its agents
 * read the setting); without one, ingestion shares the process's credential.
 */
export async function telemetryCredential(config: Config, shared: TokenCredential | undefined): Promise<TokenCredential | undefined> {
  const authentication = config.appInsightsAuthentication;
  if (authentication === undefined) return undefined;
  if (authentication.clientId === undefined) return shared;
  const { ManagedIdentityCredential } = await import('@azure/identity');
  return new ManagedIdentityCredential({ clientId: authentication.clientId });
}
