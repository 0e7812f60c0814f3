/**
 * Every reader of user JSON refuses what JSON.parse takes silently (docs/book-format.md, "JSON text"): a member name
 * given twice in one object (JSON.parse keeps the last) and a number that is not 0 but reads as 0 (`1e-400`). The
 * small-file reader (parseJsonText: the CLI's files, the page), the streamed reader (ObjectSplitter), the streamed book
 * readers (the general one and the accounts scanner on each backend) all name the path, the name or the value as
 * written.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { writeArrowBook } from '../../src/io/arrow/write-book.js';
import { readBookChunks } from '../../src/io/book-stream.js';
import { readJsonBookChunks } from '../../src/io/json-book/read.js';
import { type AccountScanner, JsScanner, WasmScanner } from '../../src/io/json-book/scanners.js';
import { parseJsonObjectFile } from '../../src/io/json-stream.js';
import { parseJsonText } from '../../src/model/json-text.js';
import { validateBook } from '../../src/model/validate.js';
import { book, market } from '../support/margin-books.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-strict-json-');
let files = 0;
function write(text: string): string {
  const path = join(dir, `file-${files++}.json`);
  writeFileSync(path, text);
  return path;
}

/** The problems `fn` throws (an InputError), as `path: message` lines; its other errors as they are. */
async function problems(fn: () => unknown): Promise<string[]> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    return [`${(error as Error).name}: ${(error as Error).message}`];
  }
  return [];
}

const BOOK = book(
  { id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: -21, entryPrice: 95_000 }], collateral: [{ asset: 'USDC', amount: 30_000 }] },
  { id: 'b', positions: [{ instrument: 'ETH-PERP', quantity: 3, entryPrice: 3_000 }] },
);
/** The book's text with account 1's quantity written as `quantity` (raw JSON text: `0.5, "quantity": 500`). */
const bookText = (quantity: string) => JSON.stringify(BOOK, null, 1).replace('"quantity": 3', `"quantity": ${quantity}`);

const DUPLICATE = /"quantity" is given twice in accounts\[1\]\.positions\[0\]/;
const UNDERFLOW = /1e-400 is not 0 but nearer 0 than the smallest number \(5e-324\): it would be read as 0/;

describe('small files (parseJsonText)', () => {
  it('a member name given twice: at the member, naming the object, with file:line:column of both', () => {
    const text = bookText('0.5, "quantity": 500');
    const lines = problemsOfText(text, 'book.json');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^accounts\[1\]\.positions\[0\]\.quantity: book\.json:\d+:\d+: "quantity" is given twice in accounts\[1\]\.positions\[0\] \(first at book\.json:\d+:\d+\): JSON\.parse would keep the last silently$/);
    const [, line, column] = /book\.json:(\d+):(\d+)/.exec(lines[0])!;
    expect(text.split('\n')[Number(line) - 1].slice(Number(column) - 1)).toMatch(/^"quantity": 500/);
  });

  it('a market whose asset is given twice: BTC is not silently 1 USD', () => {
    const text = JSON.stringify(market()).replace('"assets":{', '"assets":{"BTC":{"price":1,"vol":0.5},');
    expect(problemsOfText(text, 'market.json')).toEqual([expect.stringMatching(/^assets\.BTC: market\.json:1:\d+: "BTC" is given twice in assets \(first at market\.json:1:\d+\)/)]);
  });

  it('names the same name written with escapes, at any depth, and every repeat (the top level at its name)', () => {
    expect(problemsOfText('{"a": 1, "\\u0061": 2}', 'x.json')).toEqual(['a: x.json:1:10: "a" is given twice in the top-level object (first at x.json:1:2): JSON.parse would keep the last silently']);
    const deep = `${'['.repeat(5000)}{"k": 1, "k": 2}${']'.repeat(5000)}`;
    expect(problemsOfText(deep, 'x.json')[0]).toMatch(/^\[0\](\[0\]){4999}\.k: x\.json:1:5010: "k" is given twice in \[0\]/);
    expect(problemsOfText('{"a": {"x": 1, "x": 2}, "b": [{"y": 1, "y": 2, "y": 3}]}', 'x.json').map((l) => l.split(':')[0])).toEqual(['a.x', 'b[0].y', 'b[0].y']);
    expect(problemsOfText('{"a b": {"c": 1, "c": 2}}', 'x.json')[0]).toMatch(/^\["a b"\]\.c: .* given twice in \["a b"\]/);
  });

  it('a number that underflows, as written; 0 in any spelling and the smallest numbers are not', () => {
    expect(problemsOfText(bookText('1e-400'), 'book.json')).toEqual([expect.stringMatching(/^accounts\[1\]\.positions\[0\]\.quantity: book\.json:\d+:\d+: /)]);
    expect(problemsOfText(bookText('1e-400'), 'book.json')[0]).toMatch(UNDERFLOW);
    for (const literal of ['-1e-400', '0.1e-323', `0.${'0'.repeat(400)}1`, '1E-00000400', '10e-325', '2.4e-324']) {
      expect(problemsOfText(`{"q": ${literal}}`, 'x.json'), literal).toEqual([`q: x.json:1:7: ${literal} is not 0 but nearer 0 than the smallest number (5e-324): it would be read as 0`]);
    }
    for (const literal of ['0', '-0', '0.0', '0e-400', '-0.000e-999', '5e-324', '2.5e-324', '1e-300', '"1e-400"', `"${'0'.repeat(200)}"`, '1e400']) {
      expect(problemsOfText(`{"q": ${literal}, "id": "e-000120"}`, 'x.json'), literal).toEqual([]);
    }
  });
});

function problemsOfText(text: string, name: string): string[] {
  try {
    parseJsonText(text, name, '--book');
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('streamed files (parseJsonObjectFile)', () => {
  it('a member name given twice in a member, in an element of an array member, and at the top level', async () => {
    const text = JSON.stringify(market()).replace('"assets":{', '"assets":{"BTC":{"price":1,"vol":0.5},');
    expect(await problems(() => parseJsonObjectFile(write(text), 7))).toEqual(['assets.BTC: "BTC" is given twice in assets: JSON.parse would keep the last silently']);
    expect(await problems(() => parseJsonObjectFile(write(bookText('0.5, "quantity": 500')), 5))).toEqual([expect.stringMatching(DUPLICATE)]);
    expect(await problems(() => parseJsonObjectFile(write(bookText('0.5, "quantity": 500')), 5))).toEqual([expect.stringMatching(/^accounts\[1\]\.positions\[0\]\.quantity: /)]);
    expect(await problems(() => parseJsonObjectFile(write('{"a": 1, "a": 2}'), 3))).toEqual(['a: "a" is given twice in the top-level object: JSON.parse would keep the last silently']);
  });

  it('a number that underflows, in a member and in an array element', async () => {
    expect(await problems(() => parseJsonObjectFile(write(bookText('1e-400')), 64))).toEqual([expect.stringMatching(/^accounts\[1\]\.positions\[0\]\.quantity: 1e-400 is not 0/)]);
    expect(await problems(() => parseJsonObjectFile(write('{"assets": {"BTC": {"price": 1e-400}}}'), 64))).toEqual([expect.stringMatching(/^assets\.BTC\.price: 1e-400 is not 0/)]);
  });
});

describe('streamed books (the general reader and every accounts scanner)', () => {
  let scanners: AccountScanner[];
  beforeAll(async () => {
    scanners = [new JsScanner(), await WasmScanner.create('scalar'), await WasmScanner.create('simd')];
  });

  /** The problems each streamed book reader finds in `text` (they must agree). */
  async function streamedProblems(text: string): Promise<string[]> {
    const path = write(text);
    const drain = async (chunks: AsyncIterable<unknown>) => {
      for await (const _ of chunks);
    };
    const general = await problems(() => drain(readBookChunks(path, {}, 1)));
    for (const scanner of scanners) expect(await problems(() => drain(readJsonBookChunks(path, { scanner }, 1))), scanner.backend).toEqual(general);
    return general;
  }

  it('a quantity given twice (500, then −21): refused, not margined as −21', async () => {
    expect(await streamedProblems(bookText('500, "quantity": -21'))).toEqual([expect.stringMatching(/^accounts\[1\]\.positions\[0\]\.quantity: "quantity" is given twice in accounts\[1\]\.positions\[0\]/)]);
    const id = JSON.stringify(BOOK).replace('{"id":"b"', '{"id":"b","id":"c"');
    expect(await streamedProblems(id)).toEqual([expect.stringMatching(/^accounts\[1\]\.id: "id" is given twice in accounts\[1\]/)]);
  });

  it('a quantity of 1e-400 (and an amount, a cash, written with 17 digits): refused as written, not a flat position', async () => {
    expect(await streamedProblems(bookText('1e-400'))).toEqual([expect.stringMatching(/^accounts\[1\]\.positions\[0\]\.quantity: 1e-400 is not 0/)]);
    const amount = JSON.stringify(BOOK).replace('"amount":30000', `"amount":0.${'0'.repeat(330)}12345678901234567`);
    expect(await streamedProblems(amount)).toEqual([expect.stringMatching(/^accounts\[0\]\.collateral\[0\]\.amount: 0\.0{330}12345678901234567 is not 0/)]);
    const cash = JSON.stringify(BOOK).replace('{"id":"b"', '{"id":"b","cashUsd":-1e-999');
    expect(await streamedProblems(cash)).toEqual([expect.stringMatching(/^accounts\[1\]\.cashUsd: -1e-999 is not 0/)]);
  });

  it('ids that are not well-formed Unicode ("x\\ud800", "x\\udc00": lone surrogates) are refused at each id, as the whole-file reader refuses them; reports printed both as "x\\uFFFD"', async () => {
    const ids = BOOK.accounts.map((a, i) => ({ ...a, id: ['x\ud800', 'x\udc00'][i] }));
    const text = JSON.stringify({ ...BOOK, accounts: ids });
    expect(text).toContain('"x\\ud800"'); // JSON.stringify writes a lone surrogate as its escape
    const lone = (i: number, escape: string) => `accounts[${i}].id: not well-formed Unicode: "x\\${escape}" holds a lone surrogate, which no UTF-8 file can hold (expected an account id)`;
    expect(await problems(() => validateBook(parseJsonText(text, 'book.json', '--book')))).toEqual([lone(0, 'ud800'), lone(1, 'udc00')]);
    expect(await streamedProblems(text)).toEqual([lone(0, 'ud800'), lone(1, 'udc00')]);
    // writeArrowBook validates what it writes: it had written both as "x\uFFFD", a file margin refused as a duplicate id
    await expect(writeArrowBook(JSON.parse(text))).rejects.toThrow(/accounts\[0\]\.id: not well-formed Unicode/);
    // a surrogate pair is one character (U+1F600), well-formed: read as it is
    expect(await streamedProblems(text.replace('x\\ud800', 'x\\ud83d\\ude00'))).toEqual([lone(1, 'udc00')]);
  });

  it('the smallest quantities still read as they did: 1e-300 is below the smallest quantity, 0e-400 is 0', async () => {
    expect(await streamedProblems(bookText('1e-300'))).toEqual([expect.stringMatching(/^accounts\[1\]\.positions\[0\]\.quantity: 1e-300 is below the smallest quantity/)]);
    expect(await streamedProblems(bookText('0e-400'))).toEqual([]);
  });
});

describe('a character that prints as nothing is named by its code point', () => {
  it.each([
    ['\ufeff\ufeff{}', 'U+FEFF (a byte-order mark)'], // one is skipped, a second is the text's first character
    [' \ufeff{}', 'U+FEFF (a byte-order mark)'],
    ['{"a": \u00a01}', 'U+00A0 (a character that prints as nothing or as space)'],
    ['{"a": \u200b1}', 'U+200B (a character that prints as nothing or as space)'],
    ['{"a": é}', '"é"'],
    ['{"a": \u0001}', '"\\u0001"'],
  ])('%j: "expected a value, found %s"', async (text, shown) => {
    expect(await problems(() => parseJsonText(text, 'x.json'))).toEqual([expect.stringContaining(`expected a value, found ${shown}`)]);
  });
});
