import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Server } from 'socket.io';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { createLogger } from '../WorkerRole1/src/server/logger.js';
import { connectRedis } from '../WorkerRole1/src/server/scale-out/redis-client.js';
import { createRedisStreamsBroadcasts } from '../WorkerRole1/src/server/scale-out/redis-streams-broadcasts.js';

/**
 * The instance's CPU per room broadcast through the Redis streams adapter (one XADD each), the
 * adapter as the role builds it (`createRedisStreamsBroadcasts`: no per-command timer, a shared
 * publish deadline) beside the stock adapter on a default node-redis client (a 5 s
 * AbortSignal.timeout per command), against one real redis-server. Each measurement is a fresh
 * process: `--broadcasts` broadcasts, 50 in flight, then 5.5 s idle so that the stock client's
 * timers fire inside the window (they fire 5 s after each command, reply or not); both wait alike.
 * Rounds alternate which goes first.
 * Usage: npx tsx bench/redis-publish.bench.ts [--broadcasts 20000] [--rounds 3]
 */
const VARIANTS = { stock: 'stock adapter, default client (5 s timer per command)', role: "the role's (timeout: 0, publish deadline)" } as const;
type Variant = keyof typeof VARIANTS;
const IN_FLIGHT = 50;
const TIMERS_FIRE_AFTER_MS = 5_500;

const { values } = parseArgs({
  options: { broadcasts: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' }, child: { type: 'string' }, url: { type: 'string' } },
});
const broadcasts = Number(values.broadcasts);
const rounds = Number(values.rounds);
if (!Number.isInteger(broadcasts) || broadcasts < 1 || !Number.isInteger(rounds) || rounds < 1) throw new Error('--broadcasts and --rounds take positive integers');

const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function measure(variant: Variant, url: string): Promise<{ sendUs: number; totalUs: number }> {
  const client = await connectRedis({ url }, createLogger({ level: 'silent', instanceId: 'bench' }), { name: 'adapter', failFast: false });
  const io = new Server({ adapter: variant === 'stock' ? createAdapter(client) : createRedisStreamsBroadcasts(client) });
  const adapter = io.of('/').adapter;
  let n = 0;
  const broadcast = () =>
    adapter.broadcast({ type: 2, data: ['message', { id: `m${n}`, room: 'lobby', from: 'ann', text: `message ${n++}`, ts: Date.now(), clientId: `c${n}` }], nsp: '/' }, {
      rooms: new Set(['room:lobby']),
      except: new Set(),
    }) as unknown as Promise<void>;
  const run = async (count: number) => {
    for (let sent = 0; sent < count; sent += IN_FLIGHT) await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count - sent) }, broadcast));
  };
  await run(2000);
  await new Promise((resolve) => setTimeout(resolve, TIMERS_FIRE_AFTER_MS));
  const started = cpuUs();
  await run(broadcasts);
  const sent = cpuUs();
  await new Promise((resolve) => setTimeout(resolve, TIMERS_FIRE_AFTER_MS));
  const ended = cpuUs();
  io.close();
  client.destroy();
  return { sendUs: (sent - started) / broadcasts, totalUs: (ended - started) / broadcasts };
}

function inChild(variant: Variant, url: string): Promise<{ sendUs: number; totalUs: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', variant, '--url', url, '--broadcasts', String(broadcasts)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(output)) : reject(new Error(`${variant} exited with ${code}: ${output}`))));
  });
}

if (values.child !== undefined) {
  console.log(JSON.stringify(await measure(values.child as Variant, values.url!)));
  process.exit(0);
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`${broadcasts} broadcasts per measurement, ${IN_FLIGHT} in flight, ${rounds} rounds, Node ${process.version}, load average ${load()}`);
const redis = await startRedisServer();
const rows: Record<string, string | number>[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    const order: Variant[] = round % 2 === 1 ? ['stock', 'role'] : ['role', 'stock'];
    const results: Partial<Record<Variant, { sendUs: number; totalUs: number }>> = {};
    for (const variant of order) results[variant] = await inChild(variant, redis.url);
    for (const variant of ['stock', 'role'] as const) {
      const result = results[variant]!;
      rows.push({
        round,
        client: VARIANTS[variant],
        'CPU µs per broadcast, sending': result.sendUs.toFixed(1),
        'with the timers firing after': result.totalUs.toFixed(1),
        'vs stock': (result.totalUs / results.stock!.totalUs).toFixed(2),
        'load average': load(),
      });
    }
  }
} finally {
  await redis.stop();
}
console.table(rows);
