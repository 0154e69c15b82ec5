import express, { type Response, type Router } from 'express';
import type { AuthStatus } from '../../shared/protocol.js';
import type { Logger } from '../logger.js';
import { LOGIN_COOKIE, SIGN_IN_COOKIE, cookieHeader, pageOrigin, readCookie } from './cookies.js';
import { signedInNickname } from './identity.js';
import type { RelyingParty } from './relying-party.js';
import { LOGIN_TRANSACTION_MS, type SignInRecords, isSignInId } from './sign-in-records.js';

export interface AuthRoutesDeps {
  relyingParty: RelyingParty;
  records: SignInRecords;
  /** Disconnects the sockets of a sign-in on every instance. */
  endSockets(signInId: string): void;
  logger: Logger;
  now: () => number;
}

/** /auth/me in nickname mode: the page learns there is nothing to sign in to. */
export function nicknameAuthRoutes(): Router {
  const router = express.Router();
  router.get('/auth/me', (_request, response) => noStore(response).json({ mode: 'nickname' } satisfies AuthStatus));
  return router;
}

/** /auth/login, /auth/callback, /auth/logout and /auth/me for AUTH_MODE=oidc. */
export function oidcAuthRoutes({ relyingParty, records, endSockets, logger, now }: AuthRoutesDeps): Router {
  const router = express.Router();

  router.get('/auth/me', async (request, response) => {
    const id = readCookie(request, SIGN_IN_COOKIE);
    const signIn = isSignInId(id) ? await records.read(id, now()).catch(() => undefined) : undefined;
    const status: AuthStatus = signIn
      ? { mode: 'oidc', signedIn: true, name: signIn.identity.name, nickname: signedInNickname(signIn.identity), expiresAt: signIn.identity.expiresAt }
      : { mode: 'oidc', signedIn: false };
    noStore(response).json(status);
  });

  router.get('/auth/login', async (request, response) => {
    const { origin, secure } = pageOrigin(request);
    try {
      const { url, transaction } = await relyingParty.startLogin(`${origin}/auth/callback`, returnPath(request.query.returnTo));
      const id = await records.beginLogin(transaction);
      response.setHeader('Set-Cookie', cookieHeader(LOGIN_COOKIE, id, { secure, maxAgeMs: LOGIN_TRANSACTION_MS }));
      noStore(response).redirect(303, url.href);
    } catch (error) {
      logger.error({ err: error }, 'sign-in could not start');
      failure(response, 503, 'The sign-in service cannot be reached right now. Try again in a moment.');
    }
  });

  router.get('/auth/callback', async (request, response) => {
    const { secure } = pageOrigin(request);
    const loginId = readCookie(request, LOGIN_COOKIE);
    response.setHeader('Set-Cookie', cookieHeader(LOGIN_COOKIE, '', { secure, maxAgeMs: 0 }));
    const transaction = isSignInId(loginId) ? await records.takeLogin(loginId).catch(() => undefined) : undefined;
    if (!transaction) return failure(response, 400, 'This sign-in has expired or was already used. Start again.');
    try {
      const signIn = await relyingParty.finishLogin(new URL(request.originalUrl, 'http://callback').search, transaction);
      const id = await records.create(signIn, now());
      response.append('Set-Cookie', cookieHeader(SIGN_IN_COOKIE, id, { secure, maxAgeMs: signIn.identity.expiresAt - now() }));
      logger.info({ roles: signIn.identity.roles.length, expiresAt: signIn.identity.expiresAt }, 'signed in');
      noStore(response).redirect(303, transaction.returnTo);
    } catch (error) {
      // The provider's refusal (access_denied) or a token that failed a check: the log says which.
      logger.warn({ err: error }, 'sign-in refused');
      failure(response, 400, 'The sign-in could not be completed. Start again.');
    }
  });

  router.get('/auth/logout', async (request, response) => {
    const { origin, secure } = pageOrigin(request);
    const id = readCookie(request, SIGN_IN_COOKIE);
    response.setHeader('Set-Cookie', cookieHeader(SIGN_IN_COOKIE, '', { secure, maxAgeMs: 0 }));
    let idToken: string | undefined;
    if (isSignInId(id)) {
      try {
        idToken = (await records.end(id))?.idToken;
      } catch (error) {
        logger.error({ err: error }, 'sign-out could not reach the session store');
        return failure(response, 503, 'Signing out failed: try again in a moment.');
      }
      endSockets(id);
    }
    const providerLogout = await relyingParty.logoutUrl(idToken, `${origin}/`);
    noStore(response).redirect(303, providerLogout?.href ?? '/');
  });

  return router;
}

/** Only a path on this site: an open redirect would let a link send people anywhere after sign-in. */
function returnPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

function noStore(response: Response): Response {
  return response.set('Cache-Control', 'no-store');
}

function failure(response: Response, status: number, text: string): void {
  noStore(response).status(status).type('text/plain').send(`${text}\n\nSign in again: /auth/login\n`);
}
