import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { InputError } from '../../src/errors.js';
import type { AccountMargin, MarginReport } from '../../src/margin/report.js';
import { generateSample } from '../../src/sample/index.js';
import { allEngines } from '../support/engines.js';
import { EXPIRY, INSTRUMENTS, market, VALUATION } from '../support/margin-books.js';
import { problemLines } from '../support/problems.js';

let engines: Engine[];
let js: Engine;
beforeAll(async () => {
  engines = await allEngines();
  js = engines[0];
});

const T = 35 / 365; // VALUATION 2026-11-20 → EXPIRY 2026-12-25: 35 days, ACT/365
const D = Math.exp(-0.04 * T); // e^(−rT) = e^(−qT): BTC has rate = carry = 0.04

const CUSTOM = [
  ...INSTRUMENTS,
  { id: 'BTC-95000-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 95_000, expiry: EXPIRY },
  { id: 'BTC-100000-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 100_000, expiry: EXPIRY },
  { id: 'BTC-100000-P', kind: 'option', underlying: 'BTC', right: 'put', strike: 100_000, expiry: EXPIRY },
];

type Pos = { instrument: string; quantity: number; entryPrice?: number };
function bookOf(accounts: Array<{ positions?: Pos[]; collateral?: { asset: string; amount: number }[] }>) {
  return {
    instruments: CUSTOM,
    accounts: accounts.map((a, i) => ({
      id: `acct-${i}`,
      positions: (a.positions ?? []).map((p) => ({ entryPrice: 1, ...p })),
      collateral: a.collateral ?? [{ asset: 'USDC', amount: 1_000_000 }],
    })),
  };
}

/** The shared test market; options without a quoted mark are valued by the model; vols by id. */
function marketOf(vols: Record<string, number> = {}, correlation?: number[][]) {
  const m = market();
  return {
    ...m,
    marks: { 'BTC-PERP': 100_000, 'ETH-PERP': 3_000 },
    impliedVols: { 'BTC-110000-C': 0.5, 'BTC-110000-P': 0.5, 'BTC-90000-P': 0.55, 'BTC-95000-C': 0.5, 'BTC-100000-C': 0.5, 'BTC-100000-P': 0.5, ...vols },
    ...(correlation ? { correlation: { assets: ['BTC', 'ETH'], matrix: correlation } } : {}),
  };
}

function pm(engine: Engine, book: unknown, mkt: unknown, portfolio: unknown = {}, breakdown = true): MarginReport {
  return engine.margin(book, mkt, { method: 'portfolio', params: { portfolio }, breakdown });
}

describe('portfolio margin: hand-computed grids', () => {
  test('a single short call on a 3-move grid', () => {
    // Grid ±10% in 3 steps: S' = 90,000, 100,000, 110,000; no tails; vol 0 and floor 0, so the call is
    // worth its discounted forward intrinsic value D·max(S' − 95,000, 0) (r = q: F/K = S'/K):
    //   0, 5,000·D, 15,000·D.  Short 2: P&L = −2·(value − 5,000·D) = +10,000·D, 0, −20,000·D
    // on every vol row (vol 0 stays 0 under shocks). Worst loss 20,000·D at (vol up, +10%): s = 2.
    // Add-on: net short 2 contracts at strike 95,000: 0.01 × 100,000 × 2 = 2,000.
    const params = { assets: { default: { spotRange: 0.1, spotSteps: 3, tails: [], volFloor: 0 } } };
    const r = pm(js, bookOf([{ positions: [{ instrument: 'BTC-95000-C', quantity: -2 }] }]), marketOf({ 'BTC-95000-C': 0 }), params);
    const a = r.accounts[0];
    const btc = a.portfolio!.underlyings[0];
    expect(btc.grid.spotMoves).toEqual([-0.1, 0, 0.1]);
    for (const row of btc.grid.pnl) {
      expect(row[0]).toBeCloseTo(10_000 * D, 7);
      expect(row[1]).toBe(0);
      expect(row[2]).toBeCloseTo(-20_000 * D, 7);
    }
    expect(btc.worstLoss).toBeCloseTo(20_000 * D, 7);
    expect(btc.worstScenario).toMatchObject({ spotMove: 0.1, volShock: 'up', tail: false });
    expect(a.portfolio!.addOns).toEqual([{ kind: 'shortOption', underlying: 'BTC', strike: 95_000, net: -2, amount: 2_000 }]);
    expect(a.im).toBeCloseTo(20_000 * D + 2_000, 7);
    expect(a.mm).toBeCloseTo(0.8 * (20_000 * D + 2_000), 7);
  });

  test('a covered call: the BTC balance hedges the short call', () => {
    // Default grid (±16%, 17 steps, 12 tails), vol 0 and floor 0. Long 1 BTC (balance) + short 1
    // 110,000 call. Balance P&L = 100,000·m; call value D·max(100,000(1+m) − 110,000, 0), 0 today.
    //   m = −16%: −16,000 + 0 = −16,000 (the call stays worthless)
    //   m = +16%: +16,000 − 6,000·D > 0
    //   tails: −66% → −66,000 × 0.24 = −15,840; +500% → 500,000 − 490,000·D > 0
    // Worst loss 16,000 exactly, first reached at s = 0 (vol up, −16%).
    // Add-on: 1 net short call at 110,000: 0.01 × 100,000 = 1,000. IM = 17,000, MM = 0.8·IM = 13,600.
    const book = bookOf([{ positions: [{ instrument: 'BTC-110000-C', quantity: -1 }], collateral: [{ asset: 'BTC', amount: 1 }, { asset: 'USDC', amount: 20_000 }] }]);
    for (const e of engines) {
      const a = pm(e, book, marketOf({ 'BTC-110000-C': 0 }), { assets: { default: { volFloor: 0 } } }).accounts[0];
      const btc = a.portfolio!.underlyings[0];
      expect(btc.worstLoss).toBe(16_000);
      expect(btc.worstScenario).toMatchObject({ spotMove: -0.16, volShock: 'up', tail: false });
      expect(btc.grid.tails[0]).toMatchObject({ spotMove: -0.66, weight: 0.24 });
      expect(btc.grid.tails[0].pnl).toBeCloseTo(-15_840, 8);
      expect(btc.contributions).toEqual([
        { source: 'position', id: 'BTC-110000-C', pnl: -0 },
        { source: 'collateral', id: 'BTC', pnl: -16_000 },
      ]);
      expect(a.im).toBe(17_000);
      expect(a.mm).toBe(13_600);
    }
    // Without the balance the short call alone loses less at −16% but far more in the up tails.
    const naked = pm(js, bookOf([{ positions: [{ instrument: 'BTC-110000-C', quantity: -1 }] }]), marketOf({ 'BTC-110000-C': 0 }), { assets: { default: { volFloor: 0 } } }).accounts[0];
    // +500% tail: −(600,000 − 110,000)·D × 0.03
    expect(naked.portfolio!.underlyings[0].worstLoss).toBeCloseTo(490_000 * D * 0.03, 6);
  });

  test('a long future loses exactly |q|·S·max move', () => {
    // 2 BTC-PERP at mark 100,000: row = 100,000·m; worst at m = −16%: 2·(100,000·0.16). Every tail
    // is weighted to lose less (e.g. −66% × 0.24 → 0.1584 < 0.16). Add-on 0.005 × 200,000 = 1,000.
    for (const e of engines) {
      const a = pm(e, bookOf([{ positions: [{ instrument: 'BTC-PERP', quantity: 2 }] }]), marketOf()).accounts[0];
      const btc = a.portfolio!.underlyings[0];
      expect(btc.worstLoss).toBe(2 * (100_000 * 0.16));
      expect(btc.worstScenario.spotMove).toBe(-0.16);
      expect(a.im).toBe(2 * (100_000 * 0.16) + 1_000);
      // a short future loses the same at +16%
      const s = pm(e, bookOf([{ positions: [{ instrument: 'BTC-PERP', quantity: -2 }] }]), marketOf()).accounts[0];
      expect(s.portfolio!.underlyings[0].worstLoss).toBe(2 * (100_000 * 0.16));
      expect(s.portfolio!.underlyings[0].worstScenario.spotMove).toBe(0.16);
    }
  });

  test('option rows follow the Greeks kernel at the shocked spot and time-scaled vol', () => {
    // 35 days ≥ 30: vol scale (30/35)^0.3; vol up = 0.5·(1 + 0.5·scale), down = 0.5·(1 − 0.3·scale).
    const scale = Math.pow(30 / 35, 0.3);
    const r = pm(js, bookOf([{ positions: [{ instrument: 'BTC-100000-P', quantity: 1 }] }]), marketOf());
    const grid = r.accounts[0].portfolio!.underlyings[0].grid;
    const price = (spot: number, vol: number) => js.greeks({
      isCall: Uint8Array.of(0), spot: Float64Array.of(spot), strike: Float64Array.of(100_000), expiryYears: Float64Array.of(T),
      vol: Float64Array.of(vol), rate: Float64Array.of(0.04), carry: Float64Array.of(0.04),
    }).price[0];
    const base = price(100_000, 0.5);
    const vols = [0.5 * (1 + 0.5 * scale), 0.5, 0.5 * (1 - 0.3 * scale)];
    grid.volShocks.forEach((_, v) => {
      grid.spotMoves.forEach((m, j) => {
        expect(grid.pnl[v][j]).toBeCloseTo(price(100_000 * (1 + m), vols[v]) - base, 7);
      });
    });
  });
});

describe('portfolio margin: hedges, attribution, aggregation', () => {
  test('a delta-hedged straddle needs less than the sum of its legs', () => {
    const g = js.greeks({
      isCall: Uint8Array.of(1, 0), spot: Float64Array.of(100_000, 100_000), strike: Float64Array.of(100_000, 100_000),
      expiryYears: Float64Array.of(T, T), vol: Float64Array.of(0.5, 0.5), rate: Float64Array.of(0.04, 0.04), carry: Float64Array.of(0.04, 0.04),
    });
    const hedge = g.delta[0] + g.delta[1]; // short straddle delta = −(Δc + Δp): buy that many perps
    const call = { instrument: 'BTC-100000-C', quantity: -10 }, put = { instrument: 'BTC-100000-P', quantity: -10 };
    const perp = { instrument: 'BTC-PERP', quantity: 10 * hedge };
    const r = pm(js, bookOf([{ positions: [call] }, { positions: [put] }, { positions: [perp] }, { positions: [call, put, perp] }]), marketOf());
    const [a, b, c, all] = r.accounts.map((x) => x.im);
    expect(all).toBeLessThan(a + b + c);
    expect(all).toBeGreaterThan(0);
  });

  test('contributions sum to the worst loss (generated book)', () => {
    const { book, market: mkt } = generateSample({ accounts: 40, seed: 3 });
    const r = pm(js, book, mkt);
    let checked = 0;
    for (const a of r.accounts) {
      for (const u of a.portfolio!.underlyings) {
        if (!(u.worstLoss > 0)) continue;
        let sum = 0;
        for (const c of u.contributions) sum += c.pnl;
        if (u.worstScenario.tail) expect(sum).toBeCloseTo(-u.worstLoss, 6);
        else expect(sum).toBe(-u.worstLoss);
        checked++;
      }
      // IM = aggregated worst losses + add-ons
      const p = a.portfolio!;
      const addOns = p.addOns.reduce((s, x) => s + x.amount, 0);
      expect(a.im).toBeCloseTo(p.scenarioLoss + addOns, 6);
      expect(p.scenarioLoss).toBeCloseTo(p.underlyings.reduce((s, u) => s + u.worstLoss, 0), 6);
    }
    expect(checked).toBeGreaterThan(20);
  });

  test('the correlation aggregate is the sum at ρ = 1 and the root-sum-square at ρ = 0', () => {
    const book = bookOf([{ positions: [{ instrument: 'BTC-PERP', quantity: 1 }, { instrument: 'ETH-PERP', quantity: 10 }] }]);
    // worst losses: BTC 100,000·0.16 = 16,000; ETH 10·3,000·0.16 = 4,800
    const at = (rho: number) => pm(js, book, marketOf({}, [[1, rho], [rho, 1]]), { aggregation: 'correlation' }).accounts[0].portfolio!;
    const one = at(1);
    expect(one.underlyings.map((u) => u.worstLoss)).toEqual([16_000, 4_800]);
    expect(one.scenarioLoss).toBeCloseTo(16_000 + 4_800, 8);
    expect(at(0).scenarioLoss).toBeCloseTo(Math.hypot(16_000, 4_800), 8);
    const sum = pm(js, book, marketOf({}, [[1, 0], [0, 1]])).accounts[0].portfolio!;
    expect(sum.aggregation).toBe('sum');
    expect(sum.scenarioLoss).toBe(16_000 + 4_800);
  });
});

describe('portfolio margin: backends, params, properties', () => {
  test('WASM SIMD, WASM scalar and JS give identical reports on generated books', () => {
    for (const seed of [1, 8]) {
      const { book, market: mkt } = generateSample({ accounts: 120, seed });
      const [ref, ...others] = engines.map((e) => ({ ...pm(e, book, mkt), backend: 'any' }));
      for (const o of others) expect(o).toEqual(ref);
      expect(ref.accounts.some((a) => a.portfolio!.underlyings.length > 1)).toBe(true);
      expect(ref.accounts.every((a) => a.status !== 'error')).toBe(true);
    }
  });

  test('bad portfolio params are reported with their paths', () => {
    const book = bookOf([{ positions: [{ instrument: 'BTC-PERP', quantity: 1 }] }]);
    let error: unknown;
    try {
      pm(js, book, marketOf(), {
        mmFactor: 2, aggregation: 'max', extra: 1,
        assets: { BTC: { spotSteps: 4, tails: [{ move: -0.9, weight: 0.5 }, { move: 0, weight: 2 }] }, ETH: 3 },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const paths = (error as InputError).problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining([
      'params.portfolio.mmFactor', 'params.portfolio.aggregation', 'params.portfolio.extra',
      'params.portfolio.assets.BTC.spotSteps', 'params.portfolio.assets.BTC.tails[1].move', 'params.portfolio.assets.BTC.tails[1].weight',
      'params.portfolio.assets.ETH',
    ]));
    // a tail that would let a linear position lose more than at the grid edge
    expect(() => pm(js, book, marketOf(), { assets: { default: { tails: [{ move: -0.9, weight: 0.5 }] } } })).toThrow(/tails\[0\]\.weight/);
    // a narrower spotRange under inherited tails: one problem at the spotRange written (the widest default tail is
    // −66 % × 0.24 = 0.1584), not twelve at tails never written
    for (const [asset, rule] of [['BTC', { spotRange: 0.1 }], ['default', { spotRange: 0.1 }]] as const) {
      expect(problemLines(() => pm(js, book, marketOf(), { assets: { [asset]: rule } }))).toEqual([
        `params.portfolio.assets.${asset}.spotRange: 0.1 is below the widest tail it inherits (weight × |move| = 0.1584): a linear position would lose more in that tail than at the grid edge; give a spotRange of at least 0.1584, or tails of its own (params.portfolio.assets.${asset}.tails)`,
      ]);
    }
    expect(pm(js, book, marketOf(), { assets: { BTC: { spotRange: 0.1584 } } }).accounts[0].status).not.toBe('error');
    // a grid of one step (the spot unchanged alone) does not use spotRange: a narrow one is no problem, and the same IM
    // as none given (every asset one step: the same number of scenarios)
    const oneStep = (rule: object) => pm(js, book, marketOf(), { assets: { default: { spotSteps: 1, ...rule } } }).accounts[0];
    expect(oneStep({ spotRange: 0.05 }).im).toBe(oneStep({}).im);
    // rule-based sections are still checked alongside
    expect(() => js.margin(book, marketOf(), { method: 'portfolio', params: { portfolio: {}, bogus: {} } })).toThrow(/params\.bogus/);
  });

  test('property: a wider spot range (nested grid) never lowers IM', () => {
    const ids = ['BTC-PERP', 'ETH-PERP', 'BTC-110000-C', 'BTC-110000-P', 'BTC-90000-P', 'BTC-95000-C', 'BTC-100000-C'];
    const position = fc.record({ instrument: fc.constantFrom(...ids), quantity: fc.integer({ min: -20, max: 20 }).filter((q) => q !== 0) });
    fc.assert(
      fc.property(fc.array(position, { minLength: 1, maxLength: 6 }), fc.double({ min: 0.02, max: 0.3, noNaN: true }), (positions, range) => {
        const book = bookOf([{ positions, collateral: [{ asset: 'USDC', amount: 1e6 }, { asset: 'BTC', amount: 1 }] }]);
        // 5 steps over ±r, then 9 steps over ±2r: every move of the first grid is on the second
        const narrow = pm(js, book, marketOf(), { assets: { default: { spotRange: range, spotSteps: 5, tails: [] } } }, false).accounts[0];
        const wide = pm(js, book, marketOf(), { assets: { default: { spotRange: 2 * range, spotSteps: 9, tails: [] } } }, false).accounts[0];
        expect(wide.im).toBeGreaterThanOrEqual(narrow.im);
      }),
      { numRuns: 40, seed: 17 },
    );
  });

  test('is listed as a method and keeps equity and status from the shared rules', () => {
    const book = bookOf([{ positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 30_000 }] }]);
    const cross = js.margin(book, marketOf(), { method: 'cross' }).accounts[0];
    const a: AccountMargin = pm(js, book, marketOf(), {}, false).accounts[0];
    expect(a.equity).toBe(cross.equity);
    expect(a.im).toBe(33_000); // 32,000 worst loss + 1,000 add-on > 30,000 equity
    expect(a.status).toBe('margin_call');
    expect(a.portfolio).toBeUndefined();
    expect(VALUATION).toBe('2026-11-20T08:00:00Z');
  });
});
