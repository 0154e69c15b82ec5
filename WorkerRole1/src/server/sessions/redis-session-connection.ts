import type { Logger } from '../logger.js';
import { connectRedis, type RedisTarget } from '../scale-out/redis-client.js';
import type { RedisCommandClient } from './redis-script-runner.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, RedisSessionRegistry, type RedisSessionRegistryOptions } from './redis-session-registry.js';

export interface CreateRedisSessionRegistryOptions extends RedisSessionRegistryOptions {
  logger: Logger;
}

/**
 * Connects a client of its own to `target` and returns a registry that closes it. While Redis is
 * down, commands reject at once (no offline queue) or after the command timeout, so a client's
 * ack turns into an error instead of hanging; a connection on which Redis stopped answering is
 * replaced.
 */
export async function createRedisSessionRegistry(target: RedisTarget, options: CreateRedisSessionRegistryOptions): Promise<RedisSessionRegistry> {
  const { logger, ...registryOptions } = options;
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const client = await connectRedis(target, logger, { name: 'session store', failFast: true });
  // Every command here is timed by the registry (and by replaceIfFrozen below). node-redis would
  // also give each one an AbortSignal.timeout of its own, whose timer still fires 5 s after the
  // reply and builds a DOMException: two round trips per join made it measurable (bench/README.md).
  const commands = client.withCommandOptions({ timeout: 0 });

  let closed = false;
  // A connection on which nothing at all has come back for a while, though commands wait, means
  // Redis went away without closing it (a failover behind a load balancer, a cut network). TCP
  // would notice only after many minutes, so the connection is replaced. A Redis that is merely
  // busy still answers something, in order: that connection is kept, and slow commands time out
  // on their own (the caller answers STORAGE_UNAVAILABLE with a retry delay).
  const frozenAfterMs = 3 * commandTimeoutMs;
  let lastAnswerAt = Date.now();
  function replaceIfFrozen(): void {
    if (closed || !client.isReady || Date.now() - lastAnswerAt < frozenAfterMs) return;
    logger.warn({ silentMs: Date.now() - lastAnswerAt }, 'session store (Redis) stopped answering; reconnecting');
    lastAnswerAt = Date.now();
    client.destroy();
    client.connect().catch((error: unknown) => logger.error({ err: error }, 'session store (Redis) reconnection failed'));
  }
  const watched: RedisCommandClient = {
    async sendCommand(args) {
      const stalled = setTimeout(replaceIfFrozen, frozenAfterMs);
      try {
        const reply = await commands.sendCommand(args);
        lastAnswerAt = Date.now();
        return reply;
      } catch (error) {
        if (error instanceof Error && error.name === 'ErrorReply') lastAnswerAt = Date.now();
        throw error;
      } finally {
        clearTimeout(stalled);
      }
    },
  };

  return new RedisSessionRegistry(watched, registryOptions, async () => {
    closed = true;
    if (!client.isOpen) return;
    // close() waits for pending replies, which a Redis that stopped answering never sends.
    const force = setTimeout(() => client.destroy(), commandTimeoutMs);
    try {
      await client.close();
    } finally {
      clearTimeout(force);
    }
  });
}
