/**
 * A validated market moved by relative spot changes and vol shifts: what a stress shock or a round of market impact
 * does to a snapshot. Spot prices and the quoted marks of every future, perpetual and spot contract on a moved asset
 * change by the same factor (a perp's or future's basis stays the same fraction of spot); a contract quoted in another
 * asset (a USDC perpetual: its index S/P) by its underlying's factor over that asset's; the asset's vol and the implied
 * vols of its options shift by the same amount. An option's quoted mark moves as its model value does
 * (src/margin/coin-valuation.ts optionMarkMoved): a put's falls as its underlying rises. The result is still a valid market: a price never
 * reaches 0 (a move is taken no lower than {@link MIN_RETURN}) nor passes the largest price ({@link appliedReturn}), a vol stays within [0, GREEKS_LIMITS.volMax] and an
 * option's mark within what it can be worth.
 */
import { DOMAIN } from './domain.js';
import { GREEKS_LIMITS } from './greeks-limits.js';
import { certifyMarket } from './brand.js';
import type { ValidatedAssetMarket, ValidatedMarket } from './types.js';

/** The largest fall a move applies (−99.9999%): a stress may wipe out an asset's value but not make its price 0. */
export const MIN_RETURN = -0.999999;

/**
 * The move a market applies to a price of `price`: a fall no lower than {@link MIN_RETURN}, a rise no higher than the
 * one that takes it to the largest price (DOMAIN.price.max, 1e12): a stress or its market impact keeps every price in
 * the domain, as a fresh run on the moved market requires. Any move below the ceiling is `r` itself, bit for bit.
 */
export function appliedReturn(r: number, price: number): number {
  return Math.min(Math.max(MIN_RETURN, r), DOMAIN.price.max / price - 1);
}

/** {@link appliedReturn} of `asset` in `market`; an asset the market does not price has only the fall's floor. */
export function appliedMove(market: ValidatedMarket, asset: string, r: number): number {
  const at = market.assets.get(asset);
  return at === undefined ? Math.max(MIN_RETURN, r) : appliedReturn(r, at.price);
}

export interface MarketMove {
  /** Relative spot change per asset symbol: −0.2 = a 20% fall. Assets not listed do not move. */
  readonly returns: ReadonlyMap<string, number>;
  /** Vol change per asset symbol, annualised decimal (0.10 = 10 vol points), added to the asset's vol and its options' implied vols. */
  readonly volShift: ReadonlyMap<string, number>;
}

/**
 * A quoted future's or perpetual's mark after its index moved by `indexFactor` (price after / price before): the
 * mark/index ratio held, mark · factor. The one rule for marks when an index moves without new marks: a stress shock
 * or market impact ({@link moveMarket}), a live tick (src/live/tick-marks.ts), and the liquidation-price search's
 * convention (src/methods/engines/rule-based/liquidation-price.ts).
 */
export function markHeldToIndex(mark: number, indexFactor: number): number {
  const held = mark * indexFactor;
  // a mark at its index, moved to the largest price, lands an ulp or so above it by the product's rounding: it is that price
  return held > DOMAIN.price.max && held <= DOMAIN.price.max * (1 + 4 * Number.EPSILON) ? DOMAIN.price.max : held;
}

/** An option whose mark the market may quote: what re-marks it when its underlying or vol moves. */
export interface QuotedOptionTerms {
  readonly isCall: boolean;
  /** USD per unit of the underlying. */
  readonly strike: number;
  /** Epoch milliseconds. */
  readonly expiryMs: number;
  /** True when its premium is in its underlying (a coin-settled option: coin per unit), else USD per unit. */
  readonly coin: boolean;
}

/**
 * An option's quoted mark after its market moved from `before` to `after` (its underlying's market and its implied
 * vol): the rule is the pricing layer's (src/margin/coin-valuation.ts optionMarkMoved).
 */
export type OptionRemarker = (
  terms: QuotedOptionTerms, mark: number, valuationMs: number, before: ValidatedAssetMarket, volBefore: number, after: ValidatedAssetMarket, volAfter: number,
) => number;

/** What moves the quoted marks of a book's instruments (src/layout/mark-assets.ts), and the rule for its options'. */
export interface MarkMovers {
  /** Instrument id → its underlying's symbol. */
  readonly underlyingOf: ReadonlyMap<string, string>;
  /** Instrument id → the symbol a non-option contract's mark is quoted in, when not USD. */
  readonly quotedIn?: ReadonlyMap<string, string>;
  /** Option id → its terms (the options the market may quote a mark for). */
  readonly options?: ReadonlyMap<string, QuotedOptionTerms>;
  /** Needed when `options` is given. */
  readonly remarkOption?: OptionRemarker;
}

/** Two successive relative moves as one, (1 + r₁)(1 + r₂) − 1; a first move is kept as given (1 + r − 1 would round it). */
export function compoundReturn(before: number | undefined, r: number): number {
  return before === undefined ? r : (1 + before) * (1 + r) - 1;
}

/**
 * `market` after `move`. `movers.underlyingOf` maps instrument ids to their underlying asset (marks and implied vols
 * are keyed by instrument); `quotedIn` the linear contracts quoted in an asset to that asset; `options` the options
 * whose quoted marks move with their model value (src/layout/mark-assets.ts). Assets absent from the market are ignored.
 */
export function moveMarket(market: ValidatedMarket, movers: MarkMovers, move: MarketMove): ValidatedMarket {
  const { underlyingOf, quotedIn, options, remarkOption } = movers;
  const factor = (asset: string | undefined): number => {
    const r = asset === undefined ? undefined : move.returns.get(asset);
    return r === undefined ? 1 : 1 + appliedMove(market, asset as string, r);
  };
  const shift = (asset: string | undefined): number => (asset === undefined ? 0 : move.volShift.get(asset) ?? 0);
  const assets = new Map<string, ValidatedAssetMarket>();
  for (const [symbol, a] of market.assets) {
    const f = factor(symbol), dv = shift(symbol);
    assets.set(symbol, f === 1 && dv === 0 ? a : { ...a, price: Math.min(DOMAIN.price.max, a.price * f), vol: clampVol(a.vol + dv) });
  }
  const impliedVols = new Map<string, number>();
  for (const [id, vol] of market.impliedVols) impliedVols.set(id, clampVol(vol + shift(underlyingOf.get(id))));
  const marks = new Map<string, number>();
  for (const [id, mark] of market.marks) {
    const u = underlyingOf.get(id), option = options?.get(id);
    if (option === undefined || u === undefined || !market.assets.has(u)) marks.set(id, markHeldToIndex(mark, factor(u) / factor(quotedIn?.get(id))));
    else {
      if (remarkOption === undefined) throw new Error('moveMarket: options given without the rule that moves their marks');
      // an option has an implied vol (validate-market.ts); one its market's move leaves alone keeps its mark's bits
      const before = market.assets.get(u)!, after = assets.get(u)!, volBefore = market.impliedVols.get(id) as number, volAfter = impliedVols.get(id) as number;
      marks.set(id, before === after && volBefore === volAfter ? mark : remarkOption(option, mark, market.valuationMs, before, volBefore, after, volAfter));
    }
  }
  return certifyMarket({
    valuationTime: market.valuationTime, valuationMs: market.valuationMs, assets, marks, impliedVols,
    correlation: market.correlation, warnings: market.warnings,
  });
}

/**
 * A moved vol within the domain's: at most its largest, and 0 below its smallest above 0 (1e-6: a vol shifted to 1e-9
 * is none, and a vol between them is one the Greeks' domain refuses).
 */
function clampVol(vol: number): number {
  return vol < DOMAIN.vol.min ? 0 : Math.min(GREEKS_LIMITS.volMax, vol);
}

/**
 * `market` with the vols of the assets in `vols` replaced (annualised decimals, clamped like a move's): the vols the
 * VaR method's covariance reads. Option implied vols, prices and marks are left as they are, so valuation and equity
 * do not change.
 */
export function withAssetVols(market: ValidatedMarket, vols: ReadonlyMap<string, number>): ValidatedMarket {
  const assets = new Map<string, ValidatedAssetMarket>();
  for (const [symbol, a] of market.assets) {
    const vol = vols.get(symbol);
    assets.set(symbol, vol === undefined ? a : { ...a, vol: clampVol(vol) });
  }
  return certifyMarket({ ...market, assets });
}
