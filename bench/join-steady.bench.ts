import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { type ChatSocket, Deadline, closeAll, localAddressFor, sleep } from './lib/clients.js';
import { startEmulator } from './lib/emulator.js';
import { joinOne, joinStorm } from './lib/join.js';
import { redisServerPid, sampleProcess, sampleProcesses } from './lib/process-stats.js';
import { profileServersInto, startFairPeer } from './lib/servers.js';

/**
 * What join-cluster's two sides cost per second, apart from the joins themselves: the fair peer
 * (bare Socket.IO on two processes, the Redis streams adapter) and chatapp's emulator (two
 * instances, REDIS_URL), one after the other on the same redis-server, alternating, in one
 * invocation. Each side: N members join one room (as join-cluster's storm: 50 in flight, or with
 * `--pace R` started R a second, so that the storm lasts longer with the same joins), then (a)
 * they sit idle for `--idle` seconds, then (b) `--trickle` more join, started `--rate` a second.
 * CPU of each phase is the two processes' (from /proc) plus redis-server's; (b) also per member
 * joined, with (a)'s rate taken off.
 * With `--cpu-prof DIR` every server process writes a profile (both sides), read with
 * bench/profile-top.ts.
 * Usage: npx tsx bench/join-steady.bench.ts [--members 3000] [--idle 15] [--trickle 500] [--rate 50] [--pace 0] [--runs 2] [--cpu-prof DIR]
 */
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const MEMBERS = arg('members', 3000);
const IDLE_S = arg('idle', 15);
const TRICKLE = arg('trickle', 500);
const RATE = arg('rate', 50);
const PACE = arg('pace', 0);
const RUNS = arg('runs', 2);
const profileAt = process.argv.indexOf('--cpu-prof');
if (profileAt !== -1) profileServersInto(resolve(process.argv[profileAt + 1]!));
const IN_FLIGHT = 50;
const TIMEOUT_MS = 300_000;
/** After the storm: the last acks' follow-up and a presence round (1 s) settle before measuring. */
const SETTLE_MS = 3000;

interface Side {
  url: string;
  pids: number[];
  stop(): Promise<void>;
}

interface Phases {
  /** CPU ms of the storm (N joins), and its length. */
  storm: number;
  stormSeconds: number;
  /** CPU ms a second with the members idle. */
  idle: number;
  idleRedis: number;
  /** CPU ms a second while members trickle in. */
  trickle: number;
  trickleRedis: number;
  /** CPU µs per trickled member above the idle rate. */
  perJoin: number;
  trickleSeconds: number;
}

function cpu(side: Side, redisPid: number) {
  return { own: sampleProcesses(side.pids).cpuMs, redis: sampleProcess(redisPid).cpuMs, at: performance.now() };
}

/** `count` clients from number `first` on join, one started every 1/rate s whether the last has joined or not. */
async function paced(url: string, first: number, count: number, rate: number, sockets: ChatSocket[]): Promise<void> {
  const deadline = new Deadline(TIMEOUT_MS);
  const from = performance.now();
  const joins: Promise<void>[] = [];
  for (let i = 0; i < count; i += 1) {
    await sleep(Math.max(0, from + (i * 1000) / rate - performance.now()));
    joins.push(joinOne(url, first + i, deadline, localAddressFor(first + i)).then((client) => void sockets.push(client.socket)));
  }
  await Promise.all(joins);
}

async function phases(side: Side, redisPid: number): Promise<Phases> {
  const sockets: ChatSocket[] = [];
  try {
    const stormFrom = cpu(side, redisPid);
    if (PACE > 0) await paced(side.url, 0, MEMBERS, PACE, sockets);
    else {
      const storm = await joinStorm({ url: side.url, count: MEMBERS, concurrency: IN_FLIGHT, timeoutMs: TIMEOUT_MS, spread: true });
      sockets.push(...storm.clients.map((client) => client.socket));
      if (storm.failed > 0) throw new Error(`the storm: ${storm.failures}`);
    }
    const stormTo = cpu(side, redisPid);
    await sleep(SETTLE_MS);
    const idleFrom = cpu(side, redisPid);
    await sleep(IDLE_S * 1000);
    const idleTo = cpu(side, redisPid);
    const idleS = (idleTo.at - idleFrom.at) / 1000;
    await paced(side.url, MEMBERS, TRICKLE, RATE, sockets);
    await sleep(SETTLE_MS / 3);
    const trickleTo = cpu(side, redisPid);
    const trickleS = (trickleTo.at - idleTo.at) / 1000;
    const idle = (idleTo.own - idleFrom.own + idleTo.redis - idleFrom.redis) / idleS;
    const trickle = (trickleTo.own - idleTo.own + trickleTo.redis - idleTo.redis) / trickleS;
    return {
      storm: stormTo.own - stormFrom.own + stormTo.redis - stormFrom.redis,
      stormSeconds: (stormTo.at - stormFrom.at) / 1000,
      idle,
      idleRedis: (idleTo.redis - idleFrom.redis) / idleS,
      trickle,
      trickleRedis: (trickleTo.redis - idleTo.redis) / trickleS,
      perJoin: (((trickle - idle) * trickleS) / TRICKLE) * 1000,
      trickleSeconds: trickleS,
    };
  } finally {
    closeAll(sockets);
    await side.stop();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? (sorted[middle - 1]! + sorted[middle]!) / 2 : sorted[Math.floor(middle)]!;
};
const load = () => loadavg()[0]!.toFixed(1);

const redis = await startRedisServer();
const results: Record<'peer' | 'chatapp', Phases[]> = { peer: [], chatapp: [] };
try {
  console.log(`join-steady: ${MEMBERS} members ${PACE > 0 ? `started ${PACE}/s` : `${IN_FLIGHT} in flight`}, idle ${IDLE_S} s, then ${TRICKLE} more at ${RATE}/s; ${RUNS} runs; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (let run = 1; run <= RUNS; run += 1) {
    for (const kind of ['peer', 'chatapp'] as const) {
      await redis.restart();
      const redisPid = redisServerPid(redis.port);
      const side: Side =
        kind === 'peer'
          ? await startFairPeer(redis.url).then((peer) => ({ url: peer.url, pids: peer.instancePids, stop: peer.stop }))
          : await startEmulator(2, { REDIS_URL: redis.url, LOG_LEVEL: 'info' }).then((emulator) => ({ url: emulator.url, pids: emulator.instancePids, stop: emulator.stop }));
      const loadBefore = load();
      const p = await phases(side, redisPid);
      results[kind].push(p);
      const trickled = TRICKLE === 0 ? '' : `; trickle ${p.trickle.toFixed(1)} ms/s (redis ${p.trickleRedis.toFixed(1)}) over ${p.trickleSeconds.toFixed(1)} s, ${p.perJoin.toFixed(0)} µs per join above idle`;
      console.log(
        `run ${run} ${kind} (load ${loadBefore}-${load()}): storm ${(p.storm / 1000).toFixed(2)} s CPU in ${p.stormSeconds.toFixed(1)} s; idle ${p.idle.toFixed(1)} ms/s (redis ${p.idleRedis.toFixed(1)})${trickled}`,
      );
    }
  }
  const figures: [string, (p: Phases) => number][] = [
    ['storm CPU (s)', (p) => p.storm / 1000],
    ['storm length (s)', (p) => p.stormSeconds],
    ['idle CPU (ms/s)', (p) => p.idle],
  ];
  if (TRICKLE > 0) figures.push(['trickle CPU (ms/s)', (p) => p.trickle], ['per trickled join above idle (µs)', (p) => p.perJoin]);
  for (const [label, pick] of figures) {
    const peer = median(results.peer.map(pick));
    const chatapp = median(results.chatapp.map(pick));
    console.log(`${label}: peer ${peer.toFixed(1)}, chatapp ${chatapp.toFixed(1)}, ${(chatapp / peer).toFixed(2)}×`);
  }
} finally {
  await redis.stop();
}
