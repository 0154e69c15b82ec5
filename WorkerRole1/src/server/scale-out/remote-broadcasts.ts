import type { Namespace, ServerOptions } from 'socket.io';

type AdapterConstructor = NonNullable<ServerOptions['adapter']>;
type Adapter = Namespace['adapter'];

/** socket.io-adapter's MessageType.BROADCAST: a transitive dependency, not worth declaring for one number. */
const BROADCAST = 3;

interface ClusterMessage {
  uid: string;
  nsp: string;
  type: number;
  data?: { packet?: { data?: unknown } };
}

/** What the Redis streams and cluster adapters (socket.io-adapter's ClusterAdapter) have at run time. */
interface ClusterAdapter {
  uid: string;
  onMessage(message: ClusterMessage, offset?: string): void;
}

/**
 * The adapter, telling `heard` of each event another instance broadcasts, just before this
 * instance hands it to its sockets: what every instance already receives, so reacting to it costs
 * no message of its own. Both cluster adapters receive every broadcast through `onMessage`
 * (`this.onMessage`, so an own property takes its place), whether or not a socket here is in its
 * rooms. An adapter without one cannot be watched: it is used as it is and `unwatchable` is
 * called (as the namespace is created), so that nothing relies on hearing from it.
 */
export function watchRemoteBroadcasts(
  adapter: AdapterConstructor,
  heard: (event: unknown, payload: unknown) => void,
  unwatchable: () => void,
): AdapterConstructor {
  // A function, not an arrow: Socket.IO calls `new` on it, and what it returns is the adapter.
  return function watchedAdapter(nsp: Namespace): Adapter {
    const created = new (adapter as new (nsp: Namespace) => Adapter)(nsp);
    const cluster = created as unknown as ClusterAdapter;
    const receive = cluster.onMessage;
    if (typeof receive !== 'function') {
      unwatchable();
      return created;
    }
    cluster.onMessage = function onMessage(message, offset) {
      if (message.type === BROADCAST && message.uid !== cluster.uid && message.nsp === nsp.name) {
        const data = message.data?.packet?.data;
        if (Array.isArray(data)) heard(data[0], data[1]);
      }
      receive.call(this, message, offset);
    };
    return created;
  };
}
