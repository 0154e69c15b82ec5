import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type RunningRedisServer, startRedisServer } from '../test/helpers/redis-server.js';
import { closeAll, sleep } from './lib/clients.js';
import { type DeliveryMeasurement, measureDeliveries } from './lib/deliveries.js';
import { type JoinedClient, joinStorm } from './lib/join.js';
import { redisServerPid, sampleProcess } from './lib/process-stats.js';
import { progress } from './lib/progress.js';
import { comparison, printTable } from './lib/report.js';
import { type ServerProcess, startChatapp } from './lib/servers.js';

/**
 * Two builds of the role side by side, each as two instances joined by the Redis streams adapter
 * on a redis-server of its own, in-memory history: the members of one room split between the
 * instances, messages fanned out at a fixed delivery rate. Measures CPU per delivery of the two
 * instances and Redis together, and delivery latency, in alternating rounds. The baseline is the
 * role built in another checkout (e.g. `git worktree add` of main, then `npm run build` there):
 * what a change to the delivery path buys, measured against what it replaces in the same run.
 * Few members per message (`--clients 60 --rate 6000`) show a message's own cost; many, the fan-out's.
 * Usage: npx tsx bench/builds-fanout.bench.ts --baseline DIR [--clients 200] [--rate 10000] [--seconds 5] [--rounds 4]
 */
const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    clients: { type: 'string', default: '200' },
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '4' },
  },
});
const baselineEntry = values.baseline === undefined ? undefined : resolve(values.baseline, 'WorkerRole1/dist/server/main.js');
if (baselineEntry === undefined || !existsSync(baselineEntry)) {
  console.error('usage: npx tsx bench/builds-fanout.bench.ts --baseline DIR (a checkout with WorkerRole1/dist built) [--clients N] [--rate N] [--seconds S] [--rounds N]');
  process.exit(2);
}
const clients = Number(values.clients);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const WARM_UP_SECONDS = 2;
const ENTRIES = { baseline: baselineEntry, chatapp: fileURLToPath(new URL('../WorkerRole1/dist/server/main.js', import.meta.url)) };
type Kind = keyof typeof ENTRIES;
const KINDS: Kind[] = ['baseline', 'chatapp'];

interface Cluster {
  redis: RunningRedisServer;
  redisPid: number;
  instances: ServerProcess[];
  members: JoinedClient[];
}

/** Calls of each Redis command so far (`INFO commandstats`, through redis-cli). */
function redisCalls(port: number): Map<string, number> {
  const info = execFileSync('redis-cli', ['-p', String(port), 'INFO', 'commandstats'], { encoding: 'utf8' });
  return new Map([...info.matchAll(/^cmdstat_(\S+?):calls=(\d+)/gm)].map((match) => [match[1]!, Number(match[2])]));
}

/** "xadd 1.00, publish 1.00, ..." per message sent, the commands the round added. */
function callsPerMessage(before: Map<string, number>, after: Map<string, number>, messages: number): string {
  return [...after]
    .map(([command, calls]) => [command, (calls - (before.get(command) ?? 0)) / messages] as const)
    .filter(([, perMessage]) => perMessage >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([command, perMessage]) => `${command} ${perMessage.toFixed(2)}`)
    .join(', ');
}

async function startCluster(entry: string): Promise<Cluster> {
  const redis = await startRedisServer();
  const cluster: Cluster = { redis, redisPid: redisServerPid(redis.port), instances: [], members: [] };
  for (let i = 0; i < 2; i += 1) cluster.instances.push(await startChatapp({ REDIS_URL: redis.url }, entry));
  const storm = await joinStorm({ url: (n) => cluster.instances[n % 2]!.url, count: clients, concurrency: 50, timeoutMs: 120_000, spread: true });
  cluster.members = storm.clients;
  if (storm.clients.length < clients) throw new Error(`only ${storm.clients.length} of ${clients} joined (${storm.failures})`);
  return cluster;
}

async function stopCluster(cluster: Cluster | undefined): Promise<void> {
  if (!cluster) return;
  closeAll(cluster.members.map((member) => member.socket));
  for (const instance of cluster.instances) await instance.stop();
  await cluster.redis.stop();
}

console.log(`Node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const scenario = 'builds-fanout';
const cpu = comparison(scenario, 'CPU per delivery, 2 instances + Redis (µs)', 2);
const perMessage = comparison(scenario, 'CPU per message sent, 2 instances + Redis (µs)', 0);
const redisCpu = comparison(scenario, 'of which redis-server (µs)', 2);
const p99 = comparison(scenario, 'delivery latency p99 (ms)', 1);
const notes = [
  `${clients} members in one room on two instances (half each), ${(rate / clients).toFixed(1)} messages/s (${rate} deliveries/s), ${rounds} rounds of ${seconds} s after ${WARM_UP_SECONDS} s of warm-up, the builds alternating; baseline ${baselineEntry}`,
];
const clusters: Partial<Record<Kind, Cluster>> = {};
try {
  for (const kind of KINDS) {
    progress(`${kind}: two instances and Redis, ${clients} joining`);
    clusters[kind] = await startCluster(ENTRIES[kind]);
  }
  await sleep(1500);
  for (let round = 1; round <= rounds; round += 1) {
    for (const kind of round % 2 === 1 ? KINDS : [...KINDS].reverse()) {
      const cluster = clusters[kind]!;
      progress(`round ${round}: ${kind}`);
      const redisBefore = sampleProcess(cluster.redisPid).cpuMs;
      const callsBefore = redisCalls(cluster.redis.port);
      const m: DeliveryMeasurement = await measureDeliveries(cluster.members, [...cluster.instances.map((instance) => instance.pid), cluster.redisPid], rate / clients, seconds, WARM_UP_SECONDS);
      // Includes the warm-up's share: a close enough split of the total, which is measured exactly.
      const redisMicros = ((sampleProcess(cluster.redisPid).cpuMs - redisBefore) * 1000) / Math.max(m.deliveries, 1) / ((WARM_UP_SECONDS + m.seconds) / m.seconds);
      cpu[kind].push(m.cpuMicrosPerDelivery);
      perMessage[kind].push(m.cpuMicrosPerDelivery * clients);
      redisCpu[kind].push(redisMicros);
      p99[kind].push(m.p99Ms);
      const sent = Math.ceil((rate / clients) * WARM_UP_SECONDS) + Math.ceil((rate / clients) * seconds);
      const calls = callsPerMessage(callsBefore, redisCalls(cluster.redis.port), sent);
      notes.push(`round ${round} ${kind}: ${m.deliveries} of ${m.expected} deliveries${m.refused ? `, ${m.refused} refused` : ''}, p50 ${m.p50Ms.toFixed(1)} ms, CPU ${m.serverCpuShare.toFixed(0)}% of a core; Redis commands per message sent: ${calls}`);
    }
  }
  printTable([cpu, perMessage, redisCpu, p99], notes);
} finally {
  for (const kind of KINDS) await stopCluster(clusters[kind]);
}
process.exit(0);
