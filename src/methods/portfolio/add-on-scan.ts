/**
 * Contingency add-ons of one set of positions (an account's layout slots, a draft's, or a pool's): options netted per
 * (underlying, strike), futures/perpetual notional per underlying, in module scratch tables reused call after call.
 */
import { KIND_FUTURE, KIND_OPTION, KIND_PERPETUAL } from '../../layout/codes.js';
import { KeyIndex } from './key-index.js';
import type { PortfolioRule } from './params.js';
import { INDEX_FROM, sortRows } from './sort-rows.js';

/** One contingency add-on (USD). */
export interface AddOn {
  kind: 'shortOption' | 'linearNotional';
  underlying: number;
  /** Short-option add-ons: the strike (USD). */
  strike?: number;
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

interface AddOnScratch {
  optU: Int32Array;
  optK: Float64Array;
  optNet: Float64Array;
  linU: Int32Array;
  linNotional: Float64Array;
  linUnits: Float64Array;
}

let addOnScratch: AddOnScratch | null = null;

const optIndex = new KeyIndex(), linIndex = new KeyIndex();
/** The linear rows' second key: none (0 for every row; read at most at row indices < the positions' count). */
let ZERO_KEYS = new Float64Array(64);

function scratchFor(n: number): AddOnScratch {
  if (ZERO_KEYS.length < n) ZERO_KEYS = new Float64Array(Math.max(n, 2 * ZERO_KEYS.length));
  if (!addOnScratch || addOnScratch.optU.length < n) {
    const m = Math.max(n, 64);
    addOnScratch = {
      optU: new Int32Array(m), optK: new Float64Array(m), optNet: new Float64Array(m),
      linU: new Int32Array(m), linNotional: new Float64Array(m), linUnits: new Float64Array(m),
    };
  }
  return addOnScratch;
}

/**
 * PortfolioRun.addOnsOver with the columns it reads already fetched (loops over every account); position p's quantity
 * is quantity[p − q0] (q0: where a one-account copy starts in the layout, else 0).
 */
export function addOnsIn(rules: readonly PortfolioRule[], c: AddOnColumns, posInstrument: Int32Array, quantity: Float64Array, p0: number, p1: number, list?: AddOn[], q0 = 0): number {
  const { kind, underlying, strike, multiplier, mark } = c;
  const t = scratchFor(p1 - p0);
  // an account's handful of positions: scan the rows found so far; a pool's dozens: an index (key-index.ts)
  const indexed = p1 - p0 > INDEX_FROM;
  if (indexed) {
    optIndex.reset(p1 - p0);
    linIndex.reset(p1 - p0);
  }
  let nOpt = 0, nLin = 0;
  for (let p = p0; p < p1; p++) {
    const i = posInstrument[p];
    const units = quantity[p - q0] * multiplier[i];
    const u = underlying[i];
    if (kind[i] === KIND_OPTION) {
      let j = 0;
      if (indexed) j = optIndex.find(u, strike[i], t.optU, t.optK, nOpt);
      else while (j < nOpt && !(t.optU[j] === u && t.optK[j] === strike[i])) j++;
      if (j === nOpt) {
        if (indexed) optIndex.add(j);
        t.optU[j] = u;
        t.optK[j] = strike[i];
        t.optNet[j] = 0;
        nOpt++;
      }
      t.optNet[j] += units;
    } else if (kind[i] === KIND_FUTURE || kind[i] === KIND_PERPETUAL) {
      let j = 0;
      if (indexed) j = linIndex.find(u, 0, t.linU, ZERO_KEYS, nLin);
      else while (j < nLin && t.linU[j] !== u) j++;
      if (j === nLin) {
        if (indexed) linIndex.add(j);
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
