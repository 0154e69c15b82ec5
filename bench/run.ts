import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { OptionsError, USAGE, parseBenchOptions, type ScenarioName } from './lib/options.js';
import { printTable } from './lib/report.js';
import { profileServersInto } from './lib/servers.js';
import { fanOut } from './scenarios/fan-out.js';
import { joinCluster, joinSingle } from './scenarios/join-storm.js';
import { reconnectStorm } from './scenarios/reconnect-storm.js';
import type { Scenario } from './scenarios/scenario.js';

/**
 * `npm run bench -- [scenario...] [--clients N] ...`: each scenario beside bare Socket.IO in the
 * same invocation, each run `--runs` times (2 by default), one table per scenario.
 */
const SCENARIOS: Record<ScenarioName, Scenario> = {
  join: joinSingle,
  'join-cluster': joinCluster,
  reconnect: reconnectStorm,
  fanout: fanOut,
};

let options;
try {
  options = parseBenchOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof OptionsError)) throw error;
  console.error(`bench: ${error.message}\n${USAGE}`);
  process.exit(2);
}

if (options.cpuProf !== undefined) profileServersInto(resolve(options.cpuProf));
console.log(`Node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${options.runs} runs each; scenarios: ${options.scenarios.join(', ')}`);
const started = performance.now();
let failed = false;
for (const name of options.scenarios) {
  const scenarioStarted = performance.now();
  try {
    const result = await SCENARIOS[name](options);
    printTable(result.comparisons, [...result.notes, `${name} took ${((performance.now() - scenarioStarted) / 1000).toFixed(0)} s`]);
  } catch (error) {
    failed = true;
    console.error(`bench: ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}
console.log(`\nall scenarios took ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed ? 1 : 0);
