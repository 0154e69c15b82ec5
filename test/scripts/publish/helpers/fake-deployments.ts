/**
 * The subscription-scope deployments of the fake Resource Manager (fake-resource-manager.ts hands
 * them these routes), as Azure answers them at api-version 2025-04-01:
 *   PUT  /subscriptions/<s>/providers/Microsoft.Resources/deployments/<n>  201 + Azure-AsyncOperation;
 *        polled .../operationStatuses/<id>: Running, then Succeeded or Failed with the error
 *   GET  .../deployments/<n>              the record: outputs once succeeded, error once failed
 *   GET  .../deployments/<n>/operations   one per resource; a module's own at its resource group
 *        (/subscriptions/<s>/resourcegroups/<g>/deployments/<module>/operations)
 *   POST .../deployments/<n>/whatIf       202 + Location, polled: 202, then 200 with the changes
 * The body is checked as Resource Manager would (location, Incremental mode, a subscription-scope
 * template, every parameter declared and given as {value}). A success "creates" the web app and its
 * app settings as the template would, so a second publish reads them back; outputs and what-if
 * changes follow the names infra/resources.bicep derives from the parameters. `failNextDeployment` makes the next
 * deployment fail with realistic error bodies: at once (validation) or in its operations.
 */
export interface ResourceFailure {
  type: string;
  name: string;
  /** The HTTP status Azure got from the resource provider, as the operation reports it ('Conflict'). */
  statusCode: string;
  code: string;
  message: string;
  additionalInfo?: unknown[];
}

export type DeploymentFailure =
  | { immediate: { status: number; code: string; message: string; details?: { code: string; message: string; target?: string }[] } }
  | { resources: ResourceFailure[] };

interface Record_ {
  id: string;
  name: string;
  location: string;
  parameters: Record<string, { value?: unknown }>;
  template: { resources: unknown };
  polls: number;
  failure?: ResourceFailure[];
  state: 'Running' | 'Succeeded' | 'Failed';
  deployedParameters?: string;
}

type Send = (status: number, body?: unknown, headers?: Record<string, string>) => void;

const DEPLOYMENT = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Resources\/deployments\/([^/]+)(\/.*)?$/i;
// Azure's path for a group's deployment operations has no /providers/Microsoft.Resources segment.
const NESTED_OPERATIONS = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)(?:\/providers\/Microsoft\.Resources)?\/deployments\/([^/]+)\/operations$/i;
const WHAT_IF_RESULT = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Resources\/locations\/[^/]+\/operationResults\/(whatif-\d+)$/i;

export class FakeDeployments {
  private readonly records = new Map<string, Record_>();
  private readonly whatIfs = new Map<string, { polls: number; changes: unknown[] }>();
  private failure: DeploymentFailure | undefined;
  /** Parameters of the last successful deployment per name, to predict what-if changes. */
  private readonly deployed = new Map<string, Record<string, unknown>>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly put: (path: string, resource: Record<string, unknown>) => void,
  ) {}

  failNextDeployment(failure: DeploymentFailure): void {
    this.failure = failure;
  }

  /** Handles the request when it is a deployment route; false leaves it to the caller. */
  handle(method: string, path: string, body: any, query: URLSearchParams, send: Send): boolean {
    const nested = NESTED_OPERATIONS.exec(path);
    if (nested && method === 'GET') {
      const record = [...this.records.values()].find((candidate) => candidate.failure && nestedName(candidate) === nested[3]);
      send(200, { value: record ? record.failure!.map((failure, index) => failedOperation(nested[1]!, nested[2]!, failure, index)) : [] });
      return true;
    }
    const whatIfResult = WHAT_IF_RESULT.exec(path);
    if (whatIfResult && method === 'GET') {
      const whatIf = this.whatIfs.get(whatIfResult[1]!)!;
      whatIf.polls += 1;
      if (whatIf.polls < 2) send(202, undefined, { location: `${this.baseUrl()}${path}?${query}`, 'retry-after': '0' });
      else send(200, { status: 'Succeeded', properties: { changes: whatIf.changes } });
      return true;
    }
    const match = DEPLOYMENT.exec(path);
    if (!match) return false;
    const [, subscription, name, rest = ''] = match as unknown as [string, string, string, string | undefined];
    const key = `${subscription}/${name}`.toLowerCase();
    const record = this.records.get(key);
    const id = `/subscriptions/${subscription}/providers/Microsoft.Resources/deployments/${name}`;

    if (method === 'PUT' && rest === '') return this.create(id, key, name, body, query, send), true;
    if (method === 'POST' && rest.toLowerCase() === '/whatif') {
      const problem = requestProblem(body);
      if (problem) return send(400, { error: { code: 'InvalidRequestContent', message: problem } }), true;
      const token = `whatif-${this.whatIfs.size + 1}`;
      this.whatIfs.set(token, { polls: 0, changes: this.predict(subscription, name, body.properties.parameters) });
      const location = `${this.baseUrl()}/subscriptions/${subscription}/providers/Microsoft.Resources/locations/${body.location}/operationResults/${token}?${query}`;
      send(202, undefined, { location, 'retry-after': '0' });
      return true;
    }
    if (!record) {
      send(404, { error: { code: 'DeploymentNotFound', message: `Deployment '${name}' could not be found.` } });
      return true;
    }
    if (method === 'GET' && rest.toLowerCase().startsWith('/operationstatuses/')) {
      record.polls += 1;
      if (record.polls >= 2 && record.state === 'Running') this.finish(subscription, record);
      send(200, record.state === 'Failed' ? { status: 'Failed', error: deploymentError(record) } : { status: record.state });
      return true;
    }
    if (method === 'GET' && rest === '') return send(200, view(record)), true;
    if (method === 'GET' && rest.toLowerCase() === '/operations') {
      const group = String(record.parameters.resourceGroupName?.value);
      const nestedId = `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.Resources/deployments/${nestedName(record)}`;
      const module = operation(nestedId, 'Microsoft.Resources/deployments', nestedName(record), record.failure ? 'BadRequest' : 'OK', record.state);
      if (record.failure) Object.assign(module.properties, { statusMessage: { status: 'Failed', error: nestedError(nestedId, record.failure) } });
      send(200, { value: [operation(`/subscriptions/${subscription}/resourceGroups/${group}`, 'Microsoft.Resources/resourceGroups', group, 'OK', 'Succeeded'), module] });
      return true;
    }
    send(405, { error: { code: 'MethodNotAllowed', message: `${method} ${path}` } });
    return true;
  }

  private create(id: string, key: string, name: string, body: any, query: URLSearchParams, send: Send): void {
    const problem = requestProblem(body);
    if (problem) return send(400, { error: { code: 'InvalidTemplate', message: problem } });
    const existing = this.records.get(key);
    if (existing && existing.location !== body.location) {
      return send(400, { error: { code: 'InvalidDeploymentLocation', message: `Invalid deployment location '${body.location}'. The deployment '${name}' already exists in location '${existing.location}'.` } });
    }
    const failure = this.failure;
    this.failure = undefined;
    if (failure && 'immediate' in failure) {
      const { status, code, message, details } = failure.immediate;
      return send(status, { error: { code, message, ...(details ? { details } : {}) } });
    }
    const record: Record_ = { id, name, location: body.location, parameters: body.properties.parameters, template: body.properties.template, polls: 0, state: 'Running', ...(failure ? { failure: failure.resources } : {}) };
    this.records.set(key, record);
    const status = `${this.baseUrl()}${id}/operationStatuses/08584${this.records.size}?${query}`;
    send(existing ? 200 : 201, view(record), { 'azure-asyncoperation': status, 'retry-after': '0' });
  }

  /** What the template would leave behind, by the names infra/resources.bicep gives them: the site and its app settings. */
  private finish(subscription: string, record: Record_): void {
    if (record.failure) {
      record.state = 'Failed';
      return;
    }
    record.state = 'Succeeded';
    const values = plain(record.parameters);
    this.deployed.set(record.name, values);
    const outputs = contractOutputs(values);
    const site = `/subscriptions/${subscription}/resourceGroups/${outputs.AZURE_RESOURCE_GROUP}/providers/Microsoft.Web/sites/${values.name}`;
    this.put(site, { id: site, name: values.name, type: 'Microsoft.Web/sites', location: values.location, properties: { defaultHostName: `${values.name}.azurewebsites.net`, provisioningState: 'Succeeded' } });
    const redis = outputs.REDIS_HOST_NAME ? { REDIS_URL: `rediss://${outputs.REDIS_HOST_NAME}:10000`, REDIS_AUTH: 'entra' } : {};
    this.put(`${site}/config/appsettings`, {
      id: `${site}/config/appsettings`,
      name: 'appsettings',
      type: 'Microsoft.Web/sites/config',
      properties: {
        ...(values.keptAppSettings as object),
        ...(values.roleSettings as object),
        STORAGE_TABLE_ENDPOINT: outputs.STORAGE_TABLE_ENDPOINT,
        APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD',
        SCM_DO_BUILD_DURING_DEPLOYMENT: 'false',
        ...redis,
      },
    });
  }

  /** Create everything the first time; nothing with the same parameters; the plan (and Redis) when its size changes. */
  private predict(subscription: string, name: string, parameters: Record<string, { value?: unknown }>): unknown[] {
    const values = plain(parameters);
    const before = this.deployed.get(name);
    const group = `/subscriptions/${subscription}/resourceGroups/${values.resourceGroupName}`;
    const ids = (of: Record<string, unknown>) => {
      const outputs = contractOutputs(of);
      return {
        group: [group, 'Microsoft.Resources/resourceGroups'],
        plan: [`${group}/providers/Microsoft.Web/serverfarms/${of.name}-plan`, 'Microsoft.Web/serverfarms'],
        site: [`${group}/providers/Microsoft.Web/sites/${of.name}`, 'Microsoft.Web/sites'],
        storage: [`${group}/providers/Microsoft.Storage/storageAccounts/${outputs.STORAGE_ACCOUNT_NAME}`, 'Microsoft.Storage/storageAccounts'],
        logs: [`${group}/providers/Microsoft.OperationalInsights/workspaces/${of.name}-logs`, 'Microsoft.OperationalInsights/workspaces'],
        insights: [`${group}/providers/Microsoft.Insights/components/${of.name}-insights`, 'Microsoft.Insights/components'],
        ...(outputs.REDIS_HOST_NAME ? { redis: [`${group}/providers/Microsoft.Cache/redisEnterprise/${of.name}-redis`, 'Microsoft.Cache/redisEnterprise'] } : {}),
      } as Record<string, [string, string]>;
    };
    const now = ids(values);
    const then = before ? ids(before) : {};
    const changes = Object.entries(now).map(([key, [resourceId, resourceType]]) => {
      if (!then[key]) return { resourceId, resourceType, changeType: 'Create' };
      if (key === 'plan' && (before!.sku !== values.sku || before!.instanceCount !== values.instanceCount)) {
        const delta = [
          ...(before!.sku !== values.sku ? [{ path: 'sku.name', propertyChangeType: 'Modify', before: before!.sku, after: values.sku }] : []),
          ...(before!.instanceCount !== values.instanceCount ? [{ path: 'sku.capacity', propertyChangeType: 'Modify', before: before!.instanceCount, after: values.instanceCount }] : []),
        ];
        return { resourceId, resourceType, changeType: 'Modify', delta };
      }
      return { resourceId, resourceType, changeType: 'NoChange' };
    });
    // Incremental mode never deletes: a resource no longer declared is left alone (Ignore).
    const left = Object.entries(then).filter(([key]) => !now[key]).map(([, [resourceId, resourceType]]) => ({ resourceId, resourceType, changeType: 'Ignore' }));
    return [...changes, ...left];
  }
}

/** What Resource Manager checks before it accepts a deployment. */
function requestProblem(body: any): string | undefined {
  if (typeof body?.location !== 'string' || !body.location) return "The 'location' property must be specified for a subscription-scope deployment.";
  const properties = body.properties ?? {};
  if (properties.mode !== 'Incremental') return `The deployment mode '${properties.mode}' is not supported at subscription scope.`;
  const template = properties.template;
  if (!template || !/subscriptionDeploymentTemplate\.json/.test(String(template.$schema))) return 'The template is not a subscription deployment template ($schema).';
  const declared = template.parameters ?? {};
  const given = properties.parameters ?? {};
  const unknown = Object.keys(given).filter((name) => !Object.hasOwn(declared, name));
  if (unknown.length) return `The template parameters '${unknown.join(', ')}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time.`;
  const notValue = Object.keys(given).filter((name) => typeof given[name] !== 'object' || !('value' in given[name]));
  if (notValue.length) return `The parameters '${notValue.join(', ')}' must be objects with a 'value' property.`;
  const missing = Object.keys(declared).filter((name) => !('defaultValue' in declared[name]) && !Object.hasOwn(given, name));
  if (missing.length) return `The value for the template parameter '${missing[0]}' is not provided.`;
  return undefined;
}

function plain(parameters: Record<string, { value?: unknown }>): Record<string, any> {
  return Object.fromEntries(Object.entries(parameters).map(([key, { value }]) => [key, value]));
}

function contractOutputs(values: Record<string, any>): Record<string, string> {
  const storage = `${String(values.name).toLowerCase().replace(/-/g, '').slice(0, 20)}hist`;
  return {
    AZURE_RESOURCE_GROUP: values.resourceGroupName ?? `rg-${values.name}`,
    WEB_APP_NAME: values.name,
    WEB_APP_URL: `https://${values.name}.azurewebsites.net/`,
    STORAGE_ACCOUNT_NAME: storage,
    STORAGE_TABLE_ENDPOINT: `https://${storage}.table.core.windows.net/`,
    REDIS_HOST_NAME: (values.instanceCount ?? 2) > 1 ? `${values.name}-redis.${values.location}.redis.azure.net` : '',
    APPLICATIONINSIGHTS_NAME: `${values.name}-insights`,
  };
}

/** The record as GET returns it; secure parameters are never returned (Azure keeps them out of the history). */
function view(record: Record_): Record<string, unknown> {
  const secure = new Set(Object.entries((record.template as any).parameters ?? {}).filter(([, p]: [string, any]) => /^secure/i.test(p.type)).map(([name]) => name));
  const parameters = Object.fromEntries(Object.entries(record.parameters).map(([key, value]) => [key, secure.has(key) ? { type: 'SecureObject' } : value]));
  return {
    id: record.id,
    name: record.name,
    type: 'Microsoft.Resources/deployments',
    location: record.location,
    properties: {
      provisioningState: record.state,
      mode: 'Incremental',
      parameters,
      ...(record.state === 'Succeeded' ? { outputs: Object.fromEntries(Object.entries(contractOutputs(plain(record.parameters))).map(([key, value]) => [key, { type: 'String', value }])) } : {}),
      ...(record.state === 'Failed' ? { error: deploymentError(record) } : {}),
    },
  };
}

function nestedName(record: Record_): string {
  const resources = Array.isArray(record.template.resources) ? record.template.resources : Object.values(record.template.resources as object);
  const module = resources.find((resource: any) => resource.type === 'Microsoft.Resources/deployments') as { name?: string } | undefined;
  return module?.name && !module.name.startsWith('[') ? module.name : 'resources';
}

const AT_LEAST_ONE = 'At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.';

function nestedError(nestedId: string, failures: ResourceFailure[]) {
  return {
    code: 'ResourceDeploymentFailure',
    target: nestedId,
    message: "The resource write operation failed to complete successfully, because it reached terminal provisioning state 'Failed'.",
    details: [{ code: 'DeploymentFailed', target: nestedId, message: AT_LEAST_ONE, details: failures.map(({ code, message }) => ({ code, message })) }],
  };
}

function deploymentError(record: Record_) {
  const subscription = record.id.split('/')[2];
  const nestedId = `/subscriptions/${subscription}/resourceGroups/${String(record.parameters.resourceGroupName?.value)}/providers/Microsoft.Resources/deployments/${nestedName(record)}`;
  return { code: 'DeploymentFailed', target: record.id, message: AT_LEAST_ONE, details: [nestedError(nestedId, record.failure ?? [])] };
}

function operation(id: string, resourceType: string, resourceName: string, statusCode: string, provisioningState: string) {
  return {
    id: `${id}/operations/${resourceName.length}${statusCode.length}`,
    operationId: `${resourceName.length}${statusCode.length}`,
    properties: { provisioningOperation: 'Create', provisioningState, timestamp: '2026-12-01T10:00:00.0000000Z', duration: 'PT1.5S', statusCode, targetResource: { id, resourceType, resourceName } },
  };
}

function failedOperation(subscription: string, group: string, failure: ResourceFailure, index: number) {
  const id = `/subscriptions/${subscription}/resourceGroups/${group}/providers/${failure.type}/${failure.name}`;
  const base = operation(id, failure.type, failure.name, failure.statusCode, 'Failed');
  const error = { code: failure.code, message: failure.message, ...(failure.additionalInfo ? { additionalInfo: failure.additionalInfo } : {}) };
  return { ...base, operationId: `F${index}`, properties: { ...base.properties, statusMessage: { status: 'Failed', error } } };
}
