/** The streamed JSON reader equals JSON.parse on every split of the input, and names where a syntax error is. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { JsonSyntaxError, ObjectSplitter, parseJsonObjectFile } from '../../src/io/json-stream.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-json-');

/** Parses `text` fed in chunks of `size` bytes. */
function parseInChunks(text: string, size: number): Record<string, unknown> {
  const bytes = Buffer.from(text, 'utf8');
  const splitter = new ObjectSplitter();
  for (let i = 0; i < bytes.length; i += size) splitter.push(bytes.subarray(i, i + size));
  return splitter.finish();
}

const TRICKY = JSON.stringify({
  instruments: [{ id: 'A,"]}[{', note: 'é 漢 🙂 \\ \n "quoted"', strike: 1e-7 }, { id: '__proto__', nested: [[1, [2]], { a: [] }] }],
  accounts: [{ id: 'x', positions: [] }, { id: 'y', collateral: [{ asset: 'BTC', amount: -0.5 }] }, null, 3, 'str', true, []],
  valuationTime: '2026-11-20T08:00:00Z',
  empty: [],
  object: { deep: { deeper: [1, 2, 3] } },
  n: -12.5e3,
  f: false,
}, null, 1);

describe('parseJsonObjectFile / ObjectSplitter', () => {
  it('equals JSON.parse whatever the chunk size (strings with brackets, escapes, multi-byte UTF-8, nesting)', () => {
    const expected = JSON.parse(TRICKY);
    for (const size of [1, 2, 3, 5, 7, 64, 1 << 20]) expect(parseInChunks(TRICKY, size)).toEqual(expected);
  });

  it('equals JSON.parse on random objects of arrays (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.array(fc.jsonValue()), fc.jsonValue())), fc.integer({ min: 1, max: 40 }), (object, size) => {
        const text = JSON.stringify(object, null, size % 3);
        expect(parseInChunks(text, size)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps an own member named __proto__ as data', () => {
    const parsed = parseInChunks('{"__proto__": [1], "x": {"__proto__": 2}}', 4);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'x']);
    expect(parsed.__proto__).toEqual([1]);
  });

  it('skips a UTF-8 byte-order mark', async () => {
    writeFileSync(join(dir, 'bom.json'), `\uFEFF${TRICKY}`);
    expect(await parseJsonObjectFile(join(dir, 'bom.json'), 16)).toEqual(JSON.parse(TRICKY));
  });

  it('names the element or member a syntax error is in', () => {
    const bad = (text: string) => {
      try {
        parseInChunks(text, 3);
      } catch (error) {
        expect(error).toBeInstanceOf(JsonSyntaxError);
        return (error as JsonSyntaxError).at;
      }
      throw new Error('no error');
    };
    expect(bad('{"accounts": [{"id": 1}, {"id": 2,}, {}]}')).toBe('accounts[1]');
    expect(bad('{"accounts": [1, 2,]}')).toBe('accounts[2]');
    expect(bad('{"accounts": [1 2]}')).toBe('accounts[0]');
    expect(bad('{"a": 1, "valuationTime": tru}')).toBe('valuationTime');
    expect(bad('{"a": 1,}')).toBe('');
    expect(bad('[1, 2]')).toBe('');
    expect(bad('{"a": [1]')).toBe('');
    expect(bad('{"a": [1, {"b": 2')).toBe('a[1]'); // cut short inside an element: the element it was in
    expect(bad('{"a": 1} x')).toBe('');
    expect(bad('')).toBe('');
  });

  it('says JSON.parse\'s position is within the element it parsed, not the file', () => {
    // the element's text is what JSON.parse saw: its position counts from the element's start
    expect(() => parseInChunks('{"accounts": [{"id": 1}, {"id": 2 "y": 3}]}', 3)).toThrow(/at position \d+ of accounts\[1\]$/);
  });

  it('a NaN deep in an element: one line, the reason and its position in the element (V8 quoted the text, newlines and all)', () => {
    const text = '{"accounts": [{"id": "a"}, {"id": "b",\n  "positions": [{"quantity": NaN,\n "x": 1}]}]}';
    expect(() => parseInChunks(text, 7)).toThrow('expected a value, found "N" at position 41 of accounts[1]');
    // the position counts from the element's first byte: `{"id": "b",` … `NaN` at 41
    expect('{"id": "b",\n  "positions": [{"quantity": NaN,'.indexOf('NaN')).toBe(41);
  });

  it('a member given twice is no syntax error but an InputError at the member (test/io/strict-json-readers.test.ts)', () => {
    expect(() => parseInChunks('{"a": 1, "a": 2}', 3)).toThrow(InputError);
    expect(() => parseInChunks('{"a": 1, "a": 2}', 3)).toThrow('a: "a" is given twice in the top-level object');
  });
});
