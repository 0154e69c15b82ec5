import { WebSiteManagementClient } from '@azure/arm-appservice';
import type { TokenCredential } from '@azure/identity';
import { WEB_API_VERSION } from '../api-versions.js';
import type { AzureClientOptions, Outcome } from '../arm-client.js';
import type { PlannedResource } from '../plan.js';
import type { AppServicePlanBody, AppSettingsBody, SiteBody, SiteConfigBody } from './plan.js';

export interface AppServiceClients {
  web: WebSiteManagementClient;
  credential: TokenCredential;
  pollIntervalMs: number;
}

const RESOURCE_MANAGER = 'https://management.azure.com';
export const RESOURCE_MANAGER_SCOPE = `${RESOURCE_MANAGER}/.default`;

export function createAppServiceClients(options: AzureClientOptions): AppServiceClients {
  return {
    web: new WebSiteManagementClient(options.credential, options.subscription, {
      endpoint: options.endpoint ?? RESOURCE_MANAGER,
      // The token is for Resource Manager even when the requests go to a stand-in.
      credentials: { scopes: [RESOURCE_MANAGER_SCOPE] },
      apiVersion: WEB_API_VERSION,
      ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
    }),
    credential: options.credential,
    pollIntervalMs: options.pollIntervalMs ?? 10_000,
  };
}

/** PUT of the plan: creates it, or updates SKU and instance count in place. */
export async function deployPlan(clients: AppServiceClients, resourceGroup: string, planned: PlannedResource<AppServicePlanBody>): Promise<Outcome> {
  const existed = await exists(() => clients.web.appServicePlans.get(resourceGroup, planned.name));
  const { body } = planned;
  await clients.web.appServicePlans.createOrUpdate(
    resourceGroup,
    planned.name,
    { location: body.location, tags: body.tags, kind: body.kind, sku: body.sku, reserved: body.properties.reserved },
    { updateIntervalInMs: clients.pollIntervalMs },
  );
  return existed ? 'updated' : 'created';
}

/** PUT of the site; an existing site keeps its host names, certificates and deployment history. */
export async function deploySite(clients: AppServiceClients, resourceGroup: string, planned: PlannedResource<SiteBody>): Promise<{ outcome: Outcome; defaultHostName: string | undefined }> {
  const existed = await exists(() => clients.web.webApps.get(resourceGroup, planned.name));
  const { body } = planned;
  const site = await clients.web.webApps.createOrUpdate(
    resourceGroup,
    planned.name,
    { location: body.location, tags: body.tags, kind: body.kind, ...body.properties },
    { updateIntervalInMs: clients.pollIntervalMs },
  );
  return { outcome: existed ? 'updated' : 'created', defaultHostName: site.defaultHostName };
}

export async function configureSite(clients: AppServiceClients, resourceGroup: string, siteName: string, planned: PlannedResource<SiteConfigBody>): Promise<void> {
  await clients.web.webApps.createOrUpdateConfiguration(resourceGroup, siteName, { ...planned.body.properties });
}

/** The site's app settings as they are (a POST .../config/appsettings/list: the values are secrets). */
export async function currentAppSettings(clients: AppServiceClients, resourceGroup: string, siteName: string): Promise<Record<string, string>> {
  return (await clients.web.webApps.listApplicationSettings(resourceGroup, siteName)).properties ?? {};
}

/** Replaces the site's app settings (Azure restarts the app to apply them). */
export async function putAppSettings(clients: AppServiceClients, resourceGroup: string, siteName: string, settings: AppSettingsBody): Promise<void> {
  await clients.web.webApps.updateApplicationSettings(resourceGroup, siteName, { properties: settings.properties });
}

async function exists(get: () => Promise<unknown>): Promise<boolean> {
  try {
    await get();
    return true;
  } catch (error) {
    const { statusCode, code } = error as { statusCode?: number; code?: string };
    // A missing resource group is not "resource missing": let it surface with its own fix.
    if (statusCode === 404 && code !== 'ResourceGroupNotFound') return false;
    throw error;
  }
}
