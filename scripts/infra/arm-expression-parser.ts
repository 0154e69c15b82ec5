/**
 * The syntax of ARM template expressions (Microsoft Learn, "Syntax and expressions in ARM
 * templates"), apart from their meaning: arm-expressions.ts evaluates the tree, and the scans here
 * read it without evaluating, so a test can ask what a template calls or reads even where only a
 * deployment could answer.
 */
export class UnsupportedExpression extends Error {
  constructor(readonly expression: string, reason: string) {
    super(`${reason} in ${expression}`);
    this.name = 'UnsupportedExpression';
  }
}

export type ExpressionNode =
  | { kind: 'literal'; value: unknown }
  | { kind: 'call'; name: string; args: ExpressionNode[] }
  | { kind: 'property'; target: ExpressionNode; name: string }
  | { kind: 'index'; target: ExpressionNode; index: ExpressionNode };

/** Whether a template string is an expression (rather than a literal or an escaped "[[..."). */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('[') && !value.startsWith('[[') && value.endsWith(']');
}

/** The tree of an expression without its brackets; what ARM would reject throws UnsupportedExpression. */
export function parseExpression(expression: string): ExpressionNode {
  return new Parser(expression).parseAll();
}

/** Every function an expression ("[...]") calls, in lower case: ARM names are case-insensitive. */
export function functionsCalled(text: string): string[] {
  const found: string[] = [];
  walk(parseExpression(text.slice(1, -1)), (node) => {
    if (node.kind === 'call') found.push(node.name.toLowerCase());
  });
  return found;
}

/** Every property an expression ("[...]") reads with `.name` or `['name']`, with what it reads it from. */
export function propertiesRead(text: string): { property: string; from: string }[] {
  const found: { property: string; from: string }[] = [];
  walk(parseExpression(text.slice(1, -1)), (node) => {
    if (node.kind === 'property') found.push({ property: node.name, from: render(node.target) });
    if (node.kind === 'index' && node.index.kind === 'literal') found.push({ property: String(node.index.value), from: render(node.target) });
  });
  return found;
}

/** Visits targets before the nodes that read them, so properties come out in reading order. */
function walk(node: ExpressionNode, visit: (node: ExpressionNode) => void): void {
  if (node.kind === 'call') {
    visit(node);
    node.args.forEach((arg) => walk(arg, visit));
  } else if (node.kind === 'property') {
    walk(node.target, visit);
    visit(node);
  } else if (node.kind === 'index') {
    walk(node.target, visit);
    if (node.index.kind !== 'literal') walk(node.index, visit);
    visit(node);
  }
}

/** One spelling for every way of writing a read, so a scan can match on it: calls in lower case, properties as ['name']. */
function render(node: ExpressionNode): string {
  switch (node.kind) {
    case 'literal':
      return typeof node.value === 'string' ? `'${node.value}'` : String(node.value);
    case 'call':
      return `${node.name.toLowerCase()}(${node.args.map(render).join(', ')})`;
    case 'property':
      return `${render(node.target)}['${node.name}']`;
    case 'index':
      return `${render(node.target)}[${render(node.index)}]`;
  }
}

/** Recursive descent over: call := name '(' args ')' accessor*; literal := 'text' | number. */
class Parser {
  private position = 0;

  constructor(private readonly expression: string) {}

  parseAll(): ExpressionNode {
    const node = this.parseValue();
    this.skipSpace();
    if (this.position !== this.expression.length) this.fail('unexpected text');
    return node;
  }

  private parseValue(): ExpressionNode {
    this.skipSpace();
    const char = this.expression[this.position];
    let node: ExpressionNode;
    if (char === "'") node = { kind: 'literal', value: this.parseString() };
    else if (char !== undefined && /[-\d]/.test(char)) node = { kind: 'literal', value: this.parseNumber() };
    else node = this.parseCall();
    return this.parseAccessors(node);
  }

  private parseAccessors(node: ExpressionNode): ExpressionNode {
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

  private parseCall(): ExpressionNode {
    const name = this.parseName();
    this.skipSpace();
    this.expect('(');
    const args: ExpressionNode[] = [];
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
