/**
 * Candidate hedges priced for one account of a run (docs/optimisation.md, "Hedges"): their fills and what each
 * contract bought or sold costs, in the account's margin currency (USD, or a coin-margined account's coin:
 * docs/coin-margined.md), the currency its equity and requirement are in, so the programme's cost and target are in
 * one unit.
 *
 * A hedge's `spread` is USD per unit of the underlying and its `fee` USD per contract (src/optimize/hedges.ts). With u
 * the USD per unit of the margin currency (exactly 1 for a USD account, the coin's index price otherwise):
 * - an inverse future or perpetual (multiplier m: USD of face per contract, layout price x = −1/F): a buy fills at
 *   F + spread, a sell at F − spread (USD per coin), i.e. at x = −1/(F ± spread); a contract's P&L against the mark
 *   is m·(1/F − 1/(F + spread)) = m·spread/(F·(F + spread)) coin lost on a buy, m·spread/(F·(F − spread)) on a sell
 *   (the two differ), plus fee/u;
 * - any other instrument (its layout price is its quote: USD, or the settlement currency, per unit): it fills at
 *   value ± spread/u and a contract costs (spread·m + fee)/u, both sides alike. For a USD account u = 1: the
 *   figures are the bits they always were (value ± spread, spread·m + fee).
 * A hedge on an instrument the account cannot hold (settled in another currency than its margin currency) is an
 * InputError at `hedges[i].instrument`; a hedge whose sell would fill at its price − spread ≤ 0 (an inverse one: F − spread), one at
 * `hedges[i].spread`.
 */
import { InputError, type InputProblem } from '../errors.js';
import { usdPerUnitOf } from '../layout/coin-layout.js';
import { heldQuantity } from '../layout/held.js';
import { money } from '../margin/money-text.js';
import { DOMAIN } from '../model/domain.js';
import type { PreparedRun } from '../session/prepared-run.js';
import type { Hedge } from './hedges.js';

/** A hedge with its fills and costs for one account (module comment). */
export interface PricedHedge extends Hedge {
  /** Fill prices in the layout's coordinate (what the engine's what-if applies; an inverse contract's −1/price). */
  buyFill: number;
  sellFill: number;
  /** The same fills as quoted (what a result reports): USD per coin for an inverse contract, else the layout's. */
  buyQuote: number;
  sellQuote: number;
  /** Cost per contract bought, per contract sold, in the account's margin currency: the spread lost plus the fee. */
  buyCost: number;
  sellCost: number;
  /** The fee per contract in the account's margin currency (paid from its cash). */
  feeCash: number;
  /** Contracts of it the account holds now (signed; 0 when none). */
  held: number;
}

/**
 * A position left this close to zero by a trade is closed: the solver's round-off of a close (1691 − 1690.9999999999998)
 * would leave a stray position the engine refuses (below the smallest quantity) or reports (−8e-12 contracts).
 */
const CLOSE_ROUND_OFF = 1e-9;

/**
 * The trade the engine applies for the solver's `q` contracts of a hedge: the whole position's close when `q` leaves
 * at most round-off of it (relative {@link CLOSE_ROUND_OFF}, or below the smallest quantity the domain allows), else `q`.
 */
export function tradeQuantity(held: number, q: number): number {
  const left = held + q;
  return left !== 0 && Math.abs(left) <= Math.max(CLOSE_ROUND_OFF * Math.abs(held), DOMAIN.quantity.min) ? -held : q;
}

/** `hedges` (in their JSON order, as readHedges returns them) priced for account a of `run` (run.run() done). */
export function priceHedges(run: PreparedRun, a: number, hedges: readonly Hedge[], base = 'hedges'): PricedHedge[] {
  const layout = run.context.layout, value = run.context.out.value.array;
  const ins = layout.instruments, settlement = ins.settlement.array, margin = layout.marginAsset.array[a];
  const u = usdPerUnitOf(layout.marginAsset.array, run.context.market.price.array, a);
  const problems: InputProblem[] = [];
  const name = (asset: number) => JSON.stringify(asset < 0 ? 'USD' : layout.assets[asset]);
  const priced = hedges.map((hedge, k): PricedHedge => {
    const row = hedge.instrument, m = ins.multiplier.array[row], x = value[row], held = heldQuantity(layout, a, row);
    if (settlement[row] !== margin) {
      problems.push({
        path: `${base}[${k}].instrument`,
        message: `instrument ${JSON.stringify(hedge.id)} is settled in ${name(settlement[row])}: account ${JSON.stringify(layout.accountIds[a])} is margined in ${name(margin)} and cannot hold it`,
      });
    }
    const feeCash = hedge.fee / u;
    if (!ins.isInverse(row)) {
      const spread = hedge.spread / u, cost = (hedge.spread * m + hedge.fee) / u;
      const buy = x + spread, sell = x - spread;
      if (hedge.maxSell > 0 && !(sell > 0)) {
        problems.push({ path: `${base}[${k}].spread`, message: `${hedge.spread} is not below ${hedge.id}'s price ${x * u} (USD): a sell would fill at ${sell * u} ≤ 0; allow only buys (side "buy") or give a smaller spread` });
      }
      return { ...hedge, buyFill: buy, sellFill: sell, buyQuote: buy, sellQuote: sell, buyCost: cost, sellCost: cost, feeCash, held };
    }
    const f = layout.bookEntry(row, x), s = hedge.spread; // F as quoted: the shortest decimal whose −1/F is x
    if (hedge.maxSell > 0 && !(f - s > 0)) {
      problems.push({ path: `${base}[${k}].spread`, message: `${s} is not below ${hedge.id}'s price ${f} (USD per coin): a sell of an inverse contract would fill at F − spread ≤ 0; allow only buys (side "buy") or give a smaller spread` });
    }
    const buyQuote = f + s, sellQuote = f - s;
    // no sell fills at F − spread ≤ 0: then sells are not allowed (else refused above), the column is fixed at 0
    const sellable = sellQuote > 0;
    return {
      ...hedge, buyQuote, sellQuote, feeCash, held,
      buyFill: s === 0 ? x : layout.layoutEntry(row, buyQuote),
      sellFill: s === 0 || !sellable ? x : layout.layoutEntry(row, sellQuote),
      buyCost: (m * s) / (f * buyQuote) + feeCash,
      sellCost: sellable ? (m * s) / (f * sellQuote) + feeCash : 0,
    };
  });
  if (problems.length > 0) throw new InputError(problems);
  return priced;
}

/** The account's margin currency, as its figures are labelled: "USD", or a coin-margined account's asset. */
export function marginCurrencyOf(run: PreparedRun, a: number): string {
  return run.context.layout.marginAsset.array[a] < 0 ? 'USD' : run.context.layout.marginCurrencyOf(a);
}

/** A money amount in the account's margin currency for a sentence: 2 decimals in USD, 8 in a coin, digits grouped as the tables' (docs/cli.md). */
export function amountText(x: number, currency: string): string {
  return money(x, currency === 'USD' ? 2 : 8);
}
