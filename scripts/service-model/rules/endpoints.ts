import { findDuplicates } from '../duplicates.js';
import type { InputEndpoint } from '../model.js';
import type { Problem } from '../problem.js';
import type { Rule } from '../rule.js';
import { parseWholeNumber } from '../whole-number.js';

const PROTOCOLS = ['http', 'https', 'tcp', 'udp'];
/** Azure's range for the load balancer's TCP idle timeout. */
const IDLE_TIMEOUT_MINUTES = { min: 4, max: 30 };

/**
 * Input endpoints share the service's public address: their names must be unique in a role, their
 * ports valid (1-65535) and unique across the whole service.
 */
export const inputEndpointsAreDistinct: Rule = ({ model }) => {
  const { definition } = model;
  const { file } = definition;
  const problems: Problem[] = [];
  const withPorts: { endpoint: InputEndpoint; port: number }[] = [];

  for (const role of definition.roles) {
    for (const endpoint of role.inputEndpoints) {
      const label = `endpoint ${endpoint.name ?? '(unnamed)'}`;
      if (!endpoint.name) problems.push({ file, line: endpoint.line, message: `<InputEndpoint> in role ${role.name} has no name` });
      if (endpoint.protocol === undefined || !PROTOCOLS.includes(endpoint.protocol)) {
        problems.push({ file, line: endpoint.line, message: `${label} protocol ${quote(endpoint.protocol)} is not one of ${PROTOCOLS.join(', ')}` });
      }
      const port = parseWholeNumber(endpoint.port);
      if (port === undefined || !isPort(port)) {
        problems.push({ file, line: endpoint.line, message: `${label} port ${quote(endpoint.port)} is not a port number from 1 to 65535` });
      } else {
        withPorts.push({ endpoint, port });
      }
      // localPort="*" asks Azure to pick a free port.
      if (endpoint.localPort !== undefined && endpoint.localPort !== '*') {
        const localPort = parseWholeNumber(endpoint.localPort);
        if (localPort === undefined || !isPort(localPort)) {
          problems.push({ file, line: endpoint.line, message: `${label} localPort "${endpoint.localPort}" is not a port number from 1 to 65535 (or *)` });
        }
      }
      if (endpoint.idleTimeoutInMinutes !== undefined) {
        const minutes = parseWholeNumber(endpoint.idleTimeoutInMinutes);
        if (minutes === undefined || minutes < IDLE_TIMEOUT_MINUTES.min || minutes > IDLE_TIMEOUT_MINUTES.max) {
          problems.push({
            file,
            line: endpoint.line,
            message: `${label} idleTimeoutInMinutes "${endpoint.idleTimeoutInMinutes}" is outside Azure's ${IDLE_TIMEOUT_MINUTES.min} to ${IDLE_TIMEOUT_MINUTES.max} minutes`,
          });
        }
      }
    }
    for (const [endpoint, first] of findDuplicates(role.inputEndpoints, (endpoint) => endpoint.name)) {
      problems.push({ file, line: endpoint.line, message: `endpoint name ${endpoint.name} is used twice in role ${role.name} (first at line ${first.line})` });
    }
  }

  for (const [{ endpoint, port }, { endpoint: first }] of findDuplicates(withPorts, ({ port }) => String(port))) {
    problems.push({
      file,
      line: endpoint.line,
      message: `endpoint ${endpoint.name} port ${port} is already used by endpoint ${first.name} (line ${first.line}); input endpoint ports must be unique`,
    });
  }
  return problems;
};

function isPort(value: number): boolean {
  return value >= 1 && value <= 65535;
}

function quote(value: string | undefined): string {
  return value === undefined ? '(missing)' : `"${value}"`;
}
