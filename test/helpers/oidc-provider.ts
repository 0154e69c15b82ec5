import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export { signIn, type SignedInCookie } from './oidc-sign-in.js';

/**
 * A real OpenID Connect provider on loopback: panva's oidc-provider (a certified OpenID Provider)
 * with its development login page, a few people, and Entra ID's habits: profile claims and app
 * roles (`roles`) in the ID token. Served on `localhost` while the chat runs on 127.0.0.1, because
 * cookies ignore ports: the provider's cookies and the chat's must not mix in one browser.
 *
 * `signIn()` goes through the same interaction a browser does (the chat's /auth/login, the
 * provider's login form, the redirect back to /auth/callback) with fetch and a cookie jar, and
 * returns the chat's sign-in cookie, for Socket.IO clients.
 */

export interface TestUser {
  /** What one types on the login page; also the subject. */
  login: string;
  name?: string;
  preferred_username?: string;
  roles?: string[];
  /** Entra ID's tenant and object ids, for a user that should look like an Entra account. */
  tid?: string;
  oid?: string;
}

export const USERS = {
  alexA: { login: 'alex-a', name: 'Alex Kim', preferred_username: 'alex.a@example.com' },
  alexB: { login: 'alex-b', name: 'Alex Kim', preferred_username: 'alex.b@example.com' },
  moderator: { login: 'morgan', name: 'Morgan Reyes', preferred_username: 'morgan@example.com', roles: ['Chat.Moderator'] },
  entra: { login: 'entra-pat', name: 'Pat Entra', tid: '11111111-2222-3333-4444-555555555555', oid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' },
  unnamed: { login: 'sam', preferred_username: 'sam@example.com' },
} satisfies Record<string, TestUser>;

export interface TestClient {
  clientId: string;
  clientSecret: string;
}

/** Changes every ID token the token endpoint issues, to produce the ones a relying party must refuse. */
export type IdTokenTamper = (idToken: string, provider: RunningOidcProvider) => string;

export interface RunningOidcProvider {
  issuer: string;
  /** Registers a client whose redirect URI is `<origin>/auth/callback` for each chat origin. */
  addClient(client: TestClient, chatOrigins: string[]): void;
  /** Until cleared (undefined), every ID token is passed through this on its way out. */
  tamperIdTokens(tamper: IdTokenTamper | undefined): void;
  /** Signs a JWT with the provider's own key, as its ID tokens are signed. */
  sign(header: Record<string, unknown>, payload: Record<string, unknown>): string;
  close(): Promise<void>;
}

export interface OidcProviderOptions {
  users?: TestUser[];
  /** Lifetime of ID tokens, hence of a sign-in at the chat. @default 3600 */
  idTokenTtlSeconds?: number;
}

export async function startOidcProvider(options: OidcProviderOptions = {}): Promise<RunningOidcProvider> {
  const users = new Map((options.users ?? Object.values(USERS)).map((user) => [user.login, user]));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'test-key-1';
  const storage = new Map<string, Map<string, unknown>>();
  const clients = storage.set('Client', new Map()).get('Client')!;
  let tamper: IdTokenTamper | undefined;

  const servers = await listenOnLocalhost();
  const port = (servers[0]!.address() as AddressInfo).port;
  const issuer = `http://localhost:${port}`;

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(storage),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['oidc-provider fixture cookie key, tests only'] },
    findAccount: (_ctx: unknown, sub: string) => {
      const user = users.get(sub);
      if (!user) return undefined;
      const { login: _login, ...claims } = user;
      return { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'roles', 'tid', 'oid'] },
    // Entra ID puts the profile claims in the ID token itself; so does this provider then.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
    ttl: { IdToken: options.idTokenTtlSeconds ?? 3600, AccessToken: 3600, Session: 3600, Interaction: 600, Grant: 3600 },
    // A first-party app: no consent page after the login page, as with an admin-consented Entra app.
    loadExistingGrant: async (ctx: GrantContext) => {
      const existing = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid profile');
      grant.addOIDCClaims(['name', 'preferred_username', 'roles', 'tid', 'oid']);
      await grant.save();
      return grant;
    },
  });
  const running: RunningOidcProvider = {
    issuer,
    addClient({ clientId, clientSecret }, chatOrigins) {
      clients.set(clientId, {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: chatOrigins.map((origin) => `${origin}/auth/callback`),
        post_logout_redirect_uris: chatOrigins.map((origin) => `${origin}/`),
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      });
    },
    tamperIdTokens(next) {
      tamper = next;
    },
    sign: (header, payload) => signJwt(privateKey, { alg: 'RS256', kid, ...header }, payload),
    async close() {
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (ctx.path === '/token' && tamper && body && typeof body.id_token === 'string') body.id_token = tamper(body.id_token, running);
  });
  const handle = provider.callback();
  for (const server of servers) server.on('request', handle);
  return running;
}

interface GrantContext {
  oidc: {
    result?: { consent?: { grantId?: string } };
    session: { accountId: string; grantIdFor(clientId: string): string | undefined };
    client: { clientId: string };
    provider: { Grant: { new (properties: { clientId: string; accountId: string }): { addOIDCScope(s: string): void; addOIDCClaims(c: string[]): void; save(): Promise<string> }; find(id: string): Promise<unknown> } };
  };
}

/** One port on every address `localhost` has here (127.0.0.1, and ::1 where it exists). */
async function listenOnLocalhost(): Promise<Server[]> {
  const addresses = [...new Set((await lookup('localhost', { all: true })).map(({ address }) => address))];
  const servers: Server[] = [];
  let port = 0;
  for (const address of addresses) {
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, address, () => resolve());
      });
    } catch (error) {
      if (servers.length === 0) throw error;
      continue;
    }
    port = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  return servers;
}

function signJwt(key: KeyObject, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

/** The parts of a JWT, decoded; for tests that change one claim of a real token. */
export function decodeJwt(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string } {
  const [header, payload, signature] = jwt.split('.');
  const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload), signature: signature ?? '' };
}

/**
 * oidc-provider's storage interface over plain maps, so that clients can be added after the
 * provider started (the chat's port, hence its redirect URI, is known only then).
 */
function memoryAdapter(storage: Map<string, Map<string, unknown>>) {
  return class MapAdapter {
    private readonly items: Map<string, unknown>;
    constructor(name: string) {
      if (!storage.has(name)) storage.set(name, new Map());
      this.items = storage.get(name)!;
    }
    async upsert(id: string, payload: Record<string, unknown>) {
      this.items.set(id, payload);
      if (typeof payload.uid === 'string') this.items.set(`uid:${payload.uid}`, id);
      if (typeof payload.userCode === 'string') this.items.set(`userCode:${payload.userCode}`, id);
    }
    async find(id: string) {
      return this.items.get(id);
    }
    async findByUid(uid: string) {
      const id = this.items.get(`uid:${uid}`);
      return typeof id === 'string' ? this.items.get(id) : undefined;
    }
    async findByUserCode(userCode: string) {
      const id = this.items.get(`userCode:${userCode}`);
      return typeof id === 'string' ? this.items.get(id) : undefined;
    }
    async consume(id: string) {
      const item = this.items.get(id) as Record<string, unknown> | undefined;
      if (item) item.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      this.items.delete(id);
    }
    async revokeByGrantId(grantId: string) {
      for (const [id, item] of this.items) if ((item as { grantId?: unknown })?.grantId === grantId) this.items.delete(id);
    }
  };
}
