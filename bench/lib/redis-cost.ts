import { createClient } from 'redis';

type Client = ReturnType<typeof createClient>;

/** What a phase cost, per call (or per thing counted). */
export interface RedisCost {
  /** redis-server's CPU, user and system, from its own `INFO cpu` (getrusage, µs resolution). */
  cpuMicros: number;
  /** Time in Redis's own accounting (`INFO commandstats`): elapsed, so a loaded machine inflates it. */
  commandstatsMicros: number;
  /** Commands Redis counted, a script's own calls included. */
  commands: number;
  /** This process's CPU (node-redis and the registry): what an instance pays. */
  clientMicros: number;
}

async function redisCpuMicros(client: Client): Promise<number> {
  const info = String(await client.sendCommand(['INFO', 'cpu']));
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return Math.round((seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6);
}

/**
 * Runs `phase` and tells what each script call (or each of `per` things) cost, read through
 * `client` before and after. A script's time in commandstats is its EVALSHA's, which includes the
 * calls it makes.
 */
export async function redisCost(client: Client, phase: () => Promise<unknown>, per?: number): Promise<RedisCost> {
  await client.sendCommand(['CONFIG', 'RESETSTAT']);
  const cpuBefore = await redisCpuMicros(client);
  const ownBefore = process.cpuUsage();
  await phase();
  const own = process.cpuUsage(ownBefore);
  const cpu = (await redisCpuMicros(client)) - cpuBefore;
  const stats = String(await client.sendCommand(['INFO', 'commandstats']));
  const counted = [...stats.matchAll(/^cmdstat_(\S+?):calls=(\d+),usec=(\d+)/gm)].filter(([, command]) => !/^(config|info)/.test(command!));
  const evalsha = counted.find(([, command]) => command === 'evalsha');
  const usec = evalsha ? Number(evalsha[3]) : counted.reduce((sum, [, , , time]) => sum + Number(time), 0);
  const count = per ?? (evalsha ? Number(evalsha[2]) : 1);
  return {
    cpuMicros: cpu / count,
    commandstatsMicros: usec / count,
    commands: counted.reduce((sum, [, , n]) => sum + Number(n), 0) / count,
    clientMicros: (own.user + own.system) / count,
  };
}

export function describeCost(cost: RedisCost): string {
  return `${cost.cpuMicros.toFixed(0)} µs CPU, ${cost.commandstatsMicros.toFixed(0)} µs in commandstats, ${cost.commands.toFixed(1)} commands (client: ${cost.clientMicros.toFixed(0)} µs CPU)`;
}

/** Runs work(0..count-1) with at most `limit` in flight, as a join storm keeps them. */
export async function inFlight(count: number, limit: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}
