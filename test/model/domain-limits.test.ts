/**
 * The input domain (src/model/domain.ts, docs/domain.md): every bounded number of a book and a market is refused
 * outside its bound with its book or market path and the value as given, under every method and in the CLI; the
 * edges are accepted. (Issue 13 item 7 first put the option kernels' domain into validation; issue 36 made one table
 * of every input's bounds.)
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { GREEKS_LIMITS } from '../../src/model/greeks-limits.js';
import { layoutBook } from '../../src/layout/index.js';
import { applyMarket } from '../../src/layout/market-layout.js';
import { HeapAllocator } from '../../src/memory/allocators.js';
import { MARGIN_METHODS } from '../../src/methods/registry.js';
import { DOMAIN } from '../../src/model/domain.js';
import { validateBook, validateInputs, validateMarket } from '../../src/model/validate.js';
import { readArrowBook } from '../../src/io/arrow/read-book.js';
import { writeArrowBook } from '../../src/io/arrow/write-book.js';
import { marginCore } from '../support/cli.js';
import { problemLines } from '../support/problems.js';
import { smallBook, smallMarket } from './fixtures.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

/** Instrument 2 is the BTC call (underlying BTC, expiry 2026-11-27, valued 2026-11-20); account 0 holds it and BTC-PERP. */
const CASES: { what: string; book?: (b: any) => void; market?: (m: any) => void; line: string }[] = [
  { what: 'dust quantity', book: (b) => (b.accounts[0].positions[1].quantity = 1e-300), line: 'accounts[0].positions[1].quantity: 1e-300 is below the smallest quantity 1e-12 (a quantity is 0 or at least 1e-12)' },
  { what: 'huge quantity', book: (b) => (b.accounts[0].positions[1].quantity = -1.5e228), line: 'accounts[0].positions[1].quantity: -1.5e+228 is beyond the largest quantity 1e12 in magnitude' },
  { what: 'huge multiplier', book: (b) => (b.instruments[0].multiplier = 1e300), line: 'instruments[0].multiplier: 1e+300 is above the largest multiplier 1e9' },
  { what: 'tiny multiplier', book: (b) => (b.instruments[0].multiplier = 5e-324), line: 'instruments[0].multiplier: 5e-324 is below the smallest multiplier 1e-9' },
  { what: 'huge strike', book: (b) => (b.instruments[2].strike = 1e120), line: 'instruments[2].strike: 1e+120 is above the largest price 1e12' },
  { what: 'tiny strike', book: (b) => (b.instruments[2].strike = 1e-120), line: 'instruments[2].strike: 1e-120 is below the smallest price 1e-12' },
  { what: 'huge entry price', book: (b) => (b.accounts[0].positions[1].entryPrice = 2.4e290), line: 'accounts[0].positions[1].entryPrice: 2.4e+290 is above the largest entry price 1e12' },
  { what: 'huge cash', book: (b) => (b.accounts[2].cashUsd = -1e306), line: 'accounts[2].cashUsd: -1e+306 is beyond the largest cash 1e15 in magnitude' },
  { what: 'huge collateral', book: (b) => (b.accounts[1].collateral[1].amount = 1.7e308), line: 'accounts[1].collateral[1].amount: 1.7e+308 is above the largest amount 1e15' },
  { what: 'huge isolated margin', book: (b) => (b.accounts[0].positions[1].isolatedMargin = 1e16), line: 'accounts[0].positions[1].isolatedMargin: 10000000000000000 is above the largest isolated margin 1e15' },
  { what: 'huge mark', market: (m) => (m.marks['BTC-PERP'] = 2.4e290), line: 'market.marks["BTC-PERP"]: 2.4e+290 is above the largest price 1e12' },
  { what: 'huge implied vol', market: (m) => (m.impliedVols['BTC-27NOV26-100000-C'] = 4000), line: 'market.impliedVols["BTC-27NOV26-100000-C"]: 4000 is above the largest vol 3000' },
  { what: 'denormal implied vol', market: (m) => (m.impliedVols['BTC-27NOV26-100000-C'] = 1e-310), line: 'market.impliedVols["BTC-27NOV26-100000-C"]: 1e-310 is below the smallest vol 1e-6 (a vol is 0 or at least 1e-6)' },
  { what: 'huge asset vol', market: (m) => (m.assets.BTC.vol = 6000), line: 'market.assets.BTC.vol: 6000 is above the largest vol 3000' },
  { what: 'far expiry', book: (b) => (b.instruments[2].expiry = '2086-11-20T08:00:00Z'), line: 'instruments[2].expiry: 60.041 years (ACT/365) after the valuation time; at most 50 are supported' }, // 60 × 365 + 15 leap days (2028 … 2084)
  { what: 'huge rate', market: (m) => (m.assets.BTC.rate = 2.5), line: 'market.assets.BTC.rate: 2.5 is above the largest rate 2' },
  { what: 'huge carry', market: (m) => (m.assets.BTC.carry = -3), line: 'market.assets.BTC.carry: -3 is beyond the largest carry 2 in magnitude' },
  { what: 'huge spot', market: (m) => (m.assets.BTC.price = 1e101), line: 'market.assets.BTC.price: 1e+101 is above the largest price 1e12' },
  { what: 'tiny spot', market: (m) => (m.assets.BTC.price = 1e-101), line: 'market.assets.BTC.price: 1e-101 is below the smallest price 1e-12' },
  // each number within its bound, what they are worth together not: 1e12 BTC-PERP contracts at 91,520.5
  { what: 'huge notional', book: (b) => (b.accounts[0].positions[1].quantity = 1e12), line: 'accounts[0]: the position in BTC-PERP has a notional of 91520500000000000 USD, above the largest notional 1e15 USD' },
  { what: 'huge balance value', book: (b) => (b.accounts[1].collateral[1].amount = 1e15), line: 'accounts[1].collateral[1].amount: 1000000000000000 ETH is worth 3050000000000000000 USD, above the largest balance value 1e15 USD' },
  // 9e14 USDC + 9e14 USD of cash: each within 1e15, the account not (Σ = 1.8e15)
  { what: 'huge account value', book: (b) => { b.accounts[2].collateral[0].amount = 9e14; b.accounts[2].cashUsd = 9e14; }, line: 'accounts[2]: gross value 1800000000000000 USD (Σ |position notional| + Σ |balance value| + |cash|) is above the largest account value 1e15 USD' },
];

function inputs(c: (typeof CASES)[number]) {
  const book = smallBook();
  const market = smallMarket();
  c.book?.(book);
  c.market?.(market);
  return { book, market };
}

describe('validation enforces the domain with book and market paths', () => {
  it('the Greeks batch API reads its vol and rate bounds from the domain, and keeps its wider price range', () => {
    expect(GREEKS_LIMITS).toMatchObject({ priceMin: 1e-100, priceMax: 1e100, expiryYearsMax: 50, volMax: 3000, rateAbsMax: 2 });
    expect([DOMAIN.vol.max, DOMAIN.rate.max]).toEqual([GREEKS_LIMITS.volMax, GREEKS_LIMITS.rateAbsMax]);
  });

  for (const c of CASES) {
    it(`${c.what}: one problem at its path, under every method`, () => {
      for (const method of MARGIN_METHODS) {
        const { book, market } = inputs(c);
        expect(problemLines(() => engine.margin(book, market, { method })), method).toEqual([c.line]);
      }
    });
  }

  // a columnar book (Arrow, streamed JSON) meets its market in its columns, never building its object view
  for (const c of CASES.filter((k) => /^huge (notional|balance value|account value)$/.test(k.what))) {
    it(`${c.what}: the same line from an Arrow book`, async () => {
      const { book, market } = inputs(c);
      const columnar = await readArrowBook(await writeArrowBook(validateBook(book)));
      expect(problemLines(() => validateMarket(market, columnar))).toEqual([c.line]);
      expect(problemLines(() => validateInputs(book, market))).toEqual([c.line]);
    });
  }

  it('the edges of the domain are accepted, and every account computed', () => {
    const { book, market } = inputs({ what: '', line: '', market: (m) => { m.assets.BTC.rate = 2; m.assets.BTC.carry = -2; m.impliedVols['BTC-27NOV26-100000-C'] = 3000; m.assets.ETH.vol = 1e-6; } });
    book.instruments[0].multiplier = 1e-9;
    book.instruments[3].strike = 1e-12;
    book.instruments[2].expiry = new Date(Date.parse('2026-11-20T08:00:00Z') + 50 * 365 * 86_400_000).toISOString(); // 50 years ACT/365
    book.accounts[0].positions[1].quantity = 1e-12;
    book.accounts[1].positions[0].entryPrice = 0;
    book.accounts[2].cashUsd = -1e14;
    for (const method of MARGIN_METHODS) expect(engine.margin(book, market, { method }).accounts.every((a) => a.status !== 'error'), method).toBe(true);
  });

  it('an instrument added to a laid-out book is checked against the market when it is applied', () => {
    const layout = layoutBook(validateBook(smallBook()), new HeapAllocator());
    layout.addInstrument({ id: 'BTC-FAR-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 90_000, expiry: '2096-11-20T08:00:00Z' });
    const market = smallMarket();
    market.impliedVols['BTC-FAR-C'] = 0.5;
    // 70 × 365 + 18 leap days (2028 … 2096)
    expect(problemLines(() => applyMarket(layout, validateMarket(market)))).toEqual(['instruments[4].expiry: 70.049 years (ACT/365) after the valuation time; at most 50 are supported']);
    expect(problemLines(() => layout.addInstrument({ id: 'X', kind: 'option', underlying: 'BTC', right: 'put', strike: 1e300, expiry: '2027-01-01T00:00:00Z' }))).toEqual([
      'instrument.strike: 1e+300 is above the largest price 1e12',
    ]);
  });

  it('the CLI names the book path, never a kernel slot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'margin-core-domain-'));
    for (const [i, c] of CASES.entries()) {
      if (i % 4 !== 0) continue; // a sample: each run starts a process
      const { book, market } = inputs(c);
      const files = { book: join(dir, `book-${i}.json`), market: join(dir, `market-${i}.json`) };
      await writeFile(files.book, JSON.stringify(book));
      await writeFile(files.market, JSON.stringify(market));
      const run = await marginCore('margin', '--book', files.book, '--market', files.market, '--method', i % 8 === 0 ? 'portfolio' : 'var');
      expect(run.code, c.what).toBe(1);
      expect(run.stderr, c.what).toBe(`margin-core: invalid input in ${c.line.startsWith('market') ? files.market : files.book} (1 problem):\n  ${c.line}\n`);
    }
  });
});
