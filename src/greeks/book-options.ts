import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import { yearsBetween, parseIsoTimestamp } from '../model/time.js';
import type { GreeksInput } from '../model/greeks-types.js';

/** The options of a book, as one Greeks batch valued on a market snapshot. */
export interface BookOptions {
  /** Instrument ids, in batch order. */
  readonly ids: readonly string[];
  /** Underlying asset of each option. */
  readonly underlyings: readonly string[];
  /** Contract multiplier of each option. */
  readonly multipliers: Float64Array;
  /**
   * Settlement asset of each option (undefined: USD). The batch's Greeks are in USD; a coin-settled option's in coin
   * are `coinGreeks` of them (src/margin/coin-valuation.ts).
   */
  readonly settlements: readonly (string | undefined)[];
  readonly input: Required<GreeksInput>;
}

/**
 * Builds the Greeks batch for every option instrument of a validated book: spot, rate and carry
 * from the underlying's market entry, vol from the option's implied vol, expiry in years (ACT/365)
 * from the market's valuation time.
 */
export function bookOptions(book: ValidatedBook, market: ValidatedMarket): BookOptions {
  const options = book.instruments.filter((i) => i.kind === 'option');
  const n = options.length;
  const input: Required<GreeksInput> = {
    isCall: new Uint8Array(n), spot: new Float64Array(n), strike: new Float64Array(n), expiryYears: new Float64Array(n),
    vol: new Float64Array(n), rate: new Float64Array(n), carry: new Float64Array(n),
  };
  const multipliers = new Float64Array(n);
  options.forEach((o, i) => {
    if (o.kind !== 'option') return;
    const asset = market.assets.get(o.underlying)!; // validation guarantees both
    input.isCall[i] = o.right === 'call' ? 1 : 0;
    input.spot[i] = asset.price;
    input.strike[i] = o.strike;
    input.expiryYears[i] = yearsBetween(market.valuationMs, parseIsoTimestamp(o.expiry));
    input.vol[i] = market.impliedVols.get(o.id)!;
    input.rate[i] = asset.rate;
    input.carry[i] = asset.carry;
    multipliers[i] = o.multiplier;
  });
  return { ids: options.map((o) => o.id), underlyings: options.map((o) => o.underlying), multipliers, input, settlements: options.map((o) => o.settlement) };
}
