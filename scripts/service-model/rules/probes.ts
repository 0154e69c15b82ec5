import { findDuplicates } from '../duplicates.js';
import type { LoadBalancerProbe } from '../model.js';
import type { Problem } from '../problem.js';
import type { Rule } from '../rule.js';
import { parseWholeNumber } from '../whole-number.js';

/** Azure's minimums for a LoadBalancerProbe; the defaults (15 s, 31 s) apply when they are absent. */
export const MIN_PROBE_INTERVAL_SECONDS = 5;
export const MIN_PROBE_TIMEOUT_SECONDS = 11;

/**
 * An http probe requests `path` and wants 200; a tcp probe only connects, so a path would be
 * ignored at best. Interval and timeout must respect Azure's minimums, and every endpoint's
 * loadBalancerProbe must name a declared probe.
 */
export const probesAreValid: Rule = ({ model }) => {
  const { definition } = model;
  const { file } = definition;
  const problems: Problem[] = [];

  for (const probe of definition.probes) problems.push(...checkProbe(file, probe));
  for (const [probe, first] of findDuplicates(definition.probes, (probe) => probe.name)) {
    problems.push({ file, line: probe.line, message: `probe name ${probe.name} is used twice (first at line ${first.line})` });
  }
  for (const role of definition.roles) {
    for (const endpoint of role.inputEndpoints) {
      const probeName = endpoint.loadBalancerProbe;
      if (probeName !== undefined && !definition.probes.some((probe) => probe.name === probeName)) {
        problems.push({
          file,
          line: endpoint.line,
          message: `endpoint ${endpoint.name} uses probe "${probeName}", which is not declared under <LoadBalancerProbes>`,
        });
      }
    }
  }
  return problems;
};

function checkProbe(file: string, probe: LoadBalancerProbe): Problem[] {
  const problems: Problem[] = [];
  const label = `probe ${probe.name ?? '(unnamed)'}`;
  const at = (message: string) => problems.push({ file, line: probe.line, message });

  if (!probe.name) at('<LoadBalancerProbe> has no name');
  if (probe.protocol === 'http') {
    if (!probe.path) at(`${label} is http but has no path; Azure needs the path to request (it expects 200)`);
  } else if (probe.protocol === 'tcp') {
    if (probe.path !== undefined) at(`${label} is tcp but has path "${probe.path}"; a tcp probe only opens a connection, so remove the path or use protocol="http"`);
  } else {
    at(`${label} protocol ${probe.protocol === undefined ? '(missing)' : `"${probe.protocol}"`} is neither http nor tcp`);
  }
  if (probe.port !== undefined) {
    const port = parseWholeNumber(probe.port);
    if (port === undefined || port < 1 || port > 65535) at(`${label} port "${probe.port}" is not a port number from 1 to 65535`);
  }
  const interval = belowMinimum('intervalInSeconds', probe.intervalInSeconds, MIN_PROBE_INTERVAL_SECONDS);
  if (interval) at(`${label} ${interval}`);
  const timeout = belowMinimum('timeoutInSeconds', probe.timeoutInSeconds, MIN_PROBE_TIMEOUT_SECONDS);
  if (timeout) at(`${label} ${timeout}`);
  return problems;
}

/** What is wrong with an optional seconds attribute that has a minimum, or undefined if nothing. */
function belowMinimum(attribute: string, raw: string | undefined, minimum: number): string | undefined {
  if (raw === undefined) return undefined;
  const seconds = parseWholeNumber(raw);
  if (seconds === undefined) return `${attribute} "${raw}" is not a whole number of seconds`;
  if (seconds < minimum) return `${attribute} "${raw}" is below Azure's minimum of ${minimum} seconds`;
  return undefined;
}
