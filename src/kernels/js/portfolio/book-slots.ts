/**
 * A portfolio run's per-book preparation, the JS twins of assembly/portfolio/book-slots.ts (same outputs, same bits):
 *
 * - {@link portfolioSlotsJs}: every live account's slots (positions, then non-zero balances of exposed assets) in
 *   order of underlying, cut into one group per underlying (src/methods/engines/scenario-grid/book-groups.ts);
 * - {@link addOnEntriesJs}: every account's add-on entries (src/methods/engines/scenario-grid/add-on-plan.ts).
 *
 * Both are per-account counting sorts by a small key: an account's distinct keys are set as bits and read back lowest
 * first, so nothing is sorted (perf: branch-free-counting, docs/performance.md). The WASM entries kernel also sums and
 * counts a position whatever its key's kind and writes an option key whether or not it is short (kept by advancing):
 * no branch on the data, 0.78–0.88× its prepare. Here each key's net and count start when the key is first met and an
 * option key is written only when short: the same entries (what lies past the last entry written is never read), and
 * the faster form in JS (the kernel's took 1.03–1.06× the prepare). Scratch arrays marked "zero" are zero on entry;
 * the slots' are left zero, the entries' nets and counts are not (the kernel's are).
 */

/** Columns of the slots kernel (PORTFOLIO_SLOTS_COLUMNS in src/kernels/abi.ts gives their order). */
export interface PortfolioSlotsColumns {
  /** Per account: live flag, position slots [posStart, posEnd), balance slots [colStart, colEnd). */
  readonly live: Uint8Array;
  readonly posStart: Int32Array;
  readonly posEnd: Int32Array;
  readonly posInstrument: Int32Array;
  readonly quantity: Float64Array;
  readonly colStart: Int32Array;
  readonly colEnd: Int32Array;
  readonly colAsset: Int32Array;
  readonly amount: Float64Array;
  /** Per instrument row: underlying (asset index) and contract multiplier. */
  readonly underlying: Int32Array;
  readonly multiplier: Float64Array;
  /** Per asset: the risk-array row of its balances (−1: not exposed). */
  readonly assetRow: Int32Array;
  /** Out, per slot: risk-array row, scale (units of underlying), origin (position index ≥ 0, or −1 − balance slot). */
  readonly slotRow: Int32Array;
  readonly slotScale: Float64Array;
  readonly slotSource: Int32Array;
  /** Out, per group: slots [groupStart, groupEnd) on groupUnderlying. */
  readonly groupStart: Int32Array;
  readonly groupEnd: Int32Array;
  readonly groupUnderlying: Int32Array;
  /** Out, per account: its groups [accountGroupStart, accountGroupEnd). */
  readonly accountGroupStart: Int32Array;
  readonly accountGroupEnd: Int32Array;
  /** Out, per instrument row (zero on entry): how many live positions hold it. */
  readonly heldRows: Int32Array;
  /** Scratch per asset: slots counted (zero), next slot, the account's underlyings in order; a bit per asset (zero). */
  readonly count: Int32Array;
  readonly next: Int32Array;
  readonly held: Int32Array;
  readonly bits: Int32Array;
}

/**
 * Accounts [0, accounts)'s slots written in order of underlying (the order of a stable sort by underlying, without
 * moving slots) and its groups; returns how many groups.
 */
export function portfolioSlotsJs(c: PortfolioSlotsColumns, accounts: number): number {
  const { live, posStart, posEnd, posInstrument, quantity, colStart, colEnd, colAsset, amount, underlying, multiplier, assetRow } = c;
  const { slotRow, slotScale, slotSource, groupStart, groupEnd, groupUnderlying, accountGroupStart, accountGroupEnd, heldRows } = c;
  const { count, next, held, bits } = c;
  let g = 0, top = 0;
  for (let a = 0; a < accounts; a++) {
    accountGroupStart[a] = g;
    if (live[a] !== 0) {
      let lo = bits.length, hi = -1;
      for (let p = posStart[a]; p < posEnd[a]; p++) {
        const i = posInstrument[p], u = underlying[i], w = u >> 5;
        heldRows[i]++;
        count[u]++;
        bits[w] |= 1 << (u & 31);
        if (w < lo) lo = w;
        if (w > hi) hi = w;
      }
      for (let k = colStart[a]; k < colEnd[a]; k++) {
        const asset = colAsset[k], w = asset >> 5;
        if (assetRow[asset] < 0 || amount[k] === 0) continue;
        count[asset]++;
        bits[w] |= 1 << (asset & 31);
        if (w < lo) lo = w;
        if (w > hi) hi = w;
      }
      const d = readBits(bits, lo, hi, held);
      for (let j = 0; j < d; j++) {
        const u = held[j];
        groupStart[g] = next[u] = top;
        groupEnd[g] = top += count[u];
        groupUnderlying[g++] = u;
        count[u] = 0;
      }
      for (let p = posStart[a]; p < posEnd[a]; p++) {
        const i = posInstrument[p], s = next[underlying[i]]++;
        slotRow[s] = i;
        slotScale[s] = quantity[p] * multiplier[i];
        slotSource[s] = p;
      }
      for (let k = colStart[a]; k < colEnd[a]; k++) {
        const asset = colAsset[k];
        if (assetRow[asset] < 0 || amount[k] === 0) continue;
        const s = next[asset]++;
        slotRow[s] = assetRow[asset];
        slotScale[s] = amount[k];
        slotSource[s] = -1 - k;
      }
    }
    accountGroupEnd[a] = g;
  }
  return g;
}

/** Columns of the add-on entries kernel (ADD_ON_ENTRIES_COLUMNS in src/kernels/abi.ts gives their order). */
export interface AddOnEntriesColumns {
  /** Per entry (an account, or a pool): live flag (0: no entries), positions [posStart, posEnd). */
  readonly live: Uint8Array;
  readonly posStart: Int32Array;
  readonly posEnd: Int32Array;
  readonly posInstrument: Int32Array;
  readonly quantity: Float64Array;
  /** Per instrument row: contract multiplier, settlement asset (−1: USD), add-on key rank (−1: none; add-on-keys.ts). */
  readonly multiplier: Float64Array;
  readonly settlement: Int32Array;
  readonly rank: Int32Array;
  /** Per rank: its underlying. */
  readonly rankUnderlying: Int32Array;
  /** Out, per entry: short option entries [optStart, optEnd), linear entries [linStart, linEnd), underlyings mask, coin flag. */
  readonly optStart: Int32Array;
  readonly optEnd: Int32Array;
  readonly linStart: Int32Array;
  readonly linEnd: Int32Array;
  readonly mask: Int32Array;
  readonly coin: Uint8Array;
  /** Out, per short option entry: underlying and net short units. */
  readonly optUnderlying: Int32Array;
  readonly optUnits: Float64Array;
  /** Out, per linear entry: underlying and positions [linFrom, linTo) of linInstrument / linUnits. */
  readonly linUnderlying: Int32Array;
  readonly linFrom: Int32Array;
  readonly linTo: Int32Array;
  readonly linInstrument: Int32Array;
  readonly linUnits: Float64Array;
  /** Scratch per rank: net units (zero for the kernel), positions counted (zero for the kernel), next position; a bit per rank (zero). */
  readonly net: Float64Array;
  readonly count: Int32Array;
  readonly next: Int32Array;
  readonly bits: Int32Array;
  /** Scratch, room for an entry's positions: its distinct ranks, its positions on linear keys. */
  readonly keys: Int32Array;
  readonly linearPositions: Int32Array;
}

/** The bit of underlying u in an entry's mask: u for u < 31, bit 31 shared by all others. */
export function underlyingBit(u: number): number {
  return u < 31 ? 1 << u : 1 << 31;
}

/**
 * Entries [0, entries)'s add-ons in scanAddOns' order: the distinct ranks, ascending (option keys first, by
 * (underlying, strike), then linear keys by underlying; ranks below `firstLinear` are option keys). An option key is
 * an entry when its net (Σ quantity × multiplier in position order from +0) is short; a linear key lists its positions
 * in position order.
 */
export function addOnEntriesJs(c: AddOnEntriesColumns, entries: number, firstLinear: number): void {
  const { live, posStart, posEnd, posInstrument, quantity, multiplier, settlement, rank, rankUnderlying } = c;
  const { optStart, optEnd, linStart, linEnd, mask: masks, coin, optUnderlying, optUnits, linUnderlying, linFrom, linTo, linInstrument, linUnits } = c;
  const { net, count, next, bits, keys, linearPositions } = c;
  let o = 0, e = 0, l = 0;
  for (let a = 0; a < entries; a++) {
    optStart[a] = o;
    linStart[a] = e;
    const p0 = posStart[a], p1 = live[a] !== 0 ? posEnd[a] : p0;
    coin[a] = p1 > p0 && settlement[posInstrument[p0]] >= 0 ? 1 : 0;
    let linear = 0, lo = bits.length, hi = -1;
    for (let p = p0; p < p1; p++) {
      const i = posInstrument[p], r = rank[i];
      if (r < 0) continue;
      const w = r >> 5, bit = 1 << (r & 31);
      if ((bits[w] & bit) === 0) {
        bits[w] |= bit;
        net[r] = 0;
        count[r] = 0;
        if (w < lo) lo = w;
        if (w > hi) hi = w;
      }
      if (r < firstLinear) net[r] += quantity[p] * multiplier[i];
      else {
        count[r]++;
        linearPositions[linear++] = p;
      }
    }
    const n = readBits(bits, lo, hi, keys);
    let mask = 0;
    for (let k = 0; k < n; k++) {
      const r = keys[k], u = rankUnderlying[r];
      if (r < firstLinear) {
        if (!(net[r] < 0)) continue;
        optUnderlying[o] = u;
        optUnits[o++] = -net[r];
      } else {
        linUnderlying[e] = u;
        linFrom[e] = next[r] = l;
        linTo[e++] = l += count[r];
      }
      mask |= underlyingBit(u);
    }
    for (let k = 0; k < linear; k++) {
      const p = linearPositions[k], i = posInstrument[p], s = next[rank[i]]++;
      linInstrument[s] = i;
      linUnits[s] = quantity[p] * multiplier[i];
    }
    optEnd[a] = o;
    linEnd[a] = e;
    masks[a] = mask;
  }
}

/** The indices of the set bits of words [lo, hi] in ascending order into `out` (the words cleared); returns how many. */
export function readBits(bits: Int32Array, lo: number, hi: number, out: Int32Array): number {
  let n = 0;
  for (let w = lo; w <= hi; w++) {
    let x = bits[w];
    bits[w] = 0;
    while (x !== 0) {
      const low = x & -x;
      out[n++] = (w << 5) + 31 - Math.clz32(low);
      x ^= low;
    }
  }
  return n;
}
