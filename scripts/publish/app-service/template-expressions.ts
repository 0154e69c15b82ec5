/**
 * A small evaluator for the ARM template expressions the compiled infra/main.json uses for resource
 * names and conditions, so `--dry-run` can show the names Azure will create without calling Azure.
 * By contract (CONTRACT.md) the names are simple functions of the parameters; this covers
 * parameters(), variables(), format(), toLower(), toUpper(), replace(), take(), concat(), string(),
 * string and number literals, property access, the comparisons Bicep emits for conditions
 * (greater, less, equals, not, and, or, if), and resourceId()/subscriptionResourceId() when the
 * subscription (and group) are known. Anything else throws UnsupportedExpression, and the
 * caller shows the raw expression instead of guessing (guid(), uniqueString() and reference() depend
 * on Azure). Grammar: Microsoft Learn, "Syntax and expressions in ARM templates".
 */
export class UnsupportedExpression extends Error {
  constructor(readonly expression: string, reason: string) {
    super(`${reason} in ${expression}`);
    this.name = 'UnsupportedExpression';
  }
}

export interface ExpressionContext {
  parameters: Record<string, unknown>;
  /** Raw variable values from the template; evaluated on first use (they may use each other). */
  variables: Record<string, unknown>;
  /** Where the template deploys, for resourceId(): known to publish, unlike anything Azure assigns. */
  subscriptionId?: string;
  resourceGroup?: string;
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

/** Whether a template string is an expression (rather than a literal). */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('[') && !value.startsWith('[[') && value.endsWith(']');
}

type Node =
  | { kind: 'literal'; value: unknown }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'property'; target: Node; name: string }
  | { kind: 'index'; target: Node; index: Node };

/** `resolving`: the variables being evaluated, so one that refers to itself is refused, not recursed into. */
export function evaluateExpression(expression: string, context: ExpressionContext, resolving = new Set<string>()): unknown {
  const parser = new Parser(expression);
  const node = parser.parseAll();
  return evaluate(node, context, expression, resolving);
}

function evaluate(node: Node, context: ExpressionContext, expression: string, resolving: Set<string>): unknown {
  const recurse = (child: Node) => evaluate(child, context, expression, resolving);
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
  // `if` evaluates only the branch it takes, as ARM does.
  if (name === 'if') {
    return recurse(node.args[0]!) === true ? recurse(node.args[1]!) : recurse(node.args[2]!);
  }
  const args = node.args.map(recurse);
  const text = (index: number): string => {
    const value = args[index];
    if (typeof value !== 'string') throw new UnsupportedExpression(expression, `${node.name}() expects a string as argument ${index + 1}`);
    return value;
  };
  switch (name) {
    case 'parameters': {
      const parameter = text(0);
      if (!Object.hasOwn(context.parameters, parameter)) throw new UnsupportedExpression(expression, `no parameter ${parameter}`);
      return context.parameters[parameter];
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
    default:
      throw new UnsupportedExpression(expression, `${node.name}() is not evaluated offline`);
  }
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

/** Recursive descent over: call := name '(' args ')' accessor*; literal := 'text' | number. */
class Parser {
  private position = 0;

  constructor(private readonly expression: string) {}

  parseAll(): Node {
    const node = this.parseValue();
    this.skipSpace();
    if (this.position !== this.expression.length) this.fail('unexpected text');
    return node;
  }

  private parseValue(): Node {
    this.skipSpace();
    const char = this.expression[this.position];
    let node: Node;
    if (char === "'") node = { kind: 'literal', value: this.parseString() };
    else if (char !== undefined && /[-\d]/.test(char)) node = { kind: 'literal', value: this.parseNumber() };
    else node = this.parseCall();
    return this.parseAccessors(node);
  }

  private parseAccessors(node: Node): Node {
    for (;;) {
      this.skipSpace();
      const char = this.expression[this.position];
      if (char === '.') {
        this.position += 1;
        node = { kind: 'property', target: node, name: this.parseName() };
      } else if (char === '[') {
        this.position += 1;
        const index = this.parseValue();
        this.expect(']');
        node = { kind: 'index', target: node, index };
      } else {
        return node;
      }
    }
  }

  private parseCall(): Node {
    const name = this.parseName();
    this.skipSpace();
    this.expect('(');
    const args: Node[] = [];
    this.skipSpace();
    if (this.expression[this.position] === ')') {
      this.position += 1;
      return { kind: 'call', name, args };
    }
    for (;;) {
      args.push(this.parseValue());
      this.skipSpace();
      const char = this.expression[this.position];
      this.position += 1;
      if (char === ')') return { kind: 'call', name, args };
      if (char !== ',') this.fail('expected , or )');
    }
  }

  private parseName(): string {
    const match = /^[A-Za-z_][\w]*/.exec(this.expression.slice(this.position));
    if (!match) this.fail('expected a function or property name');
    this.position += match![0].length;
    return match![0];
  }

  private parseString(): string {
    let value = '';
    this.position += 1;
    for (;;) {
      const char = this.expression[this.position];
      if (char === undefined) this.fail('unterminated string');
      this.position += 1;
      if (char === "'") {
        // '' inside a string is one quote.
        if (this.expression[this.position] !== "'") return value;
        this.position += 1;
      }
      value += char;
    }
  }

  private parseNumber(): number {
    const match = /^-?\d+/.exec(this.expression.slice(this.position));
    if (!match) this.fail('expected a number');
    this.position += match![0].length;
    return Number(match![0]);
  }

  private expect(char: string): void {
    if (this.expression[this.position] !== char) this.fail(`expected ${char}`);
    this.position += 1;
  }

  private skipSpace(): void {
    while (this.expression[this.position] === ' ') this.position += 1;
  }

  private fail(reason: string): never {
    throw new UnsupportedExpression(this.expression, `${reason} at ${this.position}`);
  }
}
