/**
 * Margin that follows a volatility forecast (`params.dynamic`, src/session/calibrate.ts), on books whose margin is
 * computed here by hand from the documented formulas: the portfolio spot range k·σ̂·√(h/365), VaR's σ̂ in
 * z·σ̂·√(h/365)·notional, rule-based brackets × max(floor, σ̂/σ_base).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, generateSample } from '../../src/index.js';
import { normalQuantile } from '../../src/math.js';
import { book, market } from '../support/margin-books.js';
import { allEngines } from '../support/engines.js';
import { expectOneProblem, problemLines } from '../support/problems.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

const longPerp = book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] });
const im = (method: string, params: unknown) => engine.margin(longPerp, market(), { method, params }).accounts[0].im;
/** Every asset of the test market with a vol gets a forecast (the book lists ETH-PERP, so ETH is in its layout). */
const forecast = (btc: number) => ({ BTC: btc, ETH: 0.9 });

describe('portfolio spot range from the forecast', () => {
  it('is k·σ̂·√(h/365): a long perp loses the range at the grid edge, plus the 0.5% linear contingency', () => {
    // static: 16% of 100,000 + 0.5% of 100,000
    expect(im('portfolio', {})).toBeCloseTo(16_500, 8);
    const range = 3 * 0.5 * Math.sqrt(1 / 365);
    expect(im('portfolio', { dynamic: { methods: ['portfolio'], volAnnual: forecast(0.5) } })).toBeCloseTo(100_000 * range + 500, 8);
    // k 2.5, a 2-day margin period of risk
    const range2 = 2.5 * 0.5 * Math.sqrt(2 / 365);
    expect(im('portfolio', { dynamic: { methods: ['portfolio'], volAnnual: forecast(0.5), portfolio: { k: 2.5 }, horizonDays: 2 } })).toBeCloseTo(100_000 * range2 + 500, 8);
  });

  it('steps up by the circuit breaker multiplier, and caps the range at 99%', () => {
    const range = 1.5 * 3 * 0.5 * Math.sqrt(1 / 365);
    expect(im('portfolio', { dynamic: { methods: ['portfolio'], volAnnual: forecast(0.5), multipliers: { BTC: 1.5 } } })).toBeCloseTo(100_000 * range + 500, 8);
    // σ̂ 9 (900%) over 365 days: 3·9 = 27 standard deviations, capped at a 99% fall
    expect(im('portfolio', { dynamic: { methods: ['portfolio'], volAnnual: forecast(9), horizonDays: 365 } })).toBeCloseTo(99_000 + 500, 8);
  });

  it('leaves the method static when it is not among `methods`', () => {
    expect(im('portfolio', { dynamic: { methods: ['cross'], volAnnual: forecast(3) } })).toBe(im('portfolio', {}));
  });
});

describe('VaR covariance from the forecast', () => {
  it('is z·σ̂·√(h/365)·notional for one perp (delta-normal), with the market correlation', () => {
    const z = normalQuantile(0.99);
    expect(im('var', {})).toBeCloseTo(z * 0.5 * Math.sqrt(1 / 365) * 100_000, 6);
    expect(im('var', { dynamic: { methods: ['var'], volAnnual: forecast(0.8) } })).toBeCloseTo(z * 0.8 * Math.sqrt(1 / 365) * 100_000, 6);
  });

  it('is the VaR over params.dynamic.horizonDays periods of periodsPerYear: z·σ̂·√(h/periodsPerYear)·notional', () => {
    const z = normalQuantile(0.99);
    // a weekday history (252 periods a year): σ̂ 0.8 is 0.8/√252 a period, not 0.8/√365 (17% more margin)
    expect(im('var', { dynamic: { methods: ['var'], volAnnual: forecast(0.8), periodsPerYear: 252 } })).toBeCloseTo(z * 0.8 * Math.sqrt(1 / 252) * 100_000, 6);
    // hourly closes, a 4-hour horizon
    expect(im('var', { dynamic: { methods: ['var'], volAnnual: forecast(0.8), periodsPerYear: 8760, horizonDays: 4 } })).toBeCloseTo(z * 0.8 * Math.sqrt(4 / 8760) * 100_000, 6);
    // a 2-day margin period of risk
    expect(im('var', { dynamic: { methods: ['var'], volAnnual: forecast(0.8), horizonDays: 2 } })).toBeCloseTo(z * 0.8 * Math.sqrt(2 / 365) * 100_000, 6);
  });

  it('refuses a VaR horizon of its own beside the forecast\'s (one of the two would go unread)', () => {
    expectOneProblem(
      () => im('var', { var: { horizonDays: 2 }, dynamic: { methods: ['var'], volAnnual: forecast(0.8) } }),
      'params.dynamic.methods', /params\.var\.horizonDays 2 beside a forecast: the VaR's horizon is params\.dynamic\.horizonDays/,
    );
  });

  it('refuses a VaR model that reads returns rather than the market covariance', () => {
    expectOneProblem(
      () => im('var', { var: { model: 'historical', returns: { assets: ['BTC', 'ETH'], matrix: [[0.01, 0.02], [-0.01, 0]], periodDays: 1 } }, dynamic: { methods: ['var'], volAnnual: forecast(0.8) } }),
      'params.dynamic.methods', /historical/,
    );
  });
});

describe('rule-based rates × max(floor, σ̂/σ_base)', () => {
  // BTC brackets: 0.8% up to 50,000, then 1%: IM on 100,000 = 400 + 500
  it('doubles every rate when the forecast is twice the base vol', () => {
    expect(im('cross', {})).toBeCloseTo(900, 9);
    expect(im('cross', { dynamic: { methods: ['cross'], volAnnual: forecast(1.2) } })).toBeCloseTo(1_800, 9);
    expect(im('isolated', { dynamic: { methods: ['isolated'], volAnnual: forecast(0.9), ruleBased: { baseVolAnnual: { BTC: 0.3 } } } })).toBeCloseTo(2_700, 9);
  });

  it('keeps the static schedule as the floor by default, and goes below it only with a lower floor', () => {
    expect(im('cross', { dynamic: { methods: ['cross'], volAnnual: forecast(0.3) } })).toBeCloseTo(900, 9);
    expect(im('cross', { dynamic: { methods: ['cross'], volAnnual: forecast(0.3), ruleBased: { floor: 0.25 } } })).toBeCloseTo(450, 9);
  });

  it('steps the requirement up by the circuit breaker after the floor: a calm asset too (issue 36 item 9)', () => {
    // σ̂ 0.3 against the base 0.6: the floor 1 holds the rates at the static schedule; the step-up 1.5 then
    // multiplies them: (400 + 500) × 1.5 = 1,350. (Applied to σ̂ before the floor it was swallowed: max(1, 0.45/0.6) = 1.)
    expect(im('cross', { dynamic: { methods: ['cross'], volAnnual: forecast(0.3), multipliers: { BTC: 1.5 } } })).toBeCloseTo(1_350, 9);
    // a volatile asset: max(1, 1.2/0.6) × 1.5 = 3 × the static rates
    expect(im('cross', { dynamic: { methods: ['cross'], volAnnual: forecast(1.2), multipliers: { BTC: 1.5 } } })).toBeCloseTo(2_700, 9);
    // the portfolio range: the 0.0001 minimum first, then × 1.5 (σ̂ 0 forecasts the minimum range)
    expect(im('portfolio', { dynamic: { methods: ['portfolio'], volAnnual: forecast(0), multipliers: { BTC: 1.5 } } })).toBeCloseTo(100_000 * 0.0001 * 1.5 + 500, 8);
  });
});

describe('the dynamic section fails closed', () => {
  it('names an asset of the book without a forecast', () => {
    expectOneProblem(() => im('cross', { dynamic: { methods: ['cross'], volAnnual: { BTC: 0.5 } } }), 'params.dynamic.volAnnual', /"ETH"/);
  });

  it('names every bad field with its path', () => {
    expect(problemLines(() => im('cross', {
      dynamic: { methods: ['cross', 'span'], volAnnual: { BTC: -1 }, multipliers: { BTC: 0.5 }, portfolio: { k: 0 }, forecast: { model: 'arch' }, apc: { bufferRate: 0.1 }, horizonDay: 1 },
    }))).toEqual([
      expect.stringMatching(/^params\.dynamic\.horizonDay: unknown field \(did you mean "horizonDays"\?\)/),
      expect.stringMatching(/^params\.dynamic\.methods\[1\]: expected one of isolated, cross, portfolio, var/),
      expect.stringMatching(/^params\.dynamic\.volAnnual\.BTC: -1 is below 0/),
      expect.stringMatching(/^params\.dynamic\.multipliers\.BTC: 0\.5 is below 1/),
      expect.stringMatching(/^params\.dynamic\.portfolio\.k: 0 is not above 0/),
      expect.stringMatching(/^params\.dynamic\.forecast\.model: expected "ewma" or "garch"/),
      expect.stringMatching(/^params\.dynamic\.apc\.bufferRate: 0\.1 is below 0\.25/),
    ]);
  });
});

describe('dynamic portfolio margin on a generated book', () => {
  it('gives the same bits on every backend', async () => {
    const sample = generateSample({ accounts: 300, seed: 11 });
    const volAnnual = Object.fromEntries(Object.entries(sample.market.assets).filter(([, a]) => a.vol > 0).map(([s, a]) => [s, a.vol * 1.3]));
    const params = { dynamic: { methods: ['portfolio', 'var'], volAnnual } };
    for (const method of ['portfolio', 'var']) {
      const reports = (await allEngines()).map((e) => JSON.stringify(e.margin(sample.book, sample.market, { method, params }).accounts.map((a) => [a.im, a.mm])));
      expect(reports[1]).toBe(reports[0]);
      expect(reports[2]).toBe(reports[0]);
      // and it moved: 1.3 × the market's vols is not the static grid
      expect(reports[0]).not.toBe(JSON.stringify(engine.margin(sample.book, sample.market, { method }).accounts.map((a) => [a.im, a.mm])));
    }
  });
});
