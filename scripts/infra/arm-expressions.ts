import { type ExpressionNode, UnsupportedExpression, parseExpression } from './arm-expression-parser.js';

/**
 * Evaluates the ARM template expressions of the compiled infra/main.json without Azure, for two
 * readers: publish's `--dry-run`, which shows the names Azure will create (infra/resources.bicep keeps them
 * simple functions of the parameters for that reason), and the infra tests, which evaluate the whole template.
 * Only functions whose answer follows from the template and its parameters are built in. What
 * depends on Azure (reference(), guid(), uniqueString(), ...) is refused with UnsupportedExpression,
 * so a caller shows the raw expression instead of guessing, unless the caller supplies the function.
 */
export interface ExpressionContext {
  parameters: Record<string, unknown>;
  /** Raw variable values from the template; evaluated on first use (they may use each other). */
  variables: Record<string, unknown>;
  /** Where the template deploys, for resourceId(): known to publish, unlike anything Azure assigns. */
  subscriptionId?: string;
  resourceGroup?: string;
  /** Answers for functions only a deployment knows, keyed in lower case; consulted for names not built in. */
  functions?: Record<string, (args: unknown[]) => unknown>;
  /** The values lambda() parameters stand for inside a lambda's body. */
  lambdas?: Record<string, unknown>;
}

/** A template value: a string "[...]" is an expression, "[[..." an escaped literal, anything else as is. */
export function evaluateValue(value: unknown, context: ExpressionContext, resolving = new Set<string>()): unknown {
  if (typeof value === 'string') {
    if (value.startsWith('[[')) return value.slice(1);
    if (value.startsWith('[') && value.endsWith(']')) return evaluateExpression(value.slice(1, -1), context, resolving);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => evaluateValue(item, context, resolving));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluateValue(item, context, resolving)]));
  }
  return value;
}

/** `resolving`: the variables being evaluated, so one that refers to itself is refused, not recursed into. */
export function evaluateExpression(expression: string, context: ExpressionContext, resolving = new Set<string>()): unknown {
  return evaluate(parseExpression(expression), context, expression, resolving);
}

function evaluate(node: ExpressionNode, context: ExpressionContext, expression: string, resolving: Set<string>): unknown {
  const recurse = (child: ExpressionNode) => evaluate(child, context, expression, resolving);
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'property': {
      const target = recurse(node.target);
      if (!target || typeof target !== 'object' || !Object.hasOwn(target, node.name)) throw new UnsupportedExpression(expression, `no property ${node.name}`);
      return (target as Record<string, unknown>)[node.name];
    }
    case 'index': {
      const target = recurse(node.target) as Record<string | number, unknown> | undefined;
      const index = recurse(node.index) as string | number;
      if (!target || typeof target !== 'object' || !Object.hasOwn(target, index)) throw new UnsupportedExpression(expression, `no element ${index}`);
      return target[index];
    }
    case 'call':
      break;
  }
  const name = node.name.toLowerCase();
  if (name === 'variables') {
    const variable = String(recurse(node.args[0]!));
    if (!Object.hasOwn(context.variables, variable)) throw new UnsupportedExpression(expression, `no variable ${variable}`);
    if (resolving.has(variable)) throw new UnsupportedExpression(expression, `variable ${variable} refers to itself`);
    resolving.add(variable);
    try {
      return evaluateValue(context.variables[variable], context, resolving);
    } finally {
      resolving.delete(variable);
    }
  }
  // `if` evaluates only the branch it takes, as ARM does: a conditional resource's reference() stays unasked.
  if (name === 'if') {
    return recurse(node.args[0]!) === true ? recurse(node.args[1]!) : recurse(node.args[2]!);
  }
  // A lambda's body is evaluated per item, by map(), with its parameters bound.
  if (name === 'lambda') {
    const names = node.args.slice(0, -1).map((arg) => String(recurse(arg)));
    const body = node.args.at(-1)!;
    return (...values: unknown[]) => {
      const bound = Object.fromEntries(names.map((parameter, index) => [parameter, values[index]]));
      return evaluate(body, { ...context, lambdas: { ...context.lambdas, ...bound } }, expression, resolving);
    };
  }
  const args = node.args.map(recurse);
  const text = (index: number): string => {
    const value = args[index];
    if (typeof value !== 'string') throw new UnsupportedExpression(expression, `${node.name}() expects a string as argument ${index + 1}`);
    return value;
  };
  const object = (value: unknown): Record<string, unknown> => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UnsupportedExpression(expression, `${node.name}() expects objects`);
    return value as Record<string, unknown>;
  };
  switch (name) {
    case 'parameters': {
      const parameter = text(0);
      if (!Object.hasOwn(context.parameters, parameter)) throw new UnsupportedExpression(expression, `no parameter ${parameter}`);
      return context.parameters[parameter];
    }
    case 'lambdavariables': {
      const variable = text(0);
      if (!Object.hasOwn(context.lambdas ?? {}, variable)) throw new UnsupportedExpression(expression, `no lambda variable ${variable}`);
      return context.lambdas![variable];
    }
    case 'format':
      return text(0).replace(/\{(\d+)(?::[^}]*)?\}/g, (_, position: string) => stringOf(args[Number(position) + 1], expression));
    case 'tolower':
      return text(0).toLowerCase();
    case 'toupper':
      return text(0).toUpperCase();
    case 'replace':
      return text(0).split(text(1)).join(text(2));
    case 'take': {
      const count = Math.max(0, Number(args[1]));
      if (typeof args[0] === 'string' || Array.isArray(args[0])) return args[0].slice(0, count);
      throw new UnsupportedExpression(expression, 'take() expects a string or an array');
    }
    case 'concat':
      return args.every(Array.isArray) ? args.flat() : args.map((value) => stringOf(value, expression)).join('');
    case 'string':
      return typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
    case 'createobject': {
      if (args.length % 2 !== 0) throw new UnsupportedExpression(expression, 'createObject() expects key, value pairs');
      return Object.fromEntries(Array.from({ length: args.length / 2 }, (_, pair) => [text(2 * pair), args[2 * pair + 1]]));
    }
    // Later objects win a shared name (the template's own app settings over kept ones); nothing of ours nests, so no deep merge.
    case 'union':
      return Object.assign({}, ...args.map(object));
    // ARM lists an object's items in key order, not declaration order.
    case 'items': {
      const value = object(args[0]);
      return Object.keys(value).sort().map((key) => ({ key, value: value[key] }));
    }
    case 'map': {
      const [items, fn] = args;
      if (!Array.isArray(items) || typeof fn !== 'function') throw new UnsupportedExpression(expression, 'map() expects an array and a lambda');
      return items.map((item, index) => fn(item, index));
    }
    case 'equals':
      return JSON.stringify(args[0]) === JSON.stringify(args[1]);
    case 'greater':
      return (args[0] as number) > (args[1] as number);
    case 'greaterorequals':
      return (args[0] as number) >= (args[1] as number);
    case 'less':
      return (args[0] as number) < (args[1] as number);
    case 'lessorequals':
      return (args[0] as number) <= (args[1] as number);
    case 'not':
      return args[0] !== true;
    case 'and':
      return args.every((value) => value === true);
    case 'or':
      return args.some((value) => value === true);
    case 'resourceid':
    case 'subscriptionresourceid':
      return resourceId(name === 'resourceid', args, context, expression);
    case 'true':
      return true;
    case 'false':
      return false;
  }
  const supplied = context.functions?.[name];
  if (supplied) return supplied(args);
  throw new UnsupportedExpression(expression, `${node.name}() is not evaluated offline`);
}

/** resourceId([subscriptionId], [resourceGroupName], type, name1, name2, ...), as ARM defines it. */
function resourceId(inGroup: boolean, args: unknown[], context: ExpressionContext, expression: string): string {
  if (!args.every((value) => typeof value === 'string')) throw new UnsupportedExpression(expression, 'resourceId() expects strings');
  const values = args as string[];
  const typeAt = values.findIndex((value) => value.includes('/'));
  if (typeAt < 0) throw new UnsupportedExpression(expression, 'resourceId() without a resource type');
  const before = values.slice(0, typeAt);
  const subscription = (before.length === (inGroup ? 2 : 1) ? before[0] : undefined) ?? context.subscriptionId;
  const group = inGroup ? (before.at(-1) ?? context.resourceGroup) : undefined;
  if (!subscription || (inGroup && !group)) throw new UnsupportedExpression(expression, 'resourceId() outside a known subscription or group');
  const [namespace, ...types] = values[typeAt]!.split('/');
  const names = values.slice(typeAt + 1);
  if (names.length !== types.length) throw new UnsupportedExpression(expression, 'resourceId() with a name per type segment');
  const path = types.map((type, index) => `${type}/${names[index]}`).join('/');
  return `/subscriptions/${subscription}${group ? `/resourceGroups/${group}` : ''}/providers/${namespace}/${path}`;
}

function stringOf(value: unknown, expression: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UnsupportedExpression(expression, 'an object or array inside a string');
}
