import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFINITION_FILE } from '../service-model/service-files.js';
import { attribute, childElements, parseXml } from '../service-model/xml-document.js';

export type Distribution = 'sourceIP' | 'sourceIPProtocol' | 'default';

/**
 * `loadBalancerDistribution` of one InputEndpoint. The service-model module does not read this
 * attribute (yet), so the emulator reads it from the csdef itself. Azure treats an absent value
 * as the 5-tuple hash ("default").
 */
export function readEndpointDistribution(serviceRoot: string, roleName: string, endpointName: string): Distribution {
  const file = join(serviceRoot, DEFINITION_FILE);
  const { root } = parseXml(DEFINITION_FILE, readFileSync(file, 'utf8'));
  if (!root) return 'default';
  for (const kind of ['WorkerRole', 'WebRole']) {
    for (const role of childElements(root, kind).filter((r) => attribute(r, 'name') === roleName)) {
      for (const endpoints of childElements(role, 'Endpoints')) {
        for (const endpoint of childElements(endpoints, 'InputEndpoint')) {
          if (attribute(endpoint, 'name') !== endpointName) continue;
          const value = attribute(endpoint, 'loadBalancerDistribution');
          return value === 'sourceIP' || value === 'sourceIPProtocol' ? value : 'default';
        }
      }
    }
  }
  return 'default';
}
