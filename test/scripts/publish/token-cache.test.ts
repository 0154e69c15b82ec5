import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { REFRESH_BEFORE_EXPIRY_MS, TokenCache } from '../../../scripts/publish/token-cache.js';

const MANAGEMENT = 'https://management.azure.com/.default';
const STORAGE = 'https://storage.azure.com/.default';
const HOUR = 60 * 60_000;

/** A sign-in that counts how often it was asked, answers after a turn of the event loop, and can be made to fail. */
class CountingSignIn implements TokenCredential {
  asked: string[] = [];
  failNext = false;
  constructor(private readonly now: () => number) {}
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    const scope = [scopes].flat().join(' ');
    this.asked.push(options?.tenantId ? `${scope} (${options.tenantId})` : scope);
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failNext) {
      this.failNext = false;
      throw Object.assign(new Error('no credential in the chain could sign in'), { name: 'CredentialUnavailableError' });
    }
    return { token: `token ${this.asked.length} for ${scope}`, expiresOnTimestamp: this.now() + HOUR };
  }
}

function setup() {
  let now = 1_000_000;
  const signIn = new CountingSignIn(() => now);
  return { signIn, cache: new TokenCache(signIn, () => now), advance: (ms: number) => (now += ms) };
}

describe('TokenCache: one sign-in per scope for a whole publish', () => {
  it('signs in once for the requests of several clients at once, and hands each the same token', async () => {
    const { signIn, cache } = setup();
    const tokens = await Promise.all([cache.getToken(MANAGEMENT), cache.getToken([MANAGEMENT]), cache.getToken(MANAGEMENT)]);
    const later = await cache.getToken(MANAGEMENT);

    assert.deepEqual(signIn.asked, [MANAGEMENT]);
    assert.deepEqual(new Set([...tokens, later].map((token) => token?.token)), new Set(['token 1 for https://management.azure.com/.default']));
  });

  it('signs in once per scope and per tenant', async () => {
    const { signIn, cache } = setup();
    await cache.getToken(MANAGEMENT);
    await cache.getToken(STORAGE);
    await cache.getToken(MANAGEMENT, { tenantId: 'other-tenant' });
    await cache.getToken(STORAGE);

    assert.deepEqual(signIn.asked, [MANAGEMENT, STORAGE, `${MANAGEMENT} (other-tenant)`]);
  });

  it('signs in again when the token is about to expire, once for concurrent requests', async () => {
    const { signIn, cache, advance } = setup();
    const first = await cache.getToken(MANAGEMENT);
    advance(HOUR - REFRESH_BEFORE_EXPIRY_MS - 1);
    assert.equal((await cache.getToken(MANAGEMENT))?.token, first?.token);

    advance(2);
    const renewed = await Promise.all([cache.getToken(MANAGEMENT), cache.getToken(MANAGEMENT)]);

    assert.deepEqual(signIn.asked, [MANAGEMENT, MANAGEMENT]);
    assert.deepEqual(renewed.map((token) => token?.token), ['token 2 for https://management.azure.com/.default', 'token 2 for https://management.azure.com/.default']);
  });

  it('passes a failed sign-in on unchanged, and tries again on the next request', async () => {
    const { signIn, cache } = setup();
    signIn.failNext = true;
    await assert.rejects(cache.getToken(MANAGEMENT), { name: 'CredentialUnavailableError' });

    assert.equal((await cache.getToken(MANAGEMENT))?.token, 'token 2 for https://management.azure.com/.default');
    assert.deepEqual(signIn.asked, [MANAGEMENT, MANAGEMENT]);
  });
});
