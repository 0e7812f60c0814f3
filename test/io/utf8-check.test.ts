/**
 * Files and bodies that are not UTF-8 are refused at the byte where they go wrong (src/io/utf8-check.ts): a decoder
 * would put U+FFFD in their place, and an account id with a stray byte came back as another id (two such ids as one).
 * The check reads a text block by block, so every split of a sequence between blocks is tried.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readBookChunks } from '../../src/io/book-stream.js';
import { readJsonBookChunks } from '../../src/io/json-book/read.js';
import { type AccountScanner, JsScanner, WasmScanner } from '../../src/io/json-book/scanners.js';
import { parseJsonObjectFile } from '../../src/io/json-stream.js';
import { checkUtf8, InvalidUtf8Error, Utf8Check } from '../../src/io/utf8-check.js';
import { book } from '../support/margin-books.js';
import { scratchDir } from '../support/scratch-dir.js';

/** The offset the check throws at when `bytes` come in blocks cut at `cuts`, or null when it accepts them. */
function offsetWithCuts(bytes: Uint8Array, cuts: number[]): number | null {
  const check = new Utf8Check();
  try {
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      check.push(bytes.subarray(from, cut));
      from = cut;
    }
    check.end();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidUtf8Error);
    return (error as InvalidUtf8Error).offset;
  }
}

/** Every way of cutting `bytes` into two and three blocks gives `expected`. */
function everySplit(bytes: Uint8Array, expected: number | null): void {
  expect(offsetWithCuts(bytes, [])).toBe(expected);
  for (let i = 0; i <= bytes.length; i++) {
    expect(offsetWithCuts(bytes, [i]), `cut at ${i}`).toBe(expected);
    for (let j = i; j <= bytes.length; j++) expect(offsetWithCuts(bytes, [i, j]), `cuts at ${i}, ${j}`).toBe(expected);
  }
}

const text = (s: string) => new TextEncoder().encode(s);
const bytesOf = (...parts: (string | number[])[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...text(p)] : p)));

describe('the check, block by block', () => {
  it('takes UTF-8 of every length (1 to 4 bytes a character) however the blocks cut it', () => {
    everySplit(text('{"id":"é€𝄞x"}'), null);
    everySplit(new Uint8Array(0), null);
  });

  it('finds the first byte that is not UTF-8, however the blocks cut the text', () => {
    everySplit(bytesOf('{"id":"a', [0xff], '1"}'), 8); // a byte no sequence starts with
    everySplit(bytesOf('ab', [0x80], 'c'), 2); // a continuation with no lead
    everySplit(bytesOf('ab', [0xc3]), 2); // a sequence the text's end cuts
    everySplit(bytesOf('é', [0xe2, 0x82], 'x'), 2); // a sequence cut by the next character
    everySplit(bytesOf('x', [0xc0, 0x80]), 1); // an overlong encoding of U+0000
    everySplit(bytesOf('xy', [0xed, 0xa0, 0x80]), 2); // a surrogate, U+D800
    everySplit(bytesOf('€', [0xf4, 0x90, 0x80, 0x80]), 3); // above U+10FFFF
  });

  it('names the byte and the text before it', () => {
    expect(() => checkUtf8(bytesOf('{"id": "basis-trader-', [0xff], '17"}'))).toThrow('not valid UTF-8 at byte 21 (after "{\\"id\\": \\"basis-trader-")');
    expect(() => checkUtf8(text('{"id": "é"}'))).not.toThrow();
  });
});

describe('every reader of a JSON file', () => {
  const dir = scratchDir('mc-utf8-');
  let scanners: AccountScanner[];
  beforeAll(async () => {
    scanners = [new JsScanner(), await WasmScanner.create('scalar'), await WasmScanner.create('simd')];
  });
  const BOOK = book(
    { id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: -21, entryPrice: 95_000 }] },
    { id: 'b-XX', positions: [{ instrument: 'ETH-PERP', quantity: 3, entryPrice: 3_000 }] },
  );
  const raw = Buffer.from(JSON.stringify(BOOK, null, 1));
  const at = raw.indexOf('XX');
  raw[at] = 0xff; // "b-\xffX"
  const path = join(dir, 'book.json');
  writeFileSync(path, raw);
  const drain = async (chunks: AsyncIterable<unknown>) => {
    for await (const _ of chunks);
  };
  const NOT_UTF8 = new RegExp(`^not valid UTF-8 at byte ${at} \\(after ".*\\\\"id\\\\": \\\\"b-"\\)$`, 's');

  it('the streamed object reader, in blocks of every size that cuts the file', async () => {
    for (const block of [1, 2, 3, 5, 64, 1 << 22]) await expect(parseJsonObjectFile(path, block)).rejects.toThrow(NOT_UTF8);
  });

  it('the general book reader and every accounts scanner: the same error, no account "b-\ufffdX"', async () => {
    await expect(drain(readBookChunks(path, {}, 1, 7))).rejects.toThrow(NOT_UTF8);
    for (const scanner of scanners) await expect(drain(readJsonBookChunks(path, { scanner }, 1)), scanner.backend).rejects.toThrow(NOT_UTF8);
  });
});

describe('an Arrow string column (a browser has no isUtf8: its own check)', () => {
  it('agrees with the decoder on every byte string of up to three bytes from a set that covers each rule', async () => {
    const { firstNonUtf8 } = await import('../../src/io/utf8.js');
    const strict = new TextDecoder('utf-8', { fatal: true });
    const picks = [0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    const cases: number[][] = [[]];
    for (const a of picks) {
      cases.push([a]);
      for (const b of picks) {
        cases.push([a, b]);
        for (const c of picks) cases.push([a, b, c], [0xf0, a, b, c].slice(0, 4), [0xf4, a, b, c]);
      }
    }
    for (const bytes of cases) {
      let valid = true;
      try {
        strict.decode(Uint8Array.from(bytes));
      } catch {
        valid = false;
      }
      expect(firstNonUtf8(Uint8Array.from(bytes), 0, bytes.length) < 0, bytes.map((b) => b.toString(16)).join(' ')).toBe(valid);
    }
  });
});

describe('an Arrow book', () => {
  it('an account id that is not UTF-8: an InputError at its path, not an id with U+FFFD', async () => {
    const { writeArrowBook } = await import('../../src/io/arrow/write-book.js');
    const { readArrowBook } = await import('../../src/io/arrow/read-book.js');
    const { InputError } = await import('../../src/errors.js');
    const BOOK = book(
      { id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: -21, entryPrice: 95_000 }] },
      { id: 'b-XX', positions: [{ instrument: 'ETH-PERP', quantity: 3, entryPrice: 3_000 }] },
    );
    const bytes = (await writeArrowBook(BOOK as never)).slice();
    const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf('b-XX');
    expect(at).toBeGreaterThan(0);
    bytes[at + 2] = 0xff;
    const error = await readArrowBook(bytes).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InstanceType<typeof InputError>).problems).toEqual([{ path: 'accounts[1].id', message: 'not valid UTF-8 (a malformed Arrow file: Utf8 strings are UTF-8)' }]);
  });
});

describe('writeArrowBook checks what it writes', () => {
  it('refuses options outside their domain (0 accounts a batch ran out of memory) and a book its readers would refuse', async () => {
    const { writeArrowBook } = await import('../../src/io/arrow/write-book.js');
    const { InputError } = await import('../../src/errors.js');
    const BOOK = book({ id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 95_000 }] });
    const problems = async (b: unknown, options: unknown) => {
      const error = await writeArrowBook(b as never, options as never).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      return (error as InstanceType<typeof InputError>).problems.map((p) => p.path);
    };
    expect(await problems(BOOK, { accountsPerBatch: 0 })).toEqual(['options.accountsPerBatch']);
    expect(await problems(BOOK, { accountsPerBatch: -3, format: 'csv', batch: 1 })).toEqual(['options.batch', 'options.format', 'options.accountsPerBatch']);
    const numericId = structuredClone(BOOK) as { accounts: { id: unknown }[] };
    numericId.accounts[0].id = 17;
    expect(await problems(numericId, {})).toEqual(['accounts[0].id']);
    expect((await writeArrowBook(BOOK as never, { accountsPerBatch: 1 })).length).toBeGreaterThan(0);
  });
});
