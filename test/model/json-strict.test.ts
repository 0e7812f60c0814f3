/**
 * src/model/json-strict.ts: what JSON.parse takes silently (a member name given twice, a number that underflows) is
 * found at its path, and nothing else is: JSON.stringify's own texts (any value, any indentation) have no problem, a
 * name repeated anywhere is found at its member, a colon after an escaped quote in a string or a string that looks like
 * a tiny number only costs a scan.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonPath, mayHaveStrictProblems, strictJsonProblems, underflows } from '../../src/model/json-strict.js';
import { propertyRuns } from '../support/property-runs.js';

const problems = (text: string) => strictJsonProblems(text, JSON.parse(text)).map((p) => `${p.path}: ${p.message}`);

describe('strictJsonProblems', () => {
  it('none in what JSON.stringify writes (any value, any indentation)', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, '\t'), (value, indent) => {
      const text = JSON.stringify(value, null, indent);
      expect(strictJsonProblems(text, JSON.parse(text))).toEqual([]);
    }), propertyRuns(500));
  });

  it('a member repeated anywhere: found at the member, in its object, once per repeat', () => {
    const object = fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 4 });
    fc.assert(fc.property(fc.array(object, { minLength: 1, maxLength: 4 }), fc.nat(), (items, pick) => {
      const k = pick % items.length, name = Object.keys(items[k])[0];
      const texts = items.map((item, j) => {
        const text = JSON.stringify(item);
        return j === k ? `${text.slice(0, -1)},${JSON.stringify(name)}:null}` : text;
      });
      const text = `{"items": [${texts.join(',')}]}`;
      expect(mayHaveStrictProblems(text, JSON.parse(text))).toBe(true);
      expect(problems(text)).toEqual([`${jsonPath(`items[${k}]`, [name])}: ${JSON.stringify(name)} is given twice in items[${k}]: JSON.parse would keep the last silently`]);
    }), propertyRuns(300));
  });

  it('what only looks like a problem: a colon after an escaped quote, a tiny number in a string, long zeros in an id', () => {
    for (const text of ['{"a": "x\\":y", "b": 1}', '{"id": "1e-400"}', `{"id": "${'0'.repeat(150)}", "n": 1${'0'.repeat(120)}}`, '{"a": 1e-300, "b": -0.0e-999}']) {
      expect(problems(text), text).toEqual([]);
    }
    expect(mayHaveStrictProblems('{"a": "x\\":y"}', { a: 'x":y' })).toBe(true); // counted twice, found none
  });

  it('paths: identifiers joined by dots, other names in brackets, the base before them, the whole text at `whole`', () => {
    expect(strictJsonProblems('{"x": {"a b": [0, 1e-999]}}', null, { base: 'market' }).map((p) => p.path)).toEqual(['market.x["a b"][1]']);
    expect(strictJsonProblems('1e-999', 0, { whole: 'body' }).map((p) => p.path)).toEqual(['body']);
    expect(strictJsonProblems('[{"q": 1, "q": 2}]', [{ q: 2 }], { pathOf: (steps) => `<${steps.join('/')}>`, top: 'the body' })).toEqual([
      { path: '<0/q>', message: '"q" is given twice in <0>: JSON.parse would keep the last silently' },
    ]);
    expect(strictJsonProblems('{"q": 1,\n "q": 2}', { q: 2 }, { place: (o) => `@${o}` })).toEqual([
      { path: 'q', message: '@10: "q" is given twice in the top-level object (first at @1): JSON.parse would keep the last silently' },
    ]);
  });

  it('stops at `max` problems', () => {
    const text = `[${Array.from({ length: 50 }, () => '{"a": 1, "a": 2}').join(',')}]`;
    expect(strictJsonProblems(text, JSON.parse(text), { max: 3 })).toHaveLength(3);
    expect(strictJsonProblems(text, JSON.parse(text))).toHaveLength(50);
  });
});

describe('underflows', () => {
  it('a literal whose digits are not all 0 that reads as 0; never a zero, a subnormal, an overflow', () => {
    for (const literal of ['1e-400', '-1e-400', '0.1e-323', '2.4e-324', `0.${'0'.repeat(330)}5`, '1E-0400']) expect(underflows(literal), literal).toBe(true);
    for (const literal of ['0', '-0', '0.000', '0e-400', '-0E+5', '5e-324', '2.5e-324', '1e-300', '1e400', '123']) expect(underflows(literal), literal).toBe(false);
  });

  it('agrees with the definition on random decimals', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 30 });
    fc.assert(fc.property(digits, fc.option(digits, { nil: undefined }), fc.integer({ min: -400, max: 400 }), (whole, fraction, exponent) => {
      const literal = `${whole.replace(/^0+(?=\d)/, '')}${fraction === undefined ? '' : `.${fraction}`}e${exponent}`;
      expect(underflows(literal)).toBe(Number(literal) === 0 && /[1-9]/.test(literal.split('e')[0]));
    }), propertyRuns(1000));
  });
});
