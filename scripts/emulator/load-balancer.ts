import cluster, { type Worker } from 'node:cluster';
import net from 'node:net';
import { HANDED_CONNECTION, type HandedConnection, isHandedConnection } from '../../WorkerRole1/src/server/scale-out/cluster-connections.js';
import type { Distribution } from './endpoint-distribution.js';
import { Rotation, normalizeAddress } from './rotation.js';

export interface Backend {
  id: string;
  /** The instance's process; undefined between an exit and its restart. */
  worker: Worker | undefined;
}

export interface LoadBalancerOptions {
  distribution: Distribution;
  /** The instances in rotation right now, in a stable order. */
  inRotation(): Backend[];
  log(line: string): void;
}

/**
 * The endpoint, as Azure's load balancer is for a tcp InputEndpoint: it picks the instance once per
 * connection and then stays out of the way. It accepts the connection without reading from it and
 * hands the socket itself to the chosen instance over the cluster IPC channel, so the bytes flow
 * between the client and the instance alone (WebSocket upgrades included) and this process costs
 * nothing per message. The instance serves it as if it had accepted it on its own port.
 *
 * Azure's idle timeout is not enforced here, since this process no longer sees the traffic;
 * Socket.IO's 25 s ping keeps every chat connection inside it anyway.
 */
export class LoadBalancer {
  private readonly server: net.Server;
  private readonly rotation: Rotation<Backend>;
  /**
   * Connections sent to an instance that has not confirmed them yet. This process keeps its copy of
   * each until then: if the instance dies first, closing it here is what tells the client. (Node
   * itself would keep such a handle open forever once the receiving process is gone.)
   */
  private readonly unconfirmed = new Map<number, { socket: net.Socket; worker: Worker }>();
  private nextId = 1;
  private readonly onMessage = (worker: Worker, message: unknown) => {
    if (!isHandedConnection(message) || !message.received) return;
    const entry = this.unconfirmed.get(message.id);
    if (entry?.worker !== worker) return;
    this.unconfirmed.delete(message.id);
    // Closes this process's descriptor only: the instance holds its own, and the connection.
    entry.socket.destroy();
  };
  private readonly onExit = (worker: Worker) => {
    for (const [id, entry] of this.unconfirmed) {
      if (entry.worker !== worker) continue;
      this.unconfirmed.delete(id);
      entry.socket.destroy();
    }
  };

  constructor(private readonly options: LoadBalancerOptions) {
    this.rotation = new Rotation(options.distribution);
    this.server = net.createServer({ pauseOnConnect: true }, (client) => this.handOver(client));
    cluster.on('message', this.onMessage);
    cluster.on('exit', this.onExit);
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

  /** Stops accepting; connections already handed over belong to their instance, which drains them. */
  stopAccepting(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handOver(client: net.Socket): void {
    client.on('error', () => client.destroy());
    const address = normalizeAddress(client.remoteAddress ?? '');
    const worker = this.rotation.pick(this.options.inRotation(), address)?.worker;
    if (!worker?.isConnected()) {
      // Azure drops the connection when no instance passes its probe.
      client.destroy();
      return;
    }
    const id = this.nextId++;
    this.unconfirmed.set(id, { socket: client, worker });
    const message: HandedConnection = { source: HANDED_CONNECTION, id };
    worker.send(message, client, { keepOpen: true }, (error: Error | null) => {
      if (!error) return;
      // The instance exited between the pick and the send: the client reconnects, as on Azure.
      this.unconfirmed.delete(id);
      client.destroy();
    });
  }
}
