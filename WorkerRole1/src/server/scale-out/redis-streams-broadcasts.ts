import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Namespace, ServerOptions } from 'socket.io';
import { PublishDeadline } from './publish-deadline.js';
import type { RedisClient } from './redis-client.js';

type AdapterConstructor = NonNullable<ServerOptions['adapter']>;
type Adapter = Namespace['adapter'];
type Broadcast = Adapter['broadcast'];

/** How long a broadcast may wait for Redis before its sender is told it failed; as long as a session store command. */
export const PUBLISH_DEADLINE_MS = 2_000;

/**
 * The Redis streams adapter, whose broadcasts (one XADD each) fail once they have waited for Redis
 * past the deadline, and say so: the adapter's own broadcast() swallows a failed publish and
 * resolves, so an ack awaiting it would promise a delivery the other instances never got.
 *
 * The XADD is sent without node-redis's per-command timeout (`timeout: 0`; PublishDeadline times
 * it instead, with no timer per command). The adapter's other commands (a session persisted on
 * disconnect, restored on reconnect, fetchSockets' PUBLISH) keep node-redis's default.
 *
 * Why the broadcast still reaches this instance's sockets when it failed: that is the adapter's
 * behaviour (it delivers locally whatever the publish did), and what the ack then says is what
 * matters: the sender resends with the same clientId and the room receives the first copy again,
 * under its id, which clients already drop when they have it.
 */
export function createRedisStreamsBroadcasts(client: RedisClient, deadlineMs = PUBLISH_DEADLINE_MS): AdapterConstructor {
  const deadline = new PublishDeadline(deadlineMs);
  // XADD is the only command the adapter sends through xAdd, and SET the only one through set;
  // every other one goes through `client` unchanged.
  let published: Promise<unknown> | undefined;
  // While connected an XADD is written at once, and a written command cannot be withdrawn: it goes
  // without an abort signal (whose listener node-redis adds and removes per command). While Redis
  // is away it waits in the client's offline queue, with the signal of its deadline's slice.
  const untimed = client.withCommandOptions({ timeout: 0 }) as RedisClient;
  let queued: { signal: AbortSignal; client: RedisClient } | undefined;
  const withdrawable = (signal: AbortSignal): RedisClient => {
    if (queued?.signal !== signal) queued = { signal, client: client.withCommandOptions({ timeout: 0, abortSignal: signal }) as RedisClient };
    return queued.client;
  };
  const xAdd = (...args: Parameters<RedisClient['xAdd']>) => {
    published = deadline.publish((signal) => (client.isReady ? untimed : withdrawable(signal)).xAdd(...args));
    return published;
  };
  // The adapter keeps a disconnected socket's Socket.IO session with a SET it neither awaits nor
  // catches: one failing (Redis away, or the connection closed at shutdown) was an unhandled
  // rejection (as in socketio/socket.io-redis-streams-adapter#21, there from bad arguments).
  // Losing it costs that socket Socket.IO's own recovery only; the chat's resume and catch-up
  // from history (docs/protocol.md) bring it back all the same, and the connection's error events
  // already report the outage.
  const set = (...args: Parameters<RedisClient['set']>) => {
    const sent = client.set(...args);
    sent.catch(() => undefined);
    return sent;
  };
  const publisher = Object.create(client, { xAdd: { value: xAdd }, set: { value: set } }) as RedisClient;
  const adapter = createAdapter(publisher) as AdapterConstructor;

  // A function, not an arrow: Socket.IO calls `new` on it, and what it returns is the adapter.
  return function redisStreamsAdapter(nsp: Namespace): Adapter {
    const created = new (adapter as new (nsp: Namespace) => Adapter)(nsp);
    const broadcast = created.broadcast;
    created.broadcast = function (this: Adapter, ...args: Parameters<Broadcast>) {
      published = undefined;
      // Publishes synchronously (broadcast → publishAndReturnOffset → doPublish → xAdd) before its first await.
      const delivered = broadcast.apply(this, args) as unknown as Promise<void>;
      const publish = published;
      published = undefined;
      if (publish === undefined) return delivered;
      const outcome = Promise.all([delivered, publish]).then(() => undefined);
      // Socket.IO's emit() drops this promise; only publishedBroadcast awaits it.
      outcome.catch(() => undefined);
      return outcome;
    } as Broadcast;
    return created;
  };
}
