import { CLOUD_CONFIGURATION_FILE } from '../service-files.js';
import type { Problem } from '../problem.js';
import type { Rule } from '../rule.js';

/**
 * Cloud Services (extended support) places every deployment in a virtual network: the Cloud cscfg
 * must name the network and give each role a subnet. Emulators ignore this, so only Cloud is checked.
 */
export const cloudHasNetworkConfiguration: Rule = ({ model }) => {
  const configuration = model.configurations.find(({ file }) => file === CLOUD_CONFIGURATION_FILE);
  if (!configuration) return [];
  const { file, network } = configuration;
  const problems: Problem[] = [];
  if (!network) {
    problems.push({
      file,
      line: configuration.line,
      message: 'no <NetworkConfiguration>; extended support needs a <VirtualNetworkSite> and an <InstanceAddress> with a subnet for each role',
    });
    return problems;
  }
  if (!network.virtualNetworkSite?.name) {
    problems.push({
      file,
      line: network.virtualNetworkSite?.line ?? network.line,
      message: '<NetworkConfiguration> has no <VirtualNetworkSite name="...">; extended support needs the virtual network to deploy into',
    });
  }
  for (const role of model.definition.roles) {
    if (!role.name) continue;
    const address = network.instanceAddresses.find((candidate) => candidate.roleName === role.name);
    if (!address) {
      problems.push({
        file,
        line: network.addressAssignmentsLine ?? network.line,
        message: `no <InstanceAddress roleName="${role.name}"> under <AddressAssignments>; extended support needs a subnet for every role`,
      });
    } else if (!address.subnets.some((subnet) => subnet.name)) {
      problems.push({ file, line: address.line, message: `<InstanceAddress roleName="${role.name}"> has no <Subnets><Subnet name="..."/>` });
    }
  }
  for (const address of network.instanceAddresses) {
    if (!model.definition.roles.some((role) => role.name === address.roleName)) {
      problems.push({
        file,
        line: address.line,
        message: `<InstanceAddress> names role ${address.roleName ?? '(none)'}, which ${model.definition.file} does not define`,
      });
    }
  }
  return problems;
};
