import type { Element } from '@xmldom/xmldom';
import type { InstanceAddress, NetworkConfiguration, RoleConfiguration, ServiceConfiguration } from './model.js';
import { attribute, childElement, childElements, lineOf } from './xml-document.js';

/** A cscfg's `<ServiceConfiguration>` element as a model; the root element is already checked. */
export function readConfiguration(file: string, root: Element): ServiceConfiguration {
  const network = childElement(root, 'NetworkConfiguration');
  return {
    file,
    line: lineOf(root),
    serviceName: attribute(root, 'serviceName'),
    osFamily: attribute(root, 'osFamily'),
    osVersion: attribute(root, 'osVersion'),
    roles: childElements(root, 'Role').map(readRole),
    network: network && readNetwork(network),
  };
}

function readRole(role: Element): RoleConfiguration {
  const instances = childElement(role, 'Instances');
  const settings = childElement(role, 'ConfigurationSettings');
  return {
    line: lineOf(role),
    name: attribute(role, 'name'),
    instances: instances && { line: lineOf(instances), count: attribute(instances, 'count') },
    settingsLine: settings && lineOf(settings),
    settings: (settings ? childElements(settings, 'Setting') : []).map((setting) => ({
      line: lineOf(setting),
      name: attribute(setting, 'name'),
      value: attribute(setting, 'value'),
    })),
  };
}

function readNetwork(network: Element): NetworkConfiguration {
  const site = childElement(network, 'VirtualNetworkSite');
  const assignments = childElement(network, 'AddressAssignments');
  return {
    line: lineOf(network),
    virtualNetworkSite: site && { line: lineOf(site), name: attribute(site, 'name') },
    addressAssignmentsLine: assignments && lineOf(assignments),
    instanceAddresses: (assignments ? childElements(assignments, 'InstanceAddress') : []).map(readInstanceAddress),
  };
}

function readInstanceAddress(address: Element): InstanceAddress {
  return {
    line: lineOf(address),
    roleName: attribute(address, 'roleName'),
    subnets: childElements(address, 'Subnets').flatMap((subnets) =>
      childElements(subnets, 'Subnet').map((subnet) => ({ line: lineOf(subnet), name: attribute(subnet, 'name') })),
    ),
  };
}
