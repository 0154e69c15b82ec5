import { EventEmitter } from 'node:events';
import { loadavg } from 'node:os';
import type { ChatContext } from '../WorkerRole1/src/server/context.js';
import { handlers } from '../WorkerRole1/src/server/features/handlers.js';
import { createEventGate } from '../WorkerRole1/src/server/socket/event-gate.js';
import { bindHandler } from '../WorkerRole1/src/server/socket/event-handler.js';
import type { ChatSocket } from '../WorkerRole1/src/server/socket/types.js';

/**
 * What app.ts's wiring of one connection costs before its first event: the event gate (with the
 * socket's rate limiter) and a listener for each of the 14 client events, beside a bare
 * EventEmitter standing for the socket (the baseline). CPU and heap kept per socket, for
 * `--sockets` sockets held at once, as a storm holds them; the last of `--rounds` rounds counts.
 * Usage: node --expose-gc --import tsx bench/socket-wiring.bench.ts [--sockets 5000] [--rounds 3]
 */
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const SOCKETS = arg('sockets', 5000);
const ROUNDS = arg('rounds', 3);
if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc, so that the heap per socket is read after a collection');
  process.exit(2);
}
const collect = globalThis.gc;

const ctx = {
  config: { eventBurst: 30, eventRatePerSecond: 10, messageBurst: 5, messageRatePerSecond: 2, floodDisconnectAfter: 50 },
  logger: { info() {}, warn() {} },
} as unknown as ChatContext;
const knownEvents = new Set(Object.keys(handlers));

const wirings: Record<string, (socket: ChatSocket) => void> = {
  'bare emitter (baseline)': () => {},
  'event gate and rate limiter': (socket) => socket.use(createEventGate(ctx, socket, knownEvents, () => false)),
  'a listener per client event': (socket) => {
    for (const [event, handler] of Object.entries(handlers)) bindHandler(ctx, socket, event, handler);
  },
};

/** Just what the wiring touches: an emitter with an id, data and `use`. */
function fakeSocket(index: number): ChatSocket {
  const socket = new EventEmitter() as EventEmitter & { id: string; data: object; middleware?: unknown };
  socket.id = `s${index}`;
  socket.data = {};
  return Object.assign(socket, { use: (fn: unknown) => (socket.middleware = fn) }) as unknown as ChatSocket;
}

console.log(`socket wiring: ${SOCKETS} sockets held, round ${ROUNDS} of ${ROUNDS}; Node ${process.version}, load ${loadavg()[0]!.toFixed(1)}`);
for (const [name, wire] of Object.entries(wirings)) {
  let line = '';
  for (let round = 1; round <= ROUNDS; round += 1) {
    const held: ChatSocket[] = [];
    collect();
    const heapBefore = process.memoryUsage().heapUsed;
    const cpuBefore = process.cpuUsage();
    for (let i = 0; i < SOCKETS; i += 1) {
      const socket = fakeSocket(i);
      wire(socket);
      held.push(socket);
    }
    const cpu = process.cpuUsage(cpuBefore);
    collect();
    const bytes = (process.memoryUsage().heapUsed - heapBefore) / held.length;
    line = `${name}: ${((cpu.user + cpu.system) / SOCKETS).toFixed(2)} µs and ${(bytes / 1024).toFixed(2)} KiB of heap per socket`;
  }
  console.log(line);
}
