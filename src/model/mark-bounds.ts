/**
 * What a quoted mark, and a trade's price, may be: an option's at most what it can be worth, an inverse future's or
 * perpetual's within a factor of its forward (a linear contract's is its venue's). Pure functions, one reading for the
 * market (validate-market.ts), a live tick (src/live/tick.ts), a live trade (src/live/requests.ts) and a prepared
 * what-if (src/session/check-changes.ts), the layout's rows read by src/layout/row-mark.ts.
 */
import type { ProblemList } from '../errors.js';
import { keyPath } from './checks.js';
import { parseIsoTimestamp, yearsBetween } from './time.js';
import { isInverseInstrument } from './settlement.js';
import type { ValidatedAssetMarket, ValidatedBook } from './types.js';

/**
 * A quoted mark is held to what its instrument can be worth: an option's at most what it can be worth (optionMost,
 * with {@link COIN_OPTION_MARK_SLACK} for a venue's index or forward): a USD call its underlying, a put its strike; a
 * coin-settled one 1 coin or K / S coin per unit (docs/coin-margined.md), where a mark well above is a mark in USD given
 * where coin was meant; an inverse future's or perpetual's within {@link INVERSE_MARK_BAND} of its forward
 * ({@link inverseMarkProblem}). Refused at its path: a mark of 1e9 on a call worth 320 USD made its holders rich and its
 * writers bankrupt out of nothing, an inverse perpetual's of 1e-9 at BTC 95,000 made P&L of 1e18 USD.
 */
export function checkQuotedMarks(book: ValidatedBook, assets: ReadonlyMap<string, ValidatedAssetMarket>, marks: ReadonlyMap<string, number>, valuationMs: number, problems: ProblemList): void {
  if (marks.size === 0) return;
  for (const instrument of book.instruments) {
    const mark = marks.get(instrument.id), asset = assets.get(instrument.underlying);
    if (mark === undefined || asset === undefined) continue;
    const expiry = instrument.kind === 'option' || instrument.kind === 'future' ? instrument.expiry : undefined;
    const years = expiry === undefined ? 0 : Math.max(0, yearsBetween(valuationMs, parseIsoTimestamp(expiry)));
    const growth = { rate: asset.rate, carry: asset.carry, years };
    const settlement = instrument.settlement === undefined ? null : { asset: instrument.settlement, price: assets.get(instrument.settlement)?.price ?? NaN };
    const wrong = instrument.kind === 'option'
      ? optionMarkProblem(instrument.right === 'call', instrument.strike, instrument.underlying, settlement, mark, asset.price, growth)
      : isInverseInstrument(instrument) ? inverseMarkProblem(instrument.kind, instrument.underlying, mark, asset.price, growth) : null;
    if (wrong !== null) problems.add(keyPath('market.marks', instrument.id), wrong);
  }
}

/**
 * Why `mark` cannot be an option's at `spot` (USD per unit of `underlying`), or null: above what it can be worth
 * (optionMost) with {@link COIN_OPTION_MARK_SLACK}. `settlement`: null for a USD option (its mark in USD), else the
 * asset it is settled in and its price (USD): the underlying for a coin-settled one ({@link coinOptionMarkProblem}),
 * another asset's units otherwise. The market's check, a live tick's and a live trade's (`what`: 'price').
 */
export function optionMarkProblem(isCall: boolean, strike: number, underlying: string, settlement: { asset: string; price: number } | null, mark: number, spot: number, growth: OptionGrowth, what: 'mark' | 'price' = 'mark'): string | null {
  if (settlement !== null && settlement.asset === underlying) return coinOptionMarkProblem(isCall, strike, underlying, mark, spot, growth, what);
  const unit = settlement === null ? 'USD' : settlement.asset;
  const most = optionMost(isCall, false, strike, spot, growth) / (settlement === null ? 1 : settlement.price);
  if (!(mark > COIN_OPTION_MARK_SLACK * most)) return null;
  // a call's bound follows its underlying (said with it), a put's is its strike's
  const at = isCall ? ` at ${underlying} ${spot}` : '';
  return `${mark} is more than the ${isCall ? 'call' : 'put'} is worth (at most ${sixDigits(most)} ${unit} per unit${at}; a ${what} above ${sixDigits(COIN_OPTION_MARK_SLACK * most)} is refused)`;
}

/**
 * Why `mark` (coin per unit) cannot be a coin-settled option's at `spot` (USD per coin), or null: a call is worth at
 * most 1 coin, a put at most K / S, and a mark above that with {@link COIN_OPTION_MARK_SLACK} is refused. Far above
 * it (tenfold), the mark is most likely in USD given where coin was meant, and the message says what it would be in
 * coin. The market's check, a live tick's (src/live/tick.ts) on the marks and spots it moves, and a live trade's on its
 * price (`what`: 'price'; src/live/requests.ts), at the spot now.
 */
export function coinOptionMarkProblem(isCall: boolean, strike: number, coin: string, mark: number, spot: number, growth: OptionGrowth, what: 'mark' | 'price' = 'mark'): string | null {
  const most = coinOptionMost(isCall, strike, spot, growth);
  if (!coinOptionMarkAbove(mark, most)) return null;
  const usd = mark > 10 * COIN_OPTION_MARK_SLACK * most ? `: its ${what} is in ${coin}, not USD (${mark} USD would be ${sixDigits(mark / spot)} ${coin})` : '';
  return `${mark} is more than a coin-settled ${isCall ? 'call' : 'put'} is worth (${coinOptionBound(most, coin, what)})${usd}`;
}

/** A coin-settled option's mark above its worth `most` (coin per unit) is refused beyond this factor (rounding, quotes). */
export const COIN_OPTION_MARK_SLACK = 1.1;

/** True when `mark` is above what a coin-settled option worth at most `most` may be marked. */
export function coinOptionMarkAbove(mark: number, most: number): boolean {
  return mark > COIN_OPTION_MARK_SLACK * most;
}

/** The bound a message states: the option's worth and the mark refused above it (with the slack). */
export function coinOptionBound(most: number, coin: string, what: 'mark' | 'price' = 'mark'): string {
  return `at most ${sixDigits(most)} ${coin} per ${coin}; a ${what} above ${sixDigits(COIN_OPTION_MARK_SLACK * most)} is refused`;
}

/** What an option's bound reads of its market: the underlying's rate and carry (per year) and the years to expiry. */
export interface OptionGrowth {
  rate: number;
  carry: number;
  years: number;
}

/**
 * The most a coin-settled option is worth, coin per unit of its underlying: a call 1 coin, a put K / S, or more where
 * the model allows more (a negative rate, or a carry above twice the rate): its value V/F is at most S·e^{−qT}/F =
 * e^{−rT} for a call and K·e^{−rT}/F = (K/S)·e^{(q−2r)T} for a put, F = S·e^{(r−q)T} (the generalised-BSM bounds).
 */
export function coinOptionMost(isCall: boolean, strike: number, spot: number, g: OptionGrowth): number {
  return isCall ? Math.max(1, Math.exp(-g.rate * g.years)) : (strike / spot) * Math.max(1, Math.exp((g.carry - 2 * g.rate) * g.years));
}

/** The most an option is worth at `spot`: a coin-settled one {@link coinOptionMost}; a USD one a call S·e^{−qT}, a put K·e^{−rT}, each at least S or K. */
export function optionMost(isCall: boolean, coin: boolean, strike: number, spot: number, g: OptionGrowth): number {
  if (coin) return coinOptionMost(isCall, strike, spot, g);
  return isCall ? spot * Math.max(1, Math.exp(-g.carry * g.years)) : strike * Math.max(1, Math.exp(-g.rate * g.years));
}

/** `x` to 6 significant digits, as a number's shortest text. */
export function sixDigits(x: number): number {
  return Number(x.toPrecision(6));
}

/**
 * An inverse future's or perpetual's mark, and a trade's price on it, is refused more than this factor from its
 * forward. Its P&L is multiplier·(1/entry − 1/mark) coin, the mark in a denominator: at a mark of 1e-9 with BTC at
 * 95,000 it reached 1e18 USD, beyond every bound the inputs are held to. Not a venue's price band (Binance's
 * PERCENT_PRICE filter and Paradex's bands are about 5% around the mark, for orders): a guard against a price in
 * another unit or a broken feed (cents, satoshis, coin per USD, 1e-9), wide enough that no market a venue publishes
 * meets it. A linear contract's mark is not bounded against its index: its P&L is linear in it, held by the notional's
 * bound, and a venue's own test cases mark a perpetual far from its index (Derive's perps_general_perp_hedging: 100,000
 * against 3,000).
 */
export const INVERSE_MARK_BAND = 10;

/**
 * What an inverse future or perpetual is worth in USD per coin, the mark it takes unquoted (market-layout.ts
 * writeMark): S·e^{(r−q)·T} for a future, S for a perpetual. `years` not above 0 (or NaN: a future without an expiry)
 * counts as 0.
 */
export function inverseForward(isFuture: boolean, spot: number, g: OptionGrowth): number {
  const years = g.years > 0 ? g.years : 0;
  return isFuture ? spot * Math.exp((g.rate - g.carry) * years) : spot;
}

/**
 * Why `mark` (USD per coin) cannot be an inverse future's or perpetual's on `coin` at `spot` (USD per coin), or null:
 * more than {@link INVERSE_MARK_BAND} from its forward ({@link inverseForward}). The market's check, a live tick's and a
 * live trade's (`what`: 'price').
 */
export function inverseMarkProblem(kind: string, coin: string, mark: number, spot: number, growth: OptionGrowth, what: 'mark' | 'price' = 'mark'): string | null {
  const forward = inverseForward(kind === 'future', spot, growth);
  if (mark >= forward / INVERSE_MARK_BAND && mark <= forward * INVERSE_MARK_BAND) return null;
  // ten digits: a band's end shown to six read 1051270 where 1,051,271 is inside it
  const digits = (x: number) => Number(x.toPrecision(10));
  const worth = kind === 'future' ? `forward ${digits(forward)} USD per ${coin} (${coin} ${spot} carried to expiry)` : `index ${digits(forward)} USD per ${coin}`;
  return `${mark} is more than tenfold ${mark < forward ? 'below' : 'above'} the inverse ${kind}'s ${worth}: a ${what} outside ${digits(forward / INVERSE_MARK_BAND)} to ${digits(forward * INVERSE_MARK_BAND)} is refused (its P&L is multiplier·(1/entry − 1/${what}) ${coin}; a ${what} in another unit, or a broken feed?)`;
}
