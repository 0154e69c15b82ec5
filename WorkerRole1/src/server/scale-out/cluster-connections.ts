import net from 'node:net';

/**
 * A connection that the cluster primary accepted (paused, unread) and handed to this worker with
 * `worker.send(message, socket)`: the bytes then flow between the client and this process only,
 * as they do behind Azure's load balancer, instead of through the primary. @socket.io/sticky
 * works the same way.
 */
export const HANDED_CONNECTION = 'chatapp:connection';

export function isHandedConnection(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { source?: unknown }).source === HANDED_CONNECTION;
}

interface MessageSource {
  on(event: 'message', listener: (message: unknown, handle: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown, handle: unknown) => void): unknown;
}

/**
 * Serves handed connections on `server` as if it had accepted them on its own port, which it
 * still listens on. Returns a function that stops taking them; any handed later is closed.
 */
export function serveHandedConnections(server: net.Server, source: MessageSource = process): () => void {
  let serving = true;
  const onMessage = (message: unknown, handle: unknown) => {
    if (!isHandedConnection(message) || !(handle instanceof net.Socket)) return;
    if (!serving) {
      handle.destroy();
      return;
    }
    server.emit('connection', handle);
    handle.resume();
  };
  source.on('message', onMessage);
  return () => {
    serving = false;
  };
}
