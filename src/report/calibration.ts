/**
 * What each built-in method's default parameters are calibrated to, with the public source they follow: said in the
 * demo, `margin-core compare` and the page beside every efficiency figure, because at the defaults "capital freed"
 * compares calibrations as much as methods (src/report/coverage.ts compares them at equal coverage).
 */

export interface Calibration {
  /** What the defaults target, in a phrase. */
  target: string;
  /** Where the rule and its numbers come from. */
  source: string;
}

/** The built-in methods' defaults. A method of your own has no entry: its calibration is yours to state. */
export const DEFAULT_CALIBRATIONS: Readonly<Record<string, Calibration>> = {
  isolated: {
    target: 'leverage brackets per position (BTC: IM 0.8% up to 50,000 USD notional, i.e. 125×, rising to 20%), short options max(15% - OTM, 10%) of spot plus mark, collateral haircuts',
    source: 'Binance USDS-M leverage and margin brackets; Deribit standard option margin; haircuts are margin-core\'s own modelling',
  },
  cross: {
    target: 'the same brackets, haircuts and option rule as isolated, summed over the account against pooled collateral',
    source: 'Binance USDS-M brackets (cross margin); Deribit standard option margin',
  },
  portfolio: {
    target: 'the worst loss over spot ±16% (17 steps) × vol up 50% / down 30%, plus dampened tail moves to -66% and +500%',
    source: 'Deribit portfolio margin (price range 0.16, vol range up 0.5; the `deribit` profile pins Deribit\'s own values)',
  },
  var: {
    target: '99% 1-day value at risk, delta-normal on the market\'s vols and correlation, at least 1% of gross notional',
    source: 'RiskMetrics (J.P. Morgan, 1996): 99%, 1 day; EMIR RTS 153/2013 art. 24 sets 99% for exchange-traded derivatives',
  },
  span: {
    target: 'CME SPAN: 16 risk-array scenarios over a price scan range of 10% of the price and a vol scan range of 25% of each implied vol',
    source: 'CME SPAN methodology (risk arrays, spreads, short option minimum); the scan ranges are margin-core\'s (CME sets them per product)',
  },
  derive: {
    target: 'Derive PMRM_2: the worst loss over spot ±18% (steps of 4.5%) × vol down / none / up, dampened tails, two skew rotations',
    source: 'Derive (derivexyz/v2-core, PMRM_2); its published portfolio cases are the conformance tests',
  },
};

/** The calibration of `method`'s defaults, or a sentence saying none is recorded (a method of your own). */
export function calibrationOf(method: string): Calibration {
  return DEFAULT_CALIBRATIONS[method] ?? { target: 'not recorded (a method of your own)', source: 'its author' };
}
