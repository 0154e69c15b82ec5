import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite.js';
import { type ManagedIdentityEndpoint, startManagedIdentityEndpoint } from '../../helpers/managed-identity-endpoint.js';
import { type RedisAuthRecorder, startRedisAuthRecorder } from '../../helpers/redis-auth-recorder.js';
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';
import { makeTestCertificate, type TestCertificate } from '../../helpers/test-certificate.js';

export const REDIS_AUDIENCE = 'https://redis.azure.com';
export const STORAGE_AUDIENCE = 'https://storage.azure.com';

type AdminClient = ReturnType<typeof createClient>;

/** Everything an App Service site with a managed identity talks to, played locally by real servers. */
export interface PasswordlessServices {
  identity: ManagedIdentityEndpoint;
  redis: RunningRedisServer;
  /** The test's own Redis connection, as an ACL user of its own (not the identity). */
  admin: AdminClient;
  /** Between the role and Redis: records which token each connection authenticated with. */
  recorder: RedisAuthRecorder;
  azurite: RunningAzurite;
  certificate: TestCertificate;
  /** The role's whole configuration: endpoints and switches, no key. */
  roleEnv: Record<string, string>;
  /** Every secret of the set-up: the admin's password and every token minted. */
  secrets(): string[];
  stop(): Promise<void>;
}

/**
 * The managed identity endpoint stand-in (tokens living `tokenLifetimeSeconds`), Azurite in OAuth
 * mode over HTTPS, and redis-server with an ACL as Azure Managed Redis's access policy: the default
 * user off, the identity's object id a user whose passwords are the tokens minted for
 * https://redis.azure.com (each added to the ACL before it is handed out).
 */
export async function startPasswordlessServices(tokenLifetimeSeconds: number): Promise<PasswordlessServices> {
  const adminPassword = `admin-${Math.random().toString(36).slice(2)}`;
  let admin: AdminClient | undefined;
  const identity = await startManagedIdentityEndpoint({
    lifetimeSeconds: tokenLifetimeSeconds,
    onMint: async ({ resource, token }) => {
      if (resource === REDIS_AUDIENCE) await admin!.sendCommand(['ACL', 'SETUSER', identity.objectId, `>${token}`]);
    },
  });
  const aclDir = mkdtempSync(join(tmpdir(), 'chatapp-acl-'));
  const aclFile = join(aclDir, 'users.acl');
  writeFileSync(aclFile, [
    'user default off',
    `user admin on >${adminPassword} ~* &* +@all`,
    // No password yet: each token becomes one as it is minted.
    `user ${identity.objectId} on ~* &* +@all`,
    '',
  ].join('\n'));
  const certificate = makeTestCertificate();
  const [redis, azurite] = await Promise.all([
    startRedisServer({ aclFile }),
    startAzurite({ oauth: { certFile: certificate.certFile, keyFile: certificate.keyFile } }),
  ]);
  admin = createClient({ url: redis.url, username: 'admin', password: adminPassword });
  admin.on('error', () => {});
  await admin.connect();
  const recorder = await startRedisAuthRecorder(redis.port);
  return {
    identity,
    redis,
    admin,
    recorder,
    azurite,
    certificate,
    roleEnv: {
      ...identity.env,
      STORAGE_TABLE_ENDPOINT: azurite.tableEndpoint,
      REDIS_URL: recorder.url,
      REDIS_AUTH: 'entra',
      // Azurite's throwaway certificate; Node trusts it through its standard variable.
      NODE_EXTRA_CA_CERTS: certificate.certFile,
    },
    secrets: () => [adminPassword, ...identity.minted.map(({ token }) => token)],
    async stop() {
      await admin?.close().catch(() => {});
      await Promise.allSettled([recorder.close(), identity.close(), redis.stop(), azurite.dispose()]);
      certificate.dispose();
      rmSync(aclDir, { recursive: true, force: true });
    },
  };
}
