/**
 * Margin from a volatility forecast: how a method's risk parameters follow σ̂ (its plug-in's `dynamic` hook,
 * src/dynamic/method-hook.ts). The result is a params overlay (JSON merged over the caller's params and validated like
 * any params file) and, for a method that reads vols from the market (VaR), the market with the forecast vols: one
 * mechanism, so a dynamic run is an ordinary run on other parameters.
 *
 * With σ̂ₐ the asset's forecast (annualised) and mₐ its multiplier (the circuit breaker's step-up, 1 when calm), which
 * multiplies the requirement the forecast sets, after its floor (a step-up of 1.5 raises a calm asset's requirement by
 * 1.5 even when the floor holds it at the static one). The built-in mappings: src/methods/portfolio/dynamic.ts,
 * src/methods/var/dynamic.ts, src/methods/engines/rule-based/dynamic.ts (isolated and cross).
 * Every asset of the book with a market vol > 0 needs a forecast: a missing one is an error, never a silent static
 * parameter.
 */
import { InputError, ProblemList } from '../errors.js';
import type { RuleBasedParams } from '../margin/params.js';
import type { MarginMethodPlugin } from '../methods/method.js';
import { ownValue } from '../model/checks.js';
import type { ValidatedMarket } from '../model/types.js';
import type { DynamicParams } from '../dynamic/dynamic-params.js';
import type { Calibration } from '../dynamic/method-hook.js';

export type { Calibration } from '../dynamic/method-hook.js';

/**
 * The overlay and market that make `method` follow `dynamic`'s forecast, for the assets in `assets` (the book's).
 * Throws InputError naming the assets without a forecast, or the method's refusal of its params (e.g. a VaR model that
 * does not read market vols), or a method without a dynamic-margin hook.
 */
export function calibrate<P>(
  method: MarginMethodPlugin<P>, dynamic: DynamicParams, rules: RuleBasedParams, methodParams: P, market: ValidatedMarket, assets: readonly string[],
): Calibration {
  const hook = method.dynamic;
  if (hook === undefined) throw new InputError([{ path: 'params.dynamic.methods', message: `method ${JSON.stringify(method.name)} has no dynamic-margin hook: a forecast cannot drive it` }]);
  const risky = assets.filter((a) => (market.assets.get(a)?.vol ?? 0) > 0);
  const problems = new ProblemList();
  const missing = risky.filter((a) => ownValue(dynamic.volAnnual, a) === undefined);
  if (missing.length > 0) {
    problems.add('params.dynamic.volAnnual', `no forecast for ${missing.map((a) => JSON.stringify(a)).join(', ')}: an asset of the book (held, or an instrument's: a live session may trade it) and ${method.name} margin follows the forecast (engine.forecastVol gives one per asset)`);
  }
  const refusal = hook.refusal?.(methodParams);
  if (refusal !== undefined) problems.add('params.dynamic.methods', refusal);
  problems.throwIfAny();
  return hook.calibrate({
    assets: risky,
    vol: (a) => dynamic.volAnnual[a],
    stepUp: (a) => ownValue(dynamic.multipliers, a) ?? 1,
    dynamic, rules, params: methodParams, market,
  });
}
