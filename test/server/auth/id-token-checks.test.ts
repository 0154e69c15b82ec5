import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { decodeJwt, type RunningOidcProvider, signIn, startOidcProvider, USERS } from '../../helpers/oidc-provider.js';
import { type SignedInChat, startSignedInChat } from './signed-in-server.js';

/**
 * The ID tokens a relying party must refuse, produced for real: the provider's token endpoint
 * hands the chat a token that differs from a valid one in exactly one respect (re-signed with the
 * provider's own key, or signed by a second provider, or with its signature broken), and the chat's
 * openid-client checks it. The control re-signs a token unchanged and is accepted, so each refusal
 * is the changed claim's doing.
 */

let chat: SignedInChat;
let otherProvider: RunningOidcProvider;

const resigned = (change: (payload: Record<string, unknown>) => void) => (idToken: string, provider: RunningOidcProvider) => {
  const { header, payload } = decodeJwt(idToken);
  change(payload);
  return provider.sign(header, payload);
};

async function callbackRefuses(): Promise<void> {
  await assert.rejects(signIn(chat.chat.url, USERS.alexA.login), /stopped at http:\/\/127\.0\.0\.1:\d+\/auth\/callback.*: HTTP 400 The sign-in could not be completed/);
}

describe('ID tokens the chat refuses at /auth/callback', () => {
  before(async () => {
    chat = await startSignedInChat();
    otherProvider = await startOidcProvider();
  });
  beforeEach(() => chat.idp.tamperIdTokens(undefined));
  after(async () => {
    await chat.close();
    await otherProvider.close();
  });

  it('accepts a token re-signed unchanged by the provider\'s key (the control)', async () => {
    chat.idp.tamperIdTokens(resigned(() => {}));
    const cookie = await signIn(chat.chat.url, USERS.alexA.login);
    assert.match(cookie.value, /^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses an expired token', async () => {
    chat.idp.tamperIdTokens(
      resigned((payload) => {
        const now = Math.floor(Date.now() / 1000);
        payload.iat = now - 7200;
        payload.exp = now - 3600;
      }),
    );
    await callbackRefuses();
  });

  it('refuses a token for another audience (another client of the same provider)', async () => {
    chat.idp.tamperIdTokens(resigned((payload) => (payload.aud = 'another-app')));
    await callbackRefuses();
  });

  it('refuses a token from another issuer, signed with that issuer\'s own key', async () => {
    chat.idp.tamperIdTokens((idToken) => {
      const { header, payload } = decodeJwt(idToken);
      return otherProvider.sign(header, { ...payload, iss: otherProvider.issuer });
    });
    await callbackRefuses();
  });

  it('refuses a token whose signature was tampered with', async () => {
    chat.idp.tamperIdTokens((idToken) => {
      const [header, payload, signature = ''] = idToken.split('.');
      const at = Math.floor(signature.length / 2);
      const flipped = signature[at] === 'A' ? 'B' : 'A';
      return `${header}.${payload}.${signature.slice(0, at)}${flipped}${signature.slice(at + 1)}`;
    });
    await callbackRefuses();
  });

  it('refuses a token whose claims were changed after signing', async () => {
    chat.idp.tamperIdTokens((idToken) => {
      const [header, , signature] = idToken.split('.');
      const { payload } = decodeJwt(idToken);
      const forged = Buffer.from(JSON.stringify({ ...payload, roles: ['Chat.Moderator'] })).toString('base64url');
      return `${header}.${forged}.${signature}`;
    });
    await callbackRefuses();
  });
});
