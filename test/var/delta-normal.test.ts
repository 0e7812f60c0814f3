import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { normalQuantile } from '../../src/methods/var/normal-quantile.js';
import { varBook, varMarket, varReport } from './support.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

describe('normal quantile', () => {
  test('matches published z-scores to 1e-15', () => {
    // Reference values: Wichura AS241 / R qnorm, 17 significant digits.
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 14);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 14);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232306167813, 13);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12);
  });
});

describe('delta-normal VaR on two assets (closed form)', () => {
  // horizonDays 36.5: h/365 = 0.1, so s = σ·√0.1. σ_BTC = 0.5, σ_ETH = 0.8, ρ = 0.5:
  //   Σ = [[0.25·0.1, 0.5·0.5·0.8·0.1], [·, 0.64·0.1]] = [[0.025, 0.02], [0.02, 0.064]].
  // Long 2 BTC-PERP at 50,000: d_BTC = 100,000; short 20 ETH-PERP at 2,500: d_ETH = −50,000.
  //   q = 1e10·0.025 + 2.5e9·0.064 + 2·1e5·(−5e4)·0.02 = 2.5e8 + 1.6e8 − 2e8 = 2.1e8
  //   √q = 14,491.376746189439;  VaR99 = 2.3263478740408408·√q = 33,711.98348542268
  //   ES99 = √q·φ(z)/0.01 = 38,622.62337633265
  //   Σd = (0.025·1e5 − 0.02·5e4, 0.02·1e5 − 0.064·5e4) = (1,500, −1,200):
  //   Euler shares d·Σd/q = 1.5e8/2.1e8 and 0.6e8/2.1e8 → 24,079.98820387334 and 9,631.995281549336.
  const book = () => varBook({ positions: [['BTC-PERP', 2], ['ETH-PERP', -20]], collateral: [['USDC', 100_000]] });
  const params = { horizonDays: 36.5 };

  test('VaR, ES and Euler components', () => {
    const a = varReport(engine, book(), varMarket(), params).accounts[0];
    expect(a.var!.var).toBeCloseTo(33_711.98348542268, 6);
    expect(a.var!.es).toBeCloseTo(38_622.62337633265, 6);
    const c = Object.fromEntries(a.var!.components.map((x) => [x.underlying, x.contribution]));
    expect(c.BTC).toBeCloseTo(24_079.98820387334, 6);
    expect(c.ETH).toBeCloseTo(9_631.995281549336, 6);
    expect(c.BTC + c.ETH).toBeCloseTo(a.var!.var, 8);
  });

  test('IM = max(measure, floor), MM = mmFactor·IM, status from equity', () => {
    // Equity: 100,000 USDC, perps at entry 0 → P&L 2·50,000 − 20·2,500 = 50,000, so equity 150,000.
    const a = varReport(engine, book(), varMarket(), { ...params, measure: 'es', mmFactor: 0.5 }).accounts[0];
    expect(a.im).toBeCloseTo(38_622.62337633265, 6);
    expect(a.mm).toBeCloseTo(0.5 * 38_622.62337633265, 6);
    expect(a.equity).toBeCloseTo(150_000, 6);
    expect(a.status).toBe('healthy');
    // Gross notional 150,000 × floorRate 0.5 = 75,000 > ES: the floor is the IM; equity 150,000 ≥ 75,000.
    const floored = varReport(engine, book(), varMarket(), { ...params, floorRate: 0.5 }).accounts[0];
    expect(floored.im).toBeCloseTo(75_000, 6);
    expect(floored.var!.floor).toBeCloseTo(75_000, 6);
    // A requirement above equity: margin call / liquidatable per the shared rule.
    const thin = varReport(engine, varBook({ positions: [['BTC-PERP', 2], ['ETH-PERP', -20]], collateral: [['USDC', -30_000]] }), varMarket(), params).accounts[0];
    // equity = −30,000 + 50,000 = 20,000, below MM = 0.8·33,712 = 26,970 (and IM): liquidatable.
    expect(thin.status).toBe('liquidatable');
  });

  test('the explain lists exposures per underlying: dollar delta of perps and balances', () => {
    // 2 BTC-PERP at 50,000 → 100,000; −20 ETH-PERP at 2,500 → −50,000, plus 4 ETH held → +10,000.
    const a = varReport(engine, varBook({ positions: [['BTC-PERP', 2], ['ETH-PERP', -20]], collateral: [['USDC', 1e5], ['ETH', 4]] }), varMarket()).accounts[0];
    expect(a.var!.exposures).toEqual([
      { underlying: 'BTC', dollarDelta: 100_000, dollarGamma: 0, vega: 0 },
      { underlying: 'ETH', dollarDelta: -40_000, dollarGamma: 0, vega: 0 },
    ]);
  });

  test('a stablecoin-only account has no risk and a zero requirement', () => {
    const a = varReport(engine, varBook({ collateral: [['USDC', 5_000]] }), varMarket()).accounts[0];
    expect(a.im).toBe(0);
    expect(a.var!.components).toEqual([]);
    expect(a.status).toBe('healthy');
  });

  test('collateral balances are exposures: 2 BTC held hedge a short of 2 BTC-PERP exactly', () => {
    const a = varReport(engine, varBook({ positions: [['BTC-PERP', -2]], collateral: [['BTC', 2]] }), varMarket(), { floorRate: 0 }).accounts[0];
    expect(a.var!.var).toBe(0);
    expect(a.im).toBe(0);
  });
});

describe('positive homogeneity', () => {
  test('doubling every position and balance doubles VaR and ES bit for bit (property)', () => {
    const instruments = ['BTC-PERP', 'ETH-PERP', 'BTC-C-50000', 'BTC-P-50000', 'ETH-P-2400'];
    const position = fc.tuple(fc.constantFrom(...instruments), fc.integer({ min: -50, max: 50 }).filter((q) => q !== 0));
    fc.assert(
      fc.property(fc.array(position, { minLength: 1, maxLength: 5 }), fc.constantFrom('delta-normal', 'delta-gamma', 'monte-carlo'), (positions, model) => {
        const book = varBook(
          { positions, collateral: [['USDC', 1e6], ['ETH', 3]] },
          { positions: positions.map(([i, q]) => [i, 2 * q] as [string, number]), collateral: [['USDC', 2e6], ['ETH', 6]] },
        );
        const [one, two] = varReport(engine, book, varMarket(), { model, scenarios: 200 }).accounts;
        expect(two.var!.var).toBe(2 * one.var!.var);
        expect(two.var!.es).toBe(2 * one.var!.es);
      }),
      { numRuns: 25 },
    );
  });
});
