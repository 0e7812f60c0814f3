/**
 * The text of every generated schema file under schemas/, from what it is generated from: the book's and the market's
 * from their committed text with the domain's bounds written in (src/model/domain-schemas.ts), the params and the
 * report schemas from the built-in methods' registry (src/schemas/generate.ts). `npm run schemas` writes them
 * (scripts/schemas.mjs); test/schemas-generated.test.ts fails when a committed file differs.
 */
import { applyDomain, schemaText } from '../model/domain-schemas.js';
import { BUILT_IN_METHODS } from '../methods/registry.js';
import type { MarginMethodPlugin } from '../methods/method.js';
import { methodSchemaFiles } from './generate.js';

export const GENERATED_SCHEMAS = ['book.schema.json', 'market.schema.json', 'params.schema.json', 'report.schema.json'] as const;
export type GeneratedSchema = (typeof GENERATED_SCHEMAS)[number];

/** Each generated file's text; `read(file)` gives a committed file's text (the book's and market's are rewritten in place). */
export function schemaFiles(read: (file: GeneratedSchema) => string, methods: readonly MarginMethodPlugin[] = BUILT_IN_METHODS): Record<GeneratedSchema, string> {
  return {
    'book.schema.json': schemaText(applyDomain(JSON.parse(read('book.schema.json')), 'book'), 'book'),
    'market.schema.json': schemaText(applyDomain(JSON.parse(read('market.schema.json')), 'market'), 'market'),
    ...methodSchemaFiles(methods),
  };
}
