/**
 * Ticks on books with coin-margined, USDC-linear and quoted-mark accounts, worked by hand:
 * - the price-tick mark rule (src/live/tick-marks.ts): a tick that moves an index without giving marks moves each
 *   quoted future and perpetual mark with it, holding the mark/index ratio (the liquidation-price search's convention);
 *   a mark the tick gives wins; derived marks follow the index by cost of carry as a fresh market derives them;
 * - a coin-margined account after a tick keeps its figures in its coin (issue 49: the tick used to store the USD
 *   mark where the layout keeps −1/mark);
 * - a what-if on a coin account states its balance as its collateral value, as its report row does.
 * On wasm-simd, wasm-scalar and the JS twin.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, InputError, validateInputs } from '../../src/index.js';
import { layoutToBook } from '../../src/layout/to-book.js';
import { markHeldToIndex } from '../../src/model/move-market.js';
import { firstDifference } from '../support/bits.js';
import { allEngines } from '../support/engines.js';

const VALUATION = '2026-11-20T08:00:00Z';
const INSTRUMENTS = [
  { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
  { id: 'BTC-USDC-PERP', kind: 'perpetual', underlying: 'BTC', settlement: 'USDC' },
  { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' },
];
/** BTC at 100,000; BTC-PERP quoted 50 over its index, the inverse perpetual 20 under; the USDC perpetual derived. */
const MARKET = {
  valuationTime: VALUATION,
  assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
  marks: { 'BTC-PERP': 100_050, 'BTC-PERPETUAL': 99_980 },
};
const BOOK = {
  instruments: INSTRUMENTS,
  accounts: [
    // short 2 BTC-PERP entered at 100,000, 20,000 USD cash
    { id: 'short', positions: [{ instrument: 'BTC-PERP', quantity: -2, entryPrice: 100_000 }], cashUsd: 20_000 },
    // long 1,000 inverse contracts (10,000 USD of face) entered at 100,000, 1 BTC held
    { id: 'inverse', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: 1_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 1 }] },
    // long 1 BTC-USDC-PERP entered at 100,000, 5,000 USDC held
    { id: 'usdc', marginCurrency: 'USDC', positions: [{ instrument: 'BTC-USDC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 5_000 }] },
  ],
};

describe('price ticks move marks by one rule', () => {
  let engines: Engine[];
  beforeAll(async () => {
    engines = await allEngines();
  });

  it('the held mark is mark · (price after / price before)', () => {
    expect(markHeldToIndex(100_050, 80_000 / 100_000)).toBeCloseTo(80_040, 9); // 100,050 × 0.8
    expect(markHeldToIndex(99_980, 100_000 / 100_000)).toBe(99_980); // an unchanged index leaves the mark's bits
  });

  it('a short BTC-PERP gains when BTC falls 20 %: its quoted mark falls with the index', () => {
    for (const engine of engines) {
      const live = engine.live(BOOK, MARKET);
      try {
        expect(live.account('short').equity).toBe(20_000 - 2 * 50); // marked 50 over entry: 19,900
        live.applyTick({ assets: { BTC: { price: 80_000 } } });
        // mark 100,050 × 0.8 = 80,040; equity 20,000 + (−2)·(80,040 − 100,000) = 59,920
        expect(live.marketJson.marks!['BTC-PERP']).toBeCloseTo(80_040, 9);
        expect(live.account('short').equity).toBeCloseTo(20_000 - 2 * (80_040 - 100_000), 8);
        // the inverse perpetual's quote moves too: 99,980 × 0.8 = 79,984; P&L 10,000·(1/100,000 − 1/79,984) BTC
        expect(live.marketJson.marks!['BTC-PERPETUAL']).toBeCloseTo(79_984, 9);
        expect(live.account('inverse').equity).toBeCloseTo(1 + 10_000 * (1 / 100_000 - 1 / 79_984), 12);
        // the USDC perpetual has no quote: derived from the index, F / P_USDC = 80,000; P&L 1·(80,000 − 100,000)
        expect(live.account('usdc').equity).toBe(5_000 - 20_000);
        expectFresh(engine, live);
      } finally {
        live.release();
      }
    }
  });

  it('a mark the tick gives wins over the held ratio', () => {
    for (const engine of engines) {
      const live = engine.live(BOOK, MARKET);
      try {
        live.applyTick({ assets: { BTC: { price: 80_000 } }, marks: { 'BTC-PERP': 81_000 } });
        expect(live.marketJson.marks!['BTC-PERP']).toBe(81_000);
        expect(live.account('short').equity).toBe(20_000 - 2 * (81_000 - 100_000)); // 58,000
        expectFresh(engine, live);
      } finally {
        live.release();
      }
    }
  });

  it('a USDC price tick re-derives the USDC-settled mark: F / P_USDC', () => {
    for (const engine of engines) {
      const live = engine.live(BOOK, MARKET);
      try {
        live.applyTick({ assets: { USDC: { price: 0.999 } } });
        // mark 100,000 / 0.999 USDC; P&L in USDC 1·(100,000/0.999 − 100,000)
        expect(live.account('usdc').equity).toBeCloseTo(5_000 + (100_000 / 0.999 - 100_000), 8);
        expectFresh(engine, live);
      } finally {
        live.release();
      }
    }
  });

  it('a held mark outside the price domain refuses the tick, naming the asset, in one sentence', () => {
    const tail = '(marks keep their ratio to the index; give the mark in the tick)';
    const cases = [
      { mark: 1e-11, price: 1_000, says: `would move the mark of "BTC-PERP" to ${markHeldToIndex(1e-11, 0.01)}, below the smallest price 1e-12 ${tail}` },
      { mark: 1e11, price: 10_000_000, says: `would move the mark of "BTC-PERP" to ${markHeldToIndex(1e11, 100)}, above the largest price 1e12 ${tail}` },
    ];
    for (const engine of engines) {
      for (const { mark, price, says } of cases) {
        const live = engine.live({ ...BOOK, accounts: BOOK.accounts.slice(0, 1) }, { ...MARKET, marks: { 'BTC-PERP': mark } });
        try {
          let problems: unknown;
          expect(() => live.applyTick({ assets: { BTC: { price } } })).toThrow(InputError);
          try {
            live.applyTick({ assets: { BTC: { price } } });
          } catch (error) {
            problems = (error as InputError).problems;
          }
          expect(problems).toEqual([{ path: 'tick.assets.BTC.price', message: says }]);
          expect(live.marketJson.assets.BTC.price).toBe(100_000);
        } finally {
          live.release();
        }
      }
    }
  });
});

describe('coin-margined accounts on the sample after ticks (issue 49)', () => {
  const book = JSON.parse(readFileSync('data/sample/book.json', 'utf8'));
  const market = JSON.parse(readFileSync('data/sample/market.json', 'utf8'));
  let engines: Engine[];
  beforeAll(async () => {
    engines = await allEngines();
  });

  // btc-margined-000300: 0.5 BTC, long 4,300 BTC-PERPETUAL (43,000 USD of face) entered at 87,937.6, short 0.2 of the
  // 100,000 call quoted 0.0096 BTC; BTC-PERPETUAL quoted 88,026.8. Equity in BTC: 0.5 + 43,000·(1/87,937.6 − 1/88,026.8) − 0.2·0.0096.
  const EQUITY_BTC = 0.5 + 43_000 * (1 / 87_937.6 - 1 / 88_026.8) - 0.2 * 0.0096;

  for (const tick of [{ assets: { BTC: { vol: 0.5 } } }, { assets: { BTC: { price: 88_034.5 } } }]) {
    it(`${JSON.stringify(tick)} leaves btc-margined-000300 in BTC, as a fresh run`, () => {
      for (const engine of engines) {
        const live = engine.live(book, market);
        try {
          live.applyTick(tick);
          const row = live.account('btc-margined-000300');
          expect(row.marginCurrency).toBe('BTC');
          expect(row.equity).toBeCloseTo(EQUITY_BTC, 12);
          expect(row.im).toBeGreaterThan(0);
          expect(row.usd!.equity).toBe(row.equity * 88_034.5);
          expectFresh(engine, live);
        } finally {
          live.release();
        }
      }
    });
  }

  it('a what-if adding 0.1 BTC: collateral value 0.5 → 0.6 BTC, equity + 0.1, no USD cash', () => {
    for (const engine of engines) {
      const live = engine.live(book, market);
      try {
        const w = live.whatIf('btc-margined-000300', [{ asset: 'BTC', amount: 0.1 }]);
        const row = live.account('btc-margined-000300');
        expect(w.before.collateralValue).toBe(row.collateralValue);
        expect(w.before.collateralValue).toBe(0.5);
        expect(w.after.collateralValue).toBe(0.5 + 0.1);
        expect(w.after.cashUsd).toBe(0);
        expect(w.after.marginCurrency).toBe('BTC');
        expect(w.after.equity - w.before.equity).toBeCloseTo(0.1, 12);
        expect(w.before.equity).toBe(row.equity);
      } finally {
        live.release();
      }
    }
  });
});

function expectFresh(engine: Engine, live: ReturnType<Engine['live']>): void {
  const { book, market } = validateInputs(layoutToBook(live.layout), live.marketJson);
  expect(firstDifference(live.report(), engine.margin(book, market)), engine.backend).toBeNull();
}

describe('a tick to the largest price', () => {
  let engines: Engine[];
  beforeAll(async () => {
    engines = await allEngines();
  });

  it('moves a mark at its index to exactly 1e12 (the product rounded it to 1000000000000.0001, refused)', () => {
    expect(100_001 * (1e12 / 100_001)).toBeGreaterThan(1e12); // the rounding the rule absorbs
    expect(markHeldToIndex(100_001, 1e12 / 100_001)).toBe(1e12);
    expect(markHeldToIndex(100_050, 1e12 / 100_000)).toBeGreaterThan(1e12); // a mark above its index stays above: refused
    const book = { instruments: [INSTRUMENTS[0]], accounts: [{ id: 'long', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], cashUsd: 20_000 }] };
    for (const engine of engines) {
      const live = engine.live(book, { ...MARKET, marks: { 'BTC-PERP': 100_000 } }, { method: 'cross' });
      live.applyTick({ assets: { BTC: { price: 100_001 } } });
      live.applyTick({ assets: { BTC: { price: 1e12 } } });
      expect(live.marketJson.marks!['BTC-PERP']).toBe(1e12);
      live.release();
    }
  });
});
