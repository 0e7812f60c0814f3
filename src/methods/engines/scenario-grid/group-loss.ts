/**
 * One account's portfolio scenario loss from its holdings, as the portfolio run's remargin builds and reduces it:
 * slots (positions, then non-stable non-zero balances) stably ordered by underlying, each group's P&L summed in slot
 * order from +0 over the run's risk-array rows, the kernel's scan (src/kernels/js/portfolio/reduce.ts), aggregated.
 */
import type { BookLayout } from '../../../layout/book-layout.js';
import type { MarketLayout } from '../../../layout/market-layout.js';
import type { Column } from '../../../memory/columns.js';
import { type SlotGroups, SlotGrouper } from './account-slots.js';

/** What the group loss reads of a portfolio run (PortfolioRun, src/methods/engines/scenario-grid/run.ts). */
export interface GroupLossRun {
  readonly layout: BookLayout;
  readonly market: MarketLayout;
  readonly stable: ReadonlySet<string>;
  readonly assetRow: Int32Array;
  readonly kernelScenarios: number;
  readonly risk: { readonly riskArray: Column; readonly spotMove: Column };
  readonly reduce: { readonly weight: Column };
  aggregate(worst: ArrayLike<number>, gu: ArrayLike<number>, first: number, last: number): number;
}

/** An account's groups (SlotGroups) with each group's worst loss, and the slot count. */
interface Groups extends SlotGroups {
  slots: number;
  worst: Float64Array;
}

function groups(n: number): Groups {
  const m = Math.max(n, 16);
  return {
    count: 0, slots: 0, u: new Int32Array(m), start: new Int32Array(m), end: new Int32Array(m), rows: new Int32Array(m), scales: new Float64Array(m),
    worst: new Float64Array(m),
  };
}

/**
 * The aggregated worst scenario loss of one account's holdings (IM before add-ons), with the reduction's bits, from
 * the run's risk rows: what the portfolio run's remargin and its account terms compute. Keeps the previous call's groups:
 * a group whose slots (rows and scales) are those of the same group in the previous call is not summed again (its
 * worst loss is the previous one: the same sums of the same numbers).
 */
export class PortfolioGroupLoss {
  /** The groups of the previous call (account {@link account}), and this call's. */
  private prev = groups(16);
  private cur = groups(16);
  private account = -1;
  private readonly grouper = new SlotGrouper();
  private pnl = new Float64Array(0);
  /** Rows of balances of assets no account held at prepare (price × spot move), by asset. */
  private readonly assetRows = new Map<number, Float64Array>();
  constructor(private readonly run: GroupLossRun) {}

  /** The layout's Column objects {@link loss} reads, looked up again when the layout relocated one (its generation). */
  private columnsOf: { generation: number; posStart: Column<'i32'>; posEnd: Column<'i32'>; colStart: Column<'i32'>; colEnd: Column<'i32'>; posInstrument: Column<'i32'>; colAsset: Column<'i32'>; underlying: Column<'i32'>; multiplier: Column<'f64'> } | null = null;

  private layoutColumns() {
    const layout = this.run.layout, generation = layout.generation;
    if (this.columnsOf?.generation === generation) return this.columnsOf;
    const pos = layout.positions, col = layout.collateral, ins = layout.instruments;
    return this.columnsOf = {
      generation, posStart: pos.start, posEnd: pos.end, colStart: col.start, colEnd: col.end, posInstrument: pos.column<'i32'>('instrument'),
      colAsset: col.column<'i32'>('asset'), underlying: ins.underlying, multiplier: ins.multiplier,
    };
  }

  /** Forgets what was summed (the risk arrays changed: a run or a market move). */
  clear(): void {
    this.account = -1;
    this.prev.count = 0;
    this.assetRows.clear();
  }

  /**
   * Account a's aggregated worst loss with position quantities quantity[q0 + k] (k over its positions, in layout
   * order) and balances amount[b0 + k]: the layout's own columns, or a one-account copy.
   */
  loss(a: number, quantity: Float64Array, q0: number, amount: Float64Array, b0: number): number {
    const run = this.run, layout = run.layout;
    const cols = this.layoutColumns();
    const p0 = cols.posStart.array[a], np = cols.posEnd.array[a] - p0;
    const c0 = cols.colStart.array[a], nb = cols.colEnd.array[a] - c0;
    const posInstrument = cols.posInstrument.array, colAsset = cols.colAsset.array;
    const underlying = cols.underlying.array, multiplier = cols.multiplier.array;
    if (this.cur.rows.length < np + nb) this.cur = groups(2 * (np + nb));
    const cur = this.cur, prev = this.account === a ? this.prev : null;
    cur.slots = this.grouper.group(
      cur, layout.assets, run.stable, underlying, multiplier, np, posInstrument, p0, quantity, q0, nb, colAsset, c0, amount, b0, run.assetRow,
    );
    // a group with the previous call's slots keeps its worst loss (prev's groups are in underlying order too)
    for (let g = 0, c = 0; g < cur.count; g++) {
      const u = cur.u[g];
      if (prev !== null) while (c < prev.count && prev.u[c] < u) c++;
      cur.worst[g] = prev !== null && c < prev.count && prev.u[c] === u && sameSlots(prev, c, cur, g) ? prev.worst[c] : this.reduce(cur, g);
    }
    // this call's groups are the next call's previous ones
    this.cur = this.prev;
    this.prev = cur;
    this.account = a;
    return run.aggregate(cur.worst, cur.u, 0, cur.count);
  }

  /** Worst weighted loss of group g: the kernel's sums and scan (src/kernels/js/portfolio/reduce.ts). */
  private reduce(set: Groups, g: number): number {
    const run = this.run, S = run.kernelScenarios;
    if (this.pnl.length !== S) this.pnl = new Float64Array(S);
    const pnl = this.pnl;
    pnl.fill(0);
    const risk = run.risk.riskArray.array as Float64Array;
    for (let k = set.start[g]; k < set.end[g]; k++) {
      const q = set.scales[k];
      const key = set.rows[k];
      const row = key >= 0 ? risk : this.assetRow(-1 - key);
      const off = key >= 0 ? key * S : 0;
      for (let s = 0; s < S; s++) pnl[s] += q * row[off + s];
    }
    const weight = run.reduce.weight.array as Float64Array;
    const w0 = set.u[g] * S;
    let best = -Infinity, bad = false;
    for (let s = 0; s < S; s++) {
      const l = -pnl[s] * weight[w0 + s];
      if (l - l !== 0.0) bad = true;
      if (l > best) best = l;
    }
    return bad ? NaN : best > 0.0 ? best : 0.0;
  }

  /** The row of a balance of asset u that no account held at prepare, as remargin builds it: price × spot move. */
  private assetRow(u: number): Float64Array {
    let row = this.assetRows.get(u);
    if (row === undefined) {
      const run = this.run, S = run.kernelScenarios;
      const spotMove = run.risk.spotMove.array as Float64Array, base = run.market.price.array[u];
      row = new Float64Array(S);
      for (let s = 0; s < S; s++) row[s] = base * spotMove[u * S + s];
      this.assetRows.set(u, row);
    }
    return row;
  }
}

/** True when group p of `a` and group g of `b` have the same slots: rows and scales (bit for bit). */
function sameSlots(a: Groups, p: number, b: Groups, g: number): boolean {
  const a0 = a.start[p], b0 = b.start[g], n = b.end[g] - b0;
  if (a.end[p] - a0 !== n) return false;
  for (let k = 0; k < n; k++) if (a.rows[a0 + k] !== b.rows[b0 + k] || !same(a.scales[a0 + k], b.scales[b0 + k])) return false;
  return true;
}

/** Object.is for numbers: equal bits up to NaN payloads (+0 and −0 differ, NaN is NaN). */
function same(x: number, y: number): boolean {
  return x === y ? x !== 0 || 1 / x === 1 / y : x !== x && y !== y;
}
