import { EventEmitter } from 'node:events';
import { createEventGate } from '../WorkerRole1/src/server/socket/event-gate.js';
import { SocketRateLimiter } from '../WorkerRole1/src/server/socket/rate-limiter.js';
import { bindHandler } from '../WorkerRole1/src/server/socket/event-handler.js';
import { handlers } from '../WorkerRole1/src/server/features/handlers.js';
const ctx: any = { config: { eventBurst: 30, eventRatePerSecond: 10, messageBurst: 5, messageRatePerSecond: 2, floodDisconnectAfter: 50 }, logger: { info() {}, warn() {} }, inFlight: { track: (w: any) => w() } };
const known = new Set(Object.keys(handlers));
const sharedFns = Object.keys(handlers).map((e) => [e, function (this: any, ...a: unknown[]) { return a; }] as const);
const variants: Record<string, (s: any) => void> = {
  emitter: () => {},
  limiter: (s) => { s.l = new SocketRateLimiter(ctx.config); },
  gate: (s) => s.use(createEventGate(ctx, s, known, () => false)),
  shared: (s) => { for (const [event, fn] of sharedFns) s.on(event, fn); },
  onAnyLike: (s) => { s.on('x', sharedFns[0][1]); },
  handlers: (s) => { for (const [event, handler] of Object.entries(handlers)) bindHandler(ctx, s, event, handler); },
};
for (const [name, v] of Object.entries(variants)) {
  const keep: any[] = [];
  for (let round = 0; round < 3; round++) {
    keep.length = 0;
    globalThis.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t = process.cpuUsage();
    for (let i = 0; i < 5000; i++) {
      const socket: any = new EventEmitter();
      socket.id = `s${i}`; socket.data = {};
      socket.use = (fn: any) => { socket.fns = [fn]; };
      v(socket);
      keep.push(socket);
    }
    const u = process.cpuUsage(t);
    globalThis.gc?.();
    if (round === 2) console.log(`${name}: ${((u.user + u.system) / 5000).toFixed(2)} µs per socket, ${((process.memoryUsage().heapUsed - heap0) / 5000).toFixed(0)} bytes per socket`);
  }
}
