/**
 * Arrow IPC books (schemas/book.arrow.md): written and read back, they are the book they were written from: the same
 * report bytes on every backend. Bad values get the JSON validator's messages at the JSON paths.
 */
import * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { generateSample, InputError, validateBook, validateInputs } from '../../src/index.js';
import { readArrowBook } from '../../src/io/arrow/read-book.js';
import { arrowBookBytes, writeArrowBook } from '../../src/io/arrow/write-book.js'; // arrowBookBytes: books outside the domain, written to be refused on reading
import { bookColumnsOf, objectViewBuilt } from '../../src/model/book-columns.js';
import { allEngines } from '../support/engines.js';
import { mulberry32 } from '../support/random.js';
import { venueBook, venueMarket } from '../support/venue-book.js';
import { coinBook } from '../support/coin-books.js';

const engines = await allEngines();

async function problemsOf(promise: Promise<unknown>): Promise<{ path: string; message: string }[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => ({ path: p.path, message: p.message }));
    throw error;
  }
  throw new Error('expected an InputError');
}

function jsonProblems(book: unknown): { path: string; message: string }[] {
  try {
    validateBook(book);
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => ({ path: p.path, message: p.message }));
    throw error;
  }
  return [];
}

describe('an Arrow book read back', () => {
  const sample = generateSample({ accounts: 700, seed: 21, positionsPerAccount: 5 });

  it('is a columnar book equal to the JSON book (several record batches)', async () => {
    const bytes = await writeArrowBook(sample.book, { accountsPerBatch: 256 });
    const book = await readArrowBook(bytes);
    expect(bookColumnsOf(book)).toBeDefined();
    expect(JSON.stringify(book)).toBe(JSON.stringify(validateBook(sample.book)));
  });

  it.each(engines.map((e) => [e.backend, e] as const))('margins to the same report bytes as the JSON book on %s', async (_, engine) => {
    const book = await readArrowBook(await writeArrowBook(sample.book));
    for (const method of ['cross', 'portfolio']) {
      const expected = JSON.stringify(engine.margin(sample.book, sample.market, { method }));
      expect(JSON.stringify(engine.margin(book, sample.market, { method }))).toBe(expected);
    }
  });

  it('keeps masters, methods, isolated allocations, locations, cash, and nets rows on one instrument', async () => {
    const base = generateSample({ accounts: 30, seed: 2, positionsPerAccount: 3, accountsPerMaster: 3 }).book;
    const [first, second] = base.accounts;
    const netted = { ...first, positions: [...first.positions!, { ...first.positions![0], quantity: 2, entryPrice: 1 }], cashUsd: 125.5 };
    const located = { ...second, collateral: [{ ...second.collateral![0], location: 'arbitrum' }], positions: [{ ...second.positions![0], isolatedMargin: 1000 }], method: 'isolated' };
    const book = { ...base, accounts: [netted, located, ...base.accounts.slice(2)] };
    const read = await readArrowBook(await arrowBookBytes(book));
    expect(JSON.stringify(read)).toBe(JSON.stringify(validateBook(book)));
  });

  it.each(engines.map((e) => [e.backend, e] as const))('holds coin-margined accounts and coin-settled instruments: the JSON book\'s reports, liquidation and stress on %s', async (_, engine) => {
    const coin = generateSample({ accounts: 120, seed: 5, coinAccounts: 40, accountsPerMaster: 4 });
    const book = await readArrowBook(await writeArrowBook(coin.book, { accountsPerBatch: 64 }));
    for (const method of ['cross', 'portfolio']) expect(JSON.stringify(engine.margin(book, coin.market, { method }))).toBe(JSON.stringify(engine.margin(coin.book, coin.market, { method })));
    // without masters (whose roll-up reads the objects), margined from its columns, coin accounts and inverse entries included
    const flat = generateSample({ accounts: 60, seed: 4, coinAccounts: 20 });
    const flatBook = await readArrowBook(await writeArrowBook(flat.book));
    expect(JSON.stringify(engine.margin(flatBook, flat.market, { method: 'cross' }))).toBe(JSON.stringify(engine.margin(flat.book, flat.market, { method: 'cross' })));
    expect(objectViewBuilt(flatBook)).toBe(false);
    expect(book.accounts.filter((a) => a.marginCurrency === 'BTC')).toHaveLength(40);
    expect(JSON.stringify(book)).toBe(JSON.stringify(validateBook(coin.book)));
    const shock = { spot: { BTC: -0.3 } };
    expect(JSON.stringify(engine.liquidate(book, coin.market, { method: 'cross' }))).toBe(JSON.stringify(engine.liquidate(coin.book, coin.market, { method: 'cross' })));
    expect(JSON.stringify(engine.stress(book, coin.market, shock, { method: 'cross' }))).toBe(JSON.stringify(engine.stress(coin.book, coin.market, shock, { method: 'cross' })));
  });

  it.each(engines.map((e) => [e.backend, e] as const))('a venue\'s books of every account kind (USD, USDC-linear, BTC- and ETH-margined, masters): the JSON book\'s figures on %s', async (_, engine) => {
    const market = venueMarket();
    for (let seed = 1; seed <= 6; seed++) {
      const json = venueBook(mulberry32(seed), 30, seed % 2 === 0);
      const book = await readArrowBook(await writeArrowBook(json, { accountsPerBatch: 7 }));
      for (const method of ['isolated', 'cross', 'portfolio', 'deribit'] as const) {
        expect(JSON.stringify(engine.margin(book, market, { method })), `seed ${seed} ${method}`).toBe(JSON.stringify(engine.margin(json, market, { method })));
      }
      expect(JSON.stringify(engine.liquidate(book, market, { method: 'cross' })), `seed ${seed}`).toBe(JSON.stringify(engine.liquidate(json, market, { method: 'cross' })));
    }
  });

  it('a coin-margined account\'s rules: book.json\'s problems at the same paths', async () => {
    const coin = generateSample({ accounts: 10, seed: 6, coinAccounts: 4 });
    const accounts = coin.book.accounts.map((a, i) => {
      if (i === 10) return { ...a, cashUsd: 5 }; // USD cash in a BTC account
      if (i === 11) return { ...a, collateral: [...a.collateral!, { asset: 'USDC', amount: 1 }] }; // another asset
      if (i === 12) return { ...a, marginCurrency: 'BTX' }; // a misspelt currency
      if (i === 0) return { ...a, positions: [...(a.positions ?? []), { instrument: 'BTC-PERPETUAL', quantity: 10, entryPrice: 90_000 }] }; // an inverse contract in a USD account
      return a;
    });
    const book = { ...coin.book, accounts };
    const problems = jsonProblems(book);
    expect(problems.length).toBeGreaterThanOrEqual(4);
    expect(await problemsOf(readArrowBook(await arrowBookBytes(book)))).toEqual(problems);
  });

  it('a coin-margined account whose rows net realizes P&L into its coin\'s balance, held before or not, as book.json does', async () => {
    // BTC-margined: 1,000 BTC-PERPETUAL (10 USD face) from 80,000 and −400 from 100,000 net to 600, realizing
    // 400 × 10 × (1/80,000 − 1/100,000) = 0.01 BTC into the BTC balance, which account "none" did not hold
    const rows = [{ instrument: 'BTC-PERPETUAL', quantity: 1_000, entryPrice: 80_000 }, { instrument: 'BTC-PERPETUAL', quantity: -400, entryPrice: 100_000 }];
    const book = coinBook(
      { id: 'none', marginCurrency: 'BTC', positions: rows },
      { id: 'held', marginCurrency: 'BTC', positions: rows, collateral: [{ asset: 'BTC', amount: 0.5 }] },
      { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 90_000 }], collateral: [{ asset: 'USDC', amount: 10_000 }] },
    );
    const read = await readArrowBook(await arrowBookBytes(book as never));
    expect(JSON.parse(JSON.stringify(read.accounts))).toEqual(JSON.parse(JSON.stringify(validateBook(book).accounts)));
    expect(read.accounts[0].collateral).toEqual([{ asset: 'BTC', amount: 400 * 10 * (1 / 80_000 - 1 / 100_000) }]);
  });

  it('reads the stream format too, and files made by other writers (plain Utf8 names, several batches)', async () => {
    const stream = await readArrowBook(await writeArrowBook(sample.book, { format: 'stream' }));
    expect(JSON.stringify(stream)).toBe(JSON.stringify(validateBook(sample.book)));
    const accounts = sample.book.accounts.slice(0, 3);
    const table = A.tableFromArrays({ id: accounts.map((a) => a.id) } as never);
    const plain = new A.Table({
      id: A.vectorFromArray(accounts.map((a) => a.id), new A.Utf8()),
      collateral: A.vectorFromArray(accounts.map((a) => a.collateral), new A.List(new A.Field('item', new A.Struct([new A.Field('asset', new A.Utf8()), new A.Field('amount', new A.Float64())])))),
      positions: A.vectorFromArray(accounts.map((a) => a.positions), new A.List(new A.Field('item', new A.Struct([new A.Field('instrument', new A.Utf8()), new A.Field('quantity', new A.Float64()), new A.Field('entryPrice', new A.Float64())])))),
    });
    plain.schema.metadata.set('margin-core:instruments', JSON.stringify(sample.book.instruments));
    expect(table.numRows).toBe(3);
    const read = await readArrowBook(A.tableToIPC(plain, 'file'));
    expect(JSON.stringify(read)).toBe(JSON.stringify(validateBook({ instruments: sample.book.instruments, accounts })));
  });
});

describe('bad Arrow books', () => {
  const sample = generateSample({ accounts: 12, seed: 8, positionsPerAccount: 2 });

  it('bad values: the JSON validator\'s problems, at the JSON paths', async () => {
    const accounts = sample.book.accounts.map((a, i) => {
      if (i === 1) return { ...a, positions: [{ ...a.positions![0], quantity: Number.NaN }] };
      if (i === 2) return { ...a, positions: [{ ...a.positions![0], entryPrice: -3 }], cashUsd: Number.POSITIVE_INFINITY };
      if (i === 4) return { ...a, id: sample.book.accounts[0].id };
      if (i === 5) return { ...a, collateral: [...a.collateral!, { ...a.collateral![0] }] };
      return a;
    });
    const book = { ...sample.book, accounts };
    expect(await problemsOf(readArrowBook(await arrowBookBytes(book)))).toEqual(jsonProblems(book));
    expect(jsonProblems(book).length).toBeGreaterThanOrEqual(5);
  });

  it('finite values outside the domain\'s bounds: book.json\'s problems at its paths, on the batch read whole and account by account', async () => {
    const outside = (a: (typeof sample.book.accounts)[number], i: number) => {
      if (i === 1) return { ...a, positions: [{ ...a.positions![0], quantity: 1e-13 }] };
      if (i === 2) return { ...a, positions: [{ ...a.positions![0], entryPrice: 1e13 }] };
      if (i === 3) return { ...a, cashUsd: 1e16 };
      if (i === 6) return { ...a, collateral: [{ ...a.collateral![0], amount: -1e16 }] };
      return a;
    };
    const clean = { ...sample.book, accounts: sample.book.accounts.map(outside) };
    // an isolated allocation takes the batch off its copied path: each account is checked on its own
    const isolated = { ...clean, accounts: clean.accounts.map((a, i) => (i === 7 ? { ...a, positions: [{ ...a.positions![0], isolatedMargin: 1e16 }] } : a)) };
    for (const book of [clean, isolated]) {
      const problems = jsonProblems(book);
      expect(problems.map((q) => q.path)).toEqual(expect.arrayContaining(['accounts[1].positions[0].quantity', 'accounts[2].positions[0].entryPrice', 'accounts[3].cashUsd', 'accounts[6].collateral[0].amount']));
      expect(await problemsOf(readArrowBook(await arrowBookBytes(book)))).toEqual(problems);
    }
    expect(jsonProblems(isolated).map((q) => q.path)).toContain('accounts[7].positions[0].isolatedMargin');
  });

  it('a USD account holding an instrument settled in an asset: the JSON validator\'s currency problem, whatever the batch', async () => {
    const usdc = { id: 'BTC_USDC-PERPETUAL', kind: 'perpetual' as const, underlying: 'BTC', settlement: 'USDC' };
    // account 3 holds it among clean accounts (one batch read whole, or the batch read account by account after a null)
    for (const cashUsd of [undefined, 10]) {
      const accounts = sample.book.accounts.map((a, i) => (i === 3 ? { ...a, positions: [...a.positions!, { instrument: usdc.id, quantity: 1, entryPrice: 90_000 }] } : i === 0 && cashUsd !== undefined ? { ...a, cashUsd } : a));
      const book = { ...sample.book, instruments: [...sample.book.instruments, usdc], accounts };
      const problems = jsonProblems(book);
      expect(problems).toEqual([{ path: 'accounts[3].positions[2].instrument', message: expect.stringContaining('is settled in "USDC": an account margined in "USD" cannot hold it') }]);
      expect(await problemsOf(readArrowBook(await arrowBookBytes(book)))).toEqual(problems);
    }
  });

  it('a repeated id among accounts that are otherwise clean (copied a batch at a time) is still found', async () => {
    const accounts = sample.book.accounts.map((a, i) => (i === 9 ? { ...a, id: sample.book.accounts[3].id } : a));
    const book = { ...sample.book, accounts };
    expect(await problemsOf(readArrowBook(await arrowBookBytes(book)))).toEqual(jsonProblems(book));
  });

  it('a dictionary index outside its dictionary (a malformed file): refused at the path of the value, never read as another row\'s string', async () => {
    // 3 positions and 1 balance an account: item row r is account ⌊r / 3⌋'s position r mod 3
    const book = generateSample({ accounts: 6, seed: 4, positionsPerAccount: 3 }).book;
    const corrupted = async (list: 'positions' | 'collateral', row: number, index: number) => {
      const table = A.tableFromIPC(await arrowBookBytes(book));
      const data = table.getChild(list)!.data[0].children[0].children[0];
      expect(data.dictionary).toBeDefined(); // the writer encodes instruments and assets as dictionaries
      (data.values as Int32Array)[row] = index;
      return problemsOf(readArrowBook(A.tableToIPC(table)));
    };
    const instruments = book.instruments.length;
    expect(await corrupted('positions', 7, instruments)).toEqual([
      { path: 'accounts[2].positions[1].instrument', message: `dictionary index ${instruments} is outside its dictionary of ${instruments} strings (a malformed Arrow file)` },
    ]);
    expect(await corrupted('positions', 0, -1)).toEqual([
      { path: 'accounts[0].positions[0].instrument', message: `dictionary index -1 is outside its dictionary of ${instruments} strings (a malformed Arrow file)` },
    ]);
    const collateral = A.tableFromIPC(await arrowBookBytes(book)).getChild('collateral')!.data[0];
    const assets = collateral.children[0].children[0].dictionary!.length;
    const holder = Array.from(collateral.valueOffsets as Int32Array).findIndex((start, a, all) => a + 1 < all.length && all[a + 1] > start);
    const firstRow = (collateral.valueOffsets as Int32Array)[holder];
    expect(await corrupted('collateral', firstRow, assets + 3)).toEqual([
      { path: `accounts[${holder}].collateral[0].asset`, message: `dictionary index ${assets + 3} is outside its dictionary of ${assets} strings (a malformed Arrow file)` },
    ]);
  });

  it('list offsets out of order or past the items, buffers shorter than their rows (a malformed file): refused with a path, never read', async () => {
    const book = generateSample({ accounts: 5, seed: 4, positionsPerAccount: 3 }).book; // offsets 0, 3, 6, 9, 12, 15
    const corrupted = async (edit: (offsets: Int32Array) => void) => {
      const table = A.tableFromIPC(await arrowBookBytes(book));
      edit(table.getChild('positions')!.data[0].valueOffsets as Int32Array);
      return problemsOf(readArrowBook(A.tableToIPC(table)));
    };
    expect(await corrupted((o) => (o[2] = 1))).toEqual([
      { path: 'accounts[1].positions', message: 'list offsets 3 … 1 are not a range of the column\'s 15 items (a malformed Arrow file)' },
    ]);
    expect(await corrupted((o) => (o[1] = -4))).toEqual([
      { path: 'accounts[0].positions', message: 'list offsets 0 … -4 are not a range of the column\'s 15 items (a malformed Arrow file)' },
    ]);
    // the last offset past the items: written out, the items claim 99 rows that their buffers do not hold
    const past = await corrupted((o) => (o[5] = 99));
    expect(past).toHaveLength(1);
    expect(past[0].path).toMatch(/^columns\.positions\.(instrument|quantity|entryPrice)$/);
    expect(past[0].message).toMatch(/^its buffers hold 1[56] of its 99 rows \(a malformed Arrow file\)$/);
  });

  it('a column or a struct field given twice, and instruments metadata that is not UTF-8: refused at their paths', async () => {
    const instruments = new Map([['margin-core:instruments', JSON.stringify([{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }])]]);
    const balances = new A.List(new A.Field('item', new A.Struct([new A.Field('asset', new A.Utf8()), new A.Field('amount', new A.Float64())]), true));
    const tableOf = (fields: A.Field[], columns: A.Data[], metadata = instruments) => {
      const schema = new A.Schema(fields, metadata);
      return new A.Table(schema, [new A.RecordBatch(schema, A.makeData({ type: new A.Struct(fields), length: 1, nullCount: 0, children: columns }))]);
    };
    const id = A.vectorFromArray(['a'], new A.Utf8()).data[0], usdc = A.vectorFromArray([[{ asset: 'USDC', amount: 1_000 }]], balances).data[0];
    const cash = (x: number) => A.vectorFromArray([x], new A.Float64()).data[0];
    // two cashUsd columns (1 and 500,000): the first was read, silently
    const twoCash = tableOf([new A.Field('id', new A.Utf8()), new A.Field('collateral', balances), new A.Field('cashUsd', new A.Float64()), new A.Field('cashUsd', new A.Float64())], [id, usdc, cash(1), cash(500_000)]);
    expect(await problemsOf(readArrowBook(A.tableToIPC(twoCash)))).toEqual([{ path: 'columns.cashUsd', message: 'the column "cashUsd" is given twice (which one is meant cannot be told)' }]);
    // a balance struct with amount twice
    const twice = new A.List(new A.Field('item', new A.Struct([new A.Field('asset', new A.Utf8()), new A.Field('amount', new A.Float64()), new A.Field('amount', new A.Float64())]), true));
    const items = A.makeData({ type: twice.children[0].type, length: 1, nullCount: 0, children: [A.vectorFromArray(['USDC'], new A.Utf8()).data[0], cash(1), cash(1_000)] });
    const twoAmounts = tableOf([new A.Field('id', new A.Utf8()), new A.Field('collateral', twice)], [id, A.makeData({ type: twice, length: 1, nullCount: 0, valueOffsets: new Int32Array([0, 1]), child: items })]);
    expect(await problemsOf(readArrowBook(A.tableToIPC(twoAmounts)))).toEqual([{ path: 'columns.collateral.amount', message: 'the field "amount" is given twice (which one is meant cannot be told)' }]);
    // U+FFFD in the metadata: where apache-arrow decoded bytes that are not UTF-8
    const garbled = tableOf([new A.Field('id', new A.Utf8()), new A.Field('collateral', balances)], [id, usdc], new Map([['margin-core:instruments', '[{"id":"BTC-P\uFFFDRP","kind":"perpetual","underlying":"BTC"}]']]));
    expect(await problemsOf(readArrowBook(A.tableToIPC(garbled)))).toEqual([{ path: 'instruments', message: 'the schema metadata "margin-core:instruments" is not valid UTF-8 (U+FFFD where its bytes were not)' }]);
  });

  it('not Arrow, no instruments, unknown and mistyped columns: each with its path', async () => {
    expect(await problemsOf(readArrowBook(new TextEncoder().encode('{"accounts": []}')))).toEqual([{ path: 'book', message: expect.stringContaining('not an Arrow IPC file or stream') }]);
    const table = new A.Table({
      id: A.vectorFromArray(['a'], new A.Utf8()),
      cashUsd: A.vectorFromArray([1], new A.Int32()),
      colour: A.vectorFromArray(['red'], new A.Utf8()),
      marginCurency: A.vectorFromArray(['BTC'], new A.Utf8()),
    });
    expect(await problemsOf(readArrowBook(A.tableToIPC(table)))).toEqual([
      { path: 'instruments', message: 'missing: the schema metadata has no "margin-core:instruments" (the JSON array of the book\'s instruments)' },
      { path: 'columns.cashUsd', message: 'expected Float64 (double), got Int32: cast it (e.g. DuckDB: ::DOUBLE)' },
      { path: 'columns.colour', message: 'unknown column (expected id, positions, collateral, cashUsd, master, method or marginCurrency)' },
      // a slip of a name is told as book.json tells it
      { path: 'columns.marginCurency', message: 'unknown column (did you mean "marginCurrency"?)' },
    ]);
  });
});

describe('validated inputs from an Arrow book', () => {
  it('the market is checked against the columns (an unpriced balance asset, by its JSON path)', async () => {
    const sample = generateSample({ accounts: 5, seed: 1 });
    const book = await readArrowBook(await writeArrowBook(sample.book));
    const market = { ...sample.market, assets: Object.fromEntries(Object.entries(sample.market.assets).filter(([k]) => k !== 'USDC')) };
    const expected = (() => {
      try {
        validateInputs(sample.book, market);
      } catch (error) {
        return (error as InputError).problems;
      }
      return [];
    })();
    expect(expected.length).toBeGreaterThan(0);
    const engine = engines[0];
    expect(() => engine.margin(book, market)).toThrow(InputError);
    try {
      engine.margin(book, market);
    } catch (error) {
      expect((error as InputError).problems.filter((p) => p.path.startsWith('accounts'))).toEqual(expected.filter((p) => p.path.startsWith('accounts')));
    }
  });
});
