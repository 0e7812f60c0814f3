/**
 * Contingency add-ons of one set of positions (an account's layout slots, a draft's, or a pool's): options netted per
 * (underlying, strike), futures/perpetual notional per underlying, in scratch tables its run owns ({@link AddOnScan}).
 */
import { KIND_FUTURE, KIND_OPTION, KIND_PERPETUAL } from '../../../layout/codes.js';
import { KeyIndex } from './key-index.js';
import type { PortfolioRule } from './params.js';
import { INDEX_FROM, sortRows } from './sort-rows.js';

/** One contingency add-on (USD). */
export interface AddOn {
  kind: 'shortOption' | 'linearNotional';
  underlying: number;
  /** Short-option add-ons: the strike (USD). */
  strike?: number | undefined;
  /** Net contracts (units of underlying) the add-on is charged on: net short options, or net linear units. */
  net: number;
  amount: number;
}

export interface AddOnColumns {
  kind: Uint8Array;
  underlying: Int32Array;
  strike: Float64Array;
  multiplier: Float64Array;
  mark: Float64Array;
  price: Float64Array;
  settlement: Int32Array;
}

/** The scan's tables: option keys (u, strike) with their net, linear underlyings with notional and units. */
interface AddOnTables {
  optU: Int32Array;
  optK: Float64Array;
  optNet: Float64Array;
  linU: Int32Array;
  linNotional: Float64Array;
  linUnits: Float64Array;
  /** The linear rows' second key: none (0 for every row; read at most at row indices < the positions' count). */
  zeroKeys: Float64Array;
}

function tablesOf(m: number): AddOnTables {
  return {
    optU: new Int32Array(m), optK: new Float64Array(m), optNet: new Float64Array(m),
    linU: new Int32Array(m), linNotional: new Float64Array(m), linUnits: new Float64Array(m), zeroKeys: new Float64Array(m),
  };
}

/**
 * The scratch of add-on scans, owned by one portfolio run (made on its first scan, dropped with it): tables grown to
 * the largest set of positions scanned, and the indexes of a pool's dozens of rows.
 */
export class AddOnScan {
  private tables: AddOnTables | null = null;
  private indexes: { opt: KeyIndex; lin: KeyIndex } | null = null;

  /** Tables for at least `n` positions. */
  tablesFor(n: number): AddOnTables {
    if (this.tables === null || this.tables.optU.length < n) this.tables = tablesOf(Math.max(n, 64, 2 * (this.tables?.optU.length ?? 0)));
    return this.tables;
  }

  /** The indexes, emptied for up to `n` rows. */
  indexesFor(n: number): { opt: KeyIndex; lin: KeyIndex } {
    const x = (this.indexes ??= { opt: new KeyIndex(), lin: new KeyIndex() });
    x.opt.reset(n);
    x.lin.reset(n);
    return x;
  }
}

/**
 * PortfolioRun.addOnsOver with the columns it reads already fetched (loops over every account); position p's quantity
 * is quantity[p − q0] (q0: where a one-account copy starts in the layout, else 0).
 */
export function addOnsIn(scan: AddOnScan, rules: readonly PortfolioRule[], c: AddOnColumns, posInstrument: Int32Array, quantity: Float64Array, p0: number, p1: number, list?: AddOn[], q0 = 0): number {
  const { kind, underlying, strike, multiplier, mark } = c;
  const t = scan.tablesFor(p1 - p0);
  // an account's handful of positions: scan the rows found so far; a pool's dozens: an index (key-index.ts)
  const index = p1 - p0 > INDEX_FROM ? scan.indexesFor(p1 - p0) : null;
  let nOpt = 0, nLin = 0;
  for (let p = p0; p < p1; p++) {
    const i = posInstrument[p];
    const units = quantity[p - q0] * multiplier[i];
    const u = underlying[i];
    if (kind[i] === KIND_OPTION) {
      let j = 0;
      if (index !== null) j = index.opt.find(u, strike[i], t.optU, t.optK, nOpt);
      else while (j < nOpt && !(t.optU[j] === u && t.optK[j] === strike[i])) j++;
      if (j === nOpt) {
        if (index !== null) index.opt.add(j);
        t.optU[j] = u;
        t.optK[j] = strike[i];
        t.optNet[j] = 0;
        nOpt++;
      }
      t.optNet[j] += units;
    } else if (kind[i] === KIND_FUTURE || kind[i] === KIND_PERPETUAL) {
      let j = 0;
      if (index !== null) j = index.lin.find(u, 0, t.linU, t.zeroKeys, nLin);
      else while (j < nLin && t.linU[j] !== u) j++;
      if (j === nLin) {
        if (index !== null) index.lin.add(j);
        t.linU[j] = u;
        t.linUnits[j] = 0;
        t.linNotional[j] = 0;
        nLin++;
      }
      t.linUnits[j] += units;
      t.linNotional[j] += units * mark[i];
    }
  }
  sortRows(t.optU, t.optK, t.optNet, nOpt);
  sortRows(t.linU, t.linNotional, t.linUnits, nLin);
  const price = c.price;
  // an account holding instruments settled in an asset holds only those: its short options are charged in coin
  const coin = p1 > p0 && c.settlement[posInstrument[p0]] >= 0;
  let total = 0;
  for (let j = 0; j < nOpt; j++) {
    if (!(t.optNet[j] < 0)) continue;
    const u = t.optU[j];
    const amount = rules[u].shortOptionRate * (coin ? 1 : price[u]) * -t.optNet[j];
    total += amount;
    list?.push({ kind: 'shortOption', underlying: u, strike: t.optK[j], net: t.optNet[j], amount });
  }
  for (let j = 0; j < nLin; j++) {
    const u = t.linU[j];
    const amount = rules[u].linearRate * Math.abs(t.linNotional[j]);
    if (amount === 0) continue;
    total += amount;
    list?.push({ kind: 'linearNotional', underlying: u, net: t.linUnits[j], amount });
  }
  return total;
}
