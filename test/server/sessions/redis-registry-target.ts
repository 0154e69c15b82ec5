import { randomUUID } from 'node:crypto';
import { createLogger } from '../../../WorkerRole1/src/server/logger.js';
import {
  createRedisSessionRegistry,
  type CreateRedisSessionRegistryOptions,
} from '../../../WorkerRole1/src/server/sessions/redis-session-connection.js';
import type { RedisSessionRegistry } from '../../../WorkerRole1/src/server/sessions/redis-session-registry.js';
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';
import { DEFAULTS, Instance, type RegistryOptions, type RegistryTarget } from './registry-contract-helpers.js';

export const silentLogger = createLogger({ level: 'silent', instanceId: 'test' });

/** Instances as in production: each its own registry and connection, on one real redis-server. */
export class RedisTarget implements RegistryTarget {
  readonly name = 'RedisSessionRegistry';
  redis!: RunningRedisServer;
  private readonly opened: RedisSessionRegistry[] = [];
  /** A fresh namespace per test: the keys of one test never meet another's. */
  prefix = RedisTarget.newPrefix();

  static newPrefix(): string {
    return `test:${randomUUID()}:`;
  }

  async setUp(): Promise<void> {
    this.redis = await startRedisServer();
  }

  /** A registry with its own client on this test's keys, closed after the test. */
  async registry(options: Partial<CreateRedisSessionRegistryOptions> & Partial<RegistryOptions> = {}, url = this.redis.url) {
    const registry = await createRedisSessionRegistry({ url }, {
      prefix: this.prefix,
      logger: silentLogger,
      ...DEFAULTS,
      ...options,
    });
    this.opened.push(registry);
    return registry;
  }

  async pair(options: RegistryOptions): Promise<[Instance, Instance]> {
    return [new Instance(await this.registry(options), 'east'), new Instance(await this.registry(options), 'west')];
  }

  async closePairs(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((registry) => registry.close()));
    this.prefix = RedisTarget.newPrefix();
  }

  async tearDown(): Promise<void> {
    await this.redis.stop();
  }
}
