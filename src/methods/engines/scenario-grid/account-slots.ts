/**
 * One account's holdings cut into portfolio groups, as the reduction sums them: slots (positions, then non-stable
 * non-zero balances) stably ordered by underlying, one group per underlying. The run's remargin (group-loss.ts) and
 * the portfolio what-if (src/methods/portfolio/what-if.ts) both group here, so their groups and sums are the same.
 */

/** An account's groups, flat: group g is underlying u[g], slots [start[g], end[g]) of rows / scales. */
export interface SlotGroups {
  count: number;
  u: Int32Array;
  start: Int32Array;
  end: Int32Array;
  /** Risk row: ≥ 0 a row of the run's risk array; −1 − asset: a balance of an asset without one (see group). */
  rows: Int32Array;
  scales: Float64Array;
}

/** Groups accounts' slots, keeping its scratch (slot underlyings, their stable order, stable flags) between calls. */
export class SlotGrouper {
  private slotU = new Int32Array(16);
  private order = new Int32Array(16);
  /** 1 for the assets whose balances carry no price risk (params.stableAssets), by layout asset; from `stableOf`. */
  private stableAsset = new Uint8Array(0);
  private stableOf: ReadonlySet<string> | null = null;

  /**
   * Groups positions instrument[i0 + k] × quantity[q0 + k] (k < np; scale quantity × multiplier, row the instrument)
   * and balances asset[a0 + k] of amount[b0 + k] (k < nb; scale the amount, row assetRow[asset] when that is given
   * and ≥ 0, else −1 − asset) into `out`, whose arrays must hold np + nb slots; balances of `stable` assets and zero
   * balances are left out. Returns the slot count.
   */
  group(
    out: SlotGroups, assets: readonly string[], stable: ReadonlySet<string>, underlying: Int32Array, multiplier: Float64Array,
    np: number, instrument: Int32Array, i0: number, quantity: Float64Array, q0: number,
    nb: number, asset: Int32Array, a0: number, amount: Float64Array, b0: number,
    assetRow: Int32Array | null,
  ): number {
    const n = np + nb;
    if (this.stableAsset.length !== assets.length || this.stableOf !== stable) {
      this.stableAsset = Uint8Array.from(assets, (name) => (stable.has(name) ? 1 : 0));
      this.stableOf = stable;
    }
    const stableAsset = this.stableAsset;
    if (this.slotU.length < n) {
      this.slotU = new Int32Array(2 * n);
      this.order = new Int32Array(2 * n);
    }
    const slotU = this.slotU;
    let top = 0;
    for (let k = 0; k < np; k++) slotU[top++] = underlying[instrument[i0 + k]];
    for (let k = 0; k < nb; k++) {
      const a = asset[a0 + k];
      slotU[top++] = stableAsset[a] === 1 || amount[b0 + k] === 0 ? -1 : a;
    }
    const order = stableOrder(slotU, top, this.order);
    const { rows, scales } = out;
    let count = 0, j = 0;
    for (let k = 0; k < top; ) {
      const u = slotU[order[k]];
      let end = k;
      while (end < top && slotU[order[end]] === u) end++;
      if (u >= 0) {
        out.u[count] = u;
        out.start[count] = j;
        for (let x = k; x < end; x++) {
          const slot = order[x];
          if (slot < np) {
            const i = instrument[i0 + slot];
            rows[j] = i;
            scales[j++] = quantity[q0 + slot] * multiplier[i];
          } else {
            const a = asset[a0 + slot - np];
            const row = assetRow !== null ? assetRow[a] : -1;
            rows[j] = row >= 0 ? row : -1 - a;
            scales[j++] = amount[b0 + slot - np];
          }
        }
        out.end[count++] = j;
      }
      k = end;
    }
    out.count = count;
    return j;
  }
}

/** The stable order of slots [0, n) by slotU (insertion sort: accounts hold a handful of slots), into `order`. */
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
