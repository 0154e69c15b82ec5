import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import type { ServiceConfiguration } from '../../service-model/model.js';
import type { AzureClientOptions } from '../arm-client.js';
import { PublishError } from '../errors.js';
import { fillConfiguration } from '../fill-configuration.js';
import type { PublishOptions } from '../options.js';
import { isSecretSetting, redactText } from '../secrets.js';
import { type DeploymentClients, RESOURCE_MANAGER_SCOPE, createDeploymentClients, currentAppSettings, deployTemplate, whatIf } from './deployment-client.js';
import { type DeploymentRequest, deploymentName, deploymentRequest, keptAppSettings, managedSettingNames, refuseGivenSecrets } from './deployment-request.js';
import { describeDeployment, describeWhatIf } from './print-plan.js';
import { DEFAULT_APP_SERVICE_SKU, planSku } from './sku.js';
import { declaredResources, parameterValues, readTemplate, secureParameterNames } from './template-resources.js';
import { zipDeploy, zipDeployUrl } from './zip-deploy.js';

/** infra/main.json, compiled from infra/main.bicep and committed: publishing needs no Bicep CLI. */
export const TEMPLATE_FILE = join('infra', 'main.json');

export interface AppServicePublishInput {
  options: PublishOptions;
  root: string;
  roleName: string;
  cloud: ServiceConfiguration;
  /** The Cloud cscfg's text: its settings become the template's roleSettings. */
  cscfgText: string;
  /** The package path as the user should see it (relative to the repository when inside it). */
  shownPackage: string;
  log: (line: string) => void;
  credential: () => Promise<TokenCredential>;
  arm?: Partial<Omit<AzureClientOptions, 'credential' | 'subscription'>>;
  /** Kudu's base URL instead of https://<site>.scm.azurewebsites.net, and its CA (tests). */
  deployment?: { endpoint: string; ca?: string };
  /** Another compiled template instead of <root>/infra/main.json (tests). */
  templateFile?: string;
}

export interface AppServicePublishResult {
  publicUrl: string;
  outcome: 'deployed' | 'dry-run' | 'what-if';
}

/**
 * `npm run publish -- --target appservice`: ONE Resource Manager deployment of infra/main.json at
 * subscription scope (resource group, plan, site, storage, Redis, monitoring, role assignments: the
 * template is the only description of the infrastructure), waited for, then the linux-x64 zip
 * through Kudu to the site the deployment names in its outputs. Every check that needs no Azure
 * (settings, secrets, SKU, package, template) runs before the first request.
 */
export async function publishToAppService(input: AppServicePublishInput): Promise<AppServicePublishResult> {
  const { options, log } = input;
  // Secrets are not filled in here: the template provisions storage, Redis and telemetry itself.
  const configuration = fillConfiguration(input.cscfgText, input.roleName, options.settings, { requireSecrets: false });
  refuseGivenSecrets(options.settings, new Set(configuration.settings.filter(({ secret }) => secret).map(({ name }) => name)));
  const configured = Number(input.cloud.roles.find(({ name }) => name === input.roleName)?.instances?.count ?? 1);
  const instances = options.instances ?? configured;
  const sku = planSku(options.sku ?? DEFAULT_APP_SERVICE_SKU, instances);
  const templateFile = input.templateFile ?? join(input.root, TEMPLATE_FILE);
  const template = readTemplate(templateFile, input.templateFile ? templateFile : TEMPLATE_FILE);
  const name = deploymentName(options.name);
  const deploymentInput = { ...options, sku: sku.name, instances, configuration };
  const managed = managedSettingNames(configuration);

  const declared = (kept: Record<string, string>) => {
    const request = deploymentRequest(deploymentInput, template, kept);
    const values = parameterValues(template, Object.fromEntries(Object.entries(request.properties.parameters).map(([key, { value }]) => [key, value])));
    return declaredResources(template, values, { subscriptionId: options.subscription });
  };

  if (options.dryRun) {
    const request = deploymentRequest(deploymentInput, template, {});
    log(
      describeDeployment({
        subscription: options.subscription,
        deploymentName: name,
        request,
        templateFile: input.templateFile ? templateFile : TEMPLATE_FILE,
        secureParameters: secureParameterNames(template),
        resources: declared({}),
        packageFile: input.shownPackage,
        siteName: options.name,
        secretValues: configuration.secretValues,
        ...(sku.warning ? { warning: sku.warning } : {}),
      }),
    );
    if (!existsSync(options.packageFile)) log(`note: ${input.shownPackage} does not exist yet; a real run needs it (npm run package -- --target appservice).`);
    return { publicUrl: `https://${options.name}.azurewebsites.net/`, outcome: 'dry-run' };
  }
  if (!options.whatIf && !existsSync(options.packageFile)) {
    throw new PublishError(`package missing: ${input.shownPackage}`, 'run npm run package -- --target appservice (any OS), or pass --package <file.zip>');
  }
  if (sku.warning) log(`note: ${sku.warning}`);

  const credential = await input.credential();
  const clients = await createDeploymentClients({ credential, subscription: options.subscription, ...input.arm });
  // Read, never printed: the values can be secrets; the parameter is @secure() so they stay out of
  // the deployment history.
  const kept = keptAppSettings(await currentAppSettings(clients, options.resourceGroup, options.name), managed);
  const request = deploymentRequest(deploymentInput, template, kept);

  // A kept setting can be a secret (a key added in the portal): never in a message, whatever Azure quotes.
  const hidden = [...configuration.secretValues, ...Object.entries(kept).filter(([key]) => isSecretSetting(key)).map(([, value]) => value)];
  try {
    if (options.whatIf) {
      log(describeWhatIf(name, await whatIf(clients, name, request, declared(kept))));
      return { publicUrl: `https://${options.name}.azurewebsites.net/`, outcome: 'what-if' };
    }
    return await deployAndUpload(input, { clients, credential, name, request, declared: declared(kept), kept, hidden, instances, sku: sku.name });
  } catch (error) {
    if (!(error instanceof PublishError)) throw error;
    throw new PublishError(redactText(error.problem, hidden), redactText(error.fix, hidden));
  }
}

interface Deployment {
  clients: DeploymentClients;
  credential: TokenCredential;
  name: string;
  request: DeploymentRequest;
  declared: readonly { type: string; name: string }[];
  kept: Record<string, string>;
  hidden: string[];
  instances: number;
  sku: string;
}

async function deployAndUpload(input: AppServicePublishInput, { clients, credential, name, request, declared, kept, hidden, instances, sku }: Deployment): Promise<AppServicePublishResult> {
  const { options, log } = input;

  log(`deploying ${TEMPLATE_FILE} as ${name} (subscription scope, ${options.location}): resource group ${options.resourceGroup}, plan ${sku} x ${instances}, web app ${options.name}`);
  if (Object.keys(kept).length > 0) log(`keeping app settings publish does not manage: ${Object.keys(kept).join(', ')}`);
  const outputs = await deployTemplate(clients, name, request, declared, log);
  const siteName = String(outputs.WEB_APP_NAME ?? options.name);
  const publicUrl = String(outputs.WEB_APP_URL ?? `https://${siteName}.azurewebsites.net/`);
  log(`deployment ${name} succeeded: web app ${siteName}${outputs.REDIS_HOST_NAME ? `, Redis ${outputs.REDIS_HOST_NAME}` : ''}${outputs.STORAGE_ACCOUNT_NAME ? `, storage ${outputs.STORAGE_ACCOUNT_NAME}` : ''}`);

  const token = await credential.getToken(RESOURCE_MANAGER_SCOPE);
  if (!token) throw new PublishError('no token for the deployment endpoint', 'run `az login` again, then publish again');
  const deployed = await zipDeploy({
    url: input.deployment ? `${input.deployment.endpoint}/api/zipdeploy?isAsync=true` : zipDeployUrl(publicUrl),
    zipFile: options.packageFile,
    token: token.token,
    pollIntervalMs: clients.pollIntervalMs,
    ...(input.deployment?.ca ? { ca: input.deployment.ca } : {}),
    onProgress: (line) => log(redactText(line, hidden)),
  });
  log(`deployed ${input.shownPackage} in ${deployed.seconds} s${deployed.id ? ` (deployment ${deployed.id})` : ''}`);
  log(`chat: ${publicUrl}`);
  return { publicUrl, outcome: 'deployed' };
}
