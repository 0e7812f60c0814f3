/**
 * A method asks only for the market data it uses, and a params file is validated whole whatever the method
 * (issue 36 item 5).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { problemLines } from '../support/problems.js';
import { smallBook, smallMarket } from './fixtures.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

const withoutCorrelation = () => {
  const m = smallMarket();
  delete m.correlation;
  return m;
};
const missing = (who: string) => `market.correlation: missing: ${who} uses the correlations of the assets (give market.correlation: { assets, matrix })`;

describe('market.correlation is asked for by what uses it', () => {
  it('cross, isolated, portfolio (sum), span and derive margin run without it, with the figures they give with it', () => {
    for (const method of ['cross', 'isolated', 'portfolio', 'span', 'derive']) {
      const without = engine.margin(smallBook(), withoutCorrelation(), { method });
      const with_ = engine.margin(smallBook(), smallMarket(), { method });
      expect(JSON.stringify(without.accounts), method).toBe(JSON.stringify(with_.accounts));
    }
  });

  it('var, portfolio with aggregation "correlation", stress contagion and Monte Carlo stress say it is missing', () => {
    expect(problemLines(() => engine.margin(smallBook(), withoutCorrelation(), { method: 'var' }))).toEqual([missing('the var method')]);
    expect(problemLines(() => engine.margin(smallBook(), withoutCorrelation(), { method: 'portfolio', params: { portfolio: { aggregation: 'correlation' } } })))
      .toEqual([missing('portfolio margin with aggregation "correlation"')]);
    expect(problemLines(() => engine.stress(smallBook(), withoutCorrelation(), { spot: { BTC: -0.2 } })))
      .toEqual([missing('stress contagion (params.stress.contagion, on by default)')]);
    // without contagion the stress needs no correlation
    expect(engine.stress(smallBook(), withoutCorrelation(), { spot: { BTC: -0.2 } }, { params: { stress: { contagion: false } } }).cascades.length).toBe(1);
    expect(problemLines(() => engine.stress(smallBook(), withoutCorrelation(), { spot: { BTC: -0.2 } }, { params: { stress: { contagion: false } }, paths: 10 })))
      .toEqual([missing('Monte Carlo stress (options.paths)')]);
  });
});

describe('var on one risky asset', () => {
  it('needs no correlation: one factor correlates with itself only (delta-normal by hand)', () => {
    const book = {
      instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }],
      accounts: [{ id: 'a', collateral: [{ asset: 'USD', amount: 10_000 }], positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 50_000 }] }],
    };
    // ETH is priced but not held: not a risk factor of this book
    const market = { valuationTime: '2026-01-01T00:00:00Z', assets: { BTC: { price: 50_000, vol: 0.6 }, ETH: { price: 3_000, vol: 0.7 }, USD: { price: 1, vol: 0 } } };
    const a = engine.margin(book, market, { method: 'var' }).accounts[0];
    // 99 % one day: z·|Δ$|·σ·√(1/365) = 2.3263478740408408 × 50,000 × 0.6 × 0.05234239225902… = 3,652.998…
    expect(a.im).toBeCloseTo(2.3263478740408408 * 50_000 * 0.6 * Math.sqrt(1 / 365), 6);
    // two risky assets held: the correlation is asked for
    const two = { ...book, instruments: [...book.instruments, { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' }] };
    two.accounts = [{ ...book.accounts[0], positions: [...book.accounts[0].positions, { instrument: 'ETH-PERP', quantity: 1, entryPrice: 3_000 }] }];
    expect(problemLines(() => engine.margin(two, market, { method: 'var' }))).toEqual([missing('the var method')]);
  });
});

describe('a params file is validated whole, whatever the method', () => {
  it('another method\'s section with a mistake is refused under cross, with its path', () => {
    expect(problemLines(() => engine.margin(smallBook(), smallMarket(), { method: 'cross', params: { portfolio: { mmFactor: [0.8] } } })))
      .toEqual([expect.stringMatching(/^params\.portfolio\.mmFactor: /)]);
    expect(problemLines(() => engine.margin(smallBook(), smallMarket(), { method: 'cross', params: { liquidation: { feeRate: 2 } } })))
      .toEqual([expect.stringMatching(/^params\.liquidation\.feeRate: /)]);
    expect(problemLines(() => engine.margin(smallBook(), smallMarket(), { method: 'isolated', params: { stress: { maxRounds: 0 } } })))
      .toEqual([expect.stringMatching(/^params\.stress\.maxRounds: /)]);
    expect(problemLines(() => engine.margin(smallBook(), smallMarket(), { method: 'var', params: { span: { initialToMaintenance: 50 } } })))
      .toEqual([expect.stringMatching(/^params\.span\.initialToMaintenance: /)]);
  });

  it('and every number of it is within the params bound: |x| ≤ 1e15, 0 or at least 1e-12', () => {
    expect(problemLines(() => engine.margin(smallBook(), smallMarket(), { method: 'cross', params: { liquidation: { slippage: { BTC: { model: 'sqrt', y: 1, advUsd: 1e-300 } } } } })))
      .toEqual(['params.liquidation.slippage.BTC.advUsd: 1e-300 is below the smallest parameter 1e-12 (a parameter is 0 or at least 1e-12)']);
    expect(problemLines(() => engine.margin(smallBook(), smallMarket(), { method: 'cross', params: { liquidation: { insuranceFund: { balanceUsd: 1e16 } } } })))
      .toEqual(['params.liquidation.insuranceFund.balanceUsd: 10000000000000000 is above the largest parameter 1e15']);
  });

  it('a number its field\'s own bound refuses is said once, by that bound (one cause, one problem)', () => {
    const lines = (params: unknown) => problemLines(() => engine.margin(smallBook(), smallMarket(), { method: 'cross', params }));
    expect(lines({ stress: { maxRounds: 1e300 } })).toEqual(['params.stress.maxRounds: 1e+300 is above 10000']);
    expect(lines({ liquidation: { maxStepsPerAccount: 1e300 } })).toHaveLength(1);
  });
});

describe('stress contagion on one risky asset', () => {
  it('needs no correlation: X falling has no other risky asset to move (the same cascade as with contagion off)', () => {
    const book = {
      instruments: [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }],
      accounts: [{ id: 'a', collateral: [{ asset: 'USDC', amount: 1_000 }], positions: [{ instrument: 'X-PERP', quantity: 100, entryPrice: 100 }] }],
    };
    const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { X: { price: 100, vol: 0.5 }, USDC: { price: 1, vol: 0 } } };
    const on = engine.stress(book, market, { spot: { X: -0.2 } });
    const off = engine.stress(book, market, { spot: { X: -0.2 } }, { params: { stress: { contagion: false } } });
    expect(JSON.stringify(on.cascades)).toBe(JSON.stringify(off.cascades));
    // a correlated shock and Monte Carlo paths draw the one factor alone: the same as with the matrix [[1]] given
    const given = { ...market, correlation: { assets: ['X'], matrix: [[1]] } };
    const correlated = { correlated: { asset: 'X', sigmas: -3, horizonDays: 1 } };
    expect(JSON.stringify(engine.stress(book, market, correlated).cascades)).toBe(JSON.stringify(engine.stress(book, given, correlated).cascades));
    const paths = (m: unknown) => engine.stress(book, m, { spot: { X: -0.1 } }, { paths: 20, seed: 3 }).monteCarlo;
    expect(JSON.stringify(paths(market))).toBe(JSON.stringify(paths(given)));
    expect(paths(market)![0].paths).toBe(20);
    expect(paths(market)![0].worst[0].moves.X).toBeLessThan(0); // the paths move X: a drawn factor, not none
    // a second risky asset in the market: contagion could move it, and asks for the correlation
    const two = { ...market, assets: { ...market.assets, Y: { price: 10, vol: 0.8 } } };
    expect(problemLines(() => engine.stress(book, two, { spot: { X: -0.2 } }))).toEqual([missing('stress contagion (params.stress.contagion, on by default)')]);
  });
});
