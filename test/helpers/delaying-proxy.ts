import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

export interface DelayingProxy {
  port: number;
  /** How long each byte sent towards the target waits from now on, in order (0: none). */
  delayMs: number;
  /** How long each byte of the target's answers waits from now on, in order (0: none). */
  answerDelayMs: number;
  /**
   * While set, the next HTTP answer on each connection stops after its headers (and a byte of
   * its body, when it came with them): the rest, and the target closing the connection, never
   * reach the client.
   */
  stallAnswerBodies: boolean;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback in front of `targetPort` that can make one client's path slow: a
 * request written while `delayMs` is set reaches the target that much later (an answer written
 * while `answerDelayMs` is set reaches the client that much later), and everything written after
 * it on that connection waits behind it, as on a slow link. A delay longer than the client waits
 * is a request (or an answer) that never arrives: the client gives up and closes, and the bytes
 * held are dropped with the connection.
 */
export async function startDelayingProxy(targetPort: number): Promise<DelayingProxy> {
  const clients = new Set<Socket>();
  const proxy: DelayingProxy = { port: 0, delayMs: 0, answerDelayMs: 0, stallAnswerBodies: false, close };
  const server = createServer((downstream) => {
    const upstream = connect(targetPort, '127.0.0.1');
    clients.add(downstream);
    // Either side gone ends the link; errors end it too, through 'close'.
    downstream.on('close', () => {
      clients.delete(downstream);
      upstream.destroy();
    });
    for (const socket of [downstream, upstream]) socket.on('error', () => undefined);
    const requests = relay(downstream, upstream, () => proxy.delayMs);
    const answers = relay(upstream, downstream, () => proxy.answerDelayMs, () => proxy.stallAnswerBodies);
    // The target closing (Azurite ends a connection idle for 5 s) reaches the client behind what is
    // held either way, as it would on a link that holds everything: a client that gave up first
    // saw no answer at all.
    upstream.on('close', () => void Promise.all([requests(), answers()]).then(() => downstream.destroy()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  proxy.port = address.port;

  async function close(): Promise<void> {
    for (const client of clients) client.destroy();
    server.close();
    await once(server, 'close');
  }
  return proxy;
}

/**
 * Copies `from` to `to`, each chunk held for the delay in force when it arrived and never
 * overtaking one before it; returns when everything received so far has been passed on.
 */
function relay(from: Socket, to: Socket, delayMs: () => number, stallBodies = () => false): () => Promise<void> {
  let forwarded = Promise.resolve();
  let stalled = false;
  from.on('data', (whole: Buffer) => {
    if (stalled) return;
    let chunk = whole;
    const headersEnd = stallBodies() ? whole.indexOf('\r\n\r\n') : -1;
    if (headersEnd !== -1) {
      stalled = true;
      chunk = whole.subarray(0, headersEnd + 5);
    }
    const due = Date.now() + delayMs();
    forwarded = forwarded.then(async () => {
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
      if (!to.destroyed) to.write(chunk);
    });
    if (stalled) forwarded = forwarded.then(() => new Promise<void>(() => undefined));
  });
  return () => forwarded;
}
