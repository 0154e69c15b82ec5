import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { SessionStoreError } from '../../../WorkerRole1/src/server/sessions/session-registry.js';
import { sleep } from './registry-contract-helpers.js';

export async function assertFailsFast(operation: Promise<unknown>, withinMs = 2_500): Promise<void> {
  const started = performance.now();
  await assert.rejects(operation, SessionStoreError);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < withinMs, `an operation took ${elapsed.toFixed(0)} ms to fail`);
}

/** Retries until the operation succeeds, for at most 5 s: the client reconnects in its own time. */
export async function eventually<T>(operation: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

/**
 * A TCP proxy to Redis that counts the connections it carried. Its cut leaves open connections
 * open but silent, as a network partition or a vanished host does; new connections are refused
 * until it heals.
 */
export async function startCuttableProxy(redisPort: number) {
  const links = new Set<[Socket, Socket]>();
  let cut = false;
  let connections = 0;
  const refusedAt: number[] = [];
  const server = createServer((downstream) => {
    if (cut) {
      refusedAt.push(Date.now());
      downstream.destroy();
      return;
    }
    connections += 1;
    const upstream = connect(redisPort, '127.0.0.1');
    const link: [Socket, Socket] = [downstream, upstream];
    links.add(link);
    const drop = () => {
      links.delete(link);
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    downstream.pipe(upstream).pipe(downstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') assert.fail('the proxy has no port');
  return {
    url: `redis://127.0.0.1:${address.port}`,
    /** Connections carried so far, refused ones not counted. */
    get connections() {
      return connections;
    },
    /** When connections were attempted while cut (Date.now()). */
    refusedAt,
    cut() {
      cut = true;
      for (const [downstream, upstream] of links) {
        downstream.unpipe(upstream);
        upstream.unpipe(downstream);
        // Read and discard, so nothing reaches the other side and nothing closes.
        downstream.resume();
        upstream.resume();
      }
    },
    heal() {
      cut = false;
    },
    async close() {
      for (const [downstream, upstream] of links) {
        downstream.destroy();
        upstream.destroy();
      }
      server.close();
      await once(server, 'close');
    },
  };
}
