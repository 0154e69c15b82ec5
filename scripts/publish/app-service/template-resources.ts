import { existsSync, readFileSync } from 'node:fs';
import { PublishError } from '../errors.js';
import { UnsupportedExpression, isExpression } from '../../infra/arm-expression-parser.js';
import { type ExpressionContext, evaluateValue } from '../../infra/arm-expressions.js';

/**
 * The compiled template (infra/main.json, built from infra/main.bicep and committed, so publishing
 * needs no Bicep CLI) and what `--dry-run` says about it: its parameters and every resource it
 * declares, by type and resolved name, nested deployments (Bicep modules) included.
 */
export interface ArmTemplate {
  $schema?: string;
  parameters?: Record<string, { type: string; defaultValue?: unknown }>;
  variables?: Record<string, unknown>;
  /** An array, or an object keyed by symbolic name (languageVersion 2.0). */
  resources: TemplateResource[] | Record<string, TemplateResource>;
  outputs?: Record<string, unknown>;
}

interface TemplateResource {
  type: string;
  name: string;
  condition?: unknown;
  resourceGroup?: string;
  scope?: string;
  properties?: { template?: ArmTemplate; parameters?: Record<string, { value?: unknown }>; expressionEvaluationOptions?: { scope?: string } };
}

export interface DeclaredResource {
  type: string;
  /** The name Azure will use, or the raw expression when it depends on Azure (a guid(), say). */
  name: string;
  resolved: boolean;
  /** Nesting depth: resources of a module are one deeper than the module's deployment. */
  depth: number;
  resourceGroup?: string;
  /** For an extension resource (a role assignment): the resource it applies to. */
  scope?: string;
  /** Set for a conditional resource: when it is deployed, and whether it is with these parameters. */
  condition?: { when: string; deployed: boolean | undefined };
}

export function readTemplate(file: string, shown: string): ArmTemplate {
  if (!existsSync(file)) {
    throw new PublishError(
      `template missing: ${shown}`,
      'it is committed with the repository (compiled from infra/main.bicep); restore it with git checkout, or rebuild it with `bicep build infra/main.bicep`',
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ArmTemplate;
}

/** Secure parameters (secureString, secureObject): shown as <secure>, never printed. */
export function secureParameterNames(template: ArmTemplate): Set<string> {
  return new Set(Object.entries(template.parameters ?? {}).filter(([, { type }]) => /^secure/i.test(type)).map(([name]) => name));
}

/** The given values plus the template's defaults for the rest, evaluated in declaration order. */
export function parameterValues(template: ArmTemplate, given: Record<string, unknown>, where: Where = {}): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(template.parameters ?? {})) {
    if (Object.hasOwn(given, name)) values[name] = given[name];
    else if ('defaultValue' in definition) values[name] = tryEvaluate(definition.defaultValue, { parameters: values, variables: template.variables ?? {}, ...where });
  }
  return values;
}

/** The deployment's scope: a subscription-scope template, and the group of a nested one. */
export interface Where {
  subscriptionId?: string;
  resourceGroup?: string;
}

export function declaredResources(template: ArmTemplate, parameters: Record<string, unknown>, where: Where = {}, depth = 0): DeclaredResource[] {
  const context: ExpressionContext = { parameters, variables: template.variables ?? {}, ...where };
  const resourceGroup = where.resourceGroup;
  const resources = Array.isArray(template.resources) ? template.resources : Object.values(template.resources);
  return resources.flatMap((resource) => {
    const name = tryEvaluate(resource.name, context);
    const group = resource.resourceGroup === undefined ? resourceGroup : stringOrRaw(resource.resourceGroup, context);
    const declared: DeclaredResource = {
      type: resource.type,
      name: typeof name === 'string' ? name : String(resource.name).replace(/^\[(.*)\]$/, '$1'),
      resolved: typeof name === 'string',
      depth,
      ...(group !== undefined ? { resourceGroup: group } : {}),
      // Shown without the /subscriptions/<id>/resourceGroups/<group>/providers/ prefix everyone shares.
      ...(resource.scope !== undefined ? { scope: stringOrRaw(resource.scope, context).replace(/^\/subscriptions\/.*?\/providers\//, '') } : {}),
      ...(resource.condition !== undefined ? { condition: describeCondition(resource.condition, context) } : {}),
    };
    const nested = resource.type.toLowerCase() === 'microsoft.resources/deployments' ? resource.properties?.template : undefined;
    if (!nested) return [declared];
    // A module's template sees only the values passed to it ("inner" scope, what Bicep emits).
    const inner = resource.properties?.expressionEvaluationOptions?.scope?.toLowerCase() === 'inner';
    const nestedWhere: Where = { ...where, ...(group !== undefined ? { resourceGroup: group } : {}) };
    const nestedParameters = inner
      ? parameterValues(nested, Object.fromEntries(Object.entries(resource.properties?.parameters ?? {}).map(([key, { value }]) => [key, tryEvaluate(value, context)])), nestedWhere)
      : parameters;
    return [declared, ...declaredResources(nested, nestedParameters, nestedWhere, depth + 1)];
  });
}

/** The value, or undefined when it depends on something only Azure knows. */
function tryEvaluate(value: unknown, context: ExpressionContext): unknown {
  try {
    return evaluateValue(value, context);
  } catch (error) {
    if (error instanceof UnsupportedExpression) return undefined;
    throw error;
  }
}

function stringOrRaw(value: string, context: ExpressionContext): string {
  const evaluated = tryEvaluate(value, context);
  return typeof evaluated === 'string' ? evaluated : value.replace(/^\[(.*)\]$/, '$1');
}

/**
 * "instanceCount > 1" for Bicep's `greater(parameters('instanceCount'), 1)` (a variable holding it
 * is looked through), else the raw expression; plus whether it holds for these parameters.
 */
function describeCondition(condition: unknown, context: ExpressionContext): { when: string; deployed: boolean | undefined } {
  const value = tryEvaluate(condition, context);
  const deployed = typeof value === 'boolean' ? value : undefined;
  let expression = isExpression(condition) ? condition.slice(1, -1) : JSON.stringify(condition);
  const variable = /^variables\('([^']+)'\)$/.exec(expression)?.[1];
  if (variable && isExpression(context.variables[variable])) expression = (context.variables[variable] as string).slice(1, -1);
  const operators: Record<string, string> = { greater: '>', greaterOrEquals: '>=', less: '<', lessOrEquals: '<=', equals: '==' };
  const comparison = /^(greater|greaterOrEquals|less|lessOrEquals|equals)\(parameters\('([^']+)'\), *('[^']*'|-?\d+)\)$/.exec(expression);
  const when = comparison ? `${comparison[2]} ${operators[comparison[1]!]} ${comparison[3]}` : expression;
  return { when, deployed };
}
