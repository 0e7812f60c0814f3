/**
 * The JSON Schemas' numeric bounds written from the domain table (src/model/domain.ts), so the schemas and the
 * validators read one source: `node scripts/schemas.mjs` rewrites schemas/{book,market,params}.schema.json with
 * {@link applyDomain}, and test/model/domain-schemas.test.ts fails when a schema is not what it would write.
 *
 * - Each bound's places (book and market fields) get exactly the bound's keywords.
 * - Every number of the params schema gets the params bound besides its own: its maximum and minimum tightened to
 *   ±1e15, and the nonzero floor (0 or |x| ≥ 1e-12) as a `not` clause, except where the table exempts it (and on
 *   integers, which never fall between 0 and the floor).
 */
import { DOMAIN, type MagnitudeBound, PARAM_FLOOR_EXEMPT_SCHEMA, type SchemaPlace } from './domain.js';

export type SchemaName = SchemaPlace['schema'];
type Json = Record<string, unknown>;

const NUMERIC = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'not'] as const;

/** "Not strictly between ±min and nonzero": the nonzero floor of a bound that admits 0. */
function floorClause(bound: MagnitudeBound): Json {
  if (bound.sign === 'signed') return { type: 'number', exclusiveMinimum: -bound.min, exclusiveMaximum: bound.min, not: { const: 0 } };
  return { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: bound.min };
}

/** The JSON Schema keywords that state `bound` on a number. */
export function boundKeywords(bound: MagnitudeBound): Json {
  const out: Json = { minimum: bound.sign === 'signed' ? -bound.max : bound.sign === 'positive' ? bound.min : 0, maximum: bound.max };
  if (bound.zero && bound.min > 0) out.not = floorClause(bound);
  return out;
}

/** The subschema at a JSON Pointer (RFC 6901), or an Error naming the pointer. */
export function atPointer(schema: Json, pointer: string): Json {
  let node: unknown = schema;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) throw new Error(`margin-core: no ${pointer} in the schema`);
    node = (node as Json)[key];
  }
  if (typeof node !== 'object' || node === null) throw new Error(`margin-core: ${pointer} is not a subschema`);
  return node as Json;
}

/** True for a subschema whose type admits numbers. */
function isNumeric(node: Json): boolean {
  const type = node.type;
  const types = Array.isArray(type) ? type : [type];
  return types.includes('number') || types.includes('integer');
}

/** Every numeric subschema of `schema` with its pointer. */
export function numericLeaves(schema: Json): { pointer: string; node: Json }[] {
  const out: { pointer: string; node: Json }[] = [];
  const walk = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) node.forEach((x, i) => walk(x, `${pointer}/${i}`));
    else if (typeof node === 'object' && node !== null) {
      if (isNumeric(node as Json)) out.push({ pointer, node: node as Json });
      for (const [key, value] of Object.entries(node)) if (key !== 'not') walk(value, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    }
  };
  walk(schema, '');
  return out;
}

/** Sets the numeric keywords of `node` to `keywords`, in a fixed order after its other keywords but `description`. */
function setKeywords(node: Json, keywords: Json): void {
  const description = node.description;
  for (const key of [...NUMERIC, 'description']) delete node[key];
  Object.assign(node, keywords);
  if (description !== undefined) node.description = description;
}

/** The params bound over a field's own: the tighter of each side, and the floor unless exempt. */
function paramKeywords(node: Json, pointer: string): Json {
  const bound = DOMAIN.param;
  const out: Json = {};
  const exMin = node.exclusiveMinimum as number | undefined, exMax = node.exclusiveMaximum as number | undefined;
  const min = Math.max(node.minimum as number ?? -Infinity, -bound.max), max = Math.min(node.maximum as number ?? Infinity, bound.max);
  if (exMin !== undefined && exMin >= min) out.exclusiveMinimum = exMin;
  else out.minimum = min;
  if (exMax !== undefined && exMax <= max) out.exclusiveMaximum = exMax;
  else out.maximum = max;
  // an integer is never strictly between 0 and the floor
  if (!PARAM_FLOOR_EXEMPT_SCHEMA.includes(pointer) && node.type !== 'integer') out.not = floorClause(bound);
  return out;
}

/** `schema` (a parsed schemas/<name>.schema.json) with the domain's bounds written in; mutates and returns it. */
export function applyDomain(schema: Json, name: SchemaName): Json {
  for (const bound of Object.values(DOMAIN) as MagnitudeBound[]) {
    for (const place of bound.places) if (place.schema === name) setKeywords(atPointer(schema, place.pointer), boundKeywords(bound));
  }
  if (name === 'params') for (const { pointer, node } of numericLeaves(schema)) setKeywords(node, paramKeywords(node, pointer));
  return schema;
}

/**
 * A schema as its file holds it: params as JSON.stringify with 2 spaces (as it always was), the book's, the
 * market's and the report's with every object or array that fits in 120 columns on one line.
 */
export function schemaText(schema: Json, name: SchemaName | 'report'): string {
  if (name === 'params') return `${JSON.stringify(schema, null, 2)}\n`;
  return `${compact(schema, '', '')}\n`;
}

function inline(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[${value.map(inline).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

function compact(value: unknown, indent: string, prefix: string): string {
  const flat = inline(value);
  if (indent.length + prefix.length + flat.length <= 120 || typeof value !== 'object' || value === null) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => `${inner}${compact(v, inner, '')}`).join(',\n')}\n${indent}]`;
  const lines = Object.entries(value).map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return `${inner}${key}${compact(v, inner, key)}`;
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}
