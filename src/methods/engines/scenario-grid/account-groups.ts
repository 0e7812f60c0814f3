/** An account's slots and groups built from the layout as it is now, reduced on their own (portfolio re-margin, explain). */
import { portfolioReduceJs, type ReduceColumns } from '../../../kernels/js/portfolio/reduce.js';
import type { BookLayout } from '../../../layout/book-layout.js';
import { Arena } from './arena.js';
import { sortByUnderlying } from './slot-groups.js';

/**
 * One account's groups as the reduction saw them: groups [first, last) of `reduce` (slot rows and scales, each
 * group's worst loss and scenario), with `source` giving each slot's origin (position index ≥ 0, or −1 − the
 * collateral slot). From the whole run's columns, or from an account re-margined on its own.
 */
export interface AccountGroups {
  readonly reduce: ReduceColumns;
  readonly first: number;
  readonly last: number;
  readonly source: Int32Array;
}

/** What {@link accountGroupsOf} reads of a portfolio run (views read just before the call). */
export interface AccountRun {
  readonly layout: BookLayout;
  readonly kernelScenarios: number;
  readonly stable: ReadonlySet<string>;
  /** Risk-array row of each asset's balance (−1: not exposed). */
  readonly assetRow: Int32Array;
  /** The run's risk arrays (row stride kernelScenarios). */
  readonly riskArray: Float64Array;
  readonly spotMove: Float64Array;
  /** Spot price per asset (USD). */
  readonly price: Float64Array;
  /** The scenario weights, a JS copy fixed for the run. */
  readonly weight: Float64Array;
}

/**
 * Account a's slots (positions, then balances of non-stable assets, ordered by underlying) and groups, reduced
 * on their own: the rows they name are copied into a small risk array (`reuse`: the buffer of its previous groups; rows of assets no account held at
 * prepare are built as the kernel builds linear rows: mark × spot move).
 */
export function accountGroupsOf(a: number, run: AccountRun, reuse: ArrayBufferLike | undefined): AccountGroups {
  const layout = run.layout;
  const S = run.kernelScenarios;
  const posStart = layout.positions.start.array[a], posEnd = layout.positions.end.array[a];
  const posInstrument = layout.positions.column<'i32'>('instrument').array, quantity = layout.positions.column<'f64'>('quantity').array;
  const colStart = layout.collateral.start.array[a], colEnd = layout.collateral.end.array[a];
  const colAsset = layout.collateral.column<'i32'>('asset').array, amount = layout.collateral.column<'f64'>('amount').array;
  const underlying = layout.instruments.underlying.array, multiplier = layout.instruments.multiplier.array;
  const n = posEnd - posStart + colEnd - colStart;
  // One buffer for every array of the account, reused from its previous re-margin when large enough: a liquidation
  // re-margins an account for every trial, and allocating a dozen arrays each time cost more than the arithmetic.
  // (The groups of that previous re-margin are replaced by these: nothing reads them after remargin.)
  const arena = new Arena(n * (S + 2) * 8 + S * 8 + n * 9 * 4, reuse);
  const local = arena.f64(n * S), scale = arena.f64(n), worstLoss = arena.f64(n), pnl = arena.f64(S);
  const row = arena.i32(n), source = arena.i32(n), slotU = arena.i32(n), localRow = arena.i32(n);
  const groupStart = arena.i32(n), groupEnd = arena.i32(n), groupUnderlying = arena.i32(n), worstScenario = arena.i32(n);
  let top = 0;
  for (let p = posStart; p < posEnd; p++) {
    const i = posInstrument[p];
    row[top] = i;
    scale[top] = quantity[p] * multiplier[i];
    source[top] = p;
    slotU[top++] = underlying[i];
  }
  for (let k = colStart; k < colEnd; k++) {
    const asset = colAsset[k];
    if (run.stable.has(layout.assets[asset]) || amount[k] === 0) continue;
    row[top] = -1 - asset; // an asset's balance row, resolved below
    scale[top] = amount[k];
    source[top] = -1 - k;
    slotU[top++] = asset;
  }
  sortByUnderlying(0, top, slotU, row, scale, source);
  // the account's own risk array: each distinct row once, in slot order
  const risk = run.riskArray;
  const spotMove = run.spotMove, price = run.price;
  const seen = new Map<number, number>();
  for (let k = 0; k < top; k++) {
    let r = seen.get(row[k]);
    if (r === undefined) {
      r = seen.size;
      seen.set(row[k], r);
      const at = r * S;
      const globalRow = row[k] >= 0 ? row[k] : run.assetRow[-1 - row[k]];
      if (globalRow >= 0) for (let s = 0, from = globalRow * S; s < S; s++) local[at + s] = risk[from + s];
      else {
        const u = -1 - row[k], base = price[u];
        for (let s = 0; s < S; s++) local[at + s] = base * spotMove[u * S + s];
      }
    }
    localRow[k] = r;
  }
  let G = 0;
  for (let k = 0; k < top; k++) {
    if (k === 0 || slotU[k] !== slotU[k - 1]) {
      if (k !== 0) groupEnd[G - 1] = k;
      groupStart[G] = k;
      groupUnderlying[G++] = slotU[k];
    }
  }
  if (top > 0) groupEnd[G - 1] = top;
  const reduce: ReduceColumns = {
    groupStart: groupStart.subarray(0, G), groupEnd: groupEnd.subarray(0, G), groupUnderlying: groupUnderlying.subarray(0, G),
    slotRow: localRow.subarray(0, top), slotScale: scale.subarray(0, top), riskArray: local.subarray(0, top * S), weight: run.weight,
    worstLoss: worstLoss.subarray(0, G), worstScenario: worstScenario.subarray(0, G), pnl,
  };
  portfolioReduceJs(G, S, reduce);
  return { reduce, first: 0, last: G, source: source.subarray(0, top) };
}
