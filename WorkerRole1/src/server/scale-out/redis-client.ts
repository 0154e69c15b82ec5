import { createClient } from 'redis';
import type { Logger } from '../logger.js';
import { redisTelemetry } from '../telemetry/instruments.js';
import type { RedisCredentialsProvider } from './redis-entra.js';

/** Where Redis is and how to authenticate there: REDIS_URL's password, or an Entra ID provider (redis-entra.ts). */
export interface RedisTarget {
  url: string;
  credentialsProvider?: RedisCredentialsProvider;
}

export interface RedisConnectionOptions {
  /** What the connection is for, in log lines ("session store", "adapter"). */
  name: string;
  /**
   * Commands sent while Redis is down fail at once instead of queueing, so that an ack turns into
   * an error rather than a hang. The adapter's broadcasts want the opposite: to wait for Redis.
   */
  failFast: boolean;
}

/**
 * Refusals that no retry can fix: a wrong access key, a certificate this host does not trust, or,
 * with Entra ID, an identity the cache has no access policy for (WRONGPASS too) or no identity at all.
 */
const CONFIGURATION_ERROR = /WRONGPASS|NOAUTH|invalid password|certificate|CERT_|self[- ]signed|CredentialUnavailable/i;

function createRedisClient({ url, credentialsProvider }: RedisTarget, failFast: boolean, connected: () => boolean) {
  return createClient({
    url,
    // Duplicates (the adapter's reading and subscribing connections) inherit it: one provider, one token.
    ...(credentialsProvider ? { credentialsProvider } : {}),
    disableOfflineQueue: failFast,
    socket: {
      connectTimeout: 5000,
      // Backs off to 2 s; the jitter keeps instances from reconnecting in lockstep after a restart.
      // At start-up a configuration error ends the attempts, so the instance stops and says why.
      reconnectStrategy: (retries: number, cause: Error) =>
        !connected() && CONFIGURATION_ERROR.test(`${cause.message} ${(cause as { code?: string }).code ?? ''}`)
          ? cause
          : Math.min(50 * 2 ** retries, 2000) + Math.floor(Math.random() * 100),
    },
  });
}

export type RedisClient = ReturnType<typeof createRedisClient>;

/**
 * A Redis connection that survives Redis restarts by reconnecting on its own. `rediss://` URLs
 * (Azure Managed Redis) use TLS, with the access key as the URL's password or an Entra ID token
 * from the target's credentials provider. Resolves once connected: an instance waits for Redis at
 * start-up rather than serve state no other instance could see.
 */
export async function connectRedis(target: RedisTarget, logger: Logger, { name, failFast }: RedisConnectionOptions): Promise<RedisClient> {
  let connected = false;
  const client = createRedisClient(target, failFast, () => connected);
  // Without a listener an 'error' event would crash the process. An outage repeats the error on
  // every reconnection attempt, so only the first one after each recovery is a warning.
  let reportedOutage = false;
  client.on('error', (error: Error) => {
    redisTelemetry.error(name);
    logger[reportedOutage ? 'debug' : 'warn']({ reason: error.message }, `${name} (Redis) connection error`);
    reportedOutage = true;
  });
  client.on('reconnecting', () => redisTelemetry.reconnecting(name));
  client.on('ready', () => {
    if (reportedOutage) logger.info(`${name} (Redis) connection restored`);
    reportedOutage = false;
  });
  try {
    await client.connect();
  } catch (error) {
    const hint =
      target.credentialsProvider && /WRONGPASS|NOAUTH/i.test((error as Error).message)
        ? ' (REDIS_AUTH=entra: does the identity have an access policy assignment on the Redis database?)'
        : '';
    throw new Error(`cannot connect to Redis (REDIS_URL) for the ${name}: ${(error as Error).message}${hint}`, { cause: error });
  }
  connected = true;
  return client;
}
