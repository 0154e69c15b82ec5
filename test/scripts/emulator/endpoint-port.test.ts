import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { listenOnEndpoint } from '../../../scripts/emulator/endpoint-port.js';
import { LoadBalancer } from '../../../scripts/emulator/load-balancer.js';

function occupy(): Promise<{ server: net.Server; port: number }> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, () => resolve({ server, port: (server.address() as net.AddressInfo).port }));
  });
}

function balancer(): LoadBalancer {
  return new LoadBalancer({ distribution: 'sourceIP', inRotation: () => [], log: () => {} });
}

describe('endpoint port', () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers) await close();
  });

  it('--port in use fails naming the port, what it is for and the flag that moves it', async () => {
    const { server, port } = await occupy();
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    await assert.rejects(listenOnEndpoint(balancer(), 80, port), {
      message: new RegExp(`^emulator: port ${port} \\(--port\\), the chat's load balancer, is in use by another program; pass another --port`),
    });
  });

  it('falls back to 8080 or the next free port when the csdef port is taken', async () => {
    const { server, port: taken } = await occupy();
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const lb = balancer();
    const port = await listenOnEndpoint(lb, taken, undefined);
    closers.push(() => lb.stopAccepting());
    assert.ok(port >= 8080 && port < 8180, `listened on ${port}`);
  });
});
