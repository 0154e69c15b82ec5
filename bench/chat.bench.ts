import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';

/**
 * Heap per idle connection and broadcast latency, for chatapp and for a bare Socket.IO server
 * in the same run. Usage: npm run bench [-- --clients 500 --messages 200]
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const clients = Number(args.get('clients') ?? 500);
const messages = Number(args.get('messages') ?? 200);
const warmUp = 20;

interface Reply {
  port?: number;
  heap: number;
}

async function startServer(kind: string): Promise<{ child: ChildProcess; port: number; heapBefore: number }> {
  const child = fork(fileURLToPath(new URL('./server-under-test.ts', import.meta.url)), [kind], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [Reply];
  return { child, port: ready.port!, heapBefore: ready.heap };
}

async function heapOf(child: ChildProcess): Promise<number> {
  child.send('heap');
  const [reply] = (await once(child, 'message')) as [Reply];
  return reply.heap;
}

function connect(port: number): Promise<Socket> {
  const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(kind: string) {
  const { child, port, heapBefore } = await startServer(kind);
  const sockets: Socket[] = [];
  for (let i = 0; i < clients; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, clients - i) }, () => connect(port)));
    await Promise.all(batch.map((socket, j) => socket.emitWithAck('session:start', { nickname: `user${i + j}` })));
    await Promise.all(batch.map((socket) => socket.emitWithAck('room:join', { room: 'lobby' })));
    sockets.push(...batch);
  }
  const heapPerConnection = ((await heapOf(child)) - heapBefore) / clients;

  const sender = sockets[0]!;
  const broadcast = async (n: number) => {
    const sentAt = performance.now();
    const everyone = Promise.all(sockets.map((socket) => new Promise((resolve) => socket.once('message', resolve))));
    await sender.emitWithAck('message:send', { room: 'lobby', text: `message ${n}`, clientId: `c${n}` });
    await everyone;
    return performance.now() - sentAt;
  };
  // Warm-up rounds, uncounted, so neither server pays for the JIT of the shared client code.
  for (let n = 0; n < warmUp; n += 1) await broadcast(-1 - n);
  const latencies: number[] = [];
  const started = performance.now();
  for (let n = 0; n < messages; n += 1) latencies.push(await broadcast(n));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);

  for (const socket of sockets) socket.close();
  child.kill('SIGKILL');
  await once(child, 'exit');
  // Let the closed clients be collected here, not during the next server's measurement.
  await new Promise((resolve) => setTimeout(resolve, 500));
  globalThis.gc?.();
  return {
    server: kind,
    'heap/connection (KiB)': (heapPerConnection / 1024).toFixed(1),
    'fan-out p50 (ms)': percentile(latencies, 50).toFixed(1),
    'fan-out p99 (ms)': percentile(latencies, 99).toFixed(1),
    'deliveries/s': Math.round((messages * clients) / seconds),
  };
}

console.log(`${clients} clients in one room, ${messages} messages each delivered to all of them, websocket, Node ${process.version}`);
// The clients share this process's JIT and heap with every measurement: a first pass over both
// servers warms them up, and only the second pass is reported.
const rows = [];
for (const pass of [1, 2]) {
  for (const kind of ['baseline', 'chatapp']) {
    const row = await measure(kind);
    if (pass === 2) rows.push(row);
  }
}
console.table(rows);
process.exit(0);
