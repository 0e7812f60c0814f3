/**
 * Execution prices of liquidation closes (USD per unit of the underlying), pure functions. A close that sells
 * (reduces a long: quantity > 0) fills below the mark, one that buys (reduces a short) above it.
 *
 * - Linear: mark ∓ slippage, by the underlying's model (params.ts): `linear` depth moves the price pricePerUnit per
 *   unit traded and fills at the mid of the walk, mark ∓ pricePerUnit·|units|/2; `sqrt` moves it by the fraction
 *   y·σ_daily·√(|units|·mark / advUsd) (the square-root law of market impact; σ_daily = vol/√365).
 * - Options: the mark moved by the model's price change for the vol moved against the account by the spread,
 *   mark + (BSM(σ ∓ spread) − BSM(σ)), never below 0.
 * - Bankruptcy price: the price at which closing `units` takes the equity it owes, E, to exactly 0,
 *   mark − E / units (E + units·(p − mark) = 0), never below 0: a short whose account owes more than its notional
 *   (cross margin: losses elsewhere) cannot be bought back at a negative price, so it closes at 0 and the deficit
 *   left after that is covered like any deficit with nothing left to close (the fund, else bad debt). E is the equity
 *   behind the close, or a deficit's share of it (step.ts equityOwed).
 */
import { optionPrice } from '../greeks/one-option.js';
import type { SlippageModel } from './params.js';

/** σ_daily from an annualised vol (calendar days, as the market's vols are ACT/365). */
export function dailyVol(volAnnual: number): number {
  return volAnnual / Math.sqrt(365);
}

/**
 * Fill price of closing `units` (signed: > 0 sells a long) of a linear instrument marked `mark`, in its settlement
 * asset worth `usdPerUnit` USD (1 for USD; a USDC-settled contract's mark is in USDC): the model's USD parameters
 * (pricePerUnit, advUsd) meet the close's USD price and notional, the fill is in the mark's unit.
 */
export function linearFill(mark: number, units: number, model: SlippageModel, volAnnual: number, usdPerUnit = 1): number {
  const side = units > 0 ? -1 : 1; // selling fills below the mark
  const size = Math.abs(units);
  switch (model.model) {
    case 'none':
      return mark;
    case 'linear':
      return Math.max(0, mark + side * (model.pricePerUnit / usdPerUnit) * size * 0.5);
    case 'sqrt':
      return Math.max(0, mark * (1 + side * model.y * dailyVol(volAnnual) * Math.sqrt((size * mark * usdPerUnit) / model.advUsd)));
  }
}

export interface OptionTerms {
  isCall: boolean;
  strike: number;
  expiryYears: number;
  vol: number;
  spot: number;
  rate: number;
  carry: number;
}

/**
 * Fill price of closing `units` of an option marked `mark`: the vol moved against the account by `spreadVol`.
 * `modelPrice`: the option's model price at `o.vol` when the caller has it (an unquoted mark is that price, valued by
 * the same kernel: src/margin/valuation.ts), else it is priced here.
 */
export function optionFill(mark: number, units: number, o: OptionTerms, spreadVol: number, modelPrice?: number): number {
  const worse = units > 0 ? Math.max(0, o.vol - spreadVol) : o.vol + spreadVol; // selling: lower vol; buying back: higher
  const base = modelPrice ?? optionPrice(o.isCall, o.spot, o.strike, o.expiryYears, o.vol, o.rate, o.carry);
  const shift = optionPrice(o.isCall, o.spot, o.strike, o.expiryYears, worse, o.rate, o.carry) - base;
  return Math.max(0, mark + shift);
}

/** The price at which closing `units` (× multiplier already applied) leaves equity `equity` at exactly 0, floored at 0. */
export function bankruptcyPrice(mark: number, units: number, equity: number): number {
  return Math.max(0, mark - equity / units);
}

/**
 * The fee of a market close before its cap (USD): `rate` × the notional; an option's at most `optionCap` × its value
 * closed (`optionValue` = |units| × its mark; OKX's option liquidation fee). `optionValue` null: a linear instrument.
 */
export function nominalFee(rate: number, notional: number, optionValue: number | null, optionCap: number): number {
  const fee = rate * notional;
  return optionValue === null ? fee : Math.min(fee, optionCap * optionValue);
}

/** The share of a requirement a close releases, in [0, 1]: (before − after) / before; 1 when there was none. */
export function releasedShare(mmBefore: number, mmAfter: number): number {
  if (!(mmBefore > 0)) return 1;
  return Math.min(1, Math.max(0, (mmBefore - mmAfter) / mmBefore));
}

/**
 * The fee of a market close (USD): the nominal fee, at most the surplus over bankruptcy of the part closed — the
 * equity behind the holding times the share of its MM the close releases, less the close's slippage (dYdX v4: the
 * bankruptcy quote of a partial close gives it collateral pro rata to its share of maintenance margin) — never below
 * 0. A full close releases the whole MM: the cap is then all the equity the fill leaves.
 */
export function liquidationFee(nominal: number, equity: number, share: number, slippage: number): number {
  return Math.max(0, Math.min(nominal, feeCap(equity, share, slippage)));
}

/** The fee's cap before the floor at 0 (USD): the surplus over bankruptcy of the part closed, equity × share − slippage. */
export function feeCap(equity: number, share: number, slippage: number): number {
  return equity * share - slippage;
}
