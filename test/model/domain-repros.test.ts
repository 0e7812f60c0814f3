/**
 * The reproductions of issue 36 item 2, each now a clean InputError naming the path and the value, or a correct
 * finite number: values that validation used to accept and that made the liquidation engine, isolated margin,
 * stress and the live session produce NaN, ±Infinity or a RangeError.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { problemLines } from '../support/problems.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'wasm' });
});

const market = () => ({
  valuationTime: '2026-11-20T08:00:00Z',
  assets: { BTC: { price: 88_000, vol: 0.5 }, ETH: { price: 3_000, vol: 0.7 }, USDC: { price: 1, vol: 0 } },
  correlation: { assets: ['BTC', 'ETH'], matrix: [[1, 0.8], [0.8, 1]] },
});
const perp = (multiplier = 1) => ({ id: 'P', kind: 'perpetual', underlying: 'BTC', multiplier });
const counterparty = { id: 'b', positions: [{ instrument: 'P', quantity: -1, entryPrice: 80_000 }], collateral: [{ asset: 'USDC', amount: 100_000 }] };

describe('issue 36 item 2: each reproduction is an InputError with its path, or a finite number', () => {
  it('a 1e-295-contract position in a bankrupt account: refused (the bankruptcy price overflowed, the fund went NaN)', () => {
    const book = { instruments: [perp()], accounts: [{ id: 'a', positions: [{ instrument: 'P', quantity: 1e-295, entryPrice: 100_000 }], cashUsd: -10 }, counterparty] };
    for (const run of [() => engine.liquidate(book, market()), () => engine.margin(book, market())]) {
      expect(problemLines(run)).toEqual(['accounts[0].positions[0].quantity: 1e-295 is below the smallest quantity 1e-12 (a quantity is 0 or at least 1e-12)']);
    }
  });

  it('isolated margin with ETH collateral of 1.8e308 (Infinity in JSON) or −1e306: refused (equity ±Infinity, health NaN)', () => {
    for (const [amount, line] of [
      [1.8e308, 'accounts[0].collateral[0].amount: not a finite number (got Infinity)'],
      [-1e306, 'accounts[0].collateral[0].amount: -1e+306 is beyond the largest amount 1e15 in magnitude'],
    ] as const) {
      const book = { instruments: [perp()], accounts: [{ id: 'a', positions: [{ instrument: 'P', quantity: 1, entryPrice: 80_000, isolatedMargin: 1_000 }], collateral: [{ asset: 'ETH', amount }] }] };
      expect(problemLines(() => engine.margin(book, market(), { method: 'isolated' }))).toEqual([line]);
    }
  });

  it('multiplier 1e300, a mark of 2.4e290, a quantity of 1.5e228: refused in liquidation and stress (NaN fills and fund)', () => {
    const cases: [(b: any, m: any) => void, string][] = [
      [(b) => (b.instruments[0].multiplier = 1e300), 'instruments[0].multiplier: 1e+300 is above the largest multiplier 1e9'],
      [(_b, m) => (m.marks = { P: 2.4e290 }), 'market.marks.P: 2.4e+290 is above the largest price 1e12'],
      [(b) => (b.accounts[0].positions[0].quantity = 1.5e228), 'accounts[0].positions[0].quantity: 1.5e+228 is above the largest quantity 1e12'],
    ];
    for (const [change, line] of cases) {
      const book: any = { instruments: [perp()], accounts: [{ id: 'a', positions: [{ instrument: 'P', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 10 }] }, counterparty] };
      const m: any = market();
      change(book, m);
      expect(problemLines(() => engine.liquidate(book, m)), line).toEqual([line]);
      expect(problemLines(() => engine.stress(book, m, { spot: { BTC: -0.1 } })), line).toEqual([line]);
    }
  });

  it('a denormal MM (a long call worth 6.2e-313): health finite, 100 / 1e-12 (it was +Infinity with MM > 0)', () => {
    // spot 1, vol 1e-6 over one day: the 1.00000195 call is d₂ ≈ −37.5 standard deviations out, BSM value ≈ 6.2e-313
    const book = {
      instruments: [{ id: 'C', kind: 'option', underlying: 'X', right: 'call', strike: 1.00000195, expiry: '2026-11-21T08:00:00Z' }],
      accounts: [{ id: 'a', positions: [{ instrument: 'C', quantity: 1, entryPrice: 0 }], collateral: [{ asset: 'USDC', amount: 100 }] }],
    };
    const m = { valuationTime: '2026-11-20T08:00:00Z', assets: { X: { price: 1, vol: 1e-6 }, USDC: { price: 1, vol: 0 } }, impliedVols: { C: 1e-6 } };
    // MM = the option's mark value alone: a long option requires its value (a short one only its rates, here 0, since
    // its mark is a loss in equity already: docs/coin-margined.md, "Deribit's margin balance")
    const params = { options: { default: { imBase: 0, imFloor: 0, mmRate: 0 } } };
    for (const method of ['cross', 'isolated']) {
      const a = engine.margin(book, m, { method, params }).accounts[0];
      expect(a.mm).toBeGreaterThan(0);
      expect(a.mm).toBeLessThan(1e-300);
      expect(a.health).toBe(100 / 1e-12); // the floor of src/margin/derived-figures.ts
      expect(a.status).toBe('healthy');
    }
  });

  it('a denormal MM in a liquidation step: health −100 / 1e-12, not −Infinity (the plan had its own unfloored ratio)', () => {
    // the same long call, against a 100 USDC borrowing: equity −100, bankrupt; every step before the last holds MM ≈ 6e-313
    const book = {
      instruments: [{ id: 'C', kind: 'option', underlying: 'X', right: 'call', strike: 1.00000195, expiry: '2026-11-21T08:00:00Z' }],
      accounts: [{ id: 'a', positions: [{ instrument: 'C', quantity: 1, entryPrice: 0 }], collateral: [{ asset: 'USDC', amount: -100 }] }],
    };
    const m = { valuationTime: '2026-11-20T08:00:00Z', assets: { X: { price: 1, vol: 1e-6 }, USDC: { price: 1, vol: 0 } }, impliedVols: { C: 1e-6 } };
    const params = { options: { default: { imBase: 0, imFloor: 0, mmRate: 0 } } };
    const steps = engine.liquidate(book, m, { params }).accounts[0].steps;
    expect(steps.length).toBeGreaterThan(0);
    expect(steps[0].mmBefore).toBeLessThan(1e-300);
    expect(steps[0].healthBefore).toBe(-100 / 1e-12);
    for (const s of steps) if (s.mmAfter > 0) expect(Number.isFinite(s.healthAfter)).toBe(true);
  });

  it('a denormal stress shock: refused (the amplification ratio total move / shock move was ±Infinity)', () => {
    const book = { instruments: [perp()], accounts: [{ id: 'a', positions: [{ instrument: 'P', quantity: 1, entryPrice: 88_000 }], collateral: [{ asset: 'USDC', amount: 5_000 }] }, counterparty] };
    expect(problemLines(() => engine.stress(book, market(), { spot: { BTC: -1e-310 } }))).toEqual(['shock.spot.BTC: -1e-310 is below the smallest move 1e-12 in magnitude (a move is 0 or at least 1e-12)']);
  });

  it('live.whatIf / check / account with a 5,000-deep nested non-string account id: InputError, not a RangeError', () => {
    const book = { instruments: [perp()], accounts: [counterparty] };
    const live = engine.live(book, market());
    let id: unknown = 'b';
    for (let i = 0; i < 5_000; i++) id = [id];
    const line = 'account: expected an account id (a string), got an Array';
    expect(problemLines(() => live.whatIf(id as string, []))).toEqual([line]);
    expect(problemLines(() => live.check(id as string, { instrument: 'P', quantity: 1 }))).toEqual([line]);
    expect(problemLines(() => live.account(id as string))).toEqual([line]);
    live.release();
  });
});
