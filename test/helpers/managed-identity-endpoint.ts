import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MintedToken {
  resource: string;
  token: string;
  /** Seconds since the epoch, as in the token's `exp`. */
  expiresOn: number;
}

export interface ManagedIdentityEndpointOptions {
  /** How long each token lives, in seconds (App Service's are 24 h; a test makes them expire mid-run). */
  lifetimeSeconds?: number;
  /**
   * Runs before a token is handed out, so that the service that will check it (a Redis ACL) knows
   * it first; the request waits for it.
   */
  onMint?: (minted: MintedToken) => Promise<void> | void;
}

export interface ManagedIdentityEndpoint {
  /** IDENTITY_ENDPOINT and IDENTITY_HEADER, as App Service sets them for a site with an identity. */
  env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  objectId: string;
  tenantId: string;
  /** Every token handed out, oldest first. */
  minted: MintedToken[];
  /** Requests answered with a token, by resource (audience). */
  requestsFor(resource: string): number;
  /** Requests refused (wrong header, no resource, wrong api-version). */
  refused: number;
  /**
   * Answers `status` to requests for this audience from now on, as an identity endpoint in trouble
   * (MSAL retries a 5xx itself for several seconds before its caller hears of it; a 400 fails at
   * once); `undefined` recovers.
   */
  failFor(resource: string | undefined, status?: number): void;
  /** Requests answered with an error by failFor. */
  failed: number;
  close(): Promise<void>;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Plays App Service's managed identity endpoint on 127.0.0.1: `GET ?resource=<aud>&api-version=2019-08-01`
 * with the header `X-IDENTITY-HEADER`, answering `{access_token, expires_on, resource, token_type}`.
 * Tokens are unsigned JWTs (Azurite and a Redis ACL check claims, not signatures) carrying the
 * identity's `oid` and `tid`, the issuer `https://sts.windows.net/<tenant>/`, the requested audience
 * and `iat`/`nbf`/`exp`; each one is new (a unique `jti`), as a real renewal would be.
 */
export async function startManagedIdentityEndpoint(options: ManagedIdentityEndpointOptions = {}): Promise<ManagedIdentityEndpoint> {
  const lifetimeSeconds = options.lifetimeSeconds ?? 3600;
  const header = randomBytes(16).toString('hex');
  const objectId = randomUUID();
  const tenantId = randomUUID();
  const minted: MintedToken[] = [];
  const counts = new Map<string, number>();
  let refused = 0;
  let failing: string | undefined;
  let failingStatus = 500;
  let failed = 0;

  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const resource = url.searchParams.get('resource');
    if (request.headers['x-identity-header'] !== header || !resource || url.searchParams.get('api-version') !== '2019-08-01') {
      refused += 1;
      response.writeHead(request.headers['x-identity-header'] === header ? 400 : 401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ statusCode: 400, message: 'bad request' }));
      return;
    }
    if (resource === failing) {
      failed += 1;
      response.writeHead(failingStatus, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ statusCode: failingStatus, message: 'the identity endpoint is unavailable (test)' }));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const expiresOn = now + lifetimeSeconds;
    const claims = {
      aud: resource,
      iss: `https://sts.windows.net/${tenantId}/`,
      iat: now,
      nbf: now,
      exp: expiresOn,
      oid: objectId,
      sub: objectId,
      tid: tenantId,
      appid: objectId,
      idtyp: 'app',
      jti: randomUUID(),
    };
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
    const mintedToken = { resource, token, expiresOn };
    await options.onMint?.(mintedToken);
    minted.push(mintedToken);
    counts.set(resource, (counts.get(resource) ?? 0) + 1);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ access_token: token, expires_on: String(expiresOn), resource, token_type: 'Bearer', client_id: objectId }));
  };

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ statusCode: 500, message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: { IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`, IDENTITY_HEADER: header },
    objectId,
    tenantId,
    minted,
    requestsFor: (resource) => counts.get(resource) ?? 0,
    get refused() {
      return refused;
    },
    failFor(resource, status = 500) {
      failing = resource;
      failingStatus = status;
    },
    get failed() {
      return failed;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
