import cluster from 'node:cluster';
import type { TokenCredential } from '@azure/identity';
import type { Server as NetServer } from 'node:net';
import type { ServerOptions } from 'socket.io';
import type { Config } from '../config/load-config.js';
import type { Logger } from '../logger.js';
import { MemorySessionRegistry } from '../sessions/memory-session-registry.js';
import type { SessionRegistry } from '../sessions/session-registry.js';
import { serveHandedConnections } from './cluster-connections.js';
import type { RedisTarget } from './redis-client.js';

export interface ScaleOut {
  /** How instances share broadcasts; Socket.IO's in-memory adapter when undefined. */
  adapter: ServerOptions['adapter'] | undefined;
  sessions: SessionRegistry;
  /**
   * Serves, on `server`, the connections a cluster primary hands over (the local emulator's load
   * balancer does); nothing otherwise. The server still accepts on its own port too.
   */
  serveHandedConnections(server: NetServer): void;
  close(): Promise<void>;
}

/**
 * How this instance meets the others: through Redis when REDIS_URL is set (production: the
 * streams adapter survives Redis restarts and keeps connection state recovery working), over the
 * cluster IPC channel when the local emulator forked it (broadcasts through the cluster adapter,
 * sessions in the one registry the primary hosts), or not at all when it runs alone.
 * `credential` is the process's Entra ID credential, used when REDIS_AUTH=entra. Each way's modules
 * load only when it is taken: the Redis client alone is a fifth of an idle instance's memory.
 */
export async function createScaleOut(config: Config, logger: Logger, credential: TokenCredential | undefined): Promise<ScaleOut> {
  let stopServing = () => {};
  const serve = (server: NetServer) => {
    if (cluster.isWorker) stopServing = serveHandedConnections(server);
  };
  if (config.redisUrl !== undefined) {
    const [target, { connectRedis }, { createRedisSessionRegistry }, { createRedisStreamsBroadcasts }] = await Promise.all([
      redisTarget(config.redisUrl, config.redisAuth, credential, logger),
      import('./redis-client.js'),
      import('../sessions/redis-session-connection.js'),
      import('./redis-streams-broadcasts.js'),
    ]);
    const [redis, sessions] = await Promise.all([
      connectRedis(target, logger, { name: 'adapter', failFast: false }),
      createRedisSessionRegistry(target, {
        logger,
        leaseMs: config.sessionLeaseMs,
        presenceIndividualMax: config.presenceIndividualMax,
      }),
    ]);
    return {
      adapter: createRedisStreamsBroadcasts(redis),
      sessions,
      serveHandedConnections: serve,
      close: async () => {
        stopServing();
        await Promise.all([sessions.close(), redis.close()]);
      },
    };
  }
  if (cluster.isWorker) {
    const [{ connectClusterRegistry }, { createAdapter: createClusterAdapter }] = await Promise.all([
      import('./cluster-registry-client.js'),
      import('@socket.io/cluster-adapter'),
    ]);
    const sessions = await connectClusterRegistry();
    return {
      adapter: createClusterAdapter(),
      sessions,
      serveHandedConnections: serve,
      close: async () => {
        stopServing();
        await sessions.close();
      },
    };
  }
  return {
    adapter: undefined,
    sessions: new MemorySessionRegistry({ presenceIndividualMax: config.presenceIndividualMax }),
    serveHandedConnections: serve,
    close: async () => {},
  };
}

/** The Entra ID module (and MSAL beneath it) loads only for REDIS_AUTH=entra. */
async function redisTarget(url: string, auth: Config['redisAuth'], credential: TokenCredential | undefined, logger: Logger): Promise<RedisTarget> {
  if (auth === 'key') return { url };
  if (credential === undefined) throw new TypeError('REDIS_AUTH=entra needs a credential');
  const { createRedisCredentialsProvider } = await import('./redis-entra.js');
  return { url, credentialsProvider: createRedisCredentialsProvider(credential, logger) };
}
