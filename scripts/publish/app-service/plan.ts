import type { FilledConfiguration } from '../fill-configuration.js';
import type { PlannedResource } from '../plan.js';
import type { PlanSku } from './sku.js';

/**
 * Everything publish sends to App Service, as Microsoft.Web request bodies on the wire (the SDK's
 * models flatten `properties` away; app-service-client.ts converts). Built from the service model
 * and the options alone, so `--dry-run` prints what a real run sends and tests check the bodies
 * against Azure's REST definitions (api-version 2024-11-01).
 */
export interface AppServicePublishPlan {
  plan: PlannedResource<AppServicePlanBody>;
  site: PlannedResource<SiteBody>;
  /** PUT .../sites/<name>/config/web */
  siteConfig: PlannedResource<SiteConfigBody>;
  /** PUT .../sites/<name>/config/appsettings: merged with settings publish does not manage. */
  appSettings: PlannedResource<AppSettingsBody>;
  /** Names whose values publish owns: the role's settings and the deployment switches below. */
  managedSettingNames: string[];
  /** Kudu's zip deployment endpoint of the site. */
  deploymentUrl: string;
  publicUrl: string;
}

export interface AppServicePlanBody {
  location: string;
  tags: Record<string, string>;
  kind: 'linux';
  sku: { name: string; tier: string; capacity: number };
  properties: { reserved: true };
}

export interface SiteBody {
  location: string;
  tags: Record<string, string>;
  kind: 'app,linux';
  properties: {
    serverFarmId: string;
    reserved: true;
    httpsOnly: true;
    clientAffinityEnabled: true;
    /** The runtime from the start, so Azure creates the site on the Node image. */
    siteConfig: { linuxFxVersion: string };
  };
}

export interface SiteConfigBody {
  properties: {
    linuxFxVersion: string;
    appCommandLine: string;
    webSocketsEnabled: true;
    alwaysOn: true;
    healthCheckPath: string;
    minTlsVersion: '1.2';
    scmMinTlsVersion: '1.2';
    ftpsState: 'Disabled';
  };
}

export interface AppSettingsBody {
  properties: Record<string, string>;
}

export interface AppServicePlanInput {
  subscription: string;
  resourceGroup: string;
  name: string;
  location: string;
  sku: PlanSku;
  instances: number;
  configuration: FilledConfiguration;
}

/**
 * Node 24 LTS, the major the Cloud Service role ships as node.exe, so both targets run the same
 * Node. App Service on Linux pins the major only and patches it (`az webapp list-runtimes --os
 * linux` lists NODE|22-lts and NODE|24-lts).
 */
export const LINUX_NODE_RUNTIME = 'NODE|24-lts';
/** The csdef's entry point without node.exe: the Node image's `node` runs the same script. */
export const START_COMMAND = 'node dist/server/main.js';
export const HEALTH_CHECK_PATH = '/healthz';

/**
 * The zip carries node_modules built for linux-x64 and is ready to run: Kudu must not run an npm
 * build over it (zip deployments skip the build by default; the setting makes sure one left on the
 * site by someone else does not change that).
 */
const DEPLOYMENT_SETTINGS = { SCM_DO_BUILD_DURING_DEPLOYMENT: 'false' };

export function planAppService(input: AppServicePlanInput): AppServicePublishPlan {
  const groupId = `/subscriptions/${input.subscription}/resourceGroups/${input.resourceGroup}`;
  const planName = `${input.name}-plan`;
  const planId = `${groupId}/providers/Microsoft.Web/serverfarms/${planName}`;
  const siteId = `${groupId}/providers/Microsoft.Web/sites/${input.name}`;
  const tags = { application: 'chatapp', 'deployed-by': 'npm run publish' };

  // An empty cscfg value means "the role's default": on App Service that is an absent variable.
  const roleSettings = Object.fromEntries(input.configuration.settings.filter(({ value }) => value !== '').map(({ name, value }) => [name, value]));
  return {
    plan: {
      name: planName,
      id: planId,
      body: {
        location: input.location,
        tags,
        kind: 'linux',
        sku: { name: input.sku.name, tier: input.sku.tier, capacity: input.instances },
        properties: { reserved: true },
      },
    },
    site: {
      name: input.name,
      id: siteId,
      body: {
        location: input.location,
        tags,
        kind: 'app,linux',
        properties: {
          serverFarmId: planId,
          reserved: true,
          httpsOnly: true,
          // ARR affinity: Socket.IO's long-polling must reach the same instance on every request.
          clientAffinityEnabled: true,
          siteConfig: { linuxFxVersion: LINUX_NODE_RUNTIME },
        },
      },
    },
    siteConfig: {
      name: 'web',
      id: `${siteId}/config/web`,
      body: {
        properties: {
          linuxFxVersion: LINUX_NODE_RUNTIME,
          appCommandLine: START_COMMAND,
          webSocketsEnabled: true,
          // Otherwise the site is unloaded after 20 idle minutes and every socket with it.
          alwaysOn: true,
          healthCheckPath: HEALTH_CHECK_PATH,
          minTlsVersion: '1.2',
          scmMinTlsVersion: '1.2',
          // Deployments go through Kudu with a Microsoft Entra token; FTP is a way in nobody needs.
          ftpsState: 'Disabled',
        },
      },
    },
    appSettings: {
      name: 'appsettings',
      id: `${siteId}/config/appsettings`,
      body: { properties: { ...roleSettings, ...DEPLOYMENT_SETTINGS } },
    },
    managedSettingNames: [...input.configuration.settings.map(({ name }) => name), ...Object.keys(DEPLOYMENT_SETTINGS)],
    deploymentUrl: `https://${input.name}.scm.azurewebsites.net/api/zipdeploy?isAsync=true`,
    publicUrl: `https://${input.name}.azurewebsites.net/`,
  };
}

/**
 * The app settings to PUT: the planned ones, plus whatever the site has that publish does not manage
 * (a setting someone added in the portal, say APPLICATIONINSIGHTS_CONNECTION_STRING, survives an
 * update). A role setting that is now empty is removed, so the role's default applies again.
 */
export function mergeAppSettings(existing: Record<string, string>, plan: AppServicePublishPlan): Record<string, string> {
  const managed = new Set(plan.managedSettingNames);
  const kept = Object.fromEntries(Object.entries(existing).filter(([name]) => !managed.has(name)));
  return { ...kept, ...plan.appSettings.body.properties };
}
