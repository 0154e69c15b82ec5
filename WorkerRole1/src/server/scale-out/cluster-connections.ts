import net from 'node:net';

/**
 * A connection that the cluster primary accepted (paused, unread) and handed to this worker with
 * `worker.send(message, socket)`: the bytes then flow between the client and this process only,
 * as they do behind Azure's load balancer, instead of through the primary. @socket.io/sticky
 * works the same way. The worker confirms each one, so that the primary can let go of its copy.
 */
export const HANDED_CONNECTION = 'chatapp:connection';

export interface HandedConnection {
  source: typeof HANDED_CONNECTION;
  id: number;
  /** Set on the worker's confirmation. */
  received?: true;
}

export function isHandedConnection(message: unknown): message is HandedConnection {
  return typeof message === 'object' && message !== null && (message as { source?: unknown }).source === HANDED_CONNECTION;
}

interface Channel {
  on(event: 'message', listener: (message: unknown, handle: unknown) => void): unknown;
  send?(message: unknown, sendHandle?: undefined, options?: object, callback?: (error: Error | null) => void): boolean;
}

/**
 * Serves handed connections on `server` as if it had accepted them on its own port, which it
 * still listens on. Returns a function that stops taking them; any handed later is closed.
 */
export function serveHandedConnections(server: net.Server, channel: Channel = process): () => void {
  let serving = true;
  channel.on('message', (message, handle) => {
    if (!isHandedConnection(message) || message.received || !(handle instanceof net.Socket)) return;
    channel.send?.({ source: HANDED_CONNECTION, id: message.id, received: true } satisfies HandedConnection, undefined, {}, () => {});
    if (!serving) {
      handle.destroy();
      return;
    }
    server.emit('connection', handle);
    handle.resume();
  });
  return () => {
    serving = false;
  };
}
