import { createHash, randomBytes } from 'node:crypto';
import type { SessionRegistry } from '../sessions/session-registry.js';
import type { SignedInIdentity } from '../socket/types.js';

/**
 * Sign-ins live in the shared session store, and the cookie holds only a random id. Chosen over
 * a sealed (encrypted) cookie because nothing then needs a key: no key setting to generate, share
 * between instances and rotate, which an organisation that runs without stored keys (App Service
 * with managed identities) would have to hold anyway. It also makes sign-out final: the record is
 * gone on every instance at once, so a copy of the cookie is worthless afterwards. Every instance
 * already reaches the store (Redis, the emulator's hosted registry, or the process itself alone).
 */

/** A login under way: what /auth/callback must check the provider's answer against. */
export interface LoginTransaction {
  codeVerifier: string;
  state: string;
  nonce: string;
  redirectUri: string;
  /** Where the person goes after signing in (always a path on this site). */
  returnTo: string;
}

export interface SignIn {
  identity: SignedInIdentity;
  /** For the provider's end-session endpoint (id_token_hint); never sent to the browser. */
  idToken: string;
}

/** Time to go through the provider's login page. */
export const LOGIN_TRANSACTION_MS = 10 * 60 * 1000;
/** How long the person -> chat session mapping outlives a sign-in, so a new sign-in resumes it. */
const PERSON_SESSION_MS = 24 * 60 * 60 * 1000;

export class SignInRecords {
  constructor(private readonly store: SessionRegistry) {}

  async beginLogin(transaction: LoginTransaction): Promise<string> {
    const id = newId();
    await this.store.putRecord(`login:${id}`, JSON.stringify(transaction), LOGIN_TRANSACTION_MS);
    return id;
  }

  /** Once only: a replayed callback finds nothing. */
  async takeLogin(id: string): Promise<LoginTransaction | undefined> {
    return parse<LoginTransaction>(await this.store.takeRecord(`login:${id}`));
  }

  async create(signIn: SignIn, now: number): Promise<string> {
    const id = newId();
    await this.store.putRecord(`signin:${id}`, JSON.stringify(signIn), signIn.identity.expiresAt - now);
    return id;
  }

  async read(id: string, now: number): Promise<SignIn | undefined> {
    const signIn = parse<SignIn>(await this.store.getRecord(`signin:${id}`));
    return signIn && signIn.identity.expiresAt > now ? signIn : undefined;
  }

  async end(id: string): Promise<SignIn | undefined> {
    return parse<SignIn>(await this.store.takeRecord(`signin:${id}`));
  }

  /** The chat session token a person's tabs and devices share. */
  async personSession(identityId: string): Promise<string | undefined> {
    return this.store.getRecord(`person:${hashed(identityId)}`);
  }

  async rememberPersonSession(identityId: string, token: string): Promise<void> {
    await this.store.putRecord(`person:${hashed(identityId)}`, token, PERSON_SESSION_MS);
  }
}

/** Cookie values are ids only if they look like one; anything else is not looked up at all. */
export const isSignInId = (value: string | undefined): value is string => value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value);

const newId = () => randomBytes(32).toString('base64url');
const hashed = (value: string) => createHash('sha256').update(value).digest('base64url');

function parse<T>(json: string | undefined): T | undefined {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined;
  }
}
