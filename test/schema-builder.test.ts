import { describe, expect, it } from 'vitest';
import { integer, list, map, models, nullable, number, record, section, string } from '../src/model/schema-builder.js';

describe('schema builder (src/model/schema-builder.ts)', () => {
  it('writes an interval as JSON Schema bounds', () => {
    expect(number('[0, 1]')).toEqual({ type: 'number', minimum: 0, maximum: 1 });
    expect(number('(0, 1)')).toEqual({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 });
    expect(number('(-1, 100]')).toEqual({ type: 'number', exclusiveMinimum: -1, maximum: 100 });
    expect(number('[0, ∞)')).toEqual({ type: 'number', minimum: 0 });
    expect(integer('(-∞, 5]')).toEqual({ type: 'integer', maximum: 5 });
    expect(number()).toEqual({ type: 'number' });
    expect(Object.keys(number('[1, 2]', 'why'))).toEqual(['description', 'type', 'minimum', 'maximum']);
  });

  it('refuses an interval it cannot read', () => {
    expect(() => number('0, 1' as never)).toThrow(/expected e.g./);
    expect(() => number('[a, 1]' as never)).toThrow(TypeError);
    expect(() => number('[1e999, 2]')).toThrow(/not a number/);
  });

  it('a record requires every key but the optional ones; a section none', () => {
    expect(record({ a: string(), b: number() }, ['b'])).toEqual({ type: 'object', required: ['a'], additionalProperties: false, properties: { a: { type: 'string' }, b: { type: 'number' } } });
    expect(record({ a: string() }, ['a'])).toEqual({ type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } });
    expect(() => record({ a: string() }, ['z'])).toThrow(/optional key "z"/);
    expect(section({ a: string(true) }, 'd')).toEqual({ description: 'd', type: 'object', additionalProperties: false, properties: { a: { type: 'string', minLength: 1 } } });
  });

  it('lists, maps, nullables and models', () => {
    expect(list(number(), { minItems: 1, maxItems: 16 })).toEqual({ type: 'array', minItems: 1, maxItems: 16, items: { type: 'number' } });
    expect(map(number('[1, 100]'))).toEqual({ type: 'object', additionalProperties: { type: 'number', minimum: 1, maximum: 100 } });
    expect(nullable(number('(0, ∞)'))).toEqual({ type: ['number', 'null'], exclusiveMinimum: 0 });
    expect(() => nullable({ anyOf: [] })).toThrow(/one type/);
    expect(models({ none: {}, linear: { fields: { k: number() }, optional: ['k'] } })).toEqual({
      oneOf: [
        { type: 'object', required: ['model'], additionalProperties: false, properties: { model: { const: 'none' } } },
        { type: 'object', required: ['model'], additionalProperties: false, properties: { model: { const: 'linear' }, k: { type: 'number' } } },
      ],
    });
  });
});
