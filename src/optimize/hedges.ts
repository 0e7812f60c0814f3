/**
 * Candidate hedges as JSON, validated against the laid-out book with a path for every problem (like every input):
 *
 *   [{ "instrument": "BTC-PERP", "spread": 5, "fee": 0.2, "maxQuantity": 20, "side": "both" }, …]
 *
 * - `instrument`: a book instrument (each at most once: positions on one instrument are one position);
 * - `spread` (USD per unit of the underlying, ≥ 0): the half-spread paid against the instrument's value: a buy fills
 *   at value + spread, a sell at value − spread (options: against their model or quoted value; an inverse contract:
 *   against its price F, USD per coin);
 * - `fee` (USD per contract, ≥ 0), paid from settled cash;
 * - `maxQuantity` (contracts, > 0): the largest size on either allowed side;
 * - `side`: `buy`, `sell` or `both` (default).
 * For a USD account a trade of q contracts then costs |q|·(spread·multiplier + fee) USD, which is also what it takes
 * from equity; a coin-margined account pays it in its coin (src/optimize/hedge-prices.ts prices a hedge for an account).
 * An account holds only instruments settled in its margin currency (docs/coin-margined.md): {@link canHold}, and
 * {@link hedgesHeldBy} for the candidates of a list one account can hold (the capital efficiency report's).
 */
import { ProblemList } from '../errors.js';
import type { BookLayout } from '../layout/book-layout.js';
import { formatNumber, isFiniteNumber, isNonEmptyString, isRecord, keyPath, notFiniteMessage, notObjectMessage, notStringMessage, ownEntries, unknownInstrumentMessage } from '../model/checks.js';
import { addDomainProblem, DOMAIN } from '../model/domain.js';
import { heldInstrumentProblem } from '../model/settlement.js';

/** A candidate hedge as JSON. */
export interface HedgeJson {
  instrument: string;
  spread?: number | undefined;
  fee?: number | undefined;
  maxQuantity: number;
  side?: HedgeSide | undefined;
}

export type HedgeSide = 'buy' | 'sell' | 'both';

/** A validated hedge, by layout row. */
export interface Hedge {
  instrument: number;
  id: string;
  /** USD per unit of the underlying. */
  spread: number;
  /** USD per contract. */
  fee: number;
  /** Contracts, on the allowed sides. */
  maxBuy: number;
  maxSell: number;
}

const FIELDS = ['instrument', 'spread', 'fee', 'maxQuantity', 'side'];
const SIDES: readonly HedgeSide[] = ['buy', 'sell', 'both'];

export function readHedges(json: unknown, layout: BookLayout, base = 'hedges'): Hedge[] {
  const problems = new ProblemList();
  const out: Hedge[] = [];
  if (!Array.isArray(json)) problems.add(base, notObjectMessage(json, 'an array of hedges { instrument, spread, fee, maxQuantity, side }'));
  else if (json.length === 0) problems.add(base, 'empty: give at least one candidate hedge');
  const seen = new Map<number, number>();
  (Array.isArray(json) ? json : []).forEach((item: unknown, k) => {
    const path = `${base}[${k}]`;
    if (!isRecord(item)) return problems.add(path, notObjectMessage(item, 'a hedge { instrument, spread, fee, maxQuantity, side }'));
    const before = problems.size;
    for (const [key] of ownEntries(item)) if (!FIELDS.includes(key)) problems.add(keyPath(path, key), `unknown field (expected ${FIELDS.join(', ')})`);
    let row = -1;
    if (!isNonEmptyString(item.instrument)) problems.add(`${path}.instrument`, notStringMessage(item.instrument, 'an instrument id'));
    else {
      row = layout.instruments.indexById.get(item.instrument) ?? -1;
      if (row < 0) problems.add(`${path}.instrument`, unknownInstrumentMessage(item.instrument, layout.instruments.indexById, problems));
      else if (seen.has(row)) problems.add(`${path}.instrument`, `${item.instrument} is already hedges[${seen.get(row)}]: list each instrument once`);
      else seen.set(row, k);
    }
    const money = (key: 'spread' | 'fee') => {
      const v = item[key];
      if (v === undefined) return 0;
      if (!isFiniteNumber(v)) problems.add(`${path}.${key}`, notFiniteMessage(v));
      else if (v < 0) problems.add(`${path}.${key}`, `negative (${formatNumber(v)}); expected ≥ 0`);
      else addDomainProblem(DOMAIN.hedgeCost, v, `${path}.${key}`, problems);
      return v as number;
    };
    const spread = money('spread'), fee = money('fee');
    const max = item.maxQuantity;
    if (!isFiniteNumber(max)) problems.add(`${path}.maxQuantity`, notFiniteMessage(max));
    else if (!(max > 0)) problems.add(`${path}.maxQuantity`, `not positive (${formatNumber(max)}); expected > 0 contracts`);
    const side = item.side ?? 'both';
    if (!SIDES.includes(side as HedgeSide)) problems.add(`${path}.side`, `expected one of ${SIDES.join(', ')}, got ${JSON.stringify(side)}`);
    if (problems.size > before) return;
    out.push({
      instrument: row, id: item.instrument as string, spread, fee,
      maxBuy: side === 'sell' ? 0 : (max as number), maxSell: side === 'buy' ? 0 : (max as number),
    });
  });
  problems.throwIfAny();
  return out;
}

/**
 * Whether account a of `layout` can hold instrument row `row`: the book's rule (src/model/settlement.ts,
 * heldInstrumentProblem), an account margined in a currency holds only instruments settled in it.
 */
export function canHold(layout: BookLayout, a: number, row: number): boolean {
  const name = (asset: number) => (asset < 0 ? undefined : layout.assets[asset]);
  const settled = name(layout.instruments.settlement.array[row]);
  const terms = { anySettled: true, assets: layout.assets, settlement: () => settled };
  return heldInstrumentProblem(layout.instruments.ids[row], row, name(layout.marginAsset.array[a]), terms) === null;
}

/** The candidates of a hedge list that one account can hold: their JSON, and each one's position in the whole list. */
export interface HeldHedges {
  json: unknown[];
  index: number[];
}

/**
 * The candidates of hedge list `json` that account a can hold ({@link canHold}), in list order. The whole list is
 * validated first ({@link readHedges}): a malformed one is refused with its paths, whichever account asks.
 */
export function hedgesHeldBy(json: unknown, layout: BookLayout, a: number, base = 'hedges'): HeldHedges {
  const hedges = readHedges(json, layout, base); // every item valid: hedges[k] is json[k]
  const index = hedges.flatMap((h, k) => (canHold(layout, a, h.instrument) ? [k] : []));
  return { json: index.map((k) => (json as unknown[])[k]), index };
}
