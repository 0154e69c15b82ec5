import type { TokenCredential } from '@azure/identity';
import { EntraIdCredentialsProviderFactory, REDIS_SCOPE_DEFAULT } from '@redis/entraid';
import type { Logger } from '../logger.js';

/**
 * Renews a token when 70% of its lifetime has passed (@redis/entraid's own default): hours ahead
 * for a managed identity's 24 h tokens, a quarter of an hour for a developer's 1 h ones.
 */
const EXPIRATION_REFRESH_RATIO = 0.7;

export type RedisCredentialsProvider = ReturnType<typeof EntraIdCredentialsProviderFactory.createForDefaultAzureCredential>;

/**
 * Microsoft Entra ID for Azure Managed Redis: the identity's object id (the token's `oid`) as user
 * name and a token for https://redis.azure.com as password. One provider serves every connection
 * of the process: it fetches a token once per renewal and re-AUTHs each live connection with it,
 * before the old one expires, so no connection drops; a reconnection authenticates with the
 * current token.
 *
 * Why createForDefaultAzureCredential and not createForSystemAssignedManagedIdentity: the latter
 * talks to the managed identity endpoint through MSAL directly, so it works only on Azure, and
 * it would be a second token path beside the one the history store and telemetry use. Given the
 * process's DefaultAzureCredential, one path covers App Service's managed identity (system- or,
 * with AZURE_CLIENT_ID, user-assigned) and a developer's `az login` alike.
 *
 * Every connection re-AUTHs, the adapter's subscriber included: node-redis 6 speaks RESP3 by
 * default, where AUTH is allowed in subscribed mode (under RESP2 it is not, and node-redis skips it).
 *
 * A renewal that fails is retried with backoff (any error: the identity endpoint answering 5xx or
 * not at all for a moment is the usual cause) and logged; the connections keep their current
 * token meanwhile, and one that the server drops at expiry reconnects with whatever token the
 * provider then holds. Nothing here ends the process.
 */
export function createRedisCredentialsProvider(credential: TokenCredential, logger: Logger): RedisCredentialsProvider {
  return EntraIdCredentialsProviderFactory.createForDefaultAzureCredential({
    credential,
    scopes: REDIS_SCOPE_DEFAULT,
    tokenManagerConfig: {
      expirationRefreshRatio: EXPIRATION_REFRESH_RATIO,
      retry: { maxAttempts: 50, initialDelayMs: 500, maxDelayMs: 60_000, backoffMultiplier: 2, jitterPercentage: 20, isRetryable: () => true },
    },
    onRetryableError: (message) => logger.warn({ reason: message }, 'Redis token renewal failed; retrying'),
    onReAuthenticationError: (error) => logger.error({ reason: error.message }, 'Redis re-authentication with a renewed token failed'),
  });
}
