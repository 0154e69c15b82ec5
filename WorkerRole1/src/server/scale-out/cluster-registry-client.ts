import { type SessionRegistry, SessionStoreError } from '../sessions/session-registry.js';
import {
  DESCRIBE,
  type RegistryDescription,
  type RegistryReply,
  REGISTRY_MESSAGE_SOURCE,
  decodeError,
  isRegistryMessage,
} from './cluster-registry-messages.js';

/** As long as Redis gets (DEFAULT_COMMAND_TIMEOUT_MS): an ack fails rather than hangs. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 2_000;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export interface ClusterRegistryOptions {
  requestTimeoutMs?: number;
  /** How to reach the primary; this process's IPC channel by default. Tests pass their own. */
  channel?: IpcChannel;
}

/** The part of a cluster worker's `process` the client uses. */
export interface IpcChannel {
  send?(message: unknown, sendHandle?: undefined, options?: object, callback?: (error: Error | null) => void): boolean;
  connected?: boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'disconnect', listener: () => void): unknown;
}

/**
 * A cluster worker's SessionRegistry: every method call goes to the one registry that the cluster
 * primary hosts (hostSessionRegistry), so all workers share their sessions as instances share them
 * through Redis. Which methods exist is asked of the host at connection, not listed here.
 * Resolves once the host has answered; fails with a message that says what is missing otherwise.
 */
export async function connectClusterRegistry(options: ClusterRegistryOptions = {}): Promise<SessionRegistry> {
  const channel: IpcChannel = options.channel ?? process;
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;

  const failAll = (reason: string) => {
    for (const [id, request] of pending) {
      clearTimeout(request.timer);
      pending.delete(id);
      request.reject(new SessionStoreError(reason));
    }
  };
  const onMessage = (message: unknown) => {
    if (!isRegistryMessage(message)) return;
    const reply = message as RegistryReply;
    const request = pending.get(reply.id);
    if (!request) return;
    pending.delete(reply.id);
    clearTimeout(request.timer);
    if ('error' in reply) request.reject(decodeError(reply.error));
    else request.resolve(reply.result);
  };
  const onDisconnect = () => failAll('the session registry is out of reach: the cluster primary closed the IPC channel');
  channel.on('message', onMessage);
  channel.on('disconnect', onDisconnect);

  const call = (method: string, args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (closed) return reject(new SessionStoreError(`session registry: ${method} after close`));
      if (!channel.send || channel.connected === false) {
        return reject(new SessionStoreError('the session registry is out of reach: no IPC channel to the cluster primary'));
      }
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new SessionStoreError(`the session registry in the cluster primary did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
      channel.send({ source: REGISTRY_MESSAGE_SOURCE, id, method, args }, undefined, {}, (error) => {
        if (!error || !pending.delete(id)) return;
        clearTimeout(timer);
        reject(new SessionStoreError(`cannot reach the session registry in the cluster primary: ${error.message}`, { cause: error }));
      });
    });

  let description: RegistryDescription;
  try {
    description = (await call(DESCRIBE, [])) as RegistryDescription;
  } catch (error) {
    channel.off('message', onMessage);
    channel.off('disconnect', onDisconnect);
    throw new Error(
      'this process runs as a cluster worker without REDIS_URL, so it shares sessions through the cluster primary, ' +
        `but no session registry answered there (the primary must call hostSessionRegistry): ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (!(description.probe instanceof Set)) {
    throw new Error("the cluster IPC channel turns Sets into plain objects: the primary must call cluster.setupPrimary({ serialization: 'advanced' })");
  }

  const methods = new Set(description.methods);
  const close = async () => {
    closed = true;
    channel.off('message', onMessage);
    channel.off('disconnect', onDisconnect);
    failAll('session registry: closed while a call was in flight');
  };
  const forwarders = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy({} as SessionRegistry, {
    get(_target, name) {
      if (name === 'close') return close;
      if (typeof name !== 'string') return undefined;
      if (Object.hasOwn(description.values, name)) return description.values[name];
      if (!methods.has(name)) return undefined;
      let forward = forwarders.get(name);
      if (!forward) {
        forward = (...args: unknown[]) => call(name, args);
        forwarders.set(name, forward);
      }
      return forward;
    },
    has(_target, name) {
      return name === 'close' || (typeof name === 'string' && (methods.has(name) || Object.hasOwn(description.values, name)));
    },
  });
}
