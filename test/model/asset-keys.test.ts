/**
 * A params file naming an asset the market does not price (docs/domain.md, "a params file is checked whole"): refused
 * at its path with the nearest symbol, in every section that keys rules by asset or lists assets, a warning under
 * `lenient`; a profile's own parameters are not checked. The expected figures are hand computations from the
 * documented default rates.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_PROFILES, createEngine, type Engine, InputError } from '../../src/index.js';
import { unknownAssetProblems } from '../../src/model/asset-keys.js';
import { book, market } from '../support/margin-books.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

/** Long 1 BTC-PERP at 100,000 and short 30 ETH-PERP at 3,000 on 50,000 USDC. */
const twoPerps = book({
  id: 'a',
  positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }, { instrument: 'ETH-PERP', quantity: -30, entryPrice: 3_000 }],
  collateral: [{ asset: 'USDC', amount: 50_000 }],
});
const PRICED = 'the market prices BTC, ETH, USDC, USDT';

function refusal(options: Parameters<Engine['margin']>[2]): { path: string; message: string }[] {
  try {
    engine.margin(twoPerps, market(), options);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems.map(({ path, message }) => ({ path, message }));
  }
  throw new Error('not refused');
}

describe('an asset the market does not price, named by params', () => {
  it.each([
    ['cross', { linear: { BTX: [{ imRate: 0.5, mmRate: 0.2 }] } }, 'params.linear.BTX', ' (did you mean "BTC"?)'],
    ['cross', { collateral: { USDX: { brackets: [{ imHaircut: 0.1, mmHaircut: 0.05 }] } } }, 'params.collateral.USDX', ' (did you mean "USDC"?)'],
    ['cross', { dynamic: { methods: ['cross'], volAnnual: { BTC: 0.6 }, multipliers: { BTX: 1.5 } } }, 'params.dynamic.multipliers.BTX', ' (did you mean "BTC"?)'],
    ['cross', { dynamic: { methods: ['cross'], volAnnual: { BTC: 1.2 }, ruleBased: { baseVolAnnual: { BTX: 0.3 } } } }, 'params.dynamic.ruleBased.baseVolAnnual.BTX', ' (did you mean "BTC"?)'],
    ['cross', { dynamic: { methods: ['cross'], volAnnual: { BTC: 0.6, ETH: 0.8, SOL: 0.9 } } }, 'params.dynamic.volAnnual.SOL', ''],
    ['portfolio', { portfolio: { assets: { BTX: { spotRange: 0.3 } } } }, 'params.portfolio.assets.BTX', ' (did you mean "BTC"?)'],
    ['portfolio', { portfolio: { stableAssets: ['USDC', 'USDX'] } }, 'params.portfolio.stableAssets[1]', ' (did you mean "USDC"?)'],
    ['span', { span: { commodities: { BTX: { priceScanRate: 0.3 } } } }, 'params.span.commodities.BTX', ' (did you mean "BTC"?)'],
    ['span', { span: { interSpreads: [{ creditRate: 0.5, legs: [{ commodity: 'BTX', side: 'A', deltaPerSpread: 1 }, { commodity: 'ETH', side: 'B', deltaPerSpread: 30 }] }] } }, 'params.span.interSpreads[0].legs[0].commodity', ' (did you mean "BTC"?)'],
    ['derive', { derive: { feeds: { ETX: { spotConfidence: 0.1 } } } }, 'params.derive.feeds.ETX', ' (did you mean "ETH"?)'],
    ['deribit', { deribit: { pairs: { BTX: { priceRange: 0.3 } } } }, 'params.deribit.pairs.BTX', ' (did you mean "BTC"?)'],
    ['var', { var: { model: 'historical', returns: { assets: ['BTC', 'BTX'], matrix: [[0.01, 0.02], [-0.01, 0.01]] } } }, 'params.var.returns.assets[1]', ' (did you mean "BTC"?)'],
  ])('%s, %j: refused at its path with the nearest symbol', (method, params, path, near) => {
    expect(refusal({ method, params })).toEqual([{ path, message: `unknown asset${near}: ${PRICED}` }]);
  });

  it('is refused in a section of another method too (a params file is checked whole), every name at once', () => {
    const params = { linear: { BTX: [{ imRate: 0.5, mmRate: 0.2 }] }, portfolio: { assets: { ETX: { spotRange: 0.3 } } } };
    expect(refusal({ method: 'cross', params }).map((p) => p.path)).toEqual(['params.linear.BTX', 'params.portfolio.assets.ETX']);
  });

  it('under lenient: a warning at its path, and the asset stays on its default rule', () => {
    const plain = engine.margin(twoPerps, market(), { method: 'cross', breakdown: true }).accounts[0];
    const report = engine.margin(twoPerps, market(), { method: 'cross', breakdown: true, lenient: true, params: { linear: { BTX: [{ imRate: 0.5, mmRate: 0.2 }] } } });
    expect(plain.positions![0].im).toBeCloseTo(900, 9); // BTC's default brackets: 50,000 × 0.8% + 50,000 × 1%
    expect(report.accounts[0].im).toBe(plain.im);
    expect(report.warnings).toContainEqual({ path: 'params.linear.BTX', message: `unknown asset (did you mean "BTC"?): ${PRICED}` });
  });

  it('keys the market prices, `default` and `USD` pass; the rule given for BTC is used (its IM 100,000 × 50%)', () => {
    const plain = engine.margin(twoPerps, market(), { method: 'cross', breakdown: true }).accounts[0];
    const params = { linear: { default: [{ imRate: 0.01, mmRate: 0.005 }], BTC: [{ imRate: 0.5, mmRate: 0.2 }] }, collateral: { USD: { brackets: [{ imHaircut: 0, mmHaircut: 0 }] } } };
    const row = engine.margin(twoPerps, market(), { method: 'cross', breakdown: true, params }).accounts[0];
    expect(row.positions![0].im).toBeCloseTo(50_000, 9);
    expect(row.positions![1].im).toBe(plain.positions![1].im); // ETH keeps its own default brackets
  });

  it('a profile\'s own parameters are not checked: deribit names DAI and the pair rules the market need not price', () => {
    expect(() => engine.margin(twoPerps, market(), { profile: 'deribit' })).not.toThrow();
    // what the caller adds over the profile is
    expect(refusal({ profile: 'deribit', params: { deribit: { pairs: { BTX: { priceRange: 0.3 } } } } })).toEqual([{ path: 'params.deribit.pairs.BTX', message: `unknown asset (did you mean "BTC"?): ${PRICED}` }]);
  });

  it('a profile of your own, on worker threads: the workers know its names as this thread does (margin, Monte Carlo, reverse)', async () => {
    // the engine's profiles go to its workers: a worker checks params as this thread does
    const house = { name: 'house', version: '1', method: 'cross', description: 'test', sources: [], notes: [], params: { linear: { SOL: [{ imRate: 0.2, mmRate: 0.1 }] } } };
    const pooled = await createEngine({ backend: 'js', workers: 2, profiles: [...BUILT_IN_PROFILES, house] });
    const one = await createEngine({ backend: 'js', profiles: [...BUILT_IN_PROFILES, house] });
    try {
      const sharded = await pooled.openShardedBook(twoPerps);
      const report = await sharded.margin(market(), { profile: 'house' });
      expect(report.accounts[0].im).toBe(engine.margin(twoPerps, market(), { method: 'cross' }).accounts[0].im); // SOL's rule is unused
      expect((await sharded.margin(market(), { method: 'cross', params: house.params })).accounts[0].im).toBe(report.accounts[0].im);
      const shock = { spot: { BTC: -0.2 } }, options = { profile: 'house', paths: 4, reverse: true, params: { stress: { maxRounds: 3 } } };
      expect(JSON.stringify(await sharded.stress(market(), shock, options))).toBe(JSON.stringify(one.stress(twoPerps, market(), shock, options)));
      await expect(sharded.margin(market(), { profile: 'house', params: { linear: { BTX: [{ imRate: 0.5, mmRate: 0.2 }] } } })).rejects.toThrow('params.linear.BTX: unknown asset (did you mean "BTC"?)');
      await sharded.release();
    } finally {
      await pooled.close();
    }
  });

  it('is one problem among the params\' others, all said at once; under lenient a warning beside theirs', () => {
    const params = { linear: { BTX: [{ imRate: 0.5, mmRate: 0.2 }], BTC: [{ imRate: 7, mmRate: 0.2 }] } };
    expect(refusal({ method: 'cross', params }).map((p) => p.path).sort()).toEqual(['params.linear.BTC[0].imRate', 'params.linear.BTX']);
    expect(refusal({ method: 'cross', params, lenient: true }).map((p) => p.path)).toEqual(['params.linear.BTC[0].imRate']);
  });

  it('liquidation and stress sections: refused as unknown fields, warnings under lenient, as the margin sections', () => {
    const slippage = { liquidation: { slippage: { BTX: { model: 'none' } } } };
    expect(() => engine.liquidate(twoPerps, market(), { method: 'cross', params: slippage })).toThrow('params.liquidation.slippage.BTX: unknown asset (did you mean "BTC"?)');
    expect(engine.liquidate(twoPerps, market(), { method: 'cross', params: slippage, lenient: true }).warnings).toContainEqual({ path: 'params.liquidation.slippage.BTX', message: `unknown asset (did you mean "BTC"?): ${PRICED}` });
    const impact = { stress: { impact: { BTX: { model: 'none' } } } };
    expect(engine.stress(twoPerps, market(), { spot: { BTC: -0.1 } }, { method: 'cross', params: impact, lenient: true }).warnings).toContainEqual({ path: 'params.stress.impact.BTX', message: `unknown asset (did you mean "BTC"?): ${PRICED}` });
  });

  it('reaches every path that prepares a run: liquidation, stress and a live session', () => {
    const params = { linear: { BTX: [{ imRate: 0.5, mmRate: 0.2 }] } };
    for (const call of [
      () => engine.liquidate(twoPerps, market(), { method: 'cross', params }),
      () => engine.stress(twoPerps, market(), { spot: { BTC: -0.1 } }, { method: 'cross', params }),
      () => engine.live(twoPerps, market(), { method: 'cross', params }),
    ]) expect(call).toThrow('params.linear.BTX: unknown asset (did you mean "BTC"?)');
  });
});

describe('unknownAssetProblems', () => {
  it('walks nested lists, skips what is not of the declared shape, and names odd keys by their path', () => {
    // JSON.parse makes "__proto__" an own key, as a params file read from disk has it
    const section: unknown = JSON.parse('{ "legs": [{ "asset": "BTC" }, { "asset": "XYZ" }, "not a leg"], "rules": { "__proto__": 1, "a.b": 2, "BTC": 3 }, "list": "ETH", "none": null }');
    const found = unknownAssetProblems(section, 'params.x', ['BTC', 'ETH'], { keyed: ['rules', 'missing'], named: ['legs[].asset', 'list', 'none'] });
    expect(found.map((p) => p.path)).toEqual(['params.x.rules.__proto__', 'params.x.rules["a.b"]', 'params.x.legs[1].asset']);
  });
});
