/**
 * Every account's contingency add-ons as a plan that a market move only re-prices: the entries PortfolioRun's
 * scanAddOns builds from an account's positions (net short options per (underlying, strike), sorted; then net
 * futures/perpetual notional per underlying, sorted), with what they depend on kept: a short option entry's
 * net short units (its amount is rate × spot × units; options not net short add nothing and are left out), a
 * linear entry's positions (its notional Σ units × mark, summed in position order, depends on the marks). The
 * total is summed in entry order from +0, as scanAddOns sums it, so it has scanAddOns' bits on any market;
 * building the plan costs one pass over the book, re-pricing an account O(its entries). Positions changed after
 * the plan was built are the caller's to re-scan (remargined accounts).
 */
import type { BookLayout } from '../../../layout/book-layout.js';
import { keyRanks, NO_KEY } from './add-on-keys.js';
import type { PortfolioRule } from './params.js';
import { ArrayLease } from '../../../memory/array-lease.js';
import { ADD_ON_ENTRIES_COLUMNS, type AddOnEntriesColumnName } from '../../../kernels/abi.js';
import type { MarginKernels } from '../../../kernels/backend.js';
import { addOnEntriesJs, type AddOnEntriesColumns, underlyingBit } from '../../../kernels/js/portfolio/book-slots.js';
import type { Column, ColumnType } from '../../../memory/columns.js';
import { ScratchColumns } from '../../../memory/scratch-columns.js';

export class AddOnPlan {
  /** Account a: short option entries [optStart[a], optEnd[a]), linear entries [linStart[a], linEnd[a]). */
  private readonly optStart: Int32Array;
  private readonly optEnd: Int32Array;
  private readonly linStart: Int32Array;
  private readonly linEnd: Int32Array;
  /** Short option entries: underlying and net short units (−net > 0). */
  private readonly optU: Int32Array;
  private readonly optUnits: Float64Array;
  /** Linear entries: underlying and positions [from, to) of instrument/units. */
  private readonly linU: Int32Array;
  private readonly from: Int32Array;
  private readonly to: Int32Array;
  private readonly instrument: Int32Array;
  private readonly units: Float64Array;
  /** Per account: bit u set when it has an entry on underlying u < 31; bit 31 for any underlying above. */
  private readonly mask: Int32Array;
  /** Per account: 1 when its instruments are settled in an asset (coin-margined): short options charged per coin. */
  private readonly coin: Uint8Array;

  /**
   * The plan of `accounts` entries: by default the layout's accounts (positions in layout order, none for an account
   * that is not live); `positions` gives other holdings over the layout's instruments (masters' pools). Its arrays are
   * lent by `lease` (default: plain arrays). `held`: per instrument row, how many of the positions hold it, when the
   * caller counted them already (book-groups.ts, as it writes the slots). `kernels`: the layout's accounts are planned
   * by the WASM kernel while they run on WASM (assembly/portfolio/book-slots.ts), else by its JS twin (same bits).
   */
  constructor(layout: BookLayout, accounts: number, positions?: PlanPositions, lease = new ArrayLease(), held?: Int32Array, kernels?: MarginKernels) {
    const source = positions ?? layoutPositions(layout);
    const ins = layout.instruments;
    held ??= heldCounts(ins.count, source, accounts);
    const keys = keyRanks({ kind: ins.kind.array, underlying: ins.underlying.array, strike: ins.strike.array }, held);
    // option entries are at most the option positions, linear entries at most the linear positions, which they list
    let options = 0, linear = 0;
    const { rank, firstLinear } = keys;
    for (let i = 0; i < held.length; i++) {
      if (rank[i] === NO_KEY) continue;
      if (rank[i] < firstLinear) options += held[i];
      else linear += held[i];
    }
    this.optStart = lease.i32(accounts);
    this.optEnd = lease.i32(accounts);
    this.linStart = lease.i32(accounts);
    this.linEnd = lease.i32(accounts);
    this.mask = lease.i32(accounts);
    this.coin = lease.u8(accounts);
    this.optU = lease.i32(options);
    this.optUnits = lease.f64(options);
    this.linU = lease.i32(linear);
    this.from = lease.i32(linear);
    this.to = lease.i32(linear);
    this.instrument = lease.i32(linear);
    this.units = lease.f64(linear);
    // the kernel reads the layout's columns where they are: in the kernels' linear memory
    if (positions === undefined && kernels !== undefined && kernels.backend !== 'js' && layout.live.allocator.linear) this.planOnKernels(kernels, layout, accounts, keys);
    else this.planAccounts(layout, source, accounts, keys);
  }

  /** The plan's arrays as the entries kernel's outputs. */
  private outputs(): Pick<AddOnEntriesColumns, 'optStart' | 'optEnd' | 'linStart' | 'linEnd' | 'mask' | 'coin' | 'optUnderlying' | 'optUnits' | 'linUnderlying' | 'linFrom' | 'linTo' | 'linInstrument' | 'linUnits'> {
    return {
      optStart: this.optStart, optEnd: this.optEnd, linStart: this.linStart, linEnd: this.linEnd, mask: this.mask, coin: this.coin,
      optUnderlying: this.optU, optUnits: this.optUnits, linUnderlying: this.linU, linFrom: this.from, linTo: this.to, linInstrument: this.instrument, linUnits: this.units,
    };
  }

  /**
   * Every account's entries in scanAddOns' order (src/kernels/js/portfolio/book-slots.ts addOnEntriesJs): its distinct
   * keys in rank order; an option key's net sums units in position order from +0, a linear key lists its positions in
   * position order.
   */
  private planAccounts(layout: BookLayout, positions: PlanPositions, accounts: number, keyRank: ReturnType<typeof keyRanks>): void {
    const ranks = keyRank.underlying.length, most = mostPositions(positions, accounts);
    addOnEntriesJs({
      live: positions.live ?? new Uint8Array(accounts).fill(1), posStart: positions.start, posEnd: positions.end, posInstrument: positions.instrument, quantity: positions.quantity,
      multiplier: layout.instruments.multiplier.array, settlement: layout.instruments.settlement.array, rank: keyRank.rank, rankUnderlying: keyRank.underlying,
      ...this.outputs(),
      net: new Float64Array(ranks), count: new Int32Array(ranks), next: new Int32Array(ranks), bits: new Int32Array((ranks + 31) >> 5),
      keys: new Int32Array(most), linearPositions: new Int32Array(most),
    }, accounts, keyRank.firstLinear);
  }

  /** {@link planAccounts} of the layout's accounts by the WASM kernel: its outputs in the kernels' memory, then copied into the plan's arrays. */
  private planOnKernels(kernels: MarginKernels, layout: BookLayout, accounts: number, keyRank: ReturnType<typeof keyRanks>): void {
    const ins = layout.instruments, pos = layout.positions, allocator = layout.live.allocator;
    const ranks = keyRank.underlying.length, most = mostPositions(layoutPositions(layout), accounts);
    const scratch = new ScratchColumns(allocator);
    // zeroed: the rank bits, nets and counts (summed into); the rest is written before it is read (the outputs' tails
    // past the entries written are copied but never read)
    const column = <K extends ColumnType>(type: K, length: number, cleared = false): Column<K> => scratch.take(type, length, cleared);
    const out = this.outputs();
    try {
      const columns: Record<AddOnEntriesColumnName, Column> = {
        live: layout.live, posStart: pos.start, posEnd: pos.end, posInstrument: pos.column('instrument'), quantity: pos.column('quantity'),
        multiplier: ins.multiplier, settlement: ins.settlement, rank: column('i32', keyRank.rank.length), rankUnderlying: column('i32', ranks),
        optStart: column('i32', accounts), optEnd: column('i32', accounts), linStart: column('i32', accounts), linEnd: column('i32', accounts),
        mask: column('i32', accounts), coin: column('u8', accounts),
        optUnderlying: column('i32', out.optUnderlying.length), optUnits: column('f64', out.optUnits.length),
        linUnderlying: column('i32', out.linUnderlying.length), linFrom: column('i32', out.linFrom.length), linTo: column('i32', out.linTo.length),
        linInstrument: column('i32', out.linInstrument.length), linUnits: column('f64', out.linUnits.length),
        net: column('f64', ranks, true), count: column('i32', ranks, true), next: column('i32', ranks), bits: column('i32', (ranks + 31) >> 5, true),
        keys: column('i32', most), linearPositions: column('i32', most),
      };
      const args = column('i32', ADD_ON_ENTRIES_COLUMNS.length);
      (columns.rank.array as Int32Array).set(keyRank.rank);
      (columns.rankUnderlying.array as Int32Array).set(keyRank.underlying);
      kernels.addOnEntries(columns, args, accounts, keyRank.firstLinear);
      // views after every allocation above (perf: views-after-alloc); of the entries' columns only what was written (the
      // entries end where the last account's do, a linear entry's positions where its last entry's do): sized for every
      // position, they hold a fraction of it (a linear entry per underlying, an option entry per net short key)
      const last = (name: 'optEnd' | 'linEnd' | 'linTo', k: number) => (k > 0 ? (columns[name].array as Int32Array)[k - 1] : 0);
      const opt = last('optEnd', accounts), lin = last('linEnd', accounts), linearPositions = last('linTo', lin);
      const written: Partial<Record<keyof typeof out, number>> = {
        optUnderlying: opt, optUnits: opt, linUnderlying: lin, linFrom: lin, linTo: lin, linInstrument: linearPositions, linUnits: linearPositions,
      };
      for (const [name, array] of Object.entries(out) as [keyof typeof out, Int32Array][]) {
        const from = columns[name].array as Int32Array;
        array.set(from.subarray(0, written[name] ?? from.length));
      }
    } finally {
      scratch.release();
    }
  }

  /**
   * Account a's add-on total (USD) at the current spots `price` and marks `mark` (the risk arrays' base values of
   * linear rows), as scanAddOns computes it; `rates`: {@link ratesOf} the rules.
   */
  total(a: number, rates: { shortOption: Float64Array; linear: Float64Array }, price: Float64Array, mark: Float64Array): number {
    const optU = this.optU, optUnits = this.optUnits, shortRate = rates.shortOption;
    const coin = this.coin[a] === 1;
    let total = 0;
    for (let k = this.optStart[a], end = this.optEnd[a]; k < end; k++) {
      const u = optU[k];
      total += shortRate[u] * (coin ? 1 : price[u]) * optUnits[k];
    }
    const linU = this.linU, from = this.from, to = this.to, instrument = this.instrument, units = this.units, linearRate = rates.linear;
    for (let e = this.linStart[a], end = this.linEnd[a]; e < end; e++) {
      let notional = 0;
      for (let k = from[e], last = to[e]; k < last; k++) notional += units[k] * mark[instrument[k]];
      const amount = linearRate[linU[e]] * Math.abs(notional);
      if (amount !== 0) total += amount;
    }
    return total;
  }

  /**
   * True when account a may have an entry on an underlying of `touchedMask` ({@link maskOf}): else its add-ons
   * did not move.
   */
  touches(a: number, touchedMask: number): boolean {
    return (this.mask[a] & touchedMask) !== 0;
  }
}

/** Entry a's positions: [start[a], end[a]) of `instrument` (layout rows) and `quantity`; none where `live[a]` is 0 (default: all live). */
export interface PlanPositions {
  live?: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  instrument: Int32Array;
  quantity: Float64Array;
}

/** The layout's accounts as plan entries (an account that is not live has none): its columns' views, no copy. */
function layoutPositions(layout: BookLayout): PlanPositions {
  const pos = layout.positions;
  return { live: layout.live.array, start: pos.start.array, end: pos.end.array, instrument: pos.column<'i32'>('instrument').array, quantity: pos.column<'f64'>('quantity').array };
}

/** The most positions an entry of [0, entries) has (the per-entry scratch's room). */
function mostPositions(p: PlanPositions, entries: number): number {
  let most = 0;
  for (let a = 0; a < entries; a++) if (p.end[a] - p.start[a] > most && (p.live === undefined || p.live[a] !== 0)) most = p.end[a] - p.start[a];
  return most;
}

/** Holdings in no layout (each with its instruments' layout rows and quantities) one after another, as plan entries. */
export function concatenatedPositions(holdings: readonly { instrument: Int32Array; quantity: Float64Array }[]): PlanPositions {
  const n = holdings.length, start = new Int32Array(n), end = new Int32Array(n);
  let total = 0;
  for (const h of holdings) total += h.instrument.length;
  const instrument = new Int32Array(total), quantity = new Float64Array(total);
  let top = 0;
  for (let r = 0; r < n; r++) {
    const h = holdings[r];
    start[r] = top;
    instrument.set(h.instrument, top);
    quantity.set(h.quantity, top);
    end[r] = top += h.instrument.length;
  }
  return { start, end, instrument, quantity };
}

/** The add-on rates of each underlying's rule, as arrays. */
export function ratesOf(rules: readonly PortfolioRule[]): { shortOption: Float64Array; linear: Float64Array } {
  return { shortOption: Float64Array.from(rules, (r) => r.shortOptionRate), linear: Float64Array.from(rules, (r) => r.linearRate) };
}

/** The mask of the underlyings flagged in `touched`. */
export function maskOf(touched: Uint8Array): number {
  let mask = 0;
  for (let u = 0; u < touched.length; u++) if (touched[u]) mask |= underlyingBit(u);
  return mask;
}

/** Per instrument row: how many of the entries' live positions hold it. */
function heldCounts(rows: number, p: PlanPositions, entries: number): Int32Array {
  const held = new Int32Array(rows);
  for (let a = 0; a < entries; a++) {
    if (p.live !== undefined && p.live[a] === 0) continue;
    for (let k = p.start[a]; k < p.end[a]; k++) held[p.instrument[k]]++;
  }
  return held;
}
