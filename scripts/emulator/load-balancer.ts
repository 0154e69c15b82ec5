import net from 'node:net';
import type { Distribution } from './endpoint-distribution.js';
import { Rotation, normalizeAddress } from './rotation.js';

export interface Backend {
  id: string;
  port: number;
}

export interface LoadBalancerOptions {
  distribution: Distribution;
  idleTimeoutMs: number;
  /** The instances in rotation right now, in a stable order. */
  inRotation(): Backend[];
  log(line: string): void;
}

/**
 * The endpoint: a TCP proxy, as Azure's load balancer is for a tcp InputEndpoint (WebSocket
 * upgrades pass straight through). The instance is chosen once per connection.
 */
export class LoadBalancer {
  private readonly server: net.Server;
  private readonly connections = new Set<net.Socket>();
  private readonly rotation: Rotation<Backend>;

  constructor(private readonly options: LoadBalancerOptions) {
    this.rotation = new Rotation(options.distribution);
    this.server = net.createServer((client) => this.forward(client));
  }

  /** Listens on every interface, as the endpoint does; resolves to the port. */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => reject(error);
      this.server.once('error', fail);
      this.server.listen(port, () => {
        this.server.off('error', fail);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Stops accepting; open connections stay until `destroyConnections` or their instance closes them. */
  stopAccepting(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  destroyConnections(): void {
    for (const socket of this.connections) socket.destroy();
  }

  private forward(client: net.Socket): void {
    const address = normalizeAddress(client.remoteAddress ?? '');
    const backend = this.rotation.pick(this.options.inRotation(), address);
    if (!backend) {
      // Azure drops the connection when no instance passes its probe.
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: backend.port });
    for (const socket of [client, upstream]) {
      this.connections.add(socket);
      socket.setNoDelay(true);
      socket.setTimeout(this.options.idleTimeoutMs);
      socket.on('timeout', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => {
        this.connections.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
