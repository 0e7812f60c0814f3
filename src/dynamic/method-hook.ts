/**
 * What a margin method declares to follow a volatility forecast (dynamic margin): its plug-in's `dynamic` member
 * (src/methods/method.ts). src/session/calibrate.ts and src/backtest/backtest.ts call it and know no method by name.
 */
import type { RuleBasedParams } from '../margin/params.js';
import type { ValidatedMarket } from '../model/types.js';
import type { DynamicParams } from './dynamic-params.js';

export interface Calibration {
  /** Params JSON to merge over the caller's (section by section); empty when the method follows through the market. */
  overlay: Record<string, unknown>;
  /** The market the method runs on: with the forecast vols when the method reads them from it, else the market given. */
  market: ValidatedMarket;
}

/** A forecast for the book's assets, and the method's static parameters it is mapped onto. */
export interface ForecastInput<P> {
  /** The book's assets with a market vol > 0 (each has a forecast), in book order. */
  readonly assets: readonly string[];
  /** σ̂ₐ: the asset's forecast vol (annualised decimal). */
  vol(asset: string): number;
  /** mₐ ≥ 1: the circuit breaker's multiplier of the requirement the forecast sets (1 when calm). */
  stepUp(asset: string): number;
  readonly dynamic: DynamicParams;
  /** The validated rule-based sections (linear, options, collateral). */
  readonly rules: RuleBasedParams;
  /** The method's validated params. */
  readonly params: P;
  readonly market: ValidatedMarket;
}

export interface DynamicMarginHook<P = unknown> {
  /**
   * Optional: why the method cannot follow a forecast under `params` (e.g. VaR on historical returns), reported at
   * `params.dynamic.methods`; undefined when it can.
   */
  refusal?(params: P): string | undefined;
  /** The overlay and the market that make the method follow the forecast (its requirement scaled by mₐ after any floor). */
  calibrate(input: ForecastInput<P>): Calibration;
  /**
   * The MM per unit of notional of a unit linear position on `asset` under the static parameters: the rate the
   * backtest's velocity circuit breaker measures moves against.
   */
  breakerMmRate(input: { params: P; rules: RuleBasedParams; asset: string; market: ValidatedMarket }): number;
}
