import { readFileSync } from 'node:fs';

/**
 * A checker for the parts of Swagger 2.0 that Azure's cloudService and Microsoft.Web definitions
 * use: local `$ref`s, `allOf` (a resource's `location`, `kind`, `tags` come from `Resource`),
 * object / array / string / integer / boolean types, `required`, `enum`, `readOnly` (which a request
 * must not send) and `additionalProperties`. Unknown properties are reported too: ARM ignores or
 * rejects them, and either way a typo in a body would otherwise pass. The `../../../common-types`
 * references are not in the copied file; the two it needs are written out below from Azure's
 * common-types v1 (SubResource: `{ id }`; SystemData: response-only).
 */
export interface SwaggerDocument {
  definitions: Record<string, Schema>;
}

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: string[];
  readOnly?: boolean;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  format?: string;
  allOf?: Schema[];
}

const COMMON_TYPES: Record<string, Schema> = {
  SubResource: { type: 'object', properties: { id: { type: 'string' } } },
  SystemData: { type: 'object', readOnly: true, properties: {} },
};

export function loadSwagger(path: string): SwaggerDocument {
  return JSON.parse(readFileSync(path, 'utf8')) as SwaggerDocument;
}

/** Problems with `value` as a request body of `definition`; empty means valid. */
export function checkAgainstDefinition(document: SwaggerDocument, definition: string, value: unknown): string[] {
  const schema = document.definitions[definition];
  if (!schema) throw new Error(`no definition ${definition}`);
  const problems: string[] = [];
  check(document, schema, value, definition, problems);
  return problems;
}

function resolve(document: SwaggerDocument, schema: Schema): Schema {
  if (schema.allOf) {
    // The parents' properties and required fields, then the schema's own on top.
    const { allOf, ...own } = schema;
    const parents = allOf.map((parent) => resolve(document, parent));
    return {
      ...own,
      type: own.type ?? 'object',
      properties: Object.assign({}, ...parents.map((parent) => parent.properties ?? {}), own.properties ?? {}),
      required: [...parents.flatMap((parent) => parent.required ?? []), ...(own.required ?? [])],
    };
  }
  if (!schema.$ref) return schema;
  const name = schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1);
  const target = schema.$ref.startsWith('#/') ? document.definitions[name] : COMMON_TYPES[name];
  if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
  // A $ref's siblings (readOnly, description) apply too.
  return { ...resolve(document, target), ...(schema.readOnly ? { readOnly: true } : {}) };
}

function check(document: SwaggerDocument, raw: Schema, value: unknown, path: string, problems: string[]): void {
  const schema = resolve(document, raw);
  if (schema.readOnly) {
    problems.push(`${path}: read-only, must not be sent`);
    return;
  }
  if (schema.enum && !schema.enum.includes(value as string)) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  const type = schema.type ?? (schema.properties ? 'object' : undefined);
  switch (type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push(`${path}: expected an object`);
        return;
      }
      const record = value as Record<string, unknown>;
      for (const name of schema.required ?? []) if (!(name in record)) problems.push(`${path}.${name}: required`);
      for (const [name, child] of Object.entries(record)) {
        const property = schema.properties?.[name];
        if (property) check(document, property, child, `${path}.${name}`, problems);
        else if (typeof schema.additionalProperties === 'object') check(document, schema.additionalProperties, child, `${path}.${name}`, problems);
        else problems.push(`${path}.${name}: not in the definition`);
      }
      return;
    }
    case 'array':
      if (!Array.isArray(value)) problems.push(`${path}: expected an array`);
      else value.forEach((item, index) => check(document, schema.items ?? {}, item, `${path}[${index}]`, problems));
      return;
    case 'string':
      if (typeof value !== 'string') problems.push(`${path}: expected a string`);
      return;
    case 'integer':
      if (!Number.isInteger(value)) problems.push(`${path}: expected an integer`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${path}: expected a boolean`);
      return;
    default:
      return;
  }
}
