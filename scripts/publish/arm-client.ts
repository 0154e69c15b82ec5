import type { CloudService, ComputeManagementClient } from '@azure/arm-compute';
import type { NetworkManagementClient } from '@azure/arm-network';
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { StorageManagementClient } from '@azure/arm-storage';
import type { TokenCredential } from '@azure/identity';
import { PublishError } from './errors.js';
import type { PlannedResource, PublicIpBody, VirtualNetworkBody } from './plan.js';

export interface AzureClients {
  compute: ComputeManagementClient;
  network: NetworkManagementClient;
  /** The resource group, and role assignments through its generic by-id calls (storage-account.ts). */
  resources: ResourceManagementClient;
  /** The storage account that receives the package (storage-account.ts). */
  storage: StorageManagementClient;
  /** Between long-running-operation polls; Azure's Retry-After wins when it is longer. */
  pollIntervalMs: number;
}

export interface AzureClientOptions {
  credential: TokenCredential;
  subscription: string;
  /** Azure Resource Manager; tests point this at a local fake. */
  endpoint?: string;
  /** Extra CA for that fake's self-signed certificate (the SDK sends tokens only over HTTPS). */
  tlsOptions?: { ca: string };
  pollIntervalMs?: number;
}

const RESOURCE_MANAGER = 'https://management.azure.com';

/**
 * The SDK packages load here, when publish first talks to Azure: they are most of what a publish
 * loads, and a --dry-run (Publish-Service.ps1 -WhatIf) never needs them (through tsx, 2.9 CPU s of
 * a dry run, 1.6 of them these packages; measured on a 2-core machine).
 */
export async function createAzureClients(options: AzureClientOptions): Promise<AzureClients> {
  const [{ ComputeManagementClient }, { NetworkManagementClient }, { ResourceManagementClient }, { StorageManagementClient }] = await Promise.all([
    import('@azure/arm-compute'),
    import('@azure/arm-network'),
    import('@azure/arm-resources'),
    import('@azure/arm-storage'),
  ]);
  const endpoint = options.endpoint ?? RESOURCE_MANAGER;
  const clientOptions = {
    endpoint,
    $host: endpoint,
    // The token is for Resource Manager even when the requests go to a stand-in.
    credentialScopes: [`${RESOURCE_MANAGER}/.default`],
    ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
  };
  return {
    compute: new ComputeManagementClient(options.credential, options.subscription, clientOptions),
    network: new NetworkManagementClient(options.credential, options.subscription, clientOptions),
    resources: new ResourceManagementClient(options.credential, options.subscription, clientOptions),
    storage: new StorageManagementClient(options.credential, options.subscription, clientOptions),
    pollIntervalMs: options.pollIntervalMs ?? 10_000,
  };
}

export type Outcome = 'created' | 'exists' | 'updated';

/**
 * Creates the virtual network the cscfg names when it is missing. An existing one is left as it is
 * (it may carry other subnets and peerings someone set up on purpose), but it must have the subnet.
 */
export async function ensureVirtualNetwork(clients: AzureClients, resourceGroup: string, planned: PlannedResource<VirtualNetworkBody>): Promise<Outcome> {
  const existing = await getOrUndefined(() => clients.network.virtualNetworks.get(resourceGroup, planned.name));
  const subnet = planned.body.properties.subnets[0]!;
  if (existing) {
    if (!existing.subnets?.some(({ name }) => name === subnet.name)) {
      throw new PublishError(
        `virtual network ${planned.name} exists but has no subnet ${subnet.name}, which the cscfg assigns the role to`,
        `add it (az network vnet subnet create -g ${resourceGroup} --vnet-name ${planned.name} -n ${subnet.name} --address-prefixes <free /24>) or rename the network in the cscfg`,
      );
    }
    return 'exists';
  }
  const { body } = planned;
  await clients.network.virtualNetworks.beginCreateOrUpdateAndWait(
    resourceGroup,
    planned.name,
    {
      location: body.location,
      tags: body.tags,
      addressSpace: body.properties.addressSpace,
      subnets: body.properties.subnets.map(({ name, properties }) => ({ name, addressPrefix: properties.addressPrefix })),
    },
    { updateIntervalInMs: clients.pollIntervalMs },
  );
  return 'created';
}

/** The public IP the load balancer frontend uses; kept once created, so the address survives updates. */
export async function ensurePublicIp(clients: AzureClients, resourceGroup: string, planned: PlannedResource<PublicIpBody>): Promise<Outcome> {
  const existing = await getOrUndefined(() => clients.network.publicIPAddresses.get(resourceGroup, planned.name));
  if (existing) return 'exists';
  const { body } = planned;
  await clients.network.publicIPAddresses.beginCreateOrUpdateAndWait(
    resourceGroup,
    planned.name,
    { location: body.location, tags: body.tags, sku: body.sku, ...body.properties },
    { updateIntervalInMs: clients.pollIntervalMs },
  );
  return 'created';
}

/**
 * PUT of the whole cloud service: creates it, or updates it in place when it exists (Azure rolls the
 * new package through the update domains). Reports progress while Azure works; a first deployment
 * takes 10 to 20 minutes.
 */
export async function deployCloudService(
  clients: AzureClients,
  resourceGroup: string,
  planned: PlannedResource<CloudService>,
  onProgress: (line: string) => void,
): Promise<{ outcome: Outcome; provisioningState: string | undefined }> {
  const existing = await getOrUndefined(() => clients.compute.cloudServices.get(resourceGroup, planned.name));
  const started = Date.now();
  const poller = await clients.compute.cloudServices.beginCreateOrUpdate(resourceGroup, planned.name, {
    parameters: planned.body,
    updateIntervalInMs: clients.pollIntervalMs,
  });
  onProgress(`Azure accepted the ${existing ? 'update' : 'creation'} of ${planned.name}; a new service takes 10 to 20 minutes, an update rolls through the update domains`);
  poller.onProgress((state) => {
    onProgress(`Azure is ${existing ? 'updating' : 'creating'} ${planned.name}: ${state.status} (${Math.round((Date.now() - started) / 1000)} s)`);
  });
  const result = await poller.pollUntilDone();
  return { outcome: existing ? 'updated' : 'created', provisioningState: result.properties?.provisioningState };
}

/** The DNS name Azure gave the public IP, once it exists. */
export async function publicFqdn(clients: AzureClients, resourceGroup: string, publicIpName: string): Promise<string | undefined> {
  const address = await clients.network.publicIPAddresses.get(resourceGroup, publicIpName);
  return address.dnsSettings?.fqdn;
}

export async function getOrUndefined<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (error) {
    const { statusCode, code } = error as { statusCode?: number; code?: string };
    // A missing resource group is not "resource missing": let it surface with its own fix.
    if (statusCode === 404 && code !== 'ResourceGroupNotFound') return undefined;
    throw error;
  }
}
