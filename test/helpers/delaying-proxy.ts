import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

export interface DelayingProxy {
  port: number;
  /** How long each byte sent towards the target waits from now on, in order (0: none). Answers are not held. */
  delayMs: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback in front of `targetPort` that can make one client's path slow: a
 * request written while `delayMs` is set reaches the target that much later, and everything
 * written after it on that connection waits behind it, as on a slow link.
 */
export async function startDelayingProxy(targetPort: number): Promise<DelayingProxy> {
  const clients = new Set<Socket>();
  const proxy: DelayingProxy = { port: 0, delayMs: 0, close };
  const server = createServer((downstream) => {
    const upstream = connect(targetPort, '127.0.0.1');
    clients.add(downstream);
    // Either side gone ends the link; errors end it too, through 'close'.
    downstream.on('close', () => {
      clients.delete(downstream);
      upstream.destroy();
    });
    upstream.on('close', () => downstream.destroy());
    for (const socket of [downstream, upstream]) socket.on('error', () => undefined);
    let forwarded = Promise.resolve();
    downstream.on('data', (chunk: Buffer) => {
      const due = Date.now() + proxy.delayMs;
      forwarded = forwarded.then(async () => {
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (!upstream.destroyed) upstream.write(chunk);
      });
    });
    upstream.pipe(downstream);
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
