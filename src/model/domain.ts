/**
 * The input domain: the magnitude bounds of every number a book, a market, params, limits and orders may hold, in one
 * table that the validators read (their messages name the bound) and that writes the bounds into the JSON Schemas
 * (src/model/domain-schemas.ts, `node scripts/schemas.mjs`; test/model/domain-schemas.test.ts keeps them in step).
 * docs/domain.md gives the reasoning at length; in short:
 *
 * - Every nonzero magnitude of an amount that something is divided by, or that multiplies others (quantities,
 *   multipliers, prices, vols, params), lies within a dozen decades or so of 1, so any product or ratio of a few of
 *   them stays far inside double precision (|x| < 1.8e308, and above 2.2e-308 where it is not 0): a position notional
 *   is at most 1e12 × 1e9 × 1e12 = 1e33 USD and at least 1e-12 × 1e-9 × 1e-12 = 1e-33; its square, a VaR variance
 *   term, at most 1e66 × 3,000² vol; a health ratio equity / MM at most 1e15 / (1e-33 × 1e-12) = 1e60.
 * - Money (cash, collateral, isolated allocations) is only added and compared: it needs an upper bound, not a lower one.
 * - Where a book meets its market (validateInputs), position notionals, balance values and an account's gross value are
 *   bounded too: 1e15 USD, above any account that exists (the world's GDP is about 1e14 USD).
 *
 * A value outside is refused with its path and the value as given: `accounts[3].positions[0].quantity: 1e-300 is below
 * the smallest quantity 1e-12`. Nothing is clamped.
 */

import { GREEKS_LIMITS } from './greeks-limits.js';
import type { ProblemList } from '../errors.js';

/** Which sign a bounded value may have. */
export type BoundSign = 'positive' | 'nonNegative' | 'signed';

/** A place in a published JSON Schema (schemas/<schema>.schema.json) that a bound applies to. */
export interface SchemaPlace {
  readonly schema: 'book' | 'market' | 'params';
  /** JSON Pointer (RFC 6901) to the value's subschema. */
  readonly pointer: string;
}

/** The magnitude bound of one kind of input number. */
export interface MagnitudeBound {
  /** What the number is, for messages: `quantity`, `price`. */
  readonly what: string;
  /** Its unit, for the docs. */
  readonly unit: string;
  readonly sign: BoundSign;
  /** Whether exactly 0 is allowed (never for `positive`). */
  readonly zero: boolean;
  /** The smallest nonzero magnitude allowed (0: no lower bound but the sign's). */
  readonly min: number;
  /** The largest magnitude allowed. */
  readonly max: number;
  /** Where the published schemas carry this bound. */
  readonly places: readonly SchemaPlace[];
}

const book = (pointer: string): SchemaPlace => ({ schema: 'book', pointer });
const market = (pointer: string): SchemaPlace => ({ schema: 'market', pointer });

/** The bounds, by input. */
export const DOMAIN = {
  /** Signed contracts of a position (and of an order, a fill, a what-if trade). */
  quantity: {
    what: 'quantity', unit: 'contracts', sign: 'signed', zero: true, min: 1e-12, max: 1e12,
    places: [book('/$defs/position/properties/quantity')],
  },
  /** Units of the underlying per contract. */
  multiplier: {
    what: 'multiplier', unit: 'units of the underlying per contract', sign: 'positive', zero: false, min: 1e-9, max: 1e9,
    places: [book('/$defs/multiplier')],
  },
  /** A price: an asset's spot, an instrument's mark, an option's strike, an order's or a tick's price. */
  price: {
    what: 'price', unit: 'USD per unit', sign: 'positive', zero: false, min: 1e-12, max: 1e12,
    places: [
      book('/$defs/instrument/oneOf/2/properties/strike'),
      market('/properties/assets/additionalProperties/properties/price'),
      market('/properties/marks/additionalProperties'),
    ],
  },
  /** A position's average entry price (0 allowed: a position given no cost). */
  entryPrice: {
    what: 'entry price', unit: 'USD per unit', sign: 'nonNegative', zero: true, min: 1e-12, max: 1e12,
    places: [book('/$defs/position/properties/entryPrice')],
  },
  /** Units of a collateral asset held (negative: borrowed). */
  amount: {
    what: 'amount', unit: 'units of the asset', sign: 'signed', zero: true, min: 0, max: 1e15,
    places: [book('/$defs/balance/properties/amount')],
  },
  /** Settled cash. */
  cashUsd: {
    what: 'cash', unit: 'USD', sign: 'signed', zero: true, min: 0, max: 1e15,
    places: [book('/$defs/account/properties/cashUsd')],
  },
  /**
   * Collateral allocated to an isolated position (in the account's margin currency: USD, or a coin account's coin): the
   * margin given it plus the P&L realized on it by fills and closes (Binance's isolated wallet), which a realized loss
   * can take below 0 (backed by the position's unrealized profit, else its deficit): a book states every allocation a
   * run or a live session leaves (docs/liquidation.md, isolated allocation).
   */
  isolatedMargin: {
    what: 'isolated margin', unit: 'USD', sign: 'signed', zero: true, min: 0, max: 1e15,
    places: [book('/$defs/position/properties/isolatedMargin')],
  },
  /**
   * An annualised vol, an asset's or an option's implied vol (decimal: 0.55 = 55 %). Venues' feeds quote implied vols
   * far above 1,000 % for expiries hours away, and Derive's published cases up to 2,511.4 (Derive caps total variance,
   * not vol); 3,000 = 300,000 %, and σ√T ≤ 3,000·√50 ≈ 21,213 keeps d1, d2 and every exponential finite. The nonzero floor keeps gamma,
   * n(d1) / (S·σ·√T), finite for the shortest expiry.
   */
  vol: {
    what: 'vol', unit: 'per year, decimal', sign: 'nonNegative', zero: true, min: 1e-6, max: GREEKS_LIMITS.volMax,
    places: [
      market('/properties/assets/additionalProperties/properties/vol'),
      market('/properties/impliedVols/additionalProperties'),
    ],
  },
  /** A continuously compounded rate or carry yield (decimal per year): |(r − q)·T| ≤ 200 over 50 years. */
  rate: {
    what: 'rate', unit: 'per year, decimal', sign: 'signed', zero: true, min: 0, max: GREEKS_LIMITS.rateAbsMax,
    places: [
      market('/properties/assets/additionalProperties/properties/rate'),
      market('/properties/assets/additionalProperties/properties/carry'),
    ],
  },
  /**
   * A relative price move of a stress shock or a historical day (decimal: −0.3 = −30 %): above −1 (a price stays
   * positive), and 0 or at least 1e-12 in size, so the cascade's amplification (total move / shock move) stays finite.
   */
  move: { what: 'move', unit: 'relative, decimal', sign: 'signed', zero: true, min: 1e-12, max: 1e6, places: [] },
  /** A position's notional, |quantity| × multiplier × (mark, or the underlying's price for an option): checked where a book meets its market. */
  notional: { what: 'notional', unit: 'USD', sign: 'nonNegative', zero: true, min: 0, max: 1e15, places: [] },
  /** An account's gross value: Σ |position notional| + Σ |balance value| + |cash|, checked where a book meets its market. */
  accountValue: { what: 'account value', unit: 'USD', sign: 'nonNegative', zero: true, min: 0, max: 1e15, places: [] },
  /** A hedge candidate's spread (USD per unit of the underlying) or fee (USD per contract), as the optimiser prices a trade. */
  hedgeCost: { what: 'hedge cost', unit: 'USD per unit or per contract', sign: 'nonNegative', zero: true, min: 0, max: 1e12, places: [] },
  /**
   * Any number of a params file (every method's section, liquidation, stress, dynamic, locations, subaccounts) and of
   * pre-trade limits, besides the bounds its own validator checks (fractions in [0, 1], counts, …).
   */
  param: { what: 'parameter', unit: 'as documented per field', sign: 'signed', zero: true, min: 1e-12, max: 1e15, places: [] },
} as const satisfies Record<string, MagnitudeBound>;

export type DomainInput = keyof typeof DOMAIN;

/**
 * Params numbers exempt from the params bound's nonzero floor (data, not settings): VaR's historical returns, where a
 * return of 1e-14 is a real, if quiet, day.
 */
export const PARAM_FLOOR_EXEMPT: readonly RegExp[] = [/^params\.var\.returns\.matrix\[/];

/** The same numbers' places in schemas/params.schema.json (JSON Pointers). */
export const PARAM_FLOOR_EXEMPT_SCHEMA: readonly string[] = ['/properties/var/properties/returns/oneOf/1/properties/matrix/items/items'];

/** A bound's value for messages: powers of ten as `1e-12`, `1e12`; others as JavaScript writes them. */
export function boundText(x: number): string {
  const t = x.toExponential();
  const power = /^1e([+-])(\d+)$/.exec(t);
  return power && Number(power[2]) >= 4 ? `1e${power[1] === '-' ? '-' : ''}${power[2]}` : String(x);
}

/**
 * Why `value` (a finite number) is outside `bound`, or null: `1e-300 is below the smallest quantity 1e-12`,
 * `-2e15 is beyond the largest cash 1e15 in magnitude`, `-3 is negative (a price must be above 0)`. The value is shown
 * as given (JavaScript's shortest exact form).
 */
export function domainProblem(bound: MagnitudeBound, value: number): string | null {
  if (value === 0) return bound.zero ? null : `${value} is not positive (${article(bound.what)} ${bound.what} must be above 0)`;
  // a bound that allows 0 and then a smallest magnitude says both (a vol is 0 or at least 1e-6)
  const zeroOrMin = bound.zero && bound.min > 0 ? `0 or at least ${boundText(bound.min)}` : null;
  if (value < 0 && bound.sign !== 'signed') return `${String(value)} is negative (${article(bound.what)} ${bound.what} must be ${bound.sign === 'positive' ? 'above 0' : (zeroOrMin ?? 'at least 0')})`;
  const magnitude = Math.abs(value);
  if (magnitude >= bound.min && magnitude <= bound.max) return null; // no message built on the common path
  const size = value < 0 ? ' in magnitude' : '';
  // "beyond" for a negative value: −2.5 is not above a largest rate of 2, its magnitude is
  if (magnitude > bound.max) return `${String(value)} is ${value < 0 ? 'beyond' : 'above'} the largest ${bound.what} ${boundText(bound.max)}${size}`;
  return `${String(value)} is below the smallest ${bound.what} ${boundText(bound.min)}${size}${zeroOrMin === null ? '' : ` (${article(bound.what)} ${bound.what} is ${zeroOrMin})`}`;
}

/**
 * A trade's price (a fill's, a what-if trade's, an order's, a prepared run's change): bounded as the entry price it nets
 * into, but named as what the request gave, so a message does not speak of an entry price the caller never wrote.
 */
export const TRADE_PRICE: MagnitudeBound = { ...DOMAIN.entryPrice, what: 'trade price', places: [] };

/** The rate bound, named as the field it bounds (`carry`: a carry yield is no rate in a message). */
export function rateBound(field: 'rate' | 'carry'): MagnitudeBound {
  return field === 'rate' ? DOMAIN.rate : CARRY_BOUND;
}

const CARRY_BOUND: MagnitudeBound = { ...DOMAIN.rate, what: 'carry', places: [] };

/** Adds {@link domainProblem}'s message for `value` at `path` to `problems`, when it has one; true when it did. */
export function addDomainProblem(bound: MagnitudeBound, value: number, path: string, problems: ProblemList): boolean {
  const wrong = domainProblem(bound, value);
  if (wrong !== null) problems.add(path, wrong);
  return wrong !== null;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/** True when the finite number `value` is inside `bound`. */
export function isWithin(bound: MagnitudeBound, value: number): boolean {
  return domainProblem(bound, value) === null;
}
