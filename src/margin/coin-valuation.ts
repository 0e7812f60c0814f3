/**
 * Valuation of instruments settled in an asset (docs/coin-margined.md), as pure formulas and as the pass that writes
 * them into the run's instrument values. Per instrument once per market, not a hot loop: the option prices it divides
 * come from the Greeks kernel (src/margin/valuation.ts), so every backend gives the same bits.
 *
 * - Inverse future or perpetual (settled in its underlying; multiplier = USD face value per contract; prices in USD
 *   per coin): P&L in coin = quantity·multiplier·(1/entry − 1/mark) (Deribit, "Inverse Contracts": PnL_BTC =
 *   N·(1/entry − 1/exit)). Its layout value is x = −1/mark (coin per USD of face), in which that P&L is linear:
 *   units·(x_mark − x_entry).
 * - Coin-settled option (settled in its underlying; premium in coin per unit): Black-76 on the forward F, divided by
 *   it: premium in coin = V_usd / F (Deribit's mark_price = C_usd / underlying_price; reproduced on its public ticker
 *   in shared research §1.2). F = S·e^{(r−q)·T}, the market's forward of the underlying.
 * - Linear future or perpetual settled in another asset Y (a stablecoin): prices in Y per unit, a derived mark F / P_Y.
 */
import { optionPrice } from '../greeks/one-option.js';
import { MARK_QUOTED } from '../layout/codes.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { MarketLayout } from '../layout/market-layout.js';
import { DOMAIN } from '../model/domain.js';
import type { OptionRemarker } from '../model/move-market.js';
import { yearsBetween } from '../model/time.js';
import { optionMost } from '../model/mark-bounds.js';

/** P&L in coin of `quantity` inverse contracts of `multiplier` USD face each, entered at `entry`, marked at `mark` (USD per coin). */
export function inversePnlCoin(quantity: number, multiplier: number, entry: number, mark: number): number {
  return quantity * multiplier * (1 / entry - 1 / mark);
}

/** Size in coin of `quantity` inverse contracts of `multiplier` USD face at price `mark` (Deribit's size_currency). */
export function inverseSizeCoin(quantity: number, multiplier: number, mark: number): number {
  return (quantity * multiplier) / mark;
}

/**
 * P&L in coin of an inverse position of `sizeCoin` coins (quantity·multiplier / F) when its price moves by the
 * fraction m: sizeCoin·m/(1 + m) (Deribit's pme/simulate risk vectors; concave: −16% → −0.1905·size, +16% → +0.1379·size).
 */
export function inverseMovePnl(sizeCoin: number, m: number): number {
  return (sizeCoin * m) / (1 + m);
}

/** The market's forward of an underlying: S·e^{(r−q)·T} (the derived mark of a future). */
export function forwardPrice(spot: number, rate: number, carry: number, expiryYears: number): number {
  return spot * Math.exp((rate - carry) * expiryYears);
}

/**
 * An option's quoted mark after its market moved (a stress shock, a round of market impact, a backtest's day): the
 * quote keeps its premium over the model's value in USD, V_q' = V_q + (V' − V), as a future's mark keeps its ratio to
 * the index. V is the generalised-BSM value at the underlying's market and the option's implied vol (before and after
 * the move: its vol shift included), V_q the quote's USD value (a coin-settled option's mark × the forward, which
 * is how an unquoted one is valued in coin: {@link valueRowInSettlement}); a coin-settled option's new mark is
 * V_q' over the new forward. A put's mark falls as its underlying rises, a call's rises. Held within what the option
 * can be worth (a call at most its underlying: 1 coin when coin-settled; a put its strike: K/S' coin) and at or above
 * the price domain's floor (a quote's premium that the move takes below 0).
 */
export const optionMarkMoved: OptionRemarker = (terms, mark, valuationMs, before, volBefore, after, volAfter) => {
  const years = Number.isNaN(terms.expiryMs) ? 0 : yearsBetween(valuationMs, terms.expiryMs); // as the market layout reads it
  const value = (asset: typeof before, vol: number) => optionPrice(terms.isCall, asset.price, terms.strike, years, vol, asset.rate, asset.carry);
  const perUsd = (asset: typeof before) => (terms.coin ? 1 / forwardPrice(asset.price, asset.rate, asset.carry, years) : 1);
  const most = optionMost(terms.isCall, terms.coin, terms.strike, after.price, { rate: after.rate, carry: after.carry, years });
  return quoteMoved(mark / perUsd(before), value(before, volBefore), value(after, volAfter), perUsd(after), most);
};

/**
 * {@link optionMarkMoved}'s rule on values already known: a quote worth `quotedUsd` (USD) when the model said
 * `modelBefore`, after the model moved to `modelAfter`, in the settlement currency (`perUsdAfter`: 1, or 1 / the new
 * forward for a coin-settled option), held within `most` (what the option can be worth there) and the price floor.
 */
export function quoteMoved(quotedUsd: number, modelBefore: number, modelAfter: number, perUsdAfter: number, most: number): number {
  const moved = (quotedUsd + (modelAfter - modelBefore)) * perUsdAfter;
  return Math.max(DOMAIN.price.min, Math.min(most, moved));
}

/** Greeks of one option per unit of underlying (USD, or coin for {@link coinGreeks}' result), as the Greeks kernel gives them. */
export interface OptionGreeks {
  price: number;
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
  rho: number;
}

/**
 * Greeks of a coin-settled option in coin, from its USD Greeks (∂/∂S per unit of underlying, vega per 1.00 vol, theta
 * per year, rho per 1.00: DESIGN §3) at spot S with forward F = S·e^{(r−q)T}, premium in coin P = V/F:
 * - delta: S·∂P/∂S = Δ·S/F − P = F·∂P/∂F, the USD delta (on the forward) minus the premium in coin: Deribit's net
 *   transaction delta ("Position Deltas − Option Position Mark Prices", support.deribit.com "Delta decay during
 *   settlement"; on its public ticker 0.5962 − 0.2168 = 0.3794, shared research §1.2), the coins whose sale hedges
 *   the option's value in coin;
 * - gamma: ∂²P/∂S² = (Γ − 2Δ/S + 2V/S²)/F (coin per USD²);
 * - vega: ν/F; theta: θ/F + P·(r − q) (F moves with calendar time); rho: ρ/F − P·T.
 */
export function coinGreeks(usd: OptionGreeks, spot: number, rate: number, carry: number, expiryYears: number): OptionGreeks {
  const forward = forwardPrice(spot, rate, carry, expiryYears);
  const price = usd.price / forward;
  return {
    price,
    delta: (usd.delta * spot) / forward - price,
    gamma: (usd.gamma - (2 * usd.delta) / spot + (2 * usd.price) / (spot * spot)) / forward,
    vega: usd.vega / forward,
    theta: usd.theta / forward + price * (rate - carry),
    rho: usd.rho / forward - price * expiryYears,
  };
}

/**
 * Writes the values of the layout's instruments settled in an asset into `values` (USD values already there):
 * inverse contracts at x = −1/mark, coin-settled options without a quoted mark at model value / forward (a quoted one
 * is already in coin), linear contracts in another asset at their mark in it (market-layout.ts derives it).
 */
export function valueInSettlement(layout: BookLayout, market: MarketLayout, values: Float64Array): void {
  for (let i = 0; i < layout.instruments.count; i++) valueRowInSettlement(layout, market, values, i);
}

/** Row i of {@link valueInSettlement}: its USD value in `values` turned into its settlement asset's, if it has one. */
export function valueRowInSettlement(layout: BookLayout, market: MarketLayout, values: Float64Array, i: number): void {
  const ins = layout.instruments;
  const s = ins.settlement.array[i];
  if (s < 0 || s !== ins.underlying.array[i]) return;
  if (!ins.isOption(i)) values[i] = -1 / market.mark.array[i];
  else if (market.markSource.array[i] !== MARK_QUOTED) {
    values[i] = values[i] / forwardPrice(market.price.array[s], market.rate.array[s], market.carry.array[s], market.expiryYears.array[i]);
  }
}
