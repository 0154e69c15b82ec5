import { existsSync } from 'node:fs';
import type { TokenCredential } from '@azure/identity';
import type { ServiceConfiguration } from '../../service-model/model.js';
import type { AzureClientOptions } from '../arm-client.js';
import { PublishError } from '../errors.js';
import type { FilledConfiguration } from '../fill-configuration.js';
import { requireRedisForInstances } from '../instances.js';
import type { PublishOptions } from '../options.js';
import { redactText } from '../secrets.js';
import { RESOURCE_MANAGER_SCOPE, configureSite, createAppServiceClients, currentAppSettings, deployPlan, deploySite, putAppSettings } from './app-service-client.js';
import { mergeAppSettings, planAppService } from './plan.js';
import { describeAppServicePlan } from './print-plan.js';
import { DEFAULT_APP_SERVICE_SKU, planSku } from './sku.js';
import { zipDeploy } from './zip-deploy.js';

export interface AppServicePublishInput {
  options: PublishOptions;
  roleName: string;
  cloud: ServiceConfiguration;
  configuration: FilledConfiguration;
  /** The package path as the user should see it (relative to the repository when inside it). */
  shownPackage: string;
  log: (line: string) => void;
  credential: () => Promise<TokenCredential>;
  arm?: Partial<Omit<AzureClientOptions, 'credential' | 'subscription'>>;
  /** Kudu's base URL instead of https://<site>.scm.azurewebsites.net, and its CA (tests). */
  deployment?: { endpoint: string; ca?: string };
}

export interface AppServicePublishResult {
  publicUrl: string;
  outcome: 'created' | 'updated' | 'dry-run';
}

/**
 * `npm run publish -- --target appservice`: the plan, the site, its configuration and app settings
 * through Resource Manager, then the linux-x64 zip through Kudu. Every check that can fail without
 * Azure (settings, instance count, SKU, package) runs before the first request.
 */
export async function publishToAppService(input: AppServicePublishInput): Promise<AppServicePublishResult> {
  const { options, configuration, log } = input;
  const configured = Number(input.cloud.roles.find(({ name }) => name === input.roleName)?.instances?.count ?? 1);
  const instances = options.instances ?? configured;
  requireRedisForInstances(instances, configuration.settings, 'deploy one instance with --instances 1');
  const sku = planSku(options.sku ?? DEFAULT_APP_SERVICE_SKU, instances);
  const plan = planAppService({ ...options, sku, instances, configuration });

  if (options.dryRun) {
    log(describeAppServicePlan({ plan, configuration, ...options, packageFile: input.shownPackage, ...(sku.warning ? { warning: sku.warning } : {}) }));
    if (!existsSync(options.packageFile)) log(`note: ${input.shownPackage} does not exist yet; a real run needs it (npm run package -- --target appservice).`);
    return { publicUrl: plan.publicUrl, outcome: 'dry-run' };
  }
  if (!existsSync(options.packageFile)) {
    throw new PublishError(`package missing: ${input.shownPackage}`, 'run npm run package -- --target appservice (any OS), or pass --package <file.zip>');
  }
  if (sku.warning) log(`note: ${sku.warning}`);

  const credential = await input.credential();
  const clients = createAppServiceClients({ credential, subscription: options.subscription, ...input.arm });
  log(`App Service plan ${plan.plan.name} (${sku.name}, ${instances} instance${instances === 1 ? '' : 's'}, Linux): ${await deployPlan(clients, options.resourceGroup, plan.plan)}`);
  const site = await deploySite(clients, options.resourceGroup, plan.site);
  log(`web app ${plan.site.name}: ${site.outcome}`);
  await configureSite(clients, options.resourceGroup, plan.site.name, plan.siteConfig);
  log(`site configuration: ${plan.siteConfig.body.properties.linuxFxVersion}, start command "${plan.siteConfig.body.properties.appCommandLine}", WebSockets, Always On, health check ${plan.siteConfig.body.properties.healthCheckPath}`);
  const existing = await currentAppSettings(clients, options.resourceGroup, plan.site.name);
  const merged = mergeAppSettings(existing, plan);
  await putAppSettings(clients, options.resourceGroup, plan.site.name, { properties: merged });
  const kept = Object.keys(merged).filter((name) => !plan.managedSettingNames.includes(name));
  log(`app settings: ${Object.keys(plan.appSettings.body.properties).join(', ')}${kept.length > 0 ? `; kept ${kept.join(', ')}` : ''}`);

  const token = await credential.getToken(RESOURCE_MANAGER_SCOPE);
  if (!token) throw new PublishError('no token for the deployment endpoint', 'run `az login` again, then publish again');
  const deploymentUrl = input.deployment ? plan.deploymentUrl.replace(/^https:\/\/[^/]+/, input.deployment.endpoint) : plan.deploymentUrl;
  const deployed = await zipDeploy({
    url: deploymentUrl,
    zipFile: options.packageFile,
    token: token.token,
    pollIntervalMs: clients.pollIntervalMs,
    ...(input.deployment?.ca ? { ca: input.deployment.ca } : {}),
    onProgress: (line) => log(redactText(line, configuration.secretValues)),
  });
  log(`deployed ${input.shownPackage} in ${deployed.seconds} s${deployed.id ? ` (deployment ${deployed.id})` : ''}`);
  const publicUrl = site.defaultHostName ? `https://${site.defaultHostName}/` : plan.publicUrl;
  log(`chat: ${publicUrl}`);
  return { publicUrl, outcome: site.outcome === 'exists' ? 'updated' : site.outcome };
}
