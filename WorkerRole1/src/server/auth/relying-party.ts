import * as oidc from 'openid-client';
import type { AuthConfig } from '../config/load-config.js';
import type { Logger } from '../logger.js';
import { type IdTokenClaims, identityFromClaims } from './identity.js';
import type { LoginTransaction, SignIn } from './sign-in-records.js';

type OidcAuth = Extract<AuthConfig, { mode: 'oidc' }>;

/** Entra ID puts name, preferred_username, tid and oid in the ID token for these; roles always. */
const SCOPE = 'openid profile';

/**
 * The OpenID Connect relying party, all protocol work done by openid-client (a certified library):
 * discovery, the authorization URL with PKCE, state and nonce, the code exchange and every check
 * of the ID token (signature, issuer, audience, expiry, nonce).
 */
export class RelyingParty {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly auth: OidcAuth,
    private readonly logger: Logger,
  ) {}

  /** Where to send the browser, and what the callback must check the answer against. */
  async startLogin(redirectUri: string, returnTo: string): Promise<{ url: URL; transaction: LoginTransaction }> {
    const config = await this.discover();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, transaction: { codeVerifier, state, nonce, redirectUri, returnTo } };
  }

  /** Exchanges the code; throws when the provider's answer or its ID token fails any check. */
  async finishLogin(search: string, transaction: LoginTransaction): Promise<SignIn> {
    const config = await this.discover();
    const callbackUrl = new URL(transaction.redirectUri);
    callbackUrl.search = search;
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: transaction.codeVerifier,
      expectedState: transaction.state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims() as IdTokenClaims | undefined;
    if (!claims || !tokens.id_token) throw new Error('the provider sent no ID token');
    return { identity: identityFromClaims(claims), idToken: tokens.id_token };
  }

  /** The provider's end-session URL when it offers one (Entra ID does), else undefined. */
  async logoutUrl(idToken: string | undefined, postLogoutRedirectUri: string): Promise<URL | undefined> {
    const config = await this.discover().catch(() => undefined);
    if (!config?.serverMetadata().end_session_endpoint) return undefined;
    return oidc.buildEndSessionUrl(config, {
      post_logout_redirect_uri: postLogoutRedirectUri,
      client_id: this.auth.clientId,
      ...(idToken ? { id_token_hint: idToken } : {}),
    });
  }

  /** Once, on first use; a failed discovery is retried by the next login instead of kept. */
  private discover(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      .discovery(new URL(this.auth.issuer), this.auth.clientId, this.auth.clientSecret, undefined, {
        execute: [
          // OpenID Connect lets a client trust TLS for a token it fetched itself; the chat checks the
          // ID token's signature against the provider's keys as well, so a token altered anywhere
          // on the way (a TLS-terminating proxy, a compromised hop) is refused.
          oidc.enableNonRepudiationChecks,
          // Settings allow http:// only for a loopback issuer (tests); the library refuses it otherwise.
          ...(this.auth.issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : []),
        ],
      })
      .catch((error: unknown) => {
        this.configuration = undefined;
        this.logger.error({ err: error, issuer: this.auth.issuer }, 'OpenID Connect discovery failed');
        throw error;
      });
    return this.configuration;
  }
}
