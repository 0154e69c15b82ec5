import cluster, { type Worker } from 'node:cluster';
import type { SessionRegistry } from '../sessions/session-registry.js';
import {
  DESCRIBE,
  type RegistryDescription,
  type RegistryReply,
  type RegistryRequest,
  REGISTRY_MESSAGE_SOURCE,
  encodeError,
  isRegistryMessage,
} from './cluster-registry-messages.js';

export interface RegistryHost {
  /** Stops answering workers and closes the registry. */
  close(): Promise<void>;
}

/** Closing is the host's business: one worker stopping must not close everyone's registry. */
const NOT_FORWARDED = new Set(['constructor', 'close']);

/**
 * Serves one session registry, in the cluster primary, to every worker whose SessionRegistry is a
 * cluster registry client: the part Redis plays for instances on Azure. Call it in the primary
 * before forking, with `serialization: 'advanced'` in cluster.setupPrimary so that Sets and Maps
 * cross the IPC channel. The registry should have leases (renewEveryMs defined): the sessions of a
 * worker that dies without a word then lapse and the survivors sweep them, as with Redis.
 */
export function hostSessionRegistry(registry: SessionRegistry): RegistryHost {
  const description = describe(registry);
  const methods = new Set(description.methods);
  const onMessage = (worker: Worker, message: unknown) => {
    if (!isRegistryMessage(message)) return;
    const { id, method, args } = message as RegistryRequest;
    const reply = (body: { result: unknown } | { error: ReturnType<typeof encodeError> }) => {
      // A worker that exited while its request ran has nobody left to answer.
      if (!worker.isConnected()) return;
      worker.send({ source: REGISTRY_MESSAGE_SOURCE, id, ...body } as RegistryReply, undefined, () => {});
    };
    if (method === DESCRIBE) {
      reply({ result: description });
      return;
    }
    if (!methods.has(method) || !Array.isArray(args)) {
      reply({ error: { name: 'TypeError', message: `the session registry has no method ${String(method)}` } });
      return;
    }
    const call = (registry as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!;
    Promise.resolve()
      .then(() => call.apply(registry, args))
      .then(
        (result) => reply({ result }),
        (error: unknown) => reply({ error: encodeError(error) }),
      );
  };
  cluster.on('message', onMessage);
  return {
    async close() {
      cluster.off('message', onMessage);
      await registry.close();
    },
  };
}

/** Every method and plain value the registry has, up its prototype chain. */
function describe(registry: SessionRegistry): RegistryDescription {
  const methods = new Set<string>();
  const values: Record<string, unknown> = {};
  for (let object: object | null = registry; object && object !== Object.prototype; object = Object.getPrototypeOf(object)) {
    for (const name of Object.getOwnPropertyNames(object)) {
      if (NOT_FORWARDED.has(name) || name in values || methods.has(name)) continue;
      const value = (registry as unknown as Record<string, unknown>)[name];
      if (typeof value === 'function') methods.add(name);
      else if (value === undefined || ['number', 'string', 'boolean'].includes(typeof value)) values[name] = value;
    }
  }
  return { methods: [...methods], values, probe: new Set(['sets survive']) };
}
