/**
 * An inverse future's or perpetual's mark or trade price is within a factor of 10 of its forward
 * (src/model/mark-bounds.ts inverseMarkProblem; docs/book-format.md `marks.<id>`): S·e^{(r−q)T} for a future, the
 * index S for a perpetual. Its P&L is multiplier·(1/entry − 1/mark) coin: an inverse perpetual marked 1e-9 with BTC at
 * 95,000 was taken, and its holder's equity came to −4.75e18 USD. A linear contract's mark is its venue's (Derive's own
 * case marks a perpetual at 100,000 against an index of 3,000). The same rule on every path: the market
 * (engine.margin), a live tick's marks and rates, a fill, a what-if, a check, a prepared run's what-if. Every bound
 * below is computed by hand from the formula.
 */
import { expect, test } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { problemsOf as problemsThrown } from '../support/problems.js';

const book = {
  instruments: [
    { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' },
    // one year (365 days) after the valuation time
    { id: 'BTC-20NOV27', kind: 'future', underlying: 'BTC', multiplier: 10, settlement: 'BTC', expiry: '2027-11-20T08:00:00Z' },
    { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC', multiplier: 1 },
  ],
  accounts: [
    { id: 'coin', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 1 }], positions: [{ instrument: 'BTC-PERPETUAL', quantity: 1_000, entryPrice: 100_000 }, { instrument: 'BTC-20NOV27', quantity: -1_000, entryPrice: 105_000 }] },
    { id: 'usd', cashUsd: 50_000, positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }] },
  ],
};
// BTC 100,000 at rate 0.05: the inverse future's forward 100,000·e^{0.05} = 105,127.1096…, its band 10,512.7 to
// 1,051,271; the inverse perpetual's 10,000 to 1,000,000
const market = {
  valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5, rate: 0.05 } },
  marks: { 'BTC-PERPETUAL': 100_000, 'BTC-20NOV27': 70_000 },
};
const TAIL = (what: string) => `(its P&L is multiplier·(1/entry − 1/${what}) BTC; a ${what} in another unit, or a broken feed?)`;

/** The problems of `f`, path and message (it must throw an InputError). */
const problemsOf = (f: () => unknown) => problemsThrown(f).map(({ path, message }) => ({ path, message }));

test('the forward and band, by hand', () => {
  const forward = 100_000 * Math.exp(0.05);
  expect(forward).toBeCloseTo(105_127.1096, 4);
  expect([forward / 10, forward * 10].map((x) => Number(x.toPrecision(10)))).toEqual([10_512.710_96, 1_051_271.096]);
});

test('the market: an inverse mark more than tenfold off its forward is refused at its path; at the band it is margined; a linear mark is the venue\'s', async () => {
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    expect(problemsOf(() => engine.margin(book, { ...market, marks: { 'BTC-PERPETUAL': 1e-9, 'BTC-20NOV27': 10_500 } }, { method: 'cross' }))).toEqual([
      { path: 'market.marks["BTC-PERPETUAL"]', message: `1e-9 is more than tenfold below the inverse perpetual's index 100000 USD per BTC: a mark outside 10000 to 1000000 is refused ${TAIL('mark')}` },
      // 10,500 is within tenfold of the spot, not of the forward
      { path: 'market.marks["BTC-20NOV27"]', message: `10500 is more than tenfold below the inverse future's forward 105127.1096 USD per BTC (BTC 100000 carried to expiry): a mark outside 10512.71096 to 1051271.096 is refused ${TAIL('mark')}` },
    ]);
    expect(problemsOf(() => engine.margin(book, { ...market, marks: { 'BTC-PERPETUAL': 1_000_001 } }, { method: 'cross' }))[0].message).toMatch(/^1000001 is more than tenfold above the inverse perpetual's index/);
    const report = engine.margin(book, { ...market, marks: { 'BTC-PERPETUAL': 10_000, 'BTC-20NOV27': 10_513, 'BTC-PERP': 3_000_000 } }, { method: 'cross' });
    expect(report.accounts.map((a) => Number.isFinite(a.equity))).toEqual([true, true]);
    // the linear perpetual at 30 × its index: P&L 1 × (3,000,000 − 100,000), by hand
    expect(report.accounts[1].equity).toBe(50_000 + 2_900_000);
  }
});

test('a live tick: a mark it gives is held to the band; a rate that carries a quoted inverse future out of it is refused at the rate', async () => {
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    const live = engine.live(book, market, { method: 'cross' });
    const before = JSON.stringify(live.report());
    expect(problemsOf(() => live.applyTick({ marks: { 'BTC-PERPETUAL': 1e-9 } }))).toEqual([
      { path: 'tick.marks["BTC-PERPETUAL"]', message: `1e-9 is more than tenfold below the inverse perpetual's index 100000 USD per BTC: a mark outside 10000 to 1000000 is refused ${TAIL('mark')}` },
    ]);
    // at a rate of 2 the forward is 100,000·e² = 738,905.6: the quoted 70,000 is below its tenth, 73,890.56
    expect(problemsOf(() => live.applyTick({ assets: { BTC: { rate: 2 } } }))).toEqual([
      { path: 'tick.assets.BTC.rate', message: `at rate 2, the quoted mark of "BTC-20NOV27" is refused: 70000 is more than tenfold below the inverse future's forward 738905.6099 USD per BTC (BTC 100000 carried to expiry): a mark outside 73890.56099 to 7389056.099 is refused ${TAIL('mark')}: give its mark in the same tick` },
    ]);
    // price and rate at once: the future's mark held to its index (70,000 × 0.5 = 35,000) against the forward
    // 50,000·e² = 369,452.80: refused at the rate that carried the forward away, not at a mark the tick did not give
    expect(problemsOf(() => live.applyTick({ assets: { BTC: { price: 50_000, rate: 2 } } }))).toEqual([
      { path: 'tick.assets.BTC.rate', message: `at rate 2, the quoted mark of "BTC-20NOV27" is refused: 35000 is more than tenfold below the inverse future's forward 369452.8049 USD per BTC (BTC 50000 carried to expiry): a mark outside 36945.28049 to 3694528.049 is refused ${TAIL('mark')}: give its mark in the same tick` },
    ]);
    expect(JSON.stringify(live.report())).toBe(before);
    // a price move holds the quoted marks to their index (mark/index kept): taken; the market margins from scratch alike
    live.applyTick({ assets: { BTC: { price: 50_000 } } });
    expect(live.marketJson.marks?.['BTC-PERPETUAL']).toBe(50_000);
    live.applyTick({ assets: { BTC: { rate: 2 } }, marks: { 'BTC-20NOV27': 1_000_000 } });
    expect(JSON.stringify(engine.margin(live.book(), live.marketJson, { method: 'cross' }).accounts)).toBe(JSON.stringify(live.report().accounts));
  }
});

test('a live fill, what-if or check at a price more than tenfold off an inverse forward is refused and changes nothing', async () => {
  const engine = await createEngine();
  const live = engine.live(book, market, { method: 'cross' });
  const before = JSON.stringify(live.book());
  const message = `1000000000 is more than tenfold above the inverse perpetual's index 100000 USD per BTC: a price outside 10000 to 1000000 is refused ${TAIL('price')}`;
  expect(problemsOf(() => live.applyFills([{ account: 'coin', instrument: 'BTC-PERPETUAL', quantity: 1, price: 1e9 }]))).toEqual([{ path: 'fills[0].price', message }]);
  expect(problemsOf(() => live.whatIf('coin', [{ instrument: 'BTC-PERPETUAL', quantity: 1, price: 1e9 }]))).toEqual([{ path: 'trades[0].price', message }]);
  expect(problemsOf(() => live.check('coin', { instrument: 'BTC-PERPETUAL', quantity: 1, price: 1e9 }))).toEqual([{ path: 'order.price', message }]);
  expect(problemsOf(() => live.applyFills([{ account: 'coin', instrument: 'BTC-PERPETUAL', quantity: 1, price: 1e-9 }]))[0].path).toBe('fills[0].price');
  expect(JSON.stringify(live.book())).toBe(before);
  // an order's limit of 0 is a market order (judged at the mark), not a price
  expect(() => live.check('coin', { instrument: 'BTC-PERPETUAL', quantity: 1, price: 0 })).not.toThrow();
  // within the band: taken
  live.applyFills([{ account: 'coin', instrument: 'BTC-20NOV27', quantity: 1, price: 11_000 }]);
  expect(live.book().accounts.find((a) => a.id === 'coin')!.positions?.[1]?.quantity).toBe(-999);
});

test('a prepared run\'s what-if holds a fill\'s price as a live fill is held (an inverse one given as −1/price)', async () => {
  const engine = await createEngine();
  const session = engine.openBook(book);
  const run = session.prepare(market, { method: 'cross' });
  try {
    const row = session.layout.instruments.indexById.get('BTC-PERPETUAL')!;
    // before the kernels ran, a what-if read empty outputs (the account's positions ignored): refused
    expect(() => run.whatIf('coin', [{ instrument: row, quantity: 1, price: -1 / 90_000 }])).toThrow(/has not run: call run\(\) before a what-if/);
    run.run();
    // an inverse price is −1/price, below 0: a positive x had added 1e7 BTC of P&L, 0 is no price
    for (const x of [100_000, 1e-5, 0]) {
      expect(problemsOf(() => run.whatIf('coin', [{ instrument: row, quantity: -10, price: x }]))).toEqual([{ path: 'changes[0].price', message: `${x} is not below 0: an inverse contract's price is given as −1/price, USD per coin (-0.00001 for 100,000)` }]);
    }
    const problems = problemsOf(() => run.whatIf('coin', [{ instrument: row, quantity: 1, price: -1 / 1e-9 }]));
    expect(problems).toEqual([{ path: 'changes[0].price', message: `1e-9 is more than tenfold below the inverse perpetual's index 100000 USD per BTC: a price outside 10000 to 1000000 is refused ${TAIL('price')} (given as ${-1 / 1e-9}, −1/price in the layout's coordinate)` }]);
    expect(() => run.whatIf('coin', [{ instrument: row, quantity: 1, price: -1 / 90_000 }])).not.toThrow();
  } finally {
    run.release();
    session.release();
  }
});

test('a session given the market alone holds the same bounds as engine.margin: margin, prepare, liquidate', async () => {
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    const session = engine.openBook(book);
    try {
      const bad = { ...market, marks: { ...market.marks, 'BTC-PERPETUAL': 1e-9 } };
      const expected = [{ path: 'market.marks["BTC-PERPETUAL"]', message: `1e-9 is more than tenfold below the inverse perpetual's index 100000 USD per BTC: a mark outside 10000 to 1000000 is refused ${TAIL('mark')}` }];
      expect(problemsOf(() => session.margin(bad, { method: 'cross' }))).toEqual(expected);
      expect(problemsOf(() => session.prepare(bad, { method: 'portfolio' }))).toEqual(expected);
      expect(problemsOf(() => engine.liquidate(session, bad, { method: 'cross' }))).toEqual(expected);
      // the same figures as engine.margin within the band
      expect(JSON.stringify(session.margin(market, { method: 'cross' }).accounts)).toBe(JSON.stringify(engine.margin(book, market, { method: 'cross' }).accounts));
    } finally {
      session.release();
    }
  }
});
