import { createClient } from 'redis';
import type { Logger } from '../logger.js';
import { redisTelemetry } from '../telemetry/instruments.js';

export interface RedisConnectionOptions {
  /** What the connection is for, in log lines ("session store", "adapter"). */
  name: string;
  /**
   * Commands sent while Redis is down fail at once instead of queueing, so that an ack turns into
   * an error rather than a hang. The adapter's broadcasts want the opposite: to wait for Redis.
   */
  failFast: boolean;
}

/** Refusals that no retry can fix: a wrong access key, or a certificate this host does not trust. */
const CONFIGURATION_ERROR = /WRONGPASS|NOAUTH|invalid password|certificate|CERT_|self[- ]signed/i;

function createRedisClient(url: string, failFast: boolean, connected: () => boolean) {
  return createClient({
    url,
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
 * (Azure Managed Redis) use TLS, with the access key as the URL's password. Resolves once
 * connected: an instance waits for Redis at start-up rather than serve state no other instance
 * could see.
 */
export async function connectRedis(url: string, logger: Logger, { name, failFast }: RedisConnectionOptions): Promise<RedisClient> {
  let connected = false;
  const client = createRedisClient(url, failFast, () => connected);
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
    throw new Error(`cannot connect to Redis (REDIS_URL) for the ${name}: ${(error as Error).message}`, { cause: error });
  }
  connected = true;
  return client;
}
