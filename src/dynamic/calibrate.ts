/**
 * Margin from a volatility forecast: how each built-in method's risk parameters follow σ̂ (issue 17 item 2). The
 * result is a params overlay (JSON merged over the caller's params and validated like any params file) and, for VaR,
 * the market with the forecast vols: one mechanism, so a dynamic run is an ordinary run on other parameters.
 *
 * With σ̂ₐ the asset's forecast (annualised) and mₐ its multiplier (the circuit breaker's step-up, 1 when calm), which
 * multiplies the requirement the forecast sets, after its floor (a step-up of 1.5 raises a calm asset's requirement by
 * 1.5 even when the floor holds it at the static one):
 * - portfolio: spotRange = k·σ̂ₐ·√(h/periodsPerYear) (h the margin period of risk in days), at least 0.0001, × mₐ, at
 *   most 0.99; the vol shocks and the tail weights scale by the same factor s = new range / static range (a tail weight
 *   stays ≤ 1 and weight·|move| ≤ spotRange still holds, so no tail outweighs the grid edge);
 * - var: the market's asset vols become σ̂ₐ·mₐ; Σ = ρ·σ̂·σ̂ᵀ with the market correlation (delta-normal, delta-gamma and
 *   Monte Carlo: VaR is proportional to the vols; historical simulation takes filtered historical returns instead,
 *   src/dynamic/fhs.ts);
 * - isolated and cross: every rate of the asset's linear brackets and option rule × max(floor, σ̂ₐ/σ_base,ₐ) × mₐ, capped
 *   at 1 (a rate above 100% of notional means nothing).
 * Every asset of the book with a market vol > 0 needs a forecast: a missing one is an error, never a silent static
 * parameter.
 */
import { ProblemList } from '../errors.js';
import type { RuleBasedParams } from '../margin/params.js';
import { type PortfolioParams, ruleFor } from '../methods/portfolio/params.js';
import type { VarParams } from '../methods/var/params.js';
import { withAssetVols } from '../model/move-market.js';
import { ownValue } from '../model/checks.js';
import type { ValidatedMarket } from '../model/types.js';
import type { DynamicMethod, DynamicParams } from './dynamic-params.js';

/** The spot ranges a forecast can set: the portfolio validator takes (0, 1), and a flat history forecasts σ̂ = 0. */
export const MIN_DYNAMIC_SPOT_RANGE = 1e-4;
export const MAX_DYNAMIC_SPOT_RANGE = 0.99;

export interface Calibration {
  /** Params JSON to merge over the caller's (section by section); empty for `var`. */
  overlay: Record<string, unknown>;
  /** The market the method runs on: the forecast vols for `var`, else the market given. */
  market: ValidatedMarket;
}

/**
 * The overlay and market that make `method` follow `dynamic`'s forecast, for the assets in `assets` (the book's).
 * Throws InputError naming the assets without a forecast, or a VaR model that does not read market vols.
 */
export function calibrate(
  method: DynamicMethod, dynamic: DynamicParams, rules: RuleBasedParams, methodParams: unknown, market: ValidatedMarket, assets: readonly string[],
): Calibration {
  const risky = assets.filter((a) => (market.assets.get(a)?.vol ?? 0) > 0);
  const problems = new ProblemList();
  const missing = risky.filter((a) => ownValue(dynamic.volAnnual, a) === undefined);
  if (missing.length > 0) {
    problems.add('params.dynamic.volAnnual', `no forecast for ${missing.map((a) => JSON.stringify(a)).join(', ')}: the book holds ${missing.length === 1 ? 'it' : 'them'} and ${method} margin follows the forecast (engine.forecastVol gives one per asset)`);
  }
  if (method === 'var') {
    const v = methodParams as VarParams;
    if (v.model === 'historical' || v.covariance !== 'market') {
      problems.add('params.dynamic.methods', `var follows the forecast through the market covariance (ρ·σ̂·σ̂ᵀ); ${v.model === 'historical' ? 'model "historical" reads returns instead (give it filtered historical returns, filteredHistoricalReturns)' : 'covariance "ewma" reads returns instead'}`);
    }
  }
  problems.throwIfAny();
  const vol = (a: string): number => dynamic.volAnnual[a];
  const stepUp = (a: string): number => ownValue(dynamic.multipliers, a) ?? 1;
  switch (method) {
    case 'portfolio':
      return { overlay: { portfolio: { assets: portfolioOverlay(methodParams as PortfolioParams, risky, vol, stepUp, dynamic) } }, market };
    case 'var':
      return { overlay: {}, market: withAssetVols(market, new Map(risky.map((a) => [a, vol(a) * stepUp(a)]))) };
    case 'isolated':
    case 'cross':
      return { overlay: ruleBasedOverlay(rules, risky, vol, stepUp, dynamic), market };
  }
}

/** The spot range k·σ̂·√(h/periodsPerYear) the forecast sets (before the cap). */
export function dynamicSpotRange(volAnnual: number, dynamic: Pick<DynamicParams, 'portfolio' | 'horizonDays' | 'periodsPerYear'>): number {
  return dynamic.portfolio.k * volAnnual * Math.sqrt(dynamic.horizonDays / dynamic.periodsPerYear);
}

function portfolioOverlay(params: PortfolioParams, assets: readonly string[], vol: (a: string) => number, stepUp: (a: string) => number, dynamic: DynamicParams): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const asset of assets) {
    const rule = ruleFor(params, asset);
    const range = Math.min(MAX_DYNAMIC_SPOT_RANGE, Math.max(MIN_DYNAMIC_SPOT_RANGE, dynamicSpotRange(vol(asset), dynamic)) * stepUp(asset));
    const s = range / rule.spotRange;
    out[asset] = {
      spotRange: range,
      volUp: Math.min(10, rule.volUp * s),
      volDown: Math.min(1, rule.volDown * s),
      tails: rule.tails.map((t) => ({ move: t.move, weight: tailWeight(t.weight * s, t.move, range) })),
    };
  }
  return out;
}

/** min(1, w) lowered (by rounding steps at most) until w·|move| ≤ range: the validator's rule holds exactly. */
function tailWeight(scaled: number, move: number, range: number): number {
  let w = Math.min(1, scaled);
  while (w * Math.abs(move) > range) w = Math.min(w * (1 - Number.EPSILON), range / Math.abs(move));
  return w;
}

function ruleBasedOverlay(rules: RuleBasedParams, assets: readonly string[], vol: (a: string) => number, stepUp: (a: string) => number, dynamic: DynamicParams): Record<string, unknown> {
  const linear: Record<string, unknown> = Object.create(null);
  const options: Record<string, unknown> = Object.create(null);
  const rate = (x: number, s: number) => Math.min(1, x * s);
  for (const asset of assets) {
    const base = ownValue(dynamic.ruleBased.baseVolAnnual, asset) ?? dynamic.ruleBased.baseVolAnnual.default;
    const s = Math.max(dynamic.ruleBased.floor, vol(asset) / base) * stepUp(asset);
    const brackets = ownValue(rules.linear, asset) ?? rules.linear.default;
    // the last bracket is unbounded: its upTo is left out, as in a params file
    linear[asset] = brackets.map((b) => ({ ...(b.upTo === Infinity ? {} : { upTo: b.upTo }), imRate: rate(b.imRate, s), mmRate: rate(b.mmRate, s) }));
    const option = ownValue(rules.options, asset) ?? rules.options.default;
    options[asset] = { imBase: rate(option.imBase, s), imFloor: rate(option.imFloor, s), mmRate: rate(option.mmRate, s) };
  }
  return { linear, options };
}
