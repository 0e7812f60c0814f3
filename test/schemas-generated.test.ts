/**
 * schemas/*.schema.json are generated: the params and report schemas from the methods' registry (each plug-in's
 * schema fragment), the book's and market's bounds from the domain table. A committed file that is not what
 * `npm run schemas` writes fails here, naming the file and the command.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_METHODS } from '../src/methods/registry.js';
import { paramsSchema, reportSchema } from '../src/schemas/generate.js';
import { GENERATED_SCHEMAS, schemaFiles } from '../src/schemas/files.js';
import { ROOT } from './support/cli.js';

const committed = (file: string) => readFileSync(join(ROOT, 'schemas', file), 'utf8');

describe('the generated JSON Schemas', () => {
  it('are committed as generated (after changing a method\'s schema fragment, src/schemas/ or src/model/domain.ts: npm run schemas)', () => {
    const files = schemaFiles(committed);
    const stale = GENERATED_SCHEMAS.filter((file) => files[file] !== committed(file));
    expect(stale, `schemas/${stale.join(', schemas/')}: not what the registry and the domain table generate; run \`npm run schemas\` and commit the result`).toEqual([]);
  });

  it('hold every method\'s params section and breakdown part, in registry order, and the methods a forecast can drive', () => {
    const params = paramsSchema(BUILT_IN_METHODS) as { properties: Record<string, unknown> & { dynamic: { properties: { methods: { items: { enum: string[] } } } } } };
    const sections = BUILT_IN_METHODS.flatMap((m) => (m.section === null ? [] : [m.section]));
    const keys = Object.keys(params.properties);
    expect(keys.filter((k) => sections.includes(k))).toEqual(sections);
    expect(params.properties.dynamic.properties.methods.items.enum).toEqual(BUILT_IN_METHODS.filter((m) => m.dynamic).map((m) => m.name));
    const account = (reportSchema(BUILT_IN_METHODS) as { $defs: { account: { properties: Record<string, unknown> } } }).$defs.account;
    const explaining = BUILT_IN_METHODS.filter((m) => m.schema?.explain).map((m) => m.name);
    // the methods that explain have their part, and no method that does not explain has one
    expect(explaining.length).toBeGreaterThan(0);
    for (const m of BUILT_IN_METHODS) expect(account.properties[m.name] !== undefined, m.name).toBe(explaining.includes(m.name));
  });

  it('refuse a registry whose method reads a section it declares no schema for, or whose fragments collide', () => {
    const [isolated, , portfolio] = BUILT_IN_METHODS;
    expect(() => paramsSchema([isolated, { ...portfolio, schema: undefined }])).toThrow('method "portfolio" reads params.portfolio but its plug-in declares no schema.params');
    expect(() => paramsSchema([portfolio, { ...portfolio, name: 'portfolio2', section: 'portfolio2' }])).toThrow('params $defs/portfolioRule of method "portfolio2" is already taken');
    expect(() => paramsSchema([{ ...portfolio, section: 'liquidation' }])).toThrow('params section "liquidation" (the engine\'s) is already taken');
  });
});
