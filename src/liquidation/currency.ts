/**
 * Liquidation of coin-margined accounts (docs/coin-margined.md), as pure functions the engine calls for instruments
 * settled in their underlying; everything else prices as pricing.ts does.
 *
 * An inverse contract's layout price is x = −1/F (coin per USD of face), where its P&L is linear; its slippage is the
 * underlying's model in USD per coin: F moved against the account by the coins traded (units·|x| = units/F), back to
 * x = −1/F_fill. Its bankruptcy price solves equity + units·(x_b − x) = 0 in x and stays ≤ 0: x_b = 0 is F = ∞ (a short
 * whose equity covers any rise). A coin-settled option fills at its mark in coin moved by the model's price change for
 * the vol moved against the account, over the forward: (BSM(σ ∓ spread) − BSM(σ))/F.
 */
import { optionPrice } from '../greeks/one-option.js';
import type { BookLayout } from '../layout/book-layout.js';
import { usdPerUnitOf } from '../layout/coin-layout.js';
import type { MarketLayout } from '../layout/market-layout.js';
import { forwardPrice } from '../margin/coin-valuation.js';
import { inversePreimage } from '../model/inverse-price.js';
import type { SlippageModel } from './params.js';
import { linearFill, type OptionTerms } from './pricing.js';

/** The coin account a is margined in (its report rows say it), or undefined for a USD account. */
export function coinOf(layout: BookLayout, a: number): string | undefined {
  const m = layout.marginAsset.array[a];
  return m < 0 ? undefined : layout.assets[m];
}

/** USD per unit of account a's margin currency: exactly 1 for a USD account, its asset's index price otherwise. */
export function usdPerUnit(layout: BookLayout, market: MarketLayout, a: number): number {
  return usdPerUnitOf(layout.marginAsset.array, market.price.array, a);
}

/** Lowest fill of an inverse contract, as a fraction of its mark: a slippage model cannot sell it at F = 0 (x = −∞). */
const INVERSE_FILL_FLOOR = 1e-9;

/** Fill (layout price x) of closing `units` USD of face (signed: > 0 sells a long) of an inverse contract marked x. */
export function inverseFill(x: number, units: number, model: SlippageModel, volAnnual: number): number {
  const mark = -1 / x;
  const filled = linearFill(mark, units * -x, model, volAnnual);
  return -1 / Math.max(filled, mark * INVERSE_FILL_FLOOR);
}

/** The layout price x ≤ 0 at which closing `units` of face leaves equity `equity` (coin) at exactly 0. */
export function inverseBankruptcy(x: number, units: number, equity: number): number {
  return Math.min(0, x - equity / units);
}

/** A layout price of an inverse contract as quoted, USD per coin: −1/x (x = 0: no finite price, +∞). */
export function quotedPrice(x: number): number {
  return x === 0 ? Infinity : -1 / x;
}

/**
 * An inverse contract's mark as quoted, the way back to the market's own figure: the shortest decimal whose −1/price is
 * the layout's x (a mark of 100,000 reads 100,000, not −1/x = 99,999.99999999999). It remembers its last mark, which a
 * run's steps and fills on one contract share, so the search runs once per mark, not once per step.
 */
export class QuotedMark {
  private x = Number.NaN;
  private quoted = Number.NaN;

  of(x: number): number {
    if (x === 0) return Infinity;
    if (x !== this.x) {
      this.x = x;
      this.quoted = inversePreimage(x);
    }
    return this.quoted;
  }
}

/**
 * A price as a report shows it: null where no finite USD price exists (an inverse contract's coordinate 0, quoted
 * 1/0: a bankruptcy price no price reaches, or an ADL fill at it).
 */
export function finiteOrNull(price: number): number | null {
  return Number.isFinite(price) ? price : null;
}

/**
 * Fill (coin per unit) of closing `units` of a coin-settled option marked `markCoin` (quoted, or the model price in
 * coin): the vol moved against the account by `spreadVol`, the model's USD price change over the forward.
 */
export function coinOptionFill(markCoin: number, units: number, o: OptionTerms, spreadVol: number): number {
  const worse = units > 0 ? Math.max(0, o.vol - spreadVol) : o.vol + spreadVol;
  const base = optionPrice(o.isCall, o.spot, o.strike, o.expiryYears, o.vol, o.rate, o.carry);
  const shift = optionPrice(o.isCall, o.spot, o.strike, o.expiryYears, worse, o.rate, o.carry) - base;
  return Math.max(0, markCoin + shift / forwardPrice(o.spot, o.rate, o.carry, o.expiryYears));
}
