import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../WorkerRole1/src/shared/protocol.js';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Error codes after which a client waits `retryAfterMs` and tries the same event again. */
const RETRYABLE = new Set(['RATE_LIMITED', 'STORAGE_UNAVAILABLE', 'INTERNAL_ERROR']);

export class Deadline {
  readonly at: number;
  constructor(ms: number) {
    this.at = Date.now() + ms;
  }
  get remainingMs(): number {
    return Math.max(0, this.at - Date.now());
  }
  get passed(): boolean {
    return Date.now() >= this.at;
  }
}

export class TimedOut extends Error {}

/**
 * Loopback source addresses, so thousands of connections do not share one address: the emulator's
 * balancer spreads by source address (sourceIP), and each address has its own ephemeral ports.
 */
export function localAddressFor(index: number): string {
  return `127.0.0.${2 + (index % 250)}`;
}

/**
 * One Socket.IO connection, WebSocket only, with no reconnection of its own (the scenarios decide
 * what a client does when its connection drops), and no timers beyond Socket.IO's heartbeat.
 */
export function connect(url: string, localAddress: string | undefined, deadline: Deadline): Promise<ChatSocket> {
  const socket: ChatSocket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: Math.max(1, deadline.remainingMs),
    ...(localAddress === undefined ? {} : { localAddress }),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/**
 * Emits an event and waits for its ack until the deadline; retries the same payload after
 * `retryAfterMs` when the server says so. Resolves to the last ack (ok or not).
 */
type RequestEvent = Exclude<keyof ClientToServerEvents, 'typing'>;
type PayloadOf<E extends RequestEvent> = Parameters<ClientToServerEvents[E]>[0];
type AckOf<E extends RequestEvent> = ClientToServerEvents[E] extends (payload: never, ack: (response: infer R) => void) => void ? R : never;

export async function request<E extends RequestEvent>(socket: ChatSocket, event: E, payload: PayloadOf<E>, deadline: Deadline): Promise<AckOf<E>> {
  for (;;) {
    if (deadline.passed) throw new TimedOut(`${event}: no answer before the deadline`);
    let ack: Ack<object>;
    try {
      // The typed emitWithAck cannot be called on a generic event name; the payload type is checked above.
      ack = (await (socket.timeout(Math.max(1, deadline.remainingMs)) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<object>> }).emitWithAck(event, payload));
    } catch {
      throw new TimedOut(`${event}: no answer before the deadline`);
    }
    if (ack.ok || !RETRYABLE.has(ack.error.code) || deadline.passed) return ack as never;
    await sleep(Math.min(deadline.remainingMs, ack.error.retryAfterMs ?? 200));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `task(0..count-1)` with at most `concurrency` in flight, each starting as soon as one
 * finishes; stops starting new ones at the deadline. Failures are counted by message, not thrown.
 */
export async function runBounded(count: number, concurrency: number, deadline: Deadline, task: (index: number) => Promise<void>) {
  let next = 0;
  let done = 0;
  const failures = new Map<string, number>();
  const worker = async () => {
    while (next < count && !deadline.passed) {
      const index = next;
      next += 1;
      try {
        await task(index);
        done += 1;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { done, failed: count - done, failures };
}

export function describeFailures(failures: Map<string, number>): string {
  return [...failures].map(([reason, n]) => `${n}× ${reason}`).join('; ');
}

export function closeAll(sockets: Iterable<ChatSocket>): void {
  for (const socket of sockets) socket.close();
}
