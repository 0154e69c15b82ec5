import http from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { hashAddress } from '../../../scripts/emulator/rotation.js';

/** Socket.IO clients of an emulated service, each from its own loopback source address. */

export const INSTANCES = ['WorkerRole1_IN_0', 'WorkerRole1_IN_1'];

/** A loopback address that the load balancer sends to instance `index` while both are in rotation. */
export function addressFor(index: number, skip: string[] = []): string {
  for (let i = 2; i < 255; i++) {
    const address = `127.0.0.${i}`;
    if (!skip.includes(address) && hashAddress(address) % INSTANCES.length === index) return address;
  }
  throw new Error(`no loopback address hashes to ${index}`);
}

export type Ack = { ok: boolean; error?: { code: string; message: string }; [key: string]: unknown };

export function emit(socket: Socket, event: string, payload: unknown): Promise<Ack> {
  return socket.timeout(5000).emitWithAck(event, payload) as Promise<Ack>;
}

export const sockets: Socket[] = [];

export function disconnectAll(): void {
  for (const socket of sockets.splice(0)) socket.disconnect();
}

/** A socket.io client pinned to long-polling (it needs affinity) from `localAddress`. */
export function connect(url: string, localAddress: string, transports = ['polling'], reconnection = true): Promise<Socket> {
  const socket = io(url, {
    transports,
    // No keep-alive: xmlhttprequest-ssl (socket.io-client's polling in Node) retries a request whose
    // reused socket was reset without ever failing it, so the client would notice a dead instance
    // only at its ping timeout (45 s). Browsers have no such retry.
    agent: new http.Agent({ localAddress, keepAlive: false }) as never,
    reconnection,
    reconnectionDelay: 200,
    reconnectionDelayMax: 500,
    forceNew: true,
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

interface Emitter {
  once(event: string, listener: (payload: never) => void): unknown;
}

export function nextEvent<T>(socket: Emitter, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}
