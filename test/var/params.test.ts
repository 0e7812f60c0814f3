import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine, MARGIN_METHODS } from '../../src/index.js';
import { DEFAULT_VAR_PARAMS } from '../../src/methods/var/params.js';
import { validateVarParams } from '../../src/methods/var/validate.js';
import { problemLines } from '../support/problems.js';
import { varBook, varMarket } from './support.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

const problemsOf = problemLines;

describe('var params', () => {
  test('defaults when the section is absent', () => {
    expect(validateVarParams(undefined)).toEqual(DEFAULT_VAR_PARAMS);
    expect(MARGIN_METHODS).toContain('var');
  });

  test('every bad value is reported with its path', () => {
    const bad = {
      model: 'garch', measure: 'cvar', confidence: 1, horizonDays: 0, scenarios: 10.5, seed: -1, floorRate: 2, floorUsd: -5,
      mmFactor: 0, ewmaLambda: 1, covariance: 'sample', extra: true,
      returns: { assets: ['BTC', 'BTC'], matrix: [[0.1, -1], [0.2]], periodDays: 0 },
    };
    expect(problemsOf(() => validateVarParams(bad))).toEqual([
      'params.var.extra: unknown field (expected model, measure, confidence, horizonDays, scenarios, seed, floorRate, floorUsd, mmFactor, covariance, ewmaLambda or returns)',
      'params.var.model: must be one of delta-normal, delta-gamma, monte-carlo, historical, got "garch"',
      'params.var.measure: must be one of var, es, got "cvar"',
      'params.var.covariance: must be one of market, ewma, got "sample"',
      'params.var.confidence: must be in [0.5, 1), got 1',
      'params.var.horizonDays: must be in (0, 365], got 0',
      'params.var.scenarios: must be an integer, got 10.5',
      'params.var.seed: must be in [0, 4294967295], got -1',
      'params.var.floorRate: must be in [0, 1], got 2',
      'params.var.floorUsd: must be in [0, 1.7976931348623157e+308], got -5',
      'params.var.mmFactor: must be in (0, 1], got 0',
      'params.var.ewmaLambda: must be in (0, 1), got 1',
      'params.var.returns.assets[1]: duplicate asset "BTC"',
      'params.var.returns.matrix[0][1]: a simple return must be > −1, got -1',
      'params.var.returns.matrix[1]: expected 2 returns (one per asset), got 1',
      'params.var.returns.periodDays: must be in (0, 365], got 0',
    ]);
  });

  test('historical and ewma need returns', () => {
    expect(problemsOf(() => validateVarParams({ model: 'historical', covariance: 'ewma' }))).toEqual([
      'params.var.returns: required by model historical (a dates × assets matrix of returns)',
      'params.var.returns: required by covariance ewma (a dates × assets matrix of returns)',
    ]);
    expect(problemsOf(() => validateVarParams('fast'))).toEqual([expect.stringMatching(/^params\.var: expected an object/)]);
  });

  test('the margin call reports var and rule-based problems together', () => {
    const params = { var: { confidence: 0.2 }, linear: { BTC: [] } };
    expect(problemsOf(() => engine.margin(varBook({ positions: [['BTC-PERP', 1]] }), varMarket(), { method: 'var', params }))).toEqual([
      'params.linear.BTC: expected a non-empty array of brackets, got an Array',
      'params.var.confidence: must be in [0.5, 1), got 0.2',
    ]);
  });

  test('other methods validate the var section too: a params file is checked whole (issue 36 item 5)', () => {
    expect(problemsOf(() => engine.margin(varBook({ positions: [['BTC-PERP', 1]] }), varMarket(), { method: 'cross', params: { var: { model: 'historical' } } }))).toEqual([
      'params.var.returns: required by model historical (a dates × assets matrix of returns)',
    ]);
    expect(engine.margin(varBook({ positions: [['BTC-PERP', 1]] }), varMarket(), { method: 'cross', params: { var: { confidence: 0.95 } } }).method).toBe('cross');
  });
});

describe('floorUsd charges an account with exposure only', () => {
  test('a position closed to 0, rows netted to nothing, or a fill that closes the last one: IM 0, as a cash-only account', async () => {
    const engine = await createEngine({ backend: 'js' });
    const instruments = [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }];
    const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } }, correlation: { assets: ['BTC'], matrix: [[1]] } };
    const book = {
      instruments,
      accounts: [
        { id: 'cash', collateral: [{ asset: 'USDC', amount: 1_000 }] },
        { id: 'zero', positions: [{ instrument: 'BTC-PERP', quantity: 0, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }] },
        { id: 'netted', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }, { instrument: 'BTC-PERP', quantity: -1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }] },
        { id: 'held', positions: [{ instrument: 'BTC-PERP', quantity: 1e-6, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }] },
      ],
    };
    const params = { var: { floorUsd: 2_000 } };
    const r = engine.margin(book, market, { method: 'var', params });
    // by hand: the floor applies to `held` alone (its VaR on 0.1 USD of notional is far below it): IM 2,000, MM 0.8 ×
    // 2,000 = 1,600 above its 1,000 of equity. The others had IM 2,000 too: `zero` and `netted` liquidatable with
    // nothing to close
    expect(r.accounts.map((a) => [a.id, a.im, a.status])).toEqual([['cash', 0, 'healthy'], ['zero', 0, 'healthy'], ['netted', 0, 'healthy'], ['held', 2_000, 'liquidatable']]);
    // a live fill that closes the last position leaves no floor, in the what-if and once applied
    const live = engine.live(book, market, { method: 'var', params });
    expect(live.whatIf('held', [{ instrument: 'BTC-PERP', quantity: -1e-6, price: 100_000 }]).after.im).toBe(0);
    live.applyFills([{ account: 'held', instrument: 'BTC-PERP', quantity: -1e-6, price: 100_000 }]);
    expect(live.account('held').im).toBe(0);
    live.release();
  });
});
