import { parseArgs } from 'node:util';

export const SCENARIOS = ['join', 'join-cluster', 'reconnect', 'fanout'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** What `npm run bench -- [scenario...] [--clients N] ...` asks for; undefined means the scenario's own default. */
export interface BenchOptions {
  scenarios: ScenarioName[];
  clients: number | undefined;
  runs: number;
  /** Clients between "start connecting" and "joined" at any moment, the same for baseline and chatapp. */
  concurrency: number;
  /** Deliveries per second in the fan-out scenario. */
  rate: number;
  /** Seconds of measured sending in the fan-out scenario. */
  seconds: number;
  /** Fan-out: measured rounds per run, the baseline and chatapp alternating. */
  rounds: number;
  /** Messages per second (all senders together) during the reconnect storm. */
  messageRate: number;
  /** Seconds any one phase may take before the scenario gives up and reports what it has. */
  timeout: number;
  /** Where every server process writes a CPU profile (node --cpu-prof), when given. */
  cpuProf: string | undefined;
}

export const USAGE = `usage: npm run bench -- [${SCENARIOS.join('|')}]... [--clients N] [--runs N]
       [--concurrency N] [--rate DELIVERIES_PER_S] [--seconds S] [--rounds N] [--message-rate N] [--timeout S]
       [--cpu-prof DIR]
  no scenario: all four, at full size (join 5000, join-cluster 9900, reconnect 4000, fanout 5000)`;

export class OptionsError extends Error {}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new OptionsError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const unknown = positionals.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new OptionsError(`unknown scenario ${unknown.map((name) => `"${name}"`).join(', ')}; choose from ${SCENARIOS.join(', ')}`);
  return {
    scenarios: positionals.length > 0 ? (positionals as ScenarioName[]) : [...SCENARIOS],
    clients: whole(values.clients, 'clients', 2, 50_000),
    runs: whole(values.runs, 'runs', 1, 20) ?? 2,
    concurrency: whole(values.concurrency, 'concurrency', 1, 5000) ?? 50,
    rate: whole(values.rate, 'rate', 1, 10_000_000) ?? 20_000,
    seconds: whole(values.seconds, 'seconds', 1, 600) ?? 10,
    rounds: whole(values.rounds, 'rounds', 1, 50) ?? 2,
    messageRate: whole(values['message-rate'], 'message-rate', 1, 1000) ?? 4,
    timeout: whole(values.timeout, 'timeout', 5, 3600) ?? 180,
    cpuProf: values['cpu-prof'],
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      clients: { type: 'string' },
      runs: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      'message-rate': { type: 'string' },
      timeout: { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
}

function whole(raw: string | undefined, name: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new OptionsError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
