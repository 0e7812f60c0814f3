import { beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_PROFILES, createEngine, type Engine, InputError, type MethodologyProfile } from '../../src/index.js';
import { mergeParams } from '../../src/profiles/profile.js';
import { validatePortfolioParams } from '../../src/methods/portfolio/validate.js';
import { validateRuleBasedParams } from '../../src/methods/rule-based/validate.js';
import { book, market } from '../support/margin-books.js';
import { problemsOf } from '../support/problems.js';
import { expectConforms, expectValidReport } from '../support/schemas.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

const B = book({ positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 100_000 }, { instrument: 'BTC-90000-P', quantity: -3, entryPrice: 800 }], collateral: [{ asset: 'USDC', amount: 500_000 }] });
const DERIBIT = BUILT_IN_PROFILES.find((p) => p.name === 'deribit')!;

describe('methodology profiles', () => {
  it('a profile is its method with its params: the same report as naming both, plus the profile tag', () => {
    const byProfile = engine.margin(B, market(), { profile: 'deribit' });
    const explicit = engine.margin(B, market(), { method: 'portfolio', params: DERIBIT.params });
    expect(byProfile.profile).toEqual({ name: 'deribit', version: DERIBIT.version });
    expectValidReport(byProfile);
    expectConforms('params', DERIBIT.params); // a profile's params are a params file like any other
    const { profile: _p, ...rest } = byProfile;
    expect(JSON.stringify(rest)).toBe(JSON.stringify(explicit));
    // and not the library's default portfolio rule (17 steps, vol down 0.3, powers 0.5 / 0.3)
    expect(explicit.accounts[0].im).not.toBe(engine.margin(B, market(), { method: 'portfolio' }).accounts[0].im);
  });

  it('params override the profile field by field and are validated with their paths', () => {
    const wider = engine.margin(B, market(), { profile: 'deribit', params: { portfolio: { assets: { default: { spotRange: 0.2 } } } } });
    const explicit = engine.margin(B, market(), { method: 'portfolio', params: mergeParams(DERIBIT.params, { portfolio: { assets: { default: { spotRange: 0.2 } } } }) });
    expect(wider.accounts[0].im).toBe(explicit.accounts[0].im);
    expect(wider.accounts[0].im).toBeGreaterThan(engine.margin(B, market(), { profile: 'deribit' }).accounts[0].im);
    expect(problemsOf(() => engine.margin(B, market(), { profile: 'deribit', params: { portfolio: { assets: { default: { spotRange: -1 } } } } })))
      .toEqual([expect.objectContaining({ path: 'params.portfolio.assets.default.spotRange' })]);
    expect(problemsOf(() => engine.margin(B, market(), { profile: 'deribit', params: { portfolio: { spotRnge: 1 } } })))
      .toEqual([expect.objectContaining({ path: 'params.portfolio.spotRnge' })]);
  });

  it('an unknown profile names the known ones and the nearest; another method than the profile\'s is refused', () => {
    const unknown = problemsOf(() => engine.margin(B, market(), { profile: 'derbit' }));
    expect(unknown).toEqual([{ path: 'options.profile', message: 'unknown profile "derbit" (did you mean "deribit"?); the profiles are deribit, span, derive' }]);
    expect(problemsOf(() => engine.margin(B, market(), { profile: 'deribit', method: 'cross' }))[0].path).toBe('options.method');
    expect(engine.margin(B, market(), { profile: 'deribit', method: 'portfolio' }).profile?.name).toBe('deribit');
  });

  it('runs under liquidate, live and stress too', () => {
    expect(engine.liquidate(B, market(), { profile: 'deribit' }).method).toBe('portfolio');
    const live = engine.live(B, market(), { profile: 'deribit' });
    try {
      expect(live.report().profile?.name).toBe('deribit');
    } finally {
      live.release();
    }
    expect(engine.stress(B, market(), { spot: { BTC: -0.1 } }, { profile: 'deribit' }).cascades.map((c) => c.method)).toEqual(['portfolio']);
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

  it('deribit is pinned: its validated parameters are these numbers, whatever the library defaults become', () => {
    // Deribit's published values (src/profiles/deribit.ts cites each); a change here is a new profile version
    const p = validatePortfolioParams((DERIBIT.params as { portfolio: unknown }).portfolio);
    expect(p.mmFactor).toBe(0.8);
    expect(p.aggregation).toBe('sum');
    const rule = p.assets.default;
    expect([rule.spotRange, rule.spotSteps, rule.volUp, rule.volDown, rule.volPowerShort, rule.volPowerLong]).toEqual([0.16, 9, 0.5, 0.25, 0.3, 0.13]);
    expect(rule.tails.map((t) => t.move)).toEqual([-0.66, -0.33, 0.5, 1, 2, 3, 4, 5]);
    expect(Object.keys(p.assets)).toEqual(['default']);
    expect(DERIBIT.method).toBe('portfolio');
    // the rule-based sections (equity's haircuts) hold only the profile's own entries: no default leaks in
    const rules = validateRuleBasedParams(DERIBIT.params);
    const own = DERIBIT.params as Record<'linear' | 'options' | 'collateral', Record<string, unknown>>;
    for (const section of ['linear', 'options', 'collateral'] as const) expect(Object.keys(rules[section]).sort()).toEqual(Object.keys(own[section]).sort());
    expect(() => JSON.parse(JSON.stringify(DERIBIT))).not.toThrow(); // data only: `margin-core profiles --format json` prints it whole
  });
});

describe('InputError shape', () => {
  it('is an InputError', () => {
    expect(() => engine.margin(B, market(), { profile: 'nope' })).toThrow(InputError);
  });
});
