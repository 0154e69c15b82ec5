import { loadavg } from 'node:os';
import { createClient } from 'redis';
import { RedisSessionRegistry } from '../WorkerRole1/src/server/sessions/redis-session-registry.js';
import { LIMITS } from '../WorkerRole1/src/shared/protocol.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { redisServerPid, sampleProcess } from './lib/process-stats.js';
import { inFlight as inFlightOf } from './lib/redis-cost.js';

/**
 * What Redis spends on room:join's one script (`enter`: session, ban check, join, the first page
 * of up to LIMITS.joinMembersMax members) and on a bare member page: the figure join-cluster's Redis share is made
 * of, without the emulator, the balancer and the instances. N sessions join one room, 50 in
 * flight as in the join storm; then N pages of the full room are read; then all N leases are
 * renewed 20 times (what every instance does every 10 s for the sessions it holds); then the
 * sender of 10 messages per session is checked, the old way (`get`) and the new (`checkSender`). Two figures
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
/** Sender checks per session, as many as messages: enough for /proc's ticks. */
const LOOKUPS = 10;

type Client = ReturnType<typeof createClient>;

/**
 * Runs `phase` and tells what each call, or each of `per` things, cost Redis: CPU from /proc, time
 * in commandstats, and the commands Redis counted (a script's own calls included) per call; and
 * this process's CPU (node-redis and the registry, what an instance pays).
 */
async function perCall(client: Client, pid: number, phase: () => Promise<unknown>, per?: number): Promise<string> {
  await client.sendCommand(['CONFIG', 'RESETSTAT']);
  const before = sampleProcess(pid).cpuMs;
  const ownBefore = process.cpuUsage();
  await phase();
  const cpuMs = sampleProcess(pid).cpuMs - before;
  const own = process.cpuUsage(ownBefore);
  const stats = String(await client.sendCommand(['INFO', 'commandstats']));
  const counted = [...stats.matchAll(/^cmdstat_(\S+?):calls=(\d+),usec=(\d+)/gm)].filter(([, command]) => command !== 'config');
  const evalsha = counted.find(([, command]) => command === 'evalsha');
  // A script's time in commandstats is the EVALSHA's, which includes the calls it makes.
  const usec = evalsha ? Number(evalsha[3]) : counted.reduce((sum, [, , , time]) => sum + Number(time), 0);
  const calls = evalsha ? Number(evalsha[2]) : (per ?? 1);
  const count = per ?? calls;
  const commands = counted.reduce((sum, [, , n]) => sum + Number(n), 0) / count;
  const clientMicros = (own.user + own.system) / count;
  return `${((cpuMs * 1000) / count).toFixed(0)} µs CPU, ${(usec / count).toFixed(0)} µs in commandstats, ${commands.toFixed(1)} commands (client: ${clientMicros.toFixed(0)} µs CPU)`;
}

const inFlight = (count: number, work: (i: number) => Promise<unknown>) => inFlightOf(count, IN_FLIGHT, work);

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
    // What every chat message asks of the registry first: the session lookup before checkSender, and checkSender.
    const lookup = await perCall(client, pid, () => inFlight(MEMBERS * LOOKUPS, (i) => registry.get(tokens[i % MEMBERS]!)), MEMBERS * LOOKUPS);
    const check = await perCall(
      client,
      pid,
      () => inFlight(MEMBERS * LOOKUPS, (i) => registry.checkSender(tokens[i % MEMBERS]!, `member ${i % MEMBERS}`, 'lobby')),
      MEMBERS * LOOKUPS,
    );
    console.log(`run ${run}: enter ${enter}; a page of the full room ${page}; renewal per session ${renewal}; load ${loadavg()[0]!.toFixed(1)}`);
    console.log(`run ${run}: a message's sender, before (get) ${lookup}; now (checkSender) ${check}; load ${loadavg()[0]!.toFixed(1)}`);
    await client.close();
  }
} finally {
  await redis.stop();
}
