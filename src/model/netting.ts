/**
 * Netting of position rows: an account's rows on one instrument are one position (docs/book-format.md,
 * "Positions are netted"). Book validation nets them (validate-book.ts), and in-place layout edits
 * (BookLayout.addPosition) net a new row into the slot already holding its instrument, with the
 * same rule from this module:
 *
 * - quantity = Σ q, in row order (contracts); a sum below the domain's smallest quantity (src/model/domain.ts) is 0:
 *   the rows close the position, and what is left is the rounding of adding them up (0.1 + 0.2 − 0.3 = 5.6e-17);
 * - entry by average cost: eL = Σ q·e / Σ q over the long rows (q > 0), eS likewise over the short
 *   rows; the net entry is eL when the net is long, eS when short, 0 when flat (rows of one side at
 *   one entry price keep that price exactly);
 * - closing longs against shorts realizes P&L, in USD: min(L, S)·(eS − eL)·multiplier for linear
 *   instruments (spot, futures, perpetuals: their entry price enters equity), 0 for options (their
 *   mark value enters equity, their premiums are in the collateral). It goes to the account's cashUsd.
 * - an inverse future or perpetual (settled in its underlying; multiplier: USD face value per contract)
 *   averages its entries harmonically, eL = Σ q / Σ (q / e) (Deribit: the average entry of several
 *   fills), and closing realizes min(L, S)·multiplier·(1/eL − 1/eS) in coin, which goes to the account's
 *   cash (in that coin): the same rule in the coordinate −1/price, where inverse P&L is linear. A layout keeps
 *   the entry as x = −1/e; a fill or an added row is netted with a held position in prices, as a book's rows
 *   are ({@link netHeldRow}), so the position after it is one a book can state (x = −1/e for a double e).
 *
 * Then Σ rows units·(mark − entry) = realized + net units·(mark − net entry) in exact arithmetic,
 * so equity does not depend on how a position is split into rows.
 */

import type { SettlementTerms } from './settlement.js';
import { DOMAIN } from './domain.js';
import { inverseCoordinate, inverseEntry } from './inverse-price.js';

/** One row of a position: signed contracts and entry price (USD per unit of the underlying). */
export interface PositionRow {
  readonly quantity: number;
  readonly entryPrice: number;
}

export interface NetPosition {
  /** Σ quantity in row order (contracts). */
  quantity: number;
  /** Average-cost entry of the net side (USD per unit of the underlying); 0 when flat. */
  entryPrice: number;
  /** P&L realized by closing longs against shorts (USD; coin for an inverse contract): linear instruments only, else 0. */
  realizedUsd: number;
}

/** What netting needs of an instrument, by its row (index in the book's instrument list). */
export interface InstrumentTerms {
  /** Units of the underlying per contract. */
  multiplier(row: number): number;
  /** Spot, future or perpetual: its entry price enters equity, so closing realizes P&L. */
  isLinear(row: number): boolean;
  /** An inverse future or perpetual (settled in its underlying): entries average harmonically. Default: none. */
  isInverse?(row: number): boolean;
  /** The instruments' settlement currencies, for the accounts' currency rules (src/model/settlement.ts). */
  readonly currency?: SettlementTerms | undefined;
}

/**
 * Nets rows on one instrument (see the module comment). Non-finite results are the caller's to reject. `inverse`:
 * an inverse contract, its entries (USD per coin, > 0) averaged harmonically and P&L realized in coin.
 */
export function netRows(rows: readonly PositionRow[], multiplier: number, linear: boolean, inverse = false): NetPosition {
  if (inverse) return netInverseRows(rows, multiplier);
  let quantity = 0;
  let longQty = 0, longCost = 0, longEntry = NaN, longOneEntry = true;
  let shortQty = 0, shortCost = 0, shortEntry = NaN, shortOneEntry = true;
  for (const { quantity: q, entryPrice: e } of rows) {
    quantity = quantity + q;
    if (q > 0) {
      longQty = longQty + q;
      longCost = longCost + q * e;
      if (longEntry !== longEntry) longEntry = e;
      else if (e !== longEntry) longOneEntry = false;
    } else if (q < 0) {
      shortQty = shortQty - q;
      shortCost = shortCost - q * e;
      if (shortEntry !== shortEntry) shortEntry = e;
      else if (e !== shortEntry) shortOneEntry = false;
    }
  }
  if (quantity !== 0 && Math.abs(quantity) < DOMAIN.quantity.min) quantity = 0;
  // One entry price on a side is kept as it is: 20 rows of 1 at e then equal 1 row of 20 at e, bit for bit.
  const eL = longQty > 0 ? (longOneEntry ? longEntry : longCost / longQty) : 0;
  const eS = shortQty > 0 ? (shortOneEntry ? shortEntry : shortCost / shortQty) : 0;
  const closed = longQty < shortQty ? longQty : shortQty;
  return {
    quantity,
    entryPrice: quantity > 0 ? eL : quantity < 0 ? eS : 0,
    realizedUsd: linear && closed > 0 ? closed * (eS - eL) * multiplier : 0,
  };
}

/**
 * A held position and a new row on its instrument (a fill, an added row), both in the layout's price coordinate
 * (−1/entry for an inverse contract), netted as {@link netRows} nets a book's two rows: an inverse contract's entries
 * are taken back to the prices a book states (src/model/inverse-price.ts, as src/layout/to-book.ts writes them),
 * netted harmonically, and the net entry returned as −1/price. Averaged in the coordinate itself, the entry could be a
 * double no price maps to, and the position could not be written as a book whose fresh run gives the same bits.
 */
export function netHeldRow(held: PositionRow, added: PositionRow, multiplier: number, linear: boolean, inverse: boolean): NetPosition {
  if (!inverse) return netRows([held, added], multiplier, linear);
  const net = netInverseRows([{ quantity: held.quantity, entryPrice: inverseEntry(held.entryPrice) }, { quantity: added.quantity, entryPrice: inverseEntry(added.entryPrice) }], multiplier);
  return { quantity: net.quantity, entryPrice: inverseCoordinate(net.entryPrice), realizedUsd: net.realizedUsd };
}

/** {@link netRows} of an inverse contract: the average cost of each side in 1/price, P&L realized in coin. */
function netInverseRows(rows: readonly PositionRow[], multiplier: number): NetPosition {
  let quantity = 0;
  let longQty = 0, longCoin = 0, longEntry = NaN, longOneEntry = true;
  let shortQty = 0, shortCoin = 0, shortEntry = NaN, shortOneEntry = true;
  for (const { quantity: q, entryPrice: e } of rows) {
    quantity = quantity + q;
    if (q > 0) {
      longQty = longQty + q;
      longCoin = longCoin + q / e;
      if (longEntry !== longEntry) longEntry = e;
      else if (e !== longEntry) longOneEntry = false;
    } else if (q < 0) {
      shortQty = shortQty - q;
      shortCoin = shortCoin - q / e;
      if (shortEntry !== shortEntry) shortEntry = e;
      else if (e !== shortEntry) shortOneEntry = false;
    }
  }
  if (quantity !== 0 && Math.abs(quantity) < DOMAIN.quantity.min) quantity = 0; // as linear rows: the rows close it
  const eL = longQty > 0 ? (longOneEntry ? longEntry : longQty / longCoin) : 0;
  const eS = shortQty > 0 ? (shortOneEntry ? shortEntry : shortQty / shortCoin) : 0;
  const closed = longQty < shortQty ? longQty : shortQty;
  return {
    quantity,
    entryPrice: quantity > 0 ? eL : quantity < 0 ? eS : 0,
    realizedUsd: closed > 0 ? closed * multiplier * (1 / eL - 1 / eS) : 0,
  };
}

/**
 * Why rows carrying an isolated allocation cannot be netted: the netted position can hold only one
 * allocation, and the rows give several (or one, and "share the rest pro rata" on the others).
 * `others` names the other rows, e.g. `accounts[4].positions[2]`.
 */
export function isolatedNettingMessage(others: string): string {
  return `rows on one instrument are netted into one position, so an isolated allocation must be given on a single row (also ${others})`;
}

/** Why a netted position was rejected: its sums overflow double precision. */
export const NETTING_OVERFLOW_MESSAGE =
  'rows on one instrument are netted into one position, and their summed quantities or quantity × entry price overflow double precision';

/** Instrument terms from arrays indexed by instrument row (NaN multiplier: unreadable instrument). */
export function instrumentTermsOf(multiplier: ArrayLike<number>, linear: ArrayLike<number | boolean>, inverse?: ArrayLike<number | boolean>, currency?: SettlementTerms): InstrumentTerms {
  return { multiplier: (row) => multiplier[row], isLinear: (row) => Boolean(linear[row]), isInverse: (row) => inverse !== undefined && Boolean(inverse[row]), ...(currency ? { currency } : {}) };
}
