/**
 * One account's portfolio scenario loss from its holdings, as the portfolio run's remargin builds and reduces it:
 * slots (positions, then non-stable non-zero balances) stably ordered by underlying, each group's P&L summed in slot
 * order from +0 over the run's risk-array rows, the kernel's scan (src/kernels/js/portfolio/reduce.ts), aggregated.
 */
import type { BookLayout } from '../../../layout/book-layout.js';
import type { MarketLayout } from '../../../layout/market-layout.js';
import type { Column } from '../../../memory/columns.js';

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

/** An account's groups, flat: group g is underlying u[g], slots [start[g], end[g]) of rows / scales. */
interface Groups {
  count: number;
  slots: number;
  u: Int32Array;
  start: Int32Array;
  end: Int32Array;
  /** Risk row: ≥ 0 a row of the run's risk array; −1 − asset: a balance of an asset no account held at prepare. */
  rows: Int32Array;
  scales: Float64Array;
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
  /** Slot scratch: underlying per slot, and the stable order. */
  private slotU = new Int32Array(16);
  private order = new Int32Array(16);
  private pnl = new Float64Array(0);
  /** Rows of balances of assets no account held at prepare (price × spot move), by asset. */
  private readonly assetRows = new Map<number, Float64Array>();
  /** 1 for the assets whose balances carry no price risk (params.stableAssets), by layout asset. */
  private stableAsset = new Uint8Array(0);

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
    const n = np + nb;
    if (this.stableAsset.length !== layout.assets.length) this.stableAsset = Uint8Array.from(layout.assets, (name) => (run.stable.has(name) ? 1 : 0));
    const stableAsset = this.stableAsset;
    if (this.slotU.length < n) {
      this.slotU = new Int32Array(2 * n);
      this.order = new Int32Array(2 * n);
    }
    if (this.cur.rows.length < n) this.cur = groups(2 * n);
    const slotU = this.slotU;
    let top = 0;
    for (let k = 0; k < np; k++) slotU[top++] = underlying[posInstrument[p0 + k]];
    for (let k = 0; k < nb; k++) {
      const asset = colAsset[c0 + k];
      slotU[top++] = stableAsset[asset] === 1 || amount[b0 + k] === 0 ? -1 : asset;
    }
    const order = stableOrder(slotU, top, this.order);
    const cur = this.cur, prev = this.account === a ? this.prev : null;
    let count = 0, j = 0, c = 0;
    for (let k = 0; k < top; ) {
      const u = slotU[order[k]];
      let end = k;
      while (end < top && slotU[order[end]] === u) end++;
      if (u >= 0) {
        cur.u[count] = u;
        cur.start[count] = j;
        for (let x = k; x < end; x++) {
          const slot = order[x];
          if (slot < np) {
            const i = posInstrument[p0 + slot];
            cur.rows[j] = i;
            cur.scales[j++] = quantity[q0 + slot] * multiplier[i];
          } else {
            const asset = colAsset[c0 + slot - np];
            const row = run.assetRow[asset];
            cur.rows[j] = row >= 0 ? row : -1 - asset;
            cur.scales[j++] = amount[b0 + slot - np];
          }
        }
        cur.end[count] = j;
        if (prev !== null) while (c < prev.count && prev.u[c] < u) c++;
        cur.worst[count] = prev !== null && c < prev.count && prev.u[c] === u && sameSlots(prev, c, cur, count) ? prev.worst[c] : this.reduce(cur, count);
        count++;
      }
      k = end;
    }
    cur.count = count;
    cur.slots = j;
    // this call's groups are the next call's previous ones
    this.cur = this.prev;
    this.prev = cur;
    this.account = a;
    return run.aggregate(cur.worst, cur.u, 0, count);
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

/** Indices [0, n) stably sorted by slotU, into `order` (insertion sort: accounts hold a handful of slots). */
export function stableOrder(slotU: Int32Array, n: number, order: Int32Array): Int32Array {
  for (let k = 0; k < n; k++) {
    const key = slotU[k];
    let j = k - 1;
    while (j >= 0 && slotU[order[j]] > key) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = k;
  }
  return order;
}
