import { createHash } from 'node:crypto';

/**
 * Just enough of Azure Resource Manager's template expression language to evaluate what our
 * compiled template computes (names, app settings, outputs) without Azure: parse `[...]` strings
 * and call the functions the template uses. An unknown function is an error, so the tests notice
 * when the template starts using something this file does not model. `reference()` is answered by
 * the caller, standing in for the deployed resources.
 */

export type Node =
  | { kind: 'literal'; value: unknown }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'member'; target: Node; property: Node };

export interface Scope {
  parameters: Record<string, unknown>;
  variables: Record<string, unknown>;
  /** The deployed state of the resource with this id (`apiVersion` aside); `full` adds identity. */
  reference(resourceId: string, full: boolean): Record<string, unknown>;
  lambdas?: Record<string, unknown>;
}

export const RESOURCE_GROUP_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-test';

export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('[') && !value.startsWith('[[') && value.endsWith(']');
}

/** A template value with every expression in it evaluated, recursively. */
export function evaluate(value: unknown, scope: Scope): unknown {
  if (isExpression(value)) return evaluateNode(parse(value.slice(1, -1)), scope);
  if (Array.isArray(value)) return value.map((item) => evaluate(item, scope));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluate(item, scope)]));
  return value;
}

export function parse(text: string): Node {
  let at = 0;
  const skip = () => { while (text[at] === ' ') at++; };
  const expect = (char: string) => {
    skip();
    if (text[at] !== char) throw new SyntaxError(`expected ${char} at ${at} in ${text}`);
    at++;
  };
  const identifier = () => {
    skip();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at));
    if (!match) throw new SyntaxError(`expected a name at ${at} in ${text}`);
    at += match[0].length;
    return match[0];
  };
  const primary = (): Node => {
    skip();
    if (text[at] === "'") {
      let value = '';
      for (at++; ; at++) {
        if (at >= text.length) throw new SyntaxError(`unterminated string in ${text}`);
        if (text[at] === "'" && text[at + 1] === "'") { value += "'"; at++; continue; }
        if (text[at] === "'") { at++; return { kind: 'literal', value }; }
        value += text[at];
      }
    }
    const number = /^-?\d+/.exec(text.slice(at));
    if (number) { at += number[0].length; return { kind: 'literal', value: Number(number[0]) }; }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at));
    if (!name) throw new SyntaxError(`unexpected ${text[at]} at ${at} in ${text}`);
    at += name[0].length;
    expect('(');
    const args: Node[] = [];
    skip();
    if (text[at] === ')') at++;
    else {
      for (;;) {
        args.push(expression());
        skip();
        if (text[at] === ',') { at++; continue; }
        expect(')');
        break;
      }
    }
    return { kind: 'call', name: name[0].toLowerCase(), args };
  };
  const expression = (): Node => {
    let node = primary();
    for (;;) {
      skip();
      if (text[at] === '.') { at++; node = { kind: 'member', target: node, property: { kind: 'literal', value: identifier() } }; }
      else if (text[at] === '[') { at++; const property = expression(); expect(']'); node = { kind: 'member', target: node, property }; }
      else return node;
    }
  };
  const node = expression();
  skip();
  if (at !== text.length) throw new SyntaxError(`trailing text at ${at} in ${text}`);
  return node;
}

function evaluateNode(node: Node, scope: Scope): unknown {
  if (node.kind === 'literal') return node.value;
  if (node.kind === 'member') {
    const target = evaluateNode(node.target, scope) as Record<string, unknown> | undefined;
    const property = String(evaluateNode(node.property, scope));
    if (target === null || typeof target !== 'object' || !(property in target)) throw new TypeError(`no property ${property}`);
    return target[property];
  }
  const arg = (index: number) => evaluateNode(node.args[index]!, scope);
  const args = () => node.args.map((item) => evaluateNode(item, scope));
  switch (node.name) {
    case 'parameters': return scope.parameters[String(arg(0))];
    case 'variables': return evaluate(scope.variables[String(arg(0))], scope);
    // ARM evaluates only the branch taken, which is what makes a conditional resource's reference safe.
    case 'if': return arg(0) ? arg(1) : arg(2);
    case 'lambda': return { lambda: String(arg(0)), body: node.args[1]! };
    case 'lambdavariables': return scope.lambdas?.[String(arg(0))];
    case 'map': {
      const [items, fn] = args() as [unknown[], { lambda: string; body: Node }];
      return items.map((item) => evaluateNode(fn.body, { ...scope, lambdas: { ...scope.lambdas, [fn.lambda]: item } }));
    }
    case 'items': return Object.keys(arg(0) as object).sort().map((key) => ({ key, value: (arg(0) as Record<string, unknown>)[key] }));
    case 'union': return Object.assign({}, ...(args() as object[]));
    case 'createobject': {
      const values = args();
      return Object.fromEntries(Array.from({ length: values.length / 2 }, (_, i) => [values[2 * i], values[2 * i + 1]]));
    }
    case 'format': {
      const [template, ...values] = args() as [string, ...unknown[]];
      return template.replace(/\{(\d+)\}/g, (_, index: string) => String(values[Number(index)]));
    }
    case 'concat': return args().join('');
    case 'take': return (arg(0) as string).slice(0, arg(1) as number);
    case 'replace': return (arg(0) as string).split(arg(1) as string).join(arg(2) as string);
    case 'tolower': return (arg(0) as string).toLowerCase();
    case 'greater': return (arg(0) as number) > (arg(1) as number);
    case 'equals': return arg(0) === arg(1);
    // Shaped like ARM's (a deterministic GUID of the arguments), not the same value.
    case 'guid': {
      const hex = createHash('sha1').update(args().join('-')).digest('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    }
    case 'resourceid': {
      const [type, ...names] = args() as string[];
      return `${RESOURCE_GROUP_ID}/providers/${type}/${names.join('/')}`;
    }
    case 'subscriptionresourceid': {
      const [type, ...names] = args() as string[];
      return `/subscriptions/00000000-0000-0000-0000-000000000000/providers/${type}/${names.join('/')}`;
    }
    case 'reference': return scope.reference(String(arg(0)), node.args.length > 2 && arg(2) === 'full');
    default: throw new Error(`the test's ARM evaluator does not know ${node.name}()`);
  }
}

/** Every function an expression calls, by name in lower case (for the negative checks). */
export function functionsCalled(text: string): string[] {
  const found: string[] = [];
  const walk = (node: Node) => {
    if (node.kind === 'call') { found.push(node.name); node.args.forEach(walk); }
    if (node.kind === 'member') { walk(node.target); walk(node.property); }
  };
  walk(parse(text.slice(1, -1)));
  return found;
}

/** Every property an expression reads with `.name` or `['name']`, with what it reads it from. */
export function propertiesRead(text: string): { property: string; from: string }[] {
  const found: { property: string; from: string }[] = [];
  const walk = (node: Node) => {
    if (node.kind === 'call') node.args.forEach(walk);
    if (node.kind === 'member') {
      walk(node.target);
      if (node.property.kind === 'literal') found.push({ property: String(node.property.value), from: render(node.target) });
      else walk(node.property);
    }
  };
  walk(parse(text.slice(1, -1)));
  return found;
}

function render(node: Node): string {
  if (node.kind === 'literal') return typeof node.value === 'string' ? `'${node.value}'` : String(node.value);
  if (node.kind === 'call') return `${node.name}(${node.args.map(render).join(', ')})`;
  return `${render(node.target)}[${render(node.property)}]`;
}
