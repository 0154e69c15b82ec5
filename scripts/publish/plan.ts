import type { CloudService } from '@azure/arm-compute';
import type { RoleDefinition, ServiceConfiguration } from '../service-model/model.js';

/**
 * Everything publish will create or update, as the exact request bodies, computed from the service
 * model and the options alone (no I/O), so `--dry-run` prints what a real run sends and tests can
 * check the bodies against Azure's REST definition.
 */
export interface PublishPlan {
  virtualNetwork: PlannedResource<VirtualNetworkBody>;
  publicIp: PlannedResource<PublicIpBody>;
  cloudService: PlannedResource<CloudService>;
  /** Blob names inside the container; each deployment gets its own, so an update never overwrites
   * the package a running deployment came from. */
  blobs: { package: string; configuration: string };
  publicUrl: string;
}

/**
 * Microsoft.Network request bodies as they go over the wire. (@azure/arm-network's models flatten
 * `properties` away; arm-client.ts converts. The CloudService model of @azure/arm-compute is not
 * flattened, so its type is the wire shape already.)
 */
export interface VirtualNetworkBody {
  location: string;
  tags: Record<string, string>;
  properties: {
    addressSpace: { addressPrefixes: string[] };
    subnets: { name: string; properties: { addressPrefix: string } }[];
  };
}

export interface PublicIpBody {
  location: string;
  tags: Record<string, string>;
  sku: { name: 'Basic' | 'Standard' };
  properties: { publicIPAllocationMethod: 'Static' | 'Dynamic'; dnsSettings: { domainNameLabel: string } };
}

export interface PlannedResource<Body> {
  name: string;
  /** ARM resource id. */
  id: string;
  body: Body;
}

export interface PlanInput {
  subscription: string;
  resourceGroup: string;
  name: string;
  location: string;
  publicIpSku: 'Basic' | 'Standard';
  role: RoleDefinition & { name: string };
  configuration: ServiceConfiguration;
  /** SAS URLs of the uploaded blobs (placeholders in a dry run, which uploads nothing). */
  packageUrl: string;
  configurationUrl: string;
  /** Makes blob names unique per deployment; an ISO-like UTC stamp. */
  deploymentStamp: string;
}

/** Address space for the virtual network publish creates; the role's subnet takes the first /24. */
export const VIRTUAL_NETWORK_PREFIX = '10.0.0.0/16';
export const SUBNET_PREFIX = '10.0.0.0/24';

export function planPublish(input: PlanInput): PublishPlan {
  const { role, configuration } = input;
  const groupId = `/subscriptions/${input.subscription}/resourceGroups/${input.resourceGroup}`;

  const network = configuration.network;
  const virtualNetworkName = network?.virtualNetworkSite?.name;
  const subnetName = network?.instanceAddresses.find((address) => address.roleName === role.name)?.subnets[0]?.name;
  if (!virtualNetworkName || !subnetName) {
    throw new Error(`${configuration.file} names no VirtualNetworkSite or no subnet for ${role.name}; npm run validate explains`);
  }
  const instanceCount = Number(configuration.roles.find((configured) => configured.name === role.name)?.instances?.count);
  if (!Number.isInteger(instanceCount) || instanceCount < 1) throw new Error(`${configuration.file} has no instance count for ${role.name}`);
  if (!role.vmsize) throw new Error(`the csdef gives ${role.name} no vmsize`);

  const publicIpName = `${input.name}-ip`;
  const publicIpId = `${groupId}/providers/Microsoft.Network/publicIPAddresses/${publicIpName}`;
  const virtualNetworkId = `${groupId}/providers/Microsoft.Network/virtualNetworks/${virtualNetworkName}`;
  const tags = { application: 'chatapp', 'deployed-by': 'npm run publish' };

  const cloudService: CloudService = {
    location: input.location,
    tags,
    properties: {
      packageUrl: input.packageUrl,
      // By URL rather than inline: the filled-in cscfg holds the secrets, and a URL keeps them out of
      // the request body, the ARM deployment history and anything that logs requests.
      configurationUrl: input.configurationUrl,
      // Update domains one after the other: with two or more instances the chat stays up during an update.
      upgradeMode: 'Auto',
      roleProfile: {
        roles: [{ name: role.name, sku: { name: role.vmsize, tier: vmTier(role.vmsize), capacity: instanceCount } }],
      },
      networkProfile: {
        loadBalancerConfigurations: [
          {
            name: `${input.name}-lb`,
            properties: {
              frontendIpConfigurations: [{ name: `${input.name}-frontend`, properties: { publicIPAddress: { id: publicIpId } } }],
            },
          },
        ],
      },
    },
  };

  const publicIp: PublicIpBody = {
    location: input.location,
    tags,
    sku: { name: input.publicIpSku },
    properties: {
      // Basic by default: Microsoft's Basic-SKU retirement notice (2025-09-30) exempts Basic public
      // IPs deployed with Cloud Services (extended support). Basic allows Dynamic (the address may
      // change if the service is deleted and re-created; the DNS name does not); Standard requires Static.
      publicIPAllocationMethod: input.publicIpSku === 'Standard' ? 'Static' : 'Dynamic',
      dnsSettings: { domainNameLabel: input.name },
    },
  };

  const virtualNetwork: VirtualNetworkBody = {
    location: input.location,
    tags,
    properties: {
      addressSpace: { addressPrefixes: [VIRTUAL_NETWORK_PREFIX] },
      subnets: [{ name: subnetName, properties: { addressPrefix: SUBNET_PREFIX } }],
    },
  };

  const port = Number(role.inputEndpoints[0]?.port ?? 80);
  const host = `${input.name}.${input.location}.cloudapp.azure.com`;
  return {
    virtualNetwork: { name: virtualNetworkName, id: virtualNetworkId, body: virtualNetwork },
    publicIp: { name: publicIpName, id: publicIpId, body: publicIp },
    cloudService: { name: input.name, id: `${groupId}/providers/Microsoft.Compute/cloudServices/${input.name}`, body: cloudService },
    blobs: {
      package: `${input.name}/${input.deploymentStamp}/chatapp.cspkg`,
      configuration: `${input.name}/${input.deploymentStamp}/ServiceConfiguration.Cloud.cscfg`,
    },
    publicUrl: port === 80 ? `http://${host}/` : `http://${host}:${port}/`,
  };
}

/** `Standard_D1_v2` -> `Standard`, `Basic_A1` -> `Basic`: the tier is the size name's prefix. */
function vmTier(vmsize: string): string {
  return vmsize.split('_')[0] ?? 'Standard';
}

/** `20261125T175512Z`: sortable, and legal in a blob name. */
export function deploymentStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
