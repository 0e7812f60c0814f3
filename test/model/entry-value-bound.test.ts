/**
 * A position's entry value is bounded where its book meets its market, and on every live path, as its notional is
 * (docs/domain.md): what its entry price puts into its account's equity. A linear contract's is |quantity| ×
 * multiplier × entry; an inverse one's |quantity| × multiplier × coin price / entry (its P&L is face × (1/entry −
 * 1/mark) in coin); each position's and the account's sum at most 1e15 USD. Without the bound a position entered at
 * 1e12 (or an inverse one at 1e-9 USD per BTC), each number inside its own bound, gave an equity near −1e18 USD.
 * Expected figures are computed by hand from those formulas.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, validateInputs, validateMarket } from '../../src/index.js';
import { book, market } from '../support/margin-books.js';
import { COIN_INSTRUMENTS, coinBook, coinMarket } from '../support/coin-books.js';
import { problemLines } from '../support/problems.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'wasm' });
});

const HOW = '(|quantity| × multiplier × entry; an inverse contract\'s |quantity| × multiplier × coin price / entry)';

/** The USD figure of a message's "entry value of X USD" or "sum to X USD". */
function usdIn(line: string): number {
  const m = /(?:entry value of|sum to) (\S+) USD/.exec(line);
  if (!m) throw new Error(`no figure in ${line}`);
  return Number(m[1]);
}

describe('entry value where a book meets its market', () => {
  it('refuses a linear position entered far from any price: 1e6 BTC-PERP at 1e12 is 1e18 USD of entry value', () => {
    // notional 1e6 × 100,000 = 1e11 USD (within); entry value 1e6 × 1 × 1e12 = 1e18
    const whale = book({ id: 'whale', positions: [{ instrument: 'BTC-PERP', quantity: 1e6, entryPrice: 1e12 }], collateral: [{ asset: 'USDC', amount: 1 }] });
    expect(problemLines(() => validateInputs(whale, market()))).toEqual([
      `accounts[0]: the position in BTC-PERP has an entry value of 1000000000000000000 USD ${HOW} at entry price 1000000000000, above the largest entry value 1e15 USD`,
    ]);
    expect(problemLines(() => engine.margin(whale, market(), { method: 'cross' }))).toHaveLength(1);
    // 1,000 contracts at 1e12: exactly 1e15, the bound itself, taken; equity 1,000 × (100,000 − 1e12) + 1 USDC
    const edge = book({ positions: [{ instrument: 'BTC-PERP', quantity: 1e3, entryPrice: 1e12 }], collateral: [{ asset: 'USDC', amount: 1 }] });
    const r = engine.margin(edge, market(), { method: 'cross' });
    expect(r.accounts[0].equity).toBeCloseTo(1e3 * (100_000 - 1e12) + 1, -3);
  });

  it('refuses an inverse position entered at 1e-9 USD per BTC (its coin P&L is face / entry)', () => {
    // 1,000 contracts of 10 USD: face 10,000 USD (within); entry value 10,000 × 100,000 / 1e-9 ≈ 1e18 USD
    const coin = coinBook({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 1e-9 }], collateral: [{ asset: 'BTC', amount: 1 }] });
    const lines = problemLines(() => validateInputs(coin, coinMarket()));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^accounts\[0\]: the position in BTC-PERPETUAL has an entry value of \S+ USD .* at entry price 1e-9, above the largest entry value 1e15 USD$/);
    expect(usdIn(lines[0]) / 1e18).toBeCloseTo(1, 12);
    // at 100 USD per BTC the same position is 1e4 × 1e5 / 100 = 1e7 USD of entry value: taken
    const fine = coinBook({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 100 }], collateral: [{ asset: 'BTC', amount: 1 }] });
    expect(() => validateInputs(fine, coinMarket())).not.toThrow();
  });

  it('bounds the sum of an account\'s entry values, each within: 6e14 + 6e14 = 1.2e15 USD', () => {
    const two = (eth: boolean) => book({ positions: [
      { instrument: 'BTC-PERP', quantity: 5e3, entryPrice: 1.2e11 }, // 6e14
      ...(eth ? [{ instrument: 'ETH-PERP', quantity: 2e5, entryPrice: 3e9 }] : []), // 6e14
    ], collateral: [{ asset: 'USDC', amount: 1 }] });
    expect(problemLines(() => validateInputs(two(true), market()))).toEqual([
      `accounts[0]: the entry values of its positions sum to 1200000000000000 USD (Σ ${HOW.slice(1, -1)}), above the largest 1e15 USD`,
    ]);
    expect(() => validateInputs(two(false), market())).not.toThrow();
  });

  it('values a linear contract quoted in another asset in USD: a BTC perpetual settled in ETH, its prices in ETH', () => {
    // marked 33.3 ETH per BTC with ETH at 3,000 USD: 1e11 contracts are 1e11 × 33.3 × 3,000 = 9.99e15 USD of notional
    // (they were read as 3.33e12, the ETH figure, and taken); 1e9 entered at 1e6 ETH are 1e9 × 1e6 × 3,000 = 3e18 USD
    const quoted = (quantity: number, entryPrice: number) => ({
      instruments: [{ id: 'BTC_ETH-PERP', kind: 'perpetual', underlying: 'BTC', settlement: 'ETH' }],
      accounts: [{ id: 'a', marginCurrency: 'ETH', positions: [{ instrument: 'BTC_ETH-PERP', quantity, entryPrice }], collateral: [{ asset: 'ETH', amount: 1_000 }] }],
    });
    const m = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 }, ETH: { price: 3_000, vol: 0.6 } }, marks: { 'BTC_ETH-PERP': 33.3 } };
    const notional = problemLines(() => validateInputs(quoted(1e11, 33), m));
    expect(notional).toHaveLength(1);
    expect(notional[0]).toMatch(/^accounts\[0\]: the position in BTC_ETH-PERP has a notional of (\S+) USD, above the largest notional 1e15 USD$/);
    expect(Number(/notional of (\S+) USD/.exec(notional[0])![1]) / 9.99e15).toBeCloseTo(1, 12);
    const entry = problemLines(() => validateInputs(quoted(1e9, 1e6), m));
    expect(entry).toHaveLength(1);
    expect(usdIn(entry[0]) / 3e18).toBeCloseTo(1, 12);
    // 1e5 entered at 1e5 ETH: 3e13 USD, taken
    expect(() => validateInputs(quoted(1e5, 1e5), m)).not.toThrow();
  });

  it('checks a later market against a session\'s book where the caller asks: validateMarket(json, session.book)', () => {
    // opened alone, the book is within every bound; at BTC 1e12 its 1e9 BTC-PERP are 1e21 USD of notional
    const session = engine.openBook(book({ positions: [{ instrument: 'BTC-PERP', quantity: 1e9, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1 }] }));
    const later = { ...market(), assets: { ...market().assets, BTC: { price: 1e12, vol: 0.5 } }, marks: { ...market().marks, 'BTC-PERP': 1e12 } };
    expect(problemLines(() => validateMarket(later, session.book))).toEqual(['accounts[0]: the position in BTC-PERP has a notional of 1e+21 USD, above the largest notional 1e15 USD']);
    session.release();
  });

  it('leaves an option\'s entry price out: it enters no figure (its premium is in the cash)', () => {
    const option = book({ positions: [{ instrument: 'BTC-110000-C', quantity: 1e4, entryPrice: 1e12 }], collateral: [{ asset: 'USDC', amount: 1e6 }] });
    expect(() => validateInputs(option, market())).not.toThrow();
  });
});

describe('entry value on the live paths', () => {
  it('refuses a fill, a what-if and an order whose entry value goes beyond the bound; a fresh run agrees', async () => {
    const session = engine.live(book({ id: 'cash', collateral: [{ asset: 'USDC', amount: 1_000 }] }), market(), { method: 'cross' });
    const before = JSON.stringify(session.report());
    // 1e4 BTC-PERP filled at 1e12 (a linear contract's price is not held to its mark): notional 1e9 USD, entry value 1e16
    const line = `the position in BTC-PERP has an entry value of 10000000000000000 USD ${HOW} at entry price 1000000000000, above the largest entry value 1e15 USD`;
    expect(problemLines(() => session.applyFills([{ account: 'cash', instrument: 'BTC-PERP', quantity: 1e4, price: 1e12 }]))).toEqual([`fills[0]: ${line}`]);
    expect(problemLines(() => session.whatIf('cash', [{ instrument: 'BTC-PERP', quantity: 1e4, price: 1e12 }]))).toEqual([`trades[0]: ${line}`]);
    expect(problemLines(() => session.check('cash', { instrument: 'BTC-PERP', quantity: 1e4, price: 1e12 }))).toEqual([`order: ${line}`]);
    expect(JSON.stringify(session.report())).toBe(before);
    // 1e3 at 1e12: 1e15, taken
    session.applyFills([{ account: 'cash', instrument: 'BTC-PERP', quantity: 1e3, price: 1e12 }]);
    session.release();
  });

  it('refuses a coin fill at a tenth of the price that puts 1.6e15 USD of entry value on 2e14 USD of face; at the mark it is 2e14', () => {
    // contracts of 1,000 USD: 2e11 of them (within the largest quantity, 1e12) are 2e14 USD of face
    const json = { ...coinBook({ id: 'coin', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 1 }] }), instruments: COIN_INSTRUMENTS.map((i) => (i.id === 'BTC-PERPETUAL' ? { ...i, multiplier: 1_000 } : i)) };
    const session = engine.live(json, coinMarket(), { method: 'cross' });
    // at 12,500 (within tenfold of 100,000): 2e14 × 100,000 / 12,500 = 1.6e15
    const lines = problemLines(() => session.applyFills([{ account: 'coin', instrument: 'BTC-PERPETUAL', quantity: 2e11, price: 12_500 }]));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^fills\[0\]: the position in BTC-PERPETUAL has an entry value of \S+ USD .* at entry price 12500, above the largest entry value 1e15 USD$/);
    expect(usdIn(lines[0]) / 1.6e15).toBeCloseTo(1, 12);
    session.applyFills([{ account: 'coin', instrument: 'BTC-PERPETUAL', quantity: 2e11, price: 100_000 }]);
    session.release();
  });

  it('refuses the rise of the asset a linear contract is quoted in that carries its entry value beyond the bound', async () => {
    // 1e5 BTC perpetuals settled in ETH entered at 1e5 ETH per BTC: 1e10 ETH of entry value, 3e13 USD at 3,000
    const b = {
      instruments: [{ id: 'BTC_ETH-PERP', kind: 'perpetual', underlying: 'BTC', settlement: 'ETH' }],
      accounts: [{ id: 'q', marginCurrency: 'ETH', positions: [{ instrument: 'BTC_ETH-PERP', quantity: 1e5, entryPrice: 1e5 }], collateral: [{ asset: 'ETH', amount: 1e6 }] }],
    };
    const m = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 }, ETH: { price: 3_000, vol: 0.6 } }, marks: { 'BTC_ETH-PERP': 33.3 }, correlation: { assets: ['BTC', 'ETH'], matrix: [[1, 0.8], [0.8, 1]] } };
    const session = engine.live(b, m, { method: 'cross' });
    session.applyTick({ assets: { ETH: { price: 30_000 } } }); // 3e14: taken
    const lines = problemLines(() => session.applyTick({ assets: { ETH: { price: 300_000 } } })); // 3e15
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^accounts\[0\]: account q: the position in BTC_ETH-PERP has an entry value of \S+ USD .* at entry price 100000, above the largest entry value 1e15 USD$/);
    expect(usdIn(lines[0]) / 3e15).toBeCloseTo(1, 12);
    expect(session.marketJson.assets.ETH.price).toBe(30_000);
    session.release();
  });

  it('refuses the coin\'s rise that carries an inverse position\'s entry value beyond the bound, and takes the tick back', async () => {
    // 1e12 contracts of the future (face 1e13 USD) entered at 10,000: 1e13 × S / 10,000, 1e14 USD at S = 100,000
    const coin = coinBook({ id: 'early', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-25DEC26', quantity: 1e12, entryPrice: 10_000 }], collateral: [{ asset: 'BTC', amount: 1e6 }] });
    for (const backend of ['js', 'wasm'] as const) {
      const session = (await createEngine({ backend })).live(coin, coinMarket(), { method: 'cross' });
      session.applyTick({ assets: { BTC: { price: 900_000 } } }); // 9e14: taken
      const before = JSON.stringify(session.marketJson);
      const lines = problemLines(() => session.applyTick({ assets: { BTC: { price: 1_200_000 } } })); // 1.2e15
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^accounts\[0\]: account early: the position in BTC-25DEC26 has an entry value of \S+ USD .* at entry price 10000, above the largest entry value 1e15 USD$/);
      expect(usdIn(lines[0]) / 1.2e15).toBeCloseTo(1, 12);
      expect(JSON.stringify(session.marketJson)).toBe(before);
      // a fresh run on the same book and market refuses it too
      expect(problemLines(() => validateInputs(coin, coinMarket({ btc: 1_200_000 })))[0]).toMatch(/has an entry value of/);
      session.release();
    }
  });
});
