import type { WebSiteManagementClient } from '@azure/arm-appservice';
import type { DeploymentOperation, DeploymentsClient, ErrorResponse, WhatIfChange } from '@azure/arm-resourcesdeployments';
import type { TokenCredential } from '@azure/identity';
import { DEPLOYMENTS_API_VERSION, WEB_API_VERSION } from '../api-versions.js';
import type { AzureClientOptions } from '../arm-client.js';
import type { DeploymentRequest } from './deployment-request.js';
import { type FailedResource, explainDeploymentFailure } from './deployment-errors.js';

/**
 * The Resource Manager calls of the App Service path: the subscription-scope deployment of
 * infra/main.json (create or update, what-if, and its operations when it fails) and one read of the
 * site's app settings. Deployments moved out of @azure/arm-resources in its 7.0.0 into
 * @azure/arm-resourcesdeployments, which is used here.
 */
export interface DeploymentClients {
  deployments: DeploymentsClient;
  web: WebSiteManagementClient;
  credential: TokenCredential;
  pollIntervalMs: number;
  /** The body of the last error response Resource Manager sent (see createDeploymentClients). */
  lastError: { body?: string };
}

const RESOURCE_MANAGER = 'https://management.azure.com';
export const RESOURCE_MANAGER_SCOPE = `${RESOURCE_MANAGER}/.default`;

/** The SDK packages load here, when publish first talks to Azure, as in createAzureClients. */
export async function createDeploymentClients(options: AzureClientOptions): Promise<DeploymentClients> {
  const [{ DeploymentsClient }, { WebSiteManagementClient }] = await Promise.all([import('@azure/arm-resourcesdeployments'), import('@azure/arm-appservice')]);
  const endpoint = options.endpoint ?? RESOURCE_MANAGER;
  // The token is for Resource Manager even when the requests go to a stand-in.
  const common = { endpoint, credentials: { scopes: [RESOURCE_MANAGER_SCOPE] }, ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}) };
  const deployments = new DeploymentsClient(options.credential, options.subscription, { ...common, apiVersion: DEPLOYMENTS_API_VERSION });
  // The SDK's long-running operations throw a RestError without the body's details[] when the first
  // response is an error (a 400 InvalidTemplateDeployment carrying a RequestDisallowedByPolicy, say),
  // so the body is kept here to explain it.
  const lastError: { body?: string } = {};
  deployments.pipeline.addPolicy({
    name: 'chatappKeepErrorBody',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status >= 400) lastError.body = response.bodyAsText ?? undefined;
      return response;
    },
  });
  return {
    deployments,
    web: new WebSiteManagementClient(options.credential, options.subscription, { ...common, apiVersion: WEB_API_VERSION }),
    credential: options.credential,
    pollIntervalMs: options.pollIntervalMs ?? 10_000,
    lastError,
  };
}

/**
 * The site's app settings as they are (a POST .../config/appsettings/list: the values are secrets),
 * or none when the site or its resource group does not exist yet (the template creates both).
 */
export async function currentAppSettings(clients: DeploymentClients, resourceGroup: string, siteName: string): Promise<Record<string, string>> {
  try {
    return (await clients.web.webApps.listApplicationSettings(resourceGroup, siteName)).properties ?? {};
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return {};
    throw error;
  }
}

export interface DeployedOutputs {
  [name: string]: string | number | boolean | undefined;
}

/**
 * PUT of the deployment and polling to the end (a first deployment with Azure Managed Redis takes
 * half an hour or more). On failure, the deployment's error and its failed operations, nested
 * deployments included, become one PublishError naming each resource, its cause and the fix.
 */
export async function deployTemplate(
  clients: DeploymentClients,
  name: string,
  request: DeploymentRequest,
  declared: readonly { type: string; name: string }[],
  onProgress: (line: string) => void,
): Promise<DeployedOutputs> {
  const started = Date.now();
  let lastReport = -Infinity;
  try {
    const poller = clients.deployments.deployments.createOrUpdateAtSubscriptionScope(name, request, { updateIntervalInMs: clients.pollIntervalMs });
    poller.onProgress((state) => {
      // Once a minute at most: a first deployment polls for half an hour.
      if (Date.now() - lastReport < 60_000) return;
      lastReport = Date.now();
      onProgress(`Resource Manager is deploying ${name}: ${state.status} (${Math.round((Date.now() - started) / 1000)} s)`);
    });
    const deployed = await poller.pollUntilDone();
    const outputs = (deployed.properties?.outputs ?? {}) as Record<string, { value?: string | number | boolean }>;
    return Object.fromEntries(Object.entries(outputs).map(([key, { value }]) => [key, value]));
  } catch (error) {
    throw await explainFailure(clients, name, declared, error);
  }
}

export async function whatIf(clients: DeploymentClients, name: string, request: DeploymentRequest, declared: readonly { type: string; name: string }[]): Promise<WhatIfChange[]> {
  try {
    const result = await clients.deployments.deployments.whatIfAtSubscriptionScope(name, request, { updateIntervalInMs: clients.pollIntervalMs }).pollUntilDone();
    if (result.error) throw Object.assign(new Error(result.error.message ?? 'what-if failed'), { code: result.error.code, details: { error: result.error } });
    return result.changes ?? [];
  } catch (error) {
    throw await explainFailure(clients, name, declared, error, false);
  }
}

/** Collects what Azure said went wrong, from the error itself and, for a deployment, its operations. */
async function explainFailure(clients: DeploymentClients, name: string, declared: readonly { type: string; name: string }[], error: unknown, deployed = true): Promise<Error> {
  const err = error as { statusCode?: number; code?: string; message?: string; details?: { error?: ErrorResponse } };
  // A request refused before the deployment started (validation, sign-in, permission): the
  // generic explanations apply unless the body carries per-resource details.
  const immediate = err.details?.error ?? (err.statusCode && err.statusCode >= 400 ? parsedError(clients.lastError.body) : undefined);
  const failed: FailedResource[] = [];
  let top: ErrorResponse | undefined = immediate;
  if (deployed && !immediate) {
    const record = await clients.deployments.deployments.getAtSubscriptionScope(name).catch(() => undefined);
    top = record?.properties?.error;
    failed.push(...(await failedOperations(clients, { name }).catch(() => [])));
  }
  if (!top && failed.length === 0) return error as Error;
  return explainDeploymentFailure({ deployment: name, error: top ?? { code: err.code, message: err.message }, failed, declared });
}

function parsedError(body: string | undefined): ErrorResponse | undefined {
  try {
    return body ? (JSON.parse(body) as { error?: ErrorResponse }).error : undefined;
  } catch {
    return undefined;
  }
}

/** The failed operations of a deployment and, through each failed nested deployment, of those. */
async function failedOperations(clients: DeploymentClients, deployment: { name: string; resourceGroup?: string }, depth = 0): Promise<FailedResource[]> {
  const operations: DeploymentOperation[] = [];
  const listing = deployment.resourceGroup
    ? clients.deployments.deploymentOperations.list(deployment.resourceGroup, deployment.name)
    : clients.deployments.deploymentOperations.listAtSubscriptionScope(deployment.name);
  for await (const operation of listing) operations.push(operation);
  const failed: FailedResource[] = [];
  for (const operation of operations) {
    const properties = operation.properties;
    if (properties?.provisioningState?.toLowerCase() !== 'failed') continue;
    const target = properties.targetResource ?? {};
    const nestedGroup = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Resources\/deployments\//i.exec(target.id ?? '')?.[1];
    if (target.resourceType?.toLowerCase() === 'microsoft.resources/deployments' && target.resourceName && depth < 5) {
      const nested = await failedOperations(clients, { name: target.resourceName, ...(nestedGroup ? { resourceGroup: nestedGroup } : {}) }, depth + 1).catch(() => []);
      if (nested.length > 0) {
        failed.push(...nested);
        continue;
      }
    }
    failed.push({ type: target.resourceType, name: target.resourceName, id: target.id, statusCode: properties.statusCode, error: properties.statusMessage?.error });
  }
  return failed;
}
