/**
 * Isolated and cross margin under a volatility forecast (dynamic margin): every rate of the asset's linear brackets and
 * option rule × max(floor, σ̂ₐ/σ_base,ₐ) × mₐ, capped at 1 (a rate above 100% of notional means nothing).
 */
import type { DynamicMarginHook, ForecastInput } from '../../../dynamic/method-hook.js';
import { ownValue } from '../../../model/checks.js';

export const ruleBasedDynamic: DynamicMarginHook<null> = {
  calibrate: (input) => ({ overlay: ruleBasedOverlay(input), market: input.market }),
  // a unit linear position's MM per unit of notional: the first bracket's rate
  breakerMmRate: ({ rules, asset }) => (Object.hasOwn(rules.linear, asset) ? rules.linear[asset] : rules.linear.default)[0].mmRate,
};

function ruleBasedOverlay({ rules, assets, vol, stepUp, dynamic }: ForecastInput<null>): Record<string, unknown> {
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
