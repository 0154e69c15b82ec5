import { loadavg } from 'node:os';
import { createClient } from 'redis';
import { RedisSessionRegistry } from '../WorkerRole1/src/server/sessions/redis-session-registry.js';
import { LIMITS } from '../WorkerRole1/src/shared/protocol.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { redisServerPid, sampleProcess } from './lib/process-stats.js';

/**
 * What Redis spends on room:join's one script (`enter`: session, ban check, join, the first page
 * of up to 100 members) and on a bare member page: the figure join-cluster's Redis share is made
 * of, without the emulator, the balancer and the instances. N sessions join one room, 50 in
 * flight as in the join storm; then N pages of the full room are read; then all N leases are
 * renewed 20 times (what every instance does every 10 s for the sessions it holds). Two figures
 * per call: redis-server's CPU (from /proc, so it counts reading and answering the command too)
 * and the script's time in Redis's own accounting (`INFO commandstats`, reset before each phase),
 * which is elapsed time: on a loaded machine it includes whatever time Redis was not running.
 * Usage: npx tsx bench/member-page.bench.ts [--members 3000 --runs 2]
 */
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const MEMBERS = arg('members', 3000);
const RUNS = arg('runs', 2);
const IN_FLIGHT = 50;
/** Renewals of all N leases, enough for /proc's 10 ms ticks to count. */
const RENEWALS = 20;

type Client = ReturnType<typeof createClient>;

/** Runs `phase` (scripts only) and tells what each EVALSHA, or each of `per` things, cost Redis. */
async function perCall(client: Client, pid: number, phase: () => Promise<unknown>, per?: number): Promise<string> {
  await client.sendCommand(['CONFIG', 'RESETSTAT']);
  const before = sampleProcess(pid).cpuMs;
  await phase();
  const cpuMs = sampleProcess(pid).cpuMs - before;
  const stats = String(await client.sendCommand(['INFO', 'commandstats']));
  const line = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(stats);
  if (!line) throw new Error(`no EVALSHA in INFO commandstats:\n${stats}`);
  const calls = Number(line[1]);
  const count = per ?? calls;
  return `${((cpuMs * 1000) / count).toFixed(0)} µs CPU, ${(Number(line[2]) / count).toFixed(0)} µs in commandstats (${calls} calls)`;
}

async function inFlight(count: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

const redis = await startRedisServer();
const firstPage = { limit: LIMITS.joinMembersMax };
console.log(`member page: ${MEMBERS} sessions enter one room (${IN_FLIGHT} in flight), then ${MEMBERS} pages of ${LIMITS.joinMembersMax} of it; load ${loadavg()[0]!.toFixed(1)}`);
try {
  for (let run = 1; run <= RUNS; run++) {
    // Emptied by a restart, and a new registry, which would otherwise see the data as lost.
    if (run > 1) await redis.restart();
    const client: Client = createClient({ url: redis.url });
    await client.connect();
    const registry = new RedisSessionRegistry(client, { presenceIndividualMax: 50 });
    const pid = redisServerPid(redis.port);
    const tokens: string[] = [];
    await inFlight(MEMBERS, async (i) => {
      const claimed = await registry.claim({ display: `Member ${i}`, key: `member ${i}` }, undefined, 'bench');
      if (!claimed.ok) throw new Error(`claim ${i} failed: ${claimed.reason}`);
      tokens[i] = claimed.session.token;
    });
    const enter = await perCall(client, pid, () =>
      inFlight(MEMBERS, async (i) => {
        const banSubjects = [`nick:member ${i}`, `session:${i}`];
        const entered = await registry.enter(tokens[i]!, 'lobby', { holder: 'bench', roomsMax: LIMITS.roomsPerSession, page: firstPage, banSubjects });
        if (!entered.ok) throw new Error(`enter ${i} failed: ${entered.reason}`);
      }),
    );
    const page = await perCall(client, pid, () => inFlight(MEMBERS, () => registry.members('lobby', firstPage)));
    const held = tokens.map((token, i) => ({ token, nickname: `Member ${i}`, key: `member ${i}`, rooms: ['lobby'] }));
    const renewal = await perCall(
      client,
      pid,
      async () => {
        for (let round = 0; round < RENEWALS; round++) await registry.renew('bench', held);
      },
      MEMBERS * RENEWALS,
    );
    console.log(`run ${run}: enter ${enter}; a page of the full room ${page}; renewal per session ${renewal}; load ${loadavg()[0]!.toFixed(1)}`);
    await client.close();
  }
} finally {
  await redis.stop();
}
