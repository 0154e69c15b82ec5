import { createClient } from 'redis';
import type { Logger } from '../logger.js';

function createRedisClient(url: string, failFast: boolean) {
  return createClient({
    url,
    disableOfflineQueue: failFast,
    socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000), connectTimeout: 5000 },
  });
}

export type RedisClient = ReturnType<typeof createRedisClient>;

/**
 * A Redis connection that survives Redis restarts: it reconnects with capped backoff. With
 * `failFast`, commands sent while it is down fail at once instead of queueing, so that an ack
 * turns into an error rather than a hang; without it they wait for the reconnection (what the
 * adapter's broadcasts want). `rediss://` URLs (Azure Managed Redis) use TLS; the access key is
 * the URL's password.
 */
export async function connectRedis(url: string, logger: Logger, { failFast }: { failFast: boolean }): Promise<RedisClient> {
  const client = createRedisClient(url, failFast);
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) logger.warn({ reason: error.message }, 'redis connection lost; reconnecting');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.info('redis connection restored');
    down = false;
  });
  await client.connect();
  return client;
}
