/** The published JSON Schemas (schemas/), compiled once, and an assertion that a value conforms as JSON. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';
import { ROOT } from './cli.js';

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const load = (name: string) => ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', `${name}.schema.json`), 'utf8')));
export const SCHEMAS = { book: load('book'), market: load('market'), params: load('params'), report: load('report') };

/** `value`, as JSON (what JSON.stringify writes: non-finite numbers as null), conforms to schemas/<kind>.schema.json. */
export function expectConforms(kind: keyof typeof SCHEMAS, value: unknown): void {
  const validate = SCHEMAS[kind];
  const ok = validate(JSON.parse(JSON.stringify(value)));
  expect(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 1)).toBe(true);
}

/** A margin report conforms to schemas/report.schema.json. */
export function expectValidReport(report: unknown): void {
  expectConforms('report', report);
}
