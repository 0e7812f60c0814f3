/**
 * The params file's top-level sections that no margin method owns: the rule-based ones (src/margin/validate-params.ts)
 * and those read by what stands on the methods (src/session/session.ts). A method's own section (its `section`) is
 * any other name, one method's alone (src/methods/registry.ts refuses a plug-in that claims one of these).
 */

/** The rule-based sections, read by every method through the rule-based kernel. */
export const RULE_SECTIONS: readonly string[] = ['linear', 'options', 'collateral', 'linearSize'];

/**
 * Params sections read by what stands on the margin methods rather than by a method (src/liquidation/ reads
 * `liquidation`, src/stress/ reads `stress`, src/dynamic/ reads `dynamic`): one params file serves `margin`,
 * `liquidate`, `stress` and `backtest`. Margin reads `dynamic` only to calibrate a method that follows the forecast,
 * `locations` to value collateral by where it sits (src/locations/), and `subaccounts` is read by the roll-ups
 * (src/subaccounts/).
 */
export const ENGINE_SECTIONS: readonly string[] = ['liquidation', 'stress', 'dynamic', 'locations', 'subaccounts'];
