/**
 * Parameters of the VaR / ES margin method (`method: 'var'`), the `var` section of the params JSON.
 *
 * IM = max(measure, floorRate × gross notional, floorUsd when the account has positions), where the
 * measure is VaR or ES of the account's P&L over `horizonDays` at `confidence`, by `model`;
 * MM = mmFactor × IM. Money in USD. See docs/var-margin.md for the models and their assumptions.
 */

import type { ReturnsMatrix } from '../../model/types.js';
import { deepFreeze } from '../../model/deep-freeze.js';

/** The history the `historical` model and EWMA covariances read (src/model/types.ts: market data, not a VaR setting). */
export type { ReturnsMatrix };

export type VarModel = 'delta-normal' | 'delta-gamma' | 'monte-carlo' | 'historical';
export type VarMeasure = 'var' | 'es';
export type CovarianceSource = 'market' | 'ewma';

export const VAR_MODELS: readonly VarModel[] = ['delta-normal', 'delta-gamma', 'monte-carlo', 'historical'];
export const VAR_MEASURES: readonly VarMeasure[] = ['var', 'es'];
export const COVARIANCE_SOURCES: readonly CovarianceSource[] = ['market', 'ewma'];

export interface VarParams {
  /** How the P&L distribution is modelled (default `delta-normal`). */
  model: VarModel;
  /** Which tail measure is the IM: value at risk or expected shortfall (default `var`). */
  measure: VarMeasure;
  /** Confidence level α in [0.5, 1), e.g. 0.99 (default). */
  confidence: number;
  /** Risk horizon in calendar days, e.g. 1 (default) or the liquidation period. Σ scales by h/365 (annual vols) or h/periodDays (EWMA). */
  horizonDays: number;
  /** Monte Carlo scenarios M (default 1,000). */
  scenarios: number;
  /** Monte Carlo seed (u32, default 1): the same seed gives the same scenarios on every backend. */
  seed: number;
  /** IM floor as a fraction of the account's gross notional (default 0.01). */
  floorRate: number;
  /** IM floor in USD for accounts holding positions (default 0). */
  floorUsd: number;
  /** MM = mmFactor × IM, in (0, 1] (default 0.8). */
  mmFactor: number;
  /** Where Σ comes from: the market's vols × correlation (default), or EWMA of `returns`. */
  covariance: CovarianceSource;
  /** EWMA decay λ in (0, 1) (default 0.94, RiskMetrics daily). */
  ewmaLambda: number;
  /** Historical returns: required by `historical` and by `covariance: 'ewma'`. */
  returns: ReturnsMatrix | null;
}

export const DEFAULT_VAR_PARAMS: Readonly<VarParams> = {
  model: 'delta-normal',
  measure: 'var',
  confidence: 0.99,
  horizonDays: 1,
  scenarios: 1000,
  seed: 1,
  floorRate: 0.01,
  floorUsd: 0,
  mmFactor: 0.8,
  covariance: 'market',
  ewmaLambda: 0.94,
  returns: null,
};
// frozen, deeply: a plug-in author's write into the defaults would change every later run that reads them
deepFreeze(DEFAULT_VAR_PARAMS);

/** Largest Monte Carlo scenario count accepted (P&L rows are accounts × scenarios of f64 in chunks). */
export const MAX_SCENARIOS = 1_000_000;
/** Longest horizon accepted (days). */
export const MAX_HORIZON_DAYS = 365;
