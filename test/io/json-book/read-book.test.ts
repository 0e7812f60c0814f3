/**
 * book.json read by the accounts scanner (src/io/json-book/read.ts) against the general reader (src/io/book-stream.ts):
 * on every fixture and on fuzzed books (every account kind: USD, coin-margined, masters and subaccounts, isolated
 * margins, located balances; values inside and outside their bounds; random whitespace, key order, number spellings,
 * escapes, unknown fields, repeated keys; a generated book with bytes overwritten; cut into random chunks), the report margined from its chunks is the same,
 * byte for byte, and a refused book has the same problems at the same paths, on the JS twin and both WASM builds.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { marginChunks } from '../../../src/cli/margin-chunks.js';
import { createEngine, type Engine, generateSample, InputError } from '../../../src/index.js';
import { NeedsWholeBook, readBookChunks } from '../../../src/io/book-stream.js';
import { readJsonBookChunks } from '../../../src/io/json-book/read.js';
import { type AccountScanner, JsScanner, WasmScanner } from '../../../src/io/json-book/scanners.js';
import { JsonSyntaxError } from '../../../src/io/json-stream.js';
import { marginReportJson } from '../../../src/io/report-json.js';
import { columnarReport } from '../../../src/margin/columnar-report.js';
import { type BookChunk, bookColumnsOf } from '../../../src/model/book-columns.js';
import { sampleJson } from '../../../src/sample/generate.js';
import { accountArb, instrumentsArb, marketArb } from '../../fuzz/property.js';
import { problemLines } from '../../support/problems.js';
import { propertyRuns } from '../../support/property-runs.js';
import { mulberry32 } from '../../support/random.js';
import { scratchDir } from '../../support/scratch-dir.js';

const dir = scratchDir('mc-json-book-');
let files = 0;
let engine: Engine;
let scanners: AccountScanner[];
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
  scanners = [new JsScanner(), await WasmScanner.create('scalar'), await WasmScanner.create('simd')];
});

function write(text: string): string {
  const path = join(dir, `book-${files++}.json`);
  writeFileSync(path, text);
  return path;
}

const errorText = (error: unknown): string[] => {
  if (error instanceof InputError) return problemLines(() => { throw error; });
  if (error instanceof NeedsWholeBook || error instanceof JsonSyntaxError) return [`${error.name}: ${error.message}`];
  throw error;
};

/** What margining the chunks gives: the report's JSON text, or the problems, or the error that stopped it. */
async function outcome(chunks: AsyncIterable<BookChunk>, market: unknown, method: string, lenient: boolean): Promise<string | string[]> {
  try {
    const report = await marginChunks(chunks, market, engine, { method, lenient }, { lenient });
    return [...marginReportJson(columnarReport(report))].join('');
  } catch (error) {
    return errorText(error);
  }
}

/** The chunks a reader hands out (each as text: first account, columns, warnings), and how it ended. */
async function handedOut(chunks: AsyncIterable<BookChunk>): Promise<{ chunks: string[]; end: string[] }> {
  const out: string[] = [];
  try {
    for await (const { book, first } of chunks) out.push(`${first} ${JSON.stringify(bookColumnsOf(book) ?? book)} ${JSON.stringify((book as { warnings?: unknown }).warnings)}`);
    return { chunks: out, end: [] };
  } catch (error) {
    return { chunks: out, end: errorText(error) };
  }
}

/**
 * The general reader's chunks and end, and its report margined from them, against each scanner's: the same chunks (the
 * scanner hands each out when it is cut, the general reader after the ~1 MB batch it is in: before a problem further
 * on, the scanner may have handed out more) and the same end; when both end well, the same report or problems.
 */
async function compare(path: string, market: unknown, method = 'cross', chunk = 37, lenient = false): Promise<string | string[]> {
  const general = await handedOut(readBookChunks(path, { lenient }, chunk));
  const expected = general.end.length === 0 ? await outcome(readBookChunks(path, { lenient }, chunk), market, method, lenient) : general.end;
  for (const scanner of scanners) {
    const scanned = await handedOut(readJsonBookChunks(path, { lenient, scanner }, chunk));
    expect(scanned.end, `${scanner.backend} ${path}`).toEqual(general.end);
    expect(scanned.chunks.slice(0, general.chunks.length), `${scanner.backend} ${path}`).toEqual(general.chunks);
    if (general.end.length === 0) {
      expect(scanned.chunks.length).toBe(general.chunks.length);
      expect(await outcome(readJsonBookChunks(path, { lenient, scanner }, chunk), market, method, lenient), `${scanner.backend} ${path}`).toEqual(expected);
    }
  }
  return expected;
}

describe('fixtures', () => {
  const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
  const cases: [string, string][] = [
    ['data/sample/book.json', 'data/sample/market.json'], ['data/examples/adl-book.json', 'data/examples/adl-market.json'],
    ['data/examples/hedge-book.json', 'data/examples/market.json'], ['data/examples/subaccounts-book.json', 'data/examples/market.json'],
  ];
  it.each(cases)('%s: the general reader\'s report, every method, chunks of 1, 37 and the whole book', async (book, market) => {
    for (const method of ['cross', 'portfolio', 'isolated']) {
      for (const chunk of [1, 37, Infinity]) {
        await compare(book, json(market), method, chunk);
      }
    }
  });

  it('a generated book of every archetype, minified and pretty-printed', async () => {
    const { book, market } = generateSample({ accounts: 400, seed: 3 });
    expect(typeof (await compare(write(JSON.stringify(book)), market, 'portfolio', 100))).toBe('string');
    expect(typeof (await compare(write(sampleJson(book)), market, 'cross', 64))).toBe('string');
  });

  it('files the scanner hands to the general reader: accounts first, no accounts, not JSON, a truncated file, a repeated member', async () => {
    const { book, market } = generateSample({ accounts: 60, seed: 4 });
    const text = JSON.stringify(book);
    const outcomes = [
      await compare(write(JSON.stringify({ accounts: book.accounts, instruments: book.instruments })), market),
      await compare(write(JSON.stringify({ instruments: book.instruments, accounts: [] })), market),
      await compare(write(text.replace('"positions"', '"positions" "')), market),
      await compare(write(text.slice(0, text.length - 300)), market),
      await compare(write(`${text.slice(0, -1)},"accounts":[]}`), market),
      await compare(write(text.replace(/\]\}$/, '] ]}')), market),
    ];
    expect(typeof outcomes[0]).toBe('string');
    expect(outcomes.slice(1).every((o) => Array.isArray(o))).toBe(true);
  });
});

describe('buffers and records', () => {
  it('an account bigger than the text buffer and the records (150,000 positions, 16-digit numbers): the general reader\'s report', async () => {
    const { book, market } = generateSample({ accounts: 40, seed: 6 });
    const big = structuredClone(book) as unknown as { accounts: { positions?: unknown[] }[] };
    const ids = book.instruments.filter((i) => i.kind === 'perpetual').slice(0, 3).map((i) => i.id);
    // 10 MB of one account (the 8 MB text buffer grows), 150,000 quantities of 16 digits (1/3 is 0.3333333333333333: read
    // by Number, more than the slow-number records hold, so they grow too), three instruments (netted by the validator)
    big.accounts[1].positions = Array.from({ length: 150_000 }, (_, k) => ({ instrument: ids[k % 3], quantity: 1 / (3 + (k % 7)), entryPrice: 100 + (k % 3) }));
    const text = JSON.stringify(big);
    expect(text.length).toBeGreaterThan(9 << 20);
    expect(text.match(/"quantity":0\.\d{16}/g)?.length).toBeGreaterThan(50_000);
    expect(typeof (await compare(write(text), market, 'cross', 16))).toBe('string');
  }, 120_000);
});

describe('balances', () => {
  it('a dozen assets, names one byte apart, in every order (the first few compared as they are, the rest by hash): the general reader\'s report or problems', async () => {
    const { book, market } = generateSample({ accounts: 60, seed: 8 });
    const assets = Object.keys(market.assets);
    // the market's own, then names one byte away from them and from each other
    const names = [...assets, ...assets.map((a) => `${a.slice(0, -1)}${a.at(-1) === 'X' ? 'Y' : 'X'}`), 'USDA', 'USDB', 'USDD'];
    expect(new Set(names).size).toBeGreaterThan(12);
    const mixed = structuredClone(book) as unknown as { accounts: { collateral?: { asset: string; amount: number }[] }[] };
    mixed.accounts.forEach((a, k) => {
      a.collateral = [0, 1, 2].map((j) => ({ asset: names[(7 * k + 5 * j) % names.length], amount: 1 + j }));
      if (new Set(a.collateral.map((c) => c.asset)).size < 3) a.collateral = a.collateral.slice(0, 1);
    });
    const known = structuredClone(mixed);
    known.accounts.forEach((a) => (a.collateral = a.collateral?.filter((c) => assets.includes(c.asset))));
    expect(typeof (await compare(write(JSON.stringify(known)), market, 'cross', 16))).toBe('string');
    const problems = await compare(write(JSON.stringify(mixed)), market, 'cross', 16);
    expect(Array.isArray(problems) && problems.some((line) => line.includes('USDD'))).toBe(true);
  });
});

describe('accounts naming their own method', () => {
  it('in the first chunk: the book is one chunk, margined as a whole; after it: NeedsWholeBook, as for a subaccount', async () => {
    const { book, market } = generateSample({ accounts: 50, seed: 3 });
    const first = structuredClone(book) as unknown as { accounts: Record<string, unknown>[] };
    first.accounts[0].method = 'cross';
    const whole = [...marginReportJson(columnarReport(engine.margin(first, market, { method: 'portfolio' })))].join('');
    expect(await compare(write(JSON.stringify(first)), market, 'portfolio', 10)).toBe(whole);
    const late = structuredClone(book) as unknown as { accounts: Record<string, unknown>[] };
    late.accounts[20].method = 'cross';
    expect(await compare(write(JSON.stringify(late)), market, 'portfolio', 10)).toEqual(['NeedsWholeBook: accounts[20] names a method after 20 accounts were read in chunks']);
  });

  it('coin-margined books are read in chunks too: the whole book\'s report, a USD account holding a coin-settled instrument refused at its path', async () => {
    const { book, market } = generateSample({ accounts: 30, seed: 5, coinAccounts: 12 });
    const mixed = structuredClone(book) as unknown as { accounts: Record<string, unknown>[] };
    mixed.accounts.unshift(mixed.accounts.pop()!); // a BTC-margined account first, the others after the USD ones
    for (const method of ['cross', 'portfolio']) {
      const whole = [...marginReportJson(columnarReport(engine.margin(mixed, market, { method })))].join('');
      expect(await compare(write(JSON.stringify(mixed)), market, method, 5)).toBe(whole);
    }
    const wrong = structuredClone(book) as unknown as { accounts: { positions?: unknown[] }[] };
    wrong.accounts[3].positions = [...(wrong.accounts[3].positions ?? []), { instrument: 'BTC-PERPETUAL', quantity: 10, entryPrice: 90_000 }];
    expect(await compare(write(JSON.stringify(wrong)), market, 'cross', 5)).toEqual([expect.stringMatching(/^accounts\[3\]\.positions\[2\]\.instrument: instrument "BTC-PERPETUAL" is settled in "BTC": an account margined in "USD" cannot hold it/)]);
  });
});

describe('fuzzed books', () => {
  /**
   * `book` written with random whitespace, key order, number spellings, escapes, and in one book of four a name given
   * twice in one of its first 40 objects (refused: src/model/json-strict.ts). Once per book, not a chance per object:
   * a book of 12 accounts holds ~50 objects, and a chance per object refused most books before their margin was compared.
   */
  function writeJson(value: unknown, random: () => number): string {
    const repeatAt = random() < 0.25 ? Math.floor(random() * 40) : -1;
    let objects = 0;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
    const ws = () => (random() < 0.5 ? '' : pick([' ', '\n ', '\t', '\r\n  ', '  ']));
    // a zero after the last fraction digit, the same number ("0.5" → "0.50", "2.5e-7" → "2.50e-7"); never after an
    // exponent ("1e-300" + "0" is 1e-3000, nearer 0 than a double: refused, a different book)
    const withTrailingZero = (text: string) => (text.includes('.') ? text.replace(/\.\d+/, (fraction) => `${fraction}0`) : text);
    const number = (x: number): string => {
      if (!Number.isFinite(x)) return 'null';
      if (Object.is(x, -0)) return pick(['-0', '-0.0', '-0e3', '0']);
      return pick([JSON.stringify(x), x.toExponential(), x.toExponential().replace('e', 'E'), x.toPrecision(17), withTrailingZero(JSON.stringify(x))]);
    };
    const string = (s: string) => (random() < 0.05 && s.length > 0 ? `"\\u${s.charCodeAt(0).toString(16).padStart(4, '0')}${JSON.stringify(s).slice(2)}` : JSON.stringify(s));
    const go = (v: unknown): string => {
      if (typeof v === 'number') return number(v);
      if (typeof v === 'string') return string(v);
      if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
      if (Array.isArray(v)) return `[${ws()}${v.map((e) => go(e)).join(`${ws()},${ws()}`)}${ws()}]`;
      const entries = Object.entries(v).filter(([, e]) => e !== undefined);
      for (let k = entries.length - 1; k > 0; k--) {
        const j = Math.floor(random() * (k + 1));
        [entries[k], entries[j]] = [entries[j], entries[k]];
      }
      const members = entries.map(([key, e]) => `${ws()}${string(key)}${ws()}:${ws()}${go(e)}`);
      if (objects++ === repeatAt && entries.length > 0) members.unshift(`${string(entries[0][0])}:${pick(['1', '"x"', 'null', '[]'])}`); // a name given twice: refused at the same member by both readers
      return `{${members.join(',')}${ws()}}`;
    };
    return go(value);
  }

  /**
   * Accounts of every kind (test/fuzz/property.ts), some made subaccounts, given a method, a location, an unknown field,
   * a repeated position (netted), an empty id. Half the books are USD books (their coin-margined accounts given a BTC
   * balance instead), the others hold every kind, read in chunks all the same.
   */
  const bookArb = fc.record({
    instruments: instrumentsArb,
    usd: fc.boolean(),
    accounts: fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, k) => accountArb(k)))),
    extras: fc.array(fc.record({ at: fc.nat(), kind: fc.constantFrom('master', 'master', 'method', 'location', 'note', 'repeat', 'empty') }), { maxLength: 2 }),
  }).map(({ instruments, usd, accounts, extras }) => {
    const list: Record<string, unknown>[] = accounts.map((a) => (a.positions.length + a.collateral.length === 0 ? { ...a, collateral: [{ asset: 'USDC', amount: 1 }] } : { ...a }));
    for (const { at, kind } of extras) {
      const k = at % list.length, a = list[k];
      if (kind === 'master' && k > 0 && a.marginCurrency === undefined) a.master = list[0].id;
      if (kind === 'method') a.method = 'cross';
      if (kind === 'location' && Array.isArray(a.collateral) && a.collateral.length > 0 && a.marginCurrency === undefined) (a.collateral as Record<string, unknown>[])[0] = { ...(a.collateral as object[])[0], location: 'ethereum' };
      if (kind === 'note') a.note = 'hello';
      if (kind === 'repeat' && Array.isArray(a.positions) && a.positions.length > 0) a.positions = [...a.positions, a.positions[0]];
      if (kind === 'empty') a.id = '';
    }
    if (!usd) return { instruments, accounts: list };
    // a USD book: its coin-margined accounts hold their BTC as collateral
    const accountsUsd = list.map((a) => (a.marginCurrency === undefined ? a : { id: a.id, collateral: [{ asset: 'BTC', amount: 1 }], ...(a.master ? { master: a.master } : {}) }));
    return { instruments: instruments.filter((i) => i.settlement === undefined), accounts: accountsUsd };
  });

  it('a generated book with a few bytes overwritten anywhere: the general reader\'s chunks, report or problems, on every scanner', async () => {
    const sample = generateSample({ accounts: 12, seed: 6, positionsPerAccount: 3 });
    const text = new TextEncoder().encode(sampleJson(sample.book));
    // a digit keeps the text JSON most often (a value moved, maybe out of its domain); the rest break it in every way
    const codes = (chars: string) => fc.constantFrom(...chars.split('').map((c) => c.charCodeAt(0)));
    const byte = fc.oneof({ arbitrary: codes('0123456789'), weight: 3 }, { arbitrary: codes('{}[]",:.-+eE \\nutrfals'), weight: 1 }, { arbitrary: fc.integer({ min: 0, max: 255 }), weight: 1 });
    // most edits in the accounts (what the scanner reads; the instruments before them are most of the text), some anywhere
    const accountsAt = new TextDecoder().decode(text).indexOf('"accounts"');
    expect(accountsAt).toBeGreaterThan(0);
    const at = fc.oneof({ arbitrary: fc.integer({ min: accountsAt, max: text.length - 1 }), weight: 4 }, { arbitrary: fc.integer({ min: 0, max: text.length - 1 }), weight: 1 });
    const edit = fc.tuple(at, byte);
    let reports = 0, runs = 0;
    await fc.assert(fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 13 }), async (edits, chunk) => {
      const bytes = text.slice();
      for (const [at, value] of edits) bytes[at] = value;
      const path = join(dir, `book-${files++}.json`);
      writeFileSync(path, bytes);
      if (typeof (await compare(path, sample.market, 'cross', chunk)) === 'string') reports++;
      runs++;
    }), propertyRuns(60));
    expect(reports).toBeGreaterThan(0);
    expect(reports).toBeLessThan(runs); // some edits are refused, some still margin
  }, 600_000);

  it('the general reader\'s report or problems, on every scanner', async () => {
    let reports = 0, runs = 0;
    await fc.assert(fc.asyncProperty(bookArb, marketArb, fc.integer({ min: 1, max: 40 }), fc.integer(), fc.boolean(), fc.constantFrom('cross', 'portfolio'), async (book, market, chunk, seed, lenient, method) => {
      const result = await compare(write(writeJson(book, mulberry32(seed))), market, method, chunk, lenient);
      runs++;
      if (typeof result === 'string') reports++;
    }), propertyRuns(80));
    // reports compared, not only refusals: at least a tenth (8 of the 80 drawn since isolatedMargin is signed: the
    // book arbitrary draws from the domain table)
    expect(reports).toBeGreaterThanOrEqual(runs / 10);
  }, 600_000);
});
