import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type ExpressionContext, evaluateValue } from '../../../scripts/infra/arm-expressions.js';
import { MAIN_JSON } from '../../../scripts/infra/bicep.js';

/** The committed infra/main.json, read as publish reads it, and its one nested deployment. */
export interface ArmResource {
  type: string;
  name: string;
  condition?: string;
  properties?: Record<string, any>;
  [field: string]: any;
}

export interface ArmTemplate {
  parameters: Record<string, { type: string; defaultValue?: unknown }>;
  variables?: Record<string, unknown>;
  resources: ArmResource[];
  outputs: Record<string, { type: string; value: unknown }>;
}

export const template: ArmTemplate = JSON.parse(readFileSync(MAIN_JSON, 'utf8'));
export const deployment = only(template.resources, 'Microsoft.Resources/deployments');
export const nested: ArmTemplate = deployment.properties!.template;

export function only(resources: ArmResource[], type: string): ArmResource {
  const found = resources.filter((resource) => resource.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}

export const SITE_PRINCIPAL = 'site-principal-object-id';
export const LOCATION = 'westeurope';

/** Where the stand-in deployment goes: resourceId() needs one, the tests compare ids made in it. */
const WHERE = { subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'rg-test' };

/** What Resource Manager would answer for reference() once our resources exist. */
function reference(resourceId: string, full: boolean): Record<string, unknown> {
  const match = /\/providers\/([^/]+\/[^/]+)\/([^/]+)$/.exec(resourceId);
  if (!match) throw new Error(`reference() of an unexpected id ${resourceId}`);
  const [, type, name] = match;
  const properties: Record<string, Record<string, unknown>> = {
    'Microsoft.Storage/storageAccounts': { primaryEndpoints: { table: `https://${name}.table.core.windows.net/` } },
    'Microsoft.Insights/components': { ConnectionString: 'InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/' },
    'Microsoft.Cache/redisEnterprise': { hostName: `${name}.${LOCATION}.redis.azure.net` },
    'Microsoft.Web/sites': { defaultHostName: `${name}.azurewebsites.net` },
  };
  if (!properties[type!]) throw new Error(`reference() of an unexpected type ${type}`);
  return full ? { properties: properties[type!], identity: type === 'Microsoft.Web/sites' ? { principalId: SITE_PRINCIPAL } : undefined } : properties[type!]!;
}

/** Shaped like ARM's guid() (a deterministic GUID of the arguments), not the same value. */
function guid(args: unknown[]): string {
  const hex = createHash('sha1').update(args.join('-')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The functions only a deployment answers; reference(id, apiVersion, 'full') adds the identity. */
const functions: ExpressionContext['functions'] = {
  reference: ([id, , full]) => reference(String(id), full === 'full'),
  guid,
};

function withDefaults(declared: ArmTemplate['parameters'], given: Record<string, unknown>, scope: Omit<ExpressionContext, 'parameters'>): Record<string, unknown> {
  const parameters: Record<string, unknown> = { ...given };
  for (const [name, { defaultValue }] of Object.entries(declared)) {
    if (!(name in parameters) && defaultValue !== undefined) parameters[name] = evaluateValue(defaultValue, { ...scope, parameters });
  }
  return parameters;
}

/** The outer and nested scopes of a deployment of main.json with these parameters. */
export function deploy(given: Record<string, unknown>): { outer: ExpressionContext; inner: ExpressionContext } {
  const outerBase = { ...WHERE, variables: template.variables ?? {}, functions };
  const outer: ExpressionContext = { ...outerBase, parameters: withDefaults(template.parameters, given, outerBase) };
  const passed = Object.fromEntries(Object.entries(deployment.properties!.parameters as Record<string, { value: unknown }>).map(([name, { value }]) => [name, evaluateValue(value, outer)]));
  const innerBase = { ...WHERE, variables: nested.variables ?? {}, functions };
  const inner: ExpressionContext = { ...innerBase, parameters: withDefaults(nested.parameters, passed, innerBase) };
  return { outer, inner };
}

export { evaluateValue as evaluate };
