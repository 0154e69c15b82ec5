import type { ChatIO } from './types.js';

/**
 * Waits until every connection has written out what is queued for it (acks included), or until
 * `timeoutMs`. Closing a connection discards its write buffer, so shutdown calls this first.
 */
export async function flushWrites(io: ChatIO, timeoutMs: number): Promise<boolean> {
  // engine.io keeps writeBuffer private in its types; its 'drain' event fires only when the buffer
  // empties, so the buffer itself is the one way to know whether to wait for it.
  const busy = [...io.of('/').sockets.values()]
    .map((socket) => socket.conn)
    .filter((conn) => (conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length > 0);
  if (busy.length === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const drained = Promise.all(busy.map((conn) => new Promise<void>((resolve) => conn.once('drain', () => resolve())))).then(() => true);
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([drained, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
