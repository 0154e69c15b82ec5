import cluster from 'node:cluster';
import { createAdapter as createClusterAdapter } from '@socket.io/cluster-adapter';
import { createAdapter as createRedisStreamsAdapter } from '@socket.io/redis-streams-adapter';
import type { ServerOptions } from 'socket.io';
import type { Config } from '../config/load-config.js';
import type { Logger } from '../logger.js';
import { MemorySessionRegistry } from '../sessions/memory-session-registry.js';
import { createRedisSessionRegistry } from '../sessions/redis-session-registry.js';
import type { SessionRegistry } from '../sessions/session-registry.js';
import { connectRedis } from './redis-client.js';

export interface ScaleOut {
  /** How instances share broadcasts; Socket.IO's in-memory adapter when undefined. */
  adapter: ServerOptions['adapter'] | undefined;
  sessions: SessionRegistry;
  close(): Promise<void>;
}

/**
 * How this instance meets the others: through Redis when REDIS_URL is set (production: the
 * streams adapter survives Redis restarts and keeps connection state recovery working), over the
 * cluster IPC channel when the local emulator forked it, or not at all when it runs alone.
 */
export async function createScaleOut(config: Config, logger: Logger): Promise<ScaleOut> {
  if (config.redisUrl !== undefined) {
    const [redis, sessions] = await Promise.all([
      connectRedis(config.redisUrl, logger, { name: 'adapter', failFast: false }),
      createRedisSessionRegistry(config.redisUrl, {
        logger,
        leaseMs: config.sessionLeaseMs,
        presenceIndividualMax: config.presenceIndividualMax,
      }),
    ]);
    return {
      adapter: createRedisStreamsAdapter(redis),
      sessions,
      close: async () => {
        await Promise.all([sessions.close(), redis.close()]);
      },
    };
  }
  return {
    adapter: cluster.isWorker ? createClusterAdapter() : undefined,
    sessions: new MemorySessionRegistry({ presenceIndividualMax: config.presenceIndividualMax }),
    close: async () => {},
  };
}
