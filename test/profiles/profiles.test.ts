import { beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_PROFILES, createEngine, type Engine, InputError, type MethodologyProfile } from '../../src/index.js';
import { mergeParams } from '../../src/profiles/profile.js';
import { validatePortfolioParams } from '../../src/methods/portfolio/validate.js';
import { validateRuleBasedParams } from '../../src/methods/engines/rule-based/validate.js';
import { checkDeribitParams } from '../../src/methods/deribit/params.js';
import { ProblemList } from '../../src/errors.js';
import { book, market } from '../support/margin-books.js';
import { problemsOf } from '../support/problems.js';
import { expectConforms, expectValidReport } from '../support/schemas.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

const B = book({ positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 100_000 }, { instrument: 'BTC-90000-P', quantity: -3, entryPrice: 800 }], collateral: [{ asset: 'USDC', amount: 500_000 }] });
const LEGACY = BUILT_IN_PROFILES.find((p) => p.name === 'deribit-legacy')!;
const DERIBIT = BUILT_IN_PROFILES.find((p) => p.name === 'deribit')!;

describe('methodology profiles', () => {
  it('a profile is its method with its params: the same report as naming both, plus the profile tag', () => {
    const byProfile = engine.margin(B, market(), { profile: 'deribit-legacy' });
    const explicit = engine.margin(B, market(), { method: 'portfolio', params: LEGACY.params });
    expect(byProfile.profile).toEqual({ name: 'deribit-legacy', version: LEGACY.version });
    expectValidReport(byProfile);
    expectConforms('params', LEGACY.params); // a profile's params are a params file like any other
    expectConforms('params', DERIBIT.params);
    const deribit = engine.margin(B, market(), { profile: 'deribit', breakdown: true });
    expectValidReport(deribit);
    expect(JSON.stringify({ ...deribit, profile: undefined })).toBe(JSON.stringify({ ...engine.margin(B, market(), { method: 'deribit', params: DERIBIT.params, breakdown: true }), profile: undefined }));
    const { profile: _p, ...rest } = byProfile;
    expect(JSON.stringify(rest)).toBe(JSON.stringify(explicit));
    // and not the library's default portfolio rule (17 steps, vol down 0.3, powers 0.5 / 0.3)
    expect(explicit.accounts[0].im).not.toBe(engine.margin(B, market(), { method: 'portfolio' }).accounts[0].im);
  });

  it('params override the profile field by field and are validated with their paths', () => {
    const wider = engine.margin(B, market(), { profile: 'deribit-legacy', params: { portfolio: { assets: { default: { spotRange: 0.2 } } } } });
    const explicit = engine.margin(B, market(), { method: 'portfolio', params: mergeParams(LEGACY.params, { portfolio: { assets: { default: { spotRange: 0.2 } } } }) });
    expect(wider.accounts[0].im).toBe(explicit.accounts[0].im);
    expect(wider.accounts[0].im).toBeGreaterThan(engine.margin(B, market(), { profile: 'deribit-legacy' }).accounts[0].im);
    expect(problemsOf(() => engine.margin(B, market(), { profile: 'deribit-legacy', params: { portfolio: { assets: { default: { spotRange: -1 } } } } })))
      .toEqual([expect.objectContaining({ path: 'params.portfolio.assets.default.spotRange' })]);
    expect(problemsOf(() => engine.margin(B, market(), { profile: 'deribit-legacy', params: { portfolio: { spotRnge: 1 } } })))
      .toEqual([expect.objectContaining({ path: 'params.portfolio.spotRnge' })]);
    // the 2024 model's fields, by Deribit's names
    const deribitWider = engine.margin(B, market(), { profile: 'deribit', params: { deribit: { pairs: { BTC: { priceRange: 0.2 } } } } });
    expect(deribitWider.accounts[0].im).toBeGreaterThan(engine.margin(B, market(), { profile: 'deribit' }).accounts[0].im);
    expect(problemsOf(() => engine.margin(B, market(), { profile: 'deribit', params: { deribit: { pairs: { BTC: { priceRnage: 0.2 } }, currencies: { BTC: { minAnnualisedMove: -1 } } } } })))
      .toEqual([
        expect.objectContaining({ path: 'params.deribit.pairs.BTC.priceRnage', message: expect.stringContaining('did you mean "priceRange"') }),
        expect.objectContaining({ path: 'params.deribit.currencies.BTC.minAnnualisedMove' }),
      ]);
    // an extended move inside a pair's grid (−5% within ±16%) would weigh its loss 0.16/0.05 = 3.2 times
    expect(problemsOf(() => engine.margin(B, market(), { profile: 'deribit', params: { deribit: { extendedMoves: [-0.66, -0.05] } } })))
      .toEqual([expect.objectContaining({ path: 'params.deribit.extendedMoves[1]', message: expect.stringContaining('-0.05 is within the price range ±0.16 of pairs.default') })]);
    expect(problemsOf(() => engine.margin(B, market(), { profile: 'deribit', params: { deribit: { extendedMoves: [0.5], pairs: { ETH: { priceRange: 0.6 } } } } }))[0].path)
      .toBe('params.deribit.extendedMoves[0]');
  });

  it('an unknown profile names the known ones and the nearest; another method than the profile\'s is refused', () => {
    const unknown = problemsOf(() => engine.margin(B, market(), { profile: 'derbit' }));
    expect(unknown).toEqual([{ path: 'options.profile', message: 'unknown profile "derbit" (did you mean "deribit"?); the profiles are deribit, deribit-legacy, deribit-standard, span, derive' }]);
    expect(problemsOf(() => engine.margin(B, market(), { profile: 'deribit', method: 'cross' }))[0].path).toBe('options.method');
    expect(engine.margin(B, market(), { profile: 'deribit', method: 'deribit' }).profile?.name).toBe('deribit');
    expect(problemsOf(() => engine.margin(B, market(), { profile: 'deribit', method: 'portfolio' }))[0].path).toBe('options.method');
  });

  it('an account\'s own method other than the profile\'s is refused at the account\'s path', () => {
    const own = { ...B, accounts: [...B.accounts, { id: 'own', method: 'span', positions: [], collateral: [{ asset: 'USDC', amount: 1 }] }] };
    expect(problemsOf(() => engine.margin(own, market(), { profile: 'derive' }))).toEqual([{ path: 'accounts[1].method', message: expect.stringContaining('"span" under profile "derive", which margins every account by "derive"') }]);
    // the profile's own method named by the account is no conflict
    const same = { ...B, accounts: [...B.accounts, { id: 'own', method: 'derive', positions: [], collateral: [{ asset: 'USDC', amount: 1 }] }] };
    expect(engine.margin(same, market(), { profile: 'derive' }).accounts[1].status).toBe('healthy');
  });

  it('runs under liquidate, live and stress too', () => {
    expect(engine.liquidate(B, market(), { profile: 'deribit' }).method).toBe('deribit');
    expect(engine.liquidate(B, market(), { profile: 'deribit-legacy' }).method).toBe('portfolio');
    const live = engine.live(B, market(), { profile: 'deribit' });
    try {
      expect(live.report().profile?.name).toBe('deribit');
    } finally {
      live.release();
    }
    expect(engine.stress(B, market(), { spot: { BTC: -0.1 } }, { profile: 'deribit' }).cascades.map((c) => c.method)).toEqual(['deribit']);
  });

  it('an engine takes profiles of its own', async () => {
    const mine: MethodologyProfile = { name: 'tight', version: '1', method: 'cross', description: 'cross', sources: [], notes: [], params: { linear: { ETH: [{ upTo: null, imRate: 0.5, mmRate: 0.25 }] } } };
    const custom = await createEngine({ backend: 'js', profiles: [...BUILT_IN_PROFILES, mine] });
    const r = custom.margin(book({ positions: [{ instrument: 'ETH-PERP', quantity: 1, entryPrice: 3_000 }], collateral: [] }), market(), { profile: 'tight' });
    expect([r.method, r.accounts[0].im]).toEqual(['cross', 1_500]);
  });

  it('merging treats keys as data and changes neither input', () => {
    const base = { a: { b: 1, c: [1, 2] } };
    const over = JSON.parse('{"a":{"c":[3]},"__proto__":{"x":1}}');
    const merged = mergeParams(base, over) as Record<string, unknown>;
    expect(Object.hasOwn(merged, '__proto__')).toBe(true);
    expect(merged.a).toEqual({ b: 1, c: [3] });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] } });
  });

  it('derive values every balance at full weight, BTC and ETH too: equity − IM is Derive\'s figure', () => {
    // 1 BTC against −97,000 USDC and a short BTC perpetual of 1 at 100,000: the balance offsets the perp in every
    // scenario (P&L 0). Derive: equity −97,000 + 100,000 + 0 = 3,000; MM = 1.5% × 100,000 = 1,500; IM = MM + 0.5% ×
    // 100,000 = 2,000: healthy. The library's 5% / 2.5% BTC haircut would give equity for MM 97,500 − 97,000 = 500 < MM.
    const btc = book({ id: 'borrow', positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 1 }, { asset: 'USDC', amount: -97_000 }] });
    const a = engine.margin(btc, market(), { profile: 'derive' }).accounts[0];
    expect([a.equity, a.equityIm, a.equityMm, a.status]).toEqual([3_000, 3_000, 3_000, 'healthy']);
    expect(a.im).toBeCloseTo(2_000, 9);
    expect(a.mm).toBeCloseTo(1_500, 9);
    // 10 ETH against −29,000 USDC: equity for MM 1,000 (the library's 3.5% ETH haircut would give −50)
    const eth = book({ id: 'eth', collateral: [{ asset: 'ETH', amount: 10 }, { asset: 'USDC', amount: -29_000 }] });
    expect(engine.margin(eth, market(), { profile: 'derive' }).accounts[0].equityMm).toBe(1_000);
  });

  it('deribit is pinned: its validated parameters are these numbers, whatever the library defaults become', () => {
    // Deribit's published values (src/profiles/deribit.ts cites each); a change here is a new profile version
    const problems = new ProblemList();
    const d = checkDeribitParams((DERIBIT.params as { deribit: unknown }).deribit, problems);
    expect(problems.size).toBe(0);
    expect(DERIBIT.method).toBe('deribit');
    expect([d.mmFactor, d.bucketsCount, d.extendedMoves]).toEqual([0.8, 4, [-0.66, -0.33, 0.5, 1, 2, 3, 4, 5]]);
    expect(d.pairs.default).toEqual({
      priceRange: 0.16, volatilityRangeUp: 0.5, volatilityRangeDown: 0.25, shortTermVegaPower: 0.3, longTermVegaPower: 0.13, minVolatilityForShockUp: 0.5,
      extendedTableFactor: 1, maxDeltaShock: 0.1, deltaTotalLiqShockThreshold: 20_000_000, mInc: 0.00005,
    });
    expect(d.pairs.ETH).toEqual({ ...d.pairs.default, priceRange: 0.18, volatilityRangeUp: 0.4, mInc: 0.000004 });
    expect(d.currencies.default).toEqual({ annualisedMoveRisk: 0.075, minAnnualisedMove: 0.01, extendedDampener: 100_000 });
    expect(d.currencies.ETH).toEqual({ annualisedMoveRisk: 0.05, minAnnualisedMove: 0.005, extendedDampener: 200_000 });
    expect(d.currencies.USD).toEqual({ annualisedMoveRisk: 0.1, minAnnualisedMove: 0.01, extendedDampener: 25_000 });
    expect(() => JSON.parse(JSON.stringify(DERIBIT))).not.toThrow();
  });

  it('deribit-legacy is pinned: its validated parameters are these numbers, whatever the library defaults become', () => {
    const DERIBIT = LEGACY;
    const p = validatePortfolioParams((DERIBIT.params as { portfolio: unknown }).portfolio);
    expect(p.mmFactor).toBe(0.8);
    expect(p.aggregation).toBe('sum');
    const rule = p.assets.default;
    expect([rule.spotRange, rule.spotSteps, rule.volUp, rule.volDown, rule.volPowerShort, rule.volPowerLong]).toEqual([0.16, 9, 0.5, 0.25, 0.3, 0.13]);
    expect(rule.tails.map((t) => t.move)).toEqual([-0.66, -0.33, 0.5, 1, 2, 3, 4, 5]);
    expect(Object.keys(p.assets)).toEqual(['default']);
    expect(DERIBIT.method).toBe('portfolio');
    // the rule-based sections (equity's haircuts) hold only the profile's own entries: no default leaks in
    const { liquidation, ...marginParams } = DERIBIT.params;
    expect(liquidation).toEqual({ order: 'linear-first' }); // Deribit closes futures before options
    const rules = validateRuleBasedParams(marginParams);
    const own = DERIBIT.params as Record<'linear' | 'options' | 'collateral', Record<string, unknown>>;
    for (const section of ['linear', 'options', 'collateral'] as const) expect(Object.keys(rules[section]).sort()).toEqual(Object.keys(own[section]).sort());
    expect(() => JSON.parse(JSON.stringify(DERIBIT))).not.toThrow(); // data only: `margin-core profiles --format json` prints it whole
  });

  it('deribit-standard is pinned: Deribit\'s standard futures and option rates, whatever the library defaults become', () => {
    // support.deribit.com "11 January 2022": BTC IM 2% + 0.005% per BTC, MM 1% + 0.005% per BTC; ETH 0.0004% per ETH
    const STANDARD = BUILT_IN_PROFILES.find((p) => p.name === 'deribit-standard')!;
    expect(STANDARD.method).toBe('cross');
    const { liquidation, ...marginParams } = STANDARD.params;
    expect(liquidation).toEqual({ order: 'linear-first' });
    const rules = validateRuleBasedParams(marginParams);
    expect(rules.linear.BTC).toEqual([{ upTo: Infinity, imRate: 0.02, mmRate: 0.01 }]);
    expect(rules.linear.ETH).toEqual([{ upTo: Infinity, imRate: 0.02, mmRate: 0.01 }]);
    expect(rules.linearSize).toEqual({ BTC: { imPerUnit: 0.00005, mmPerUnit: 0.00005 }, ETH: { imPerUnit: 0.000004, mmPerUnit: 0.000004 } });
    expect(rules.options.default).toEqual({ imBase: 0.15, imFloor: 0.1, mmRate: 0.075 });
    expectConforms('params', STANDARD.params);
    expect(() => JSON.parse(JSON.stringify(STANDARD))).not.toThrow();
  });
});

describe('InputError shape', () => {
  it('is an InputError', () => {
    expect(() => engine.margin(B, market(), { profile: 'nope' })).toThrow(InputError);
  });
});
