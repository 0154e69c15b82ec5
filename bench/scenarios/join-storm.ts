import { createClient } from 'redis';
import { startRedisServer } from '../../test/helpers/redis-server.js';
import { closeAll, sleep } from '../lib/clients.js';
import { startEmulator } from '../lib/emulator.js';
import { joinStorm } from '../lib/join.js';
import type { BenchOptions } from '../lib/options.js';
import { sampleWrites } from '../lib/process-io.js';
import { ownCpuMs, redisServerPid, sampleProcess, sampleProcesses } from '../lib/process-stats.js';
import type { Comparison } from '../lib/report.js';
import { progress } from '../lib/progress.js';
import { type ServerProcess, startBare, startChatapp, startFairPeer } from '../lib/servers.js';
import { KIB, type ScenarioResult, generatorShare } from './scenario.js';

/** Long enough for a coalesced presence round (1 s) and the last acks' follow-up work to settle. */
const SETTLE_MS = 1500;

interface Target {
  url: string;
  pids: number[];
  /** Heap of the one server process, when there is one to ask. */
  heapBytes: (() => Promise<number>) | undefined;
  /** The redis-server the processes share, if any: its CPU counts as the server's too, and is also shown apart. */
  redisPid?: number;
  /** Commands redis-server has processed so far (`INFO stats`), when there is one. */
  redisCommands?: () => Promise<number>;
  /** Clients join in session:start (chatapp) rather than with a room:join after it (the bare servers). */
  joinInStart?: boolean;
  stop(): Promise<void>;
}

interface Measurement {
  seconds: number;
  joined: number;
  rssPerClient: number;
  heapPerClient: number;
  serverCpuMs: number;
  /** Of serverCpuMs, what redis-server spent. */
  redisCpuMs: number;
  generatorCpuMs: number;
  /** Bytes the server processes wrote (to clients, Redis, the balancer, their logs) per client joined, and in how many calls. */
  bytesPerClient: number;
  writesPerClient: number;
  /** Commands redis-server processed per client joined, those a script calls included (INFO stats counts them). */
  redisCommandsPerClient: number;
  failures: string;
}

async function measure(target: Target, options: { count: number; concurrency: number; timeoutMs: number }): Promise<Measurement> {
  await sleep(500);
  const heapBefore = await target.heapBytes?.();
  const before = sampleProcesses(target.pids);
  const redisBefore = target.redisPid === undefined ? 0 : sampleProcess(target.redisPid).cpuMs;
  const writesBefore = sampleWrites(target.pids);
  const commandsBefore = await target.redisCommands?.();
  const generatorBefore = ownCpuMs();
  const storm = await joinStorm({ url: target.url, count: options.count, concurrency: options.concurrency, timeoutMs: options.timeoutMs, spread: true, joinInStart: target.joinInStart });
  const generatorCpuMs = ownCpuMs() - generatorBefore;
  const cpuAfterStorm = sampleProcesses(target.pids).cpuMs;
  const redisCpuMs = target.redisPid === undefined ? 0 : sampleProcess(target.redisPid).cpuMs - redisBefore;
  const writesAfter = sampleWrites(target.pids);
  const commandsAfter = await target.redisCommands?.();
  await sleep(SETTLE_MS);
  const heapAfter = await target.heapBytes?.();
  const after = sampleProcesses(target.pids);
  const joined = storm.clients.length;
  closeAll(storm.clients.map((client) => client.socket));
  await target.stop();
  return {
    seconds: storm.seconds,
    joined,
    rssPerClient: (after.rssBytes - before.rssBytes) / Math.max(joined, 1),
    heapPerClient: heapBefore === undefined || heapAfter === undefined ? Number.NaN : (heapAfter - heapBefore) / Math.max(joined, 1),
    serverCpuMs: cpuAfterStorm - before.cpuMs + redisCpuMs,
    redisCpuMs,
    generatorCpuMs,
    bytesPerClient: (writesAfter.bytes - writesBefore.bytes) / Math.max(joined, 1),
    writesPerClient: (writesAfter.calls - writesBefore.calls) / Math.max(joined, 1),
    redisCommandsPerClient: commandsBefore === undefined || commandsAfter === undefined ? Number.NaN : (commandsAfter - commandsBefore) / Math.max(joined, 1),
    failures: storm.failures,
  };
}

function describe(kind: string, run: number, count: number, m: Measurement): string {
  const complete = m.joined === count ? `all ${count} joined` : `${m.joined} of ${count} joined (${m.failures || 'stopped at the timeout'})`;
  const redis = m.redisCpuMs > 0 ? ` (of which redis-server ${(m.redisCpuMs / 1000).toFixed(1)} s)` : '';
  const commands = Number.isNaN(m.redisCommandsPerClient) ? '' : `, ${m.redisCommandsPerClient.toFixed(1)} Redis commands (a script's own calls included)`;
  return `run ${run} ${kind}: ${complete} in ${m.seconds.toFixed(1)} s; server CPU ${(m.serverCpuMs / 1000).toFixed(1)} s${redis}; per client ${Math.round(m.bytesPerClient)} bytes written in ${m.writesPerClient.toFixed(1)} writes${commands}; generator CPU ${generatorShare(m.generatorCpuMs, m.seconds)} of a core`;
}

interface Storms {
  startBaseline: () => Promise<Target>;
  startChatapp: () => Promise<Target>;
  withHeap: boolean;
  /** The target for time and CPU. */
  target: string;
}

async function storms(scenario: string, count: number, options: BenchOptions, { startBaseline, startChatapp, withHeap, target }: Storms): Promise<ScenarioResult> {
  const timeoutMs = options.timeout * 1000;
  const time: Comparison = { scenario, metric: `time until ${count} joined (s)`, baseline: [], chatapp: [], digits: 1, target };
  const rss: Comparison = { scenario, metric: 'server RSS per client (KiB)', baseline: [], chatapp: [], digits: 1, target: '≤ 1.2×' };
  const heap: Comparison = { scenario, metric: 'server heap per client (KiB)', baseline: [], chatapp: [], digits: 1, target: '-' };
  const cpu: Comparison = { scenario, metric: 'server CPU during the storm (s)', baseline: [], chatapp: [], digits: 2, target };
  const notes: string[] = [];
  for (let run = 1; run <= options.runs; run += 1) {
    progress(`${scenario} run ${run}: baseline, ${count} clients joining`);
    const baseline = await measure(await startBaseline(), { count, concurrency: options.concurrency, timeoutMs });
    progress(`${scenario} run ${run}: chatapp, ${count} clients joining`);
    const chatapp = await measure(await startChatapp(), { count, concurrency: options.concurrency, timeoutMs });
    for (const [kind, m] of [['baseline', baseline], ['chatapp', chatapp]] as const) {
      time[kind].push(m.seconds);
      rss[kind].push(m.rssPerClient / KIB);
      heap[kind].push(m.heapPerClient / KIB);
      cpu[kind].push(m.serverCpuMs / 1000);
      notes.push(describe(kind, run, count, m));
    }
  }
  return { comparisons: withHeap ? [time, rss, heap, cpu] : [time, rss, cpu], notes };
}

/** Scenario 1: N clients join one room of a single server, as fast as it answers. */
export async function joinSingle(options: BenchOptions): Promise<ScenarioResult> {
  const count = options.clients ?? 5000;
  const single = (server: ServerProcess): Target => ({ url: server.url, pids: [server.pid], heapBytes: server.heapBytes, stop: server.stop });
  const result = await storms('join', count, options, {
    startBaseline: async () => single(await startBare()),
    startChatapp: async () => ({ ...single(await startChatapp()), joinInStart: true }),
    withHeap: true,
    target: '≤ 1.25×',
  });
  result.notes.unshift(`join: ${count} clients, at most ${options.concurrency} in flight, baseline bare Socket.IO vs chatapp single server (npm run serve settings, in-memory history)`);
  return result;
}

/**
 * The balancer is one process holding two descriptors per client (its side and the instance's),
 * and the open-file limit here is 20,000, hard, for root too (no CAP_SYS_RESOURCE): 10,000
 * clients would not fit, so the default stays just under.
 */
const CLUSTER_CLIENTS = 9900;

/** Commands redis-server has processed since it started, read through a connection of its own. */
async function redisCommandsProcessed(url: string): Promise<number> {
  const client = await createClient({ url }).connect();
  try {
    return Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))?.[1] ?? Number.NaN);
  } finally {
    client.destroy();
  }
}

/** Scenario 2: the same through the emulator's balancer onto two instances sharing a real redis-server. */
export async function joinCluster(options: BenchOptions): Promise<ScenarioResult> {
  const count = options.clients ?? CLUSTER_CLIENTS;
  const redis = await startRedisServer();
  try {
    let starts = 0;
    // Each storm starts from an empty Redis.
    const emptyRedis = async () => {
      if (starts++ > 0) await redis.restart();
      return redisServerPid(redis.port);
    };
    const result = await storms('join-cluster', count, options, {
      startBaseline: async () => {
        const redisPid = await emptyRedis();
        const peer = await startFairPeer(redis.url);
        return { url: peer.url, pids: peer.instancePids, heapBytes: undefined, redisPid, redisCommands: () => redisCommandsProcessed(redis.url), stop: peer.stop };
      },
      startChatapp: async () => {
        const redisPid = await emptyRedis();
        const emulator = await startEmulator(2, { REDIS_URL: redis.url, LOG_LEVEL: 'info' });
        return { url: emulator.url, pids: emulator.instancePids, heapBytes: undefined, redisPid, redisCommands: () => redisCommandsProcessed(redis.url), joinInStart: true, stop: emulator.stop };
      },
      withHeap: false,
      target: '≤ 1.5×',
    });
    result.notes.unshift(
      `join-cluster: ${count} clients from 250 loopback addresses, at most ${options.concurrency} in flight; baseline the fair peer (bare Socket.IO on 2 processes with the Redis streams adapter, behind the emulator's balancer, bench/fair-peer.ts); chatapp the emulator (balancer, 2 instances, Azurite, REDIS_URL); both on the same redis-server, emptied before each storm; CPU and RSS are the two processes' sum, CPU with redis-server's added`,
    );
    return result;
  } finally {
    await redis.stop();
  }
}
