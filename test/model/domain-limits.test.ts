/**
 * Issue 13 item 7: option valuation used to reject out-of-domain values with the kernels' internal
 * slots (`strike[0]`, `vol[0]`). Validation now enforces the Greeks domain (src/greeks/limits.ts) on
 * every input that reaches the kernels, with its book or market path, so valuation never meets one.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { GREEKS_LIMITS } from '../../src/greeks/limits.js';
import { layoutBook } from '../../src/layout/index.js';
import { applyMarket } from '../../src/layout/market-layout.js';
import { HeapAllocator } from '../../src/memory/allocators.js';
import { MARGIN_METHODS } from '../../src/methods/registry.js';
import { validateBook, validateMarket } from '../../src/model/validate.js';
import { marginCore } from '../support/cli.js';
import { problemLines } from '../support/problems.js';
import { smallBook, smallMarket } from './fixtures.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

/** Instrument 2 is the BTC call (underlying BTC, expiry 2026-11-27, valued 2026-11-20). */
const CASES: { what: string; book?: (b: any) => void; market?: (m: any) => void; line: string }[] = [
  { what: 'huge strike', book: (b) => (b.instruments[2].strike = 1e120), line: 'instruments[2].strike: 1e+120 is outside the supported range [1e-100, 1e+100]' },
  { what: 'tiny strike', book: (b) => (b.instruments[2].strike = 1e-120), line: 'instruments[2].strike: 1e-120 is outside the supported range [1e-100, 1e+100]' },
  { what: 'huge implied vol', market: (m) => (m.impliedVols['BTC-27NOV26-100000-C'] = 4000), line: 'market.impliedVols["BTC-27NOV26-100000-C"]: 4000 is above the supported 3000 (300000% a year)' },
  { what: 'far expiry', book: (b) => (b.instruments[2].expiry = '2086-11-20T08:00:00Z'), line: 'instruments[2].expiry: 60.041 years (ACT/365) after the valuation time; at most 50 are supported' }, // 60 × 365 + 15 leap days (2028 … 2084)
  { what: 'huge rate', market: (m) => (m.assets.BTC.rate = 2.5), line: 'market.assets.BTC.rate: 2.5 is outside the supported range [-2, 2] (±200% a year)' },
  { what: 'huge carry', market: (m) => (m.assets.BTC.carry = -3), line: 'market.assets.BTC.carry: -3 is outside the supported range [-2, 2] (±200% a year)' },
  { what: 'huge spot', market: (m) => (m.assets.BTC.price = 1e101), line: 'market.assets.BTC.price: 1e+101 is outside the supported range [1e-100, 1e+100]' },
  { what: 'tiny spot', market: (m) => (m.assets.BTC.price = 1e-101), line: 'market.assets.BTC.price: 1e-101 is outside the supported range [1e-100, 1e+100]' },
];

function inputs(c: (typeof CASES)[number]) {
  const book = smallBook();
  const market = smallMarket();
  c.book?.(book);
  c.market?.(market);
  return { book, market };
}

describe('validation enforces the option kernels\' domain with book and market paths', () => {
  it('the limits are those of src/greeks/limits.ts', () => {
    expect(GREEKS_LIMITS).toMatchObject({ priceMin: 1e-100, priceMax: 1e100, expiryYearsMax: 50, volMax: 3000, rateAbsMax: 2 });
  });

  for (const c of CASES) {
    it(`${c.what}: one problem at its path, under every method`, () => {
      for (const method of MARGIN_METHODS) {
        const { book, market } = inputs(c);
        expect(problemLines(() => engine.margin(book, market, { method })), method).toEqual([c.line]);
      }
    });
  }

  it('the edges of the domain are accepted', () => {
    const { book, market } = inputs({ what: '', line: '', market: (m) => { m.assets.BTC.rate = 2; m.assets.BTC.carry = -2; m.impliedVols['BTC-27NOV26-100000-C'] = 10; } });
    book.instruments[0].multiplier = 1;
    book.instruments[3].strike = 1e-100;
    book.instruments[2].expiry = new Date(Date.parse('2026-11-20T08:00:00Z') + 50 * 365 * 86_400_000).toISOString(); // 50 years ACT/365
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
      'instrument.strike: 1e+300 is outside the supported range [1e-100, 1e+100]',
    ]);
  });

  it('the CLI names the book path, never a kernel slot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'margin-core-domain-'));
    for (const [i, c] of CASES.entries()) {
      const { book, market } = inputs(c);
      const files = { book: join(dir, `book-${i}.json`), market: join(dir, `market-${i}.json`) };
      await writeFile(files.book, JSON.stringify(book));
      await writeFile(files.market, JSON.stringify(market));
      const run = await marginCore('margin', '--book', files.book, '--market', files.market, '--method', i % 2 === 0 ? 'portfolio' : 'var');
      expect(run.code, c.what).toBe(1);
      expect(run.stderr, c.what).toBe(`margin-core: invalid input (1 problem):\n  ${c.line}\n`);
    }
  });
});
