import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient } from 'redis';
import { RedisSessionRegistry } from '../WorkerRole1/src/server/sessions/redis-session-registry.js';
import { LIMITS } from '../WorkerRole1/src/shared/protocol.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { describeCost, inFlight, redisCost } from './lib/redis-cost.js';

/**
 * What redis-server spends on the two scripts of a join, `claim` (session:start) and `enter`
 * (room:join with the first page of LIMITS.joinMembersMax names), as join-cluster makes them: N
 * new sessions claim, 50 in flight, then each enters one room, 50 in flight. With `--baseline DIR`
 * (a checkout of another commit, e.g. `git archive <commit> | tar -x -C DIR`) its registry runs
 * the same phases in the same invocation, the two alternating (which goes first alternates too),
 * each on an emptied redis-server. Redis's CPU comes from its own `INFO cpu`.
 * Usage: npx tsx bench/join-scripts.bench.ts [--sessions 3000] [--runs 3] [--baseline DIR]
 */
const option = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
};
const SESSIONS = Number(option('sessions') ?? 3000);
const RUNS = Number(option('runs') ?? 3);
const IN_FLIGHT = 50;
const baselineDir = option('baseline');

type Client = ReturnType<typeof createClient>;
type Registry = Pick<RedisSessionRegistry, 'claim' | 'enter'>;
interface Build {
  name: string;
  create(client: Client): Registry;
}

const builds: Build[] = [{ name: 'this build', create: (client) => new RedisSessionRegistry(client, { presenceIndividualMax: 50 }) }];
if (baselineDir !== undefined) {
  const module = (await import(pathToFileURL(resolve(baselineDir, 'WorkerRole1/src/server/sessions/redis-session-registry.ts')).href)) as {
    RedisSessionRegistry: typeof RedisSessionRegistry;
  };
  builds.push({ name: `baseline ${baselineDir}`, create: (client) => new module.RedisSessionRegistry(client, { presenceIndividualMax: 50 }) });
}

async function joins(build: Build, url: string): Promise<string> {
  const client: Client = createClient({ url });
  await client.connect();
  try {
    const registry = build.create(client);
    const tokens: string[] = [];
    const claim = await redisCost(client, () =>
      inFlight(SESSIONS, IN_FLIGHT, async (i) => {
        const claimed = await registry.claim({ display: `User ${i}`, key: `user ${i}` }, undefined, 'bench');
        if (!claimed.ok) throw new Error(`claim ${i} failed: ${claimed.reason}`);
        tokens[i] = claimed.session.token;
      }),
    );
    const enter = await redisCost(client, () =>
      inFlight(SESSIONS, IN_FLIGHT, async (i) => {
        const banSubjects = [`nick:user ${i}`, `session:${tokens[i]}`];
        const entered = await registry.enter(tokens[i]!, 'lobby', { holder: 'bench', roomsMax: LIMITS.roomsPerSession, page: { limit: LIMITS.joinMembersMax }, banSubjects });
        if (!entered.ok) throw new Error(`enter ${i} failed: ${entered.reason}`);
      }),
    );
    return `claim ${describeCost(claim)}; enter ${describeCost(enter)}`;
  } finally {
    await client.close();
  }
}

const redis = await startRedisServer();
console.log(`join scripts: ${SESSIONS} sessions claim, then enter one room, ${IN_FLIGHT} in flight; load ${loadavg()[0]!.toFixed(1)}`);
try {
  for (let run = 1; run <= RUNS; run++) {
    const order = run % 2 === 1 ? builds : [...builds].reverse();
    for (const build of order) {
      // Emptied, so that each build starts from nothing (its registry would otherwise see another epoch).
      await redis.restart();
      console.log(`run ${run}, ${build.name}: ${await joins(build, redis.url)}; load ${loadavg()[0]!.toFixed(1)}`);
    }
  }
} finally {
  await redis.stop();
}
