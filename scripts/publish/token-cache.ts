import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

/** A token this close to its expiry is fetched again rather than handed to a request that may outlive it. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * One sign-in per scope for the whole publish: each Azure SDK client (compute, network, resources,
 * storage, deployments, web) asks its credential for a token on its own, and the developer
 * sign-ins of DefaultAzureCredential start a process per token (Azure PowerShell: `pwsh /?` and
 * `pwsh -Command Get-AzAccessToken`; Azure CLI: `az account get-access-token`), seconds each. A
 * publish asks for two scopes at most, so it signs in at most twice. A failed sign-in is not kept:
 * the next request tries again.
 */
export class TokenCache implements TokenCredential {
  private readonly tokens = new Map<string, Promise<AccessToken | null>>();

  constructor(
    private readonly credential: TokenCredential,
    private readonly now: () => number = Date.now,
  ) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const key = [[scopes].flat().join(' '), options?.tenantId ?? '', options?.claims ?? ''].join('\n');
    const cached = this.tokens.get(key);
    if (!cached) return this.fetch(key, scopes, options);
    return cached.then((token) => {
      if (token && token.expiresOnTimestamp - this.now() > REFRESH_BEFORE_EXPIRY_MS) return token;
      // Another request may have started the refresh already: share it.
      const current = this.tokens.get(key);
      return current && current !== cached ? current : this.fetch(key, scopes, options);
    });
  }

  private fetch(key: string, scopes: string | string[], options: GetTokenOptions | undefined): Promise<AccessToken | null> {
    const token = this.credential.getToken(scopes, options);
    this.tokens.set(key, token);
    token.catch(() => {
      if (this.tokens.get(key) === token) this.tokens.delete(key);
    });
    return token;
  }
}
