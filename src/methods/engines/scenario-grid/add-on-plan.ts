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

/**
 * The plan's arrays, named as the entries kernel writes them (src/kernels/js/portfolio/book-slots.ts AddOnEntriesColumns):
 * per account (short option entries [optStart, optEnd), linear entries [linStart, linEnd), the mask of its entries'
 * underlyings: bit u for u < 31, bit 31 for any above; coin: 1 when its instruments settle in an asset, short options
 * charged per coin), per short option entry (underlying, net short units −net > 0), per linear entry (underlying,
 * positions [linFrom, linTo) of linInstrument / linUnits).
 */
export type PlanEntries = Pick<AddOnEntriesColumns, EntryName>;

type EntryName = 'optStart' | 'optEnd' | 'linStart' | 'linEnd' | 'mask' | 'coin' | 'optUnderlying' | 'optUnits' | 'linUnderlying' | 'linFrom' | 'linTo' | 'linInstrument' | 'linUnits';

const ENTRY_NAMES: readonly EntryName[] = ['optStart', 'optEnd', 'linStart', 'linEnd', 'mask', 'coin', 'optUnderlying', 'optUnits', 'linUnderlying', 'linFrom', 'linTo', 'linInstrument', 'linUnits'];

export class AddOnPlan {
  /** The plan's arrays ({@link entries}): plain ones (the JS twin's, kept plans'), or null while they are {@link columns}. */
  private arrays: PlanEntries | null = null;
  /**
   * The entries kernel's output columns, read where it wrote them (a run's first plan of a layout, used once: no copy out
   * of the kernels' memory); given back by {@link release}, or copied into arrays by {@link kept}.
   */
  private columns: Record<EntryName, Column> | null = null;

  /**
   * The plan of `accounts` entries: by default the layout's accounts (positions in layout order, none for an account
   * that is not live); `positions` gives other holdings over the layout's instruments (masters' pools). Its arrays are
   * lent by `lease` (default: plain arrays). `held`: per instrument row, how many of the positions hold it, when the
   * caller counted them already (book-groups.ts, as it writes the slots). `kernels`: the layout's accounts are planned
   * by the WASM kernel while they run on WASM (assembly/portfolio/book-slots.ts), else by its JS twin (same bits); the
   * kernel's plan is read in the kernels' memory until {@link release} or {@link kept}.
   */
  constructor(layout: BookLayout, private readonly accounts: number, positions?: PlanPositions, lease = new ArrayLease(), held?: Int32Array, kernels?: MarginKernels) {
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
    const sizes = sizesOf(accounts, options, linear);
    // the kernel reads the layout's columns where they are: in the kernels' linear memory
    if (positions === undefined && kernels !== undefined && kernels.backend !== 'js' && layout.live.allocator.linear) {
      this.columns = this.planOnKernels(kernels, layout, accounts, keys, sizes);
    } else {
      const lent = (name: EntryName) => (ENTRY_TYPES[name] === 'u8' ? lease.u8(sizes[name]) : ENTRY_TYPES[name] === 'f64' ? lease.f64(sizes[name]) : lease.i32(sizes[name]));
      const arrays = Object.fromEntries(ENTRY_NAMES.map((name) => [name, lent(name)])) as unknown as PlanEntries;
      this.planAccounts(layout, source, accounts, keys, arrays);
      this.arrays = arrays;
    }
  }

  /** The plan's arrays (views of the kernel's columns: re-read after an allocation). */
  entries(): PlanEntries {
    if (this.arrays !== null) return this.arrays;
    const columns = this.columns;
    if (columns === null) throw new Error('add-on plan used after release');
    return Object.fromEntries(ENTRY_NAMES.map((name) => [name, columns[name].array])) as unknown as PlanEntries;
  }

  /** Gives the kernel's columns back (nothing of the plan is read after this); a plan of arrays keeps them. */
  release(): void {
    if (this.columns === null) return;
    for (const c of Object.values(this.columns)) c.release();
    this.columns = null;
  }

  /** This plan, now in plain arrays (what a layout keeps past the run: its entries written, copied once), the kernel's columns given back. */
  kept(): this {
    if (this.arrays !== null) return this;
    const e = this.entries(), A = this.accounts;
    // the entries end where the last account's do, a linear entry's positions where its last entry's do: sized for
    // every position, the columns hold a fraction of it (a linear entry per underlying, an option entry per net short key)
    const opt = A > 0 ? e.optEnd[A - 1] : 0, lin = A > 0 ? e.linEnd[A - 1] : 0, positions = lin > 0 ? e.linTo[lin - 1] : 0;
    const written: Partial<Record<EntryName, number>> = { optUnderlying: opt, optUnits: opt, linUnderlying: lin, linFrom: lin, linTo: lin, linInstrument: positions, linUnits: positions };
    this.arrays = Object.fromEntries(ENTRY_NAMES.map((name) => [name, e[name].slice(0, written[name] ?? e[name].length)])) as unknown as PlanEntries;
    this.release();
    return this;
  }

  /**
   * Every account's entries in scanAddOns' order (src/kernels/js/portfolio/book-slots.ts addOnEntriesJs): its distinct
   * keys in rank order; an option key's net sums units in position order from +0, a linear key lists its positions in
   * position order.
   */
  private planAccounts(layout: BookLayout, positions: PlanPositions, accounts: number, keyRank: ReturnType<typeof keyRanks>, out: PlanEntries): void {
    const ranks = keyRank.underlying.length, most = mostPositions(positions, accounts);
    addOnEntriesJs({
      live: positions.live ?? new Uint8Array(accounts).fill(1), posStart: positions.start, posEnd: positions.end, posInstrument: positions.instrument, quantity: positions.quantity,
      multiplier: layout.instruments.multiplier.array, settlement: layout.instruments.settlement.array, rank: keyRank.rank, rankUnderlying: keyRank.underlying,
      ...out,
      net: new Float64Array(ranks), count: new Int32Array(ranks), next: new Int32Array(ranks), bits: new Int32Array((ranks + 31) >> 5),
      keys: new Int32Array(most), linearPositions: new Int32Array(most),
    }, accounts, keyRank.firstLinear);
  }

  /** {@link planAccounts} of the layout's accounts by the WASM kernel: its outputs, columns in the kernels' memory (the plan's, returned). */
  private planOnKernels(kernels: MarginKernels, layout: BookLayout, accounts: number, keyRank: ReturnType<typeof keyRanks>, sizes: Record<EntryName, number>): Record<EntryName, Column> {
    const ins = layout.instruments, pos = layout.positions, allocator = layout.live.allocator;
    const ranks = keyRank.underlying.length, most = mostPositions(layoutPositions(layout), accounts);
    const scratch = new ScratchColumns(allocator), outputs = new ScratchColumns(allocator);
    // zeroed: the rank bits, nets and counts (summed into); the rest is written before it is read (the outputs' tails
    // past the entries written are never read)
    const column = <K extends ColumnType>(type: K, length: number, cleared = false): Column<K> => scratch.take(type, length, cleared);
    try {
      const out = Object.fromEntries(ENTRY_NAMES.map((name) => [name, outputs.take(ENTRY_TYPES[name], sizes[name], false)])) as Record<EntryName, Column>;
      const columns: Record<AddOnEntriesColumnName, Column> = {
        live: layout.live, posStart: pos.start, posEnd: pos.end, posInstrument: pos.column('instrument'), quantity: pos.column('quantity'),
        multiplier: ins.multiplier, settlement: ins.settlement, rank: column('i32', keyRank.rank.length), rankUnderlying: column('i32', ranks),
        ...out,
        net: column('f64', ranks, true), count: column('i32', ranks, true), next: column('i32', ranks), bits: column('i32', (ranks + 31) >> 5, true),
        keys: column('i32', most), linearPositions: column('i32', most),
      };
      const args = column('i32', ADD_ON_ENTRIES_COLUMNS.length);
      (columns.rank.array as Int32Array).set(keyRank.rank);
      (columns.rankUnderlying.array as Int32Array).set(keyRank.underlying);
      kernels.addOnEntries(columns, args, accounts, keyRank.firstLinear);
      return out;
    } catch (error) {
      outputs.release();
      throw error;
    } finally {
      scratch.release();
    }
  }

  /**
   * Account a's add-on total (USD) at the current spots `price` and marks `mark` (the risk arrays' base values of
   * linear rows), as scanAddOns computes it; `rates`: {@link ratesOf} the rules.
   */
  total(a: number, rates: { shortOption: Float64Array; linear: Float64Array }, price: Float64Array, mark: Float64Array): number {
    return totalOf(this.entries(), a, rates, price, mark);
  }

  /** {@link total} of every live account of [0, accounts) into `into` (the entries read once). */
  totals(into: Float64Array, live: Uint8Array, accounts: number, rates: { shortOption: Float64Array; linear: Float64Array }, price: Float64Array, mark: Float64Array): void {
    const e = this.entries();
    for (let a = 0; a < accounts; a++) if (live[a] !== 0) into[a] = totalOf(e, a, rates, price, mark);
  }

  /**
   * True when account a may have an entry on an underlying of `touchedMask` ({@link maskOf}): else its add-ons
   * did not move.
   */
  touches(a: number, touchedMask: number): boolean {
    return (this.entries().mask[a] & touchedMask) !== 0;
  }
}

/** Account a's add-on total from the plan's entries `e` (AddOnPlan.total). */
function totalOf(e: PlanEntries, a: number, rates: { shortOption: Float64Array; linear: Float64Array }, price: Float64Array, mark: Float64Array): number {
  const optU = e.optUnderlying, optUnits = e.optUnits, shortRate = rates.shortOption;
  const coin = e.coin[a] === 1;
  let total = 0;
  for (let k = e.optStart[a], end = e.optEnd[a]; k < end; k++) {
    const u = optU[k];
    total += shortRate[u] * (coin ? 1 : price[u]) * optUnits[k];
  }
  const linU = e.linUnderlying, from = e.linFrom, to = e.linTo, instrument = e.linInstrument, units = e.linUnits, linearRate = rates.linear;
  for (let en = e.linStart[a], end = e.linEnd[a]; en < end; en++) {
    let notional = 0;
    for (let k = from[en], last = to[en]; k < last; k++) notional += units[k] * mark[instrument[k]];
    const amount = linearRate[linU[en]] * Math.abs(notional);
    if (amount !== 0) total += amount;
  }
  return total;
}

/** Each entry column's element type. */
const ENTRY_TYPES: Record<EntryName, ColumnType> = {
  optStart: 'i32', optEnd: 'i32', linStart: 'i32', linEnd: 'i32', mask: 'i32', coin: 'u8', optUnderlying: 'i32', optUnits: 'f64',
  linUnderlying: 'i32', linFrom: 'i32', linTo: 'i32', linInstrument: 'i32', linUnits: 'f64',
};

/** Each entry column's length: per account, per option position, per linear position. */
function sizesOf(accounts: number, options: number, linear: number): Record<EntryName, number> {
  return {
    optStart: accounts, optEnd: accounts, linStart: accounts, linEnd: accounts, mask: accounts, coin: accounts,
    optUnderlying: options, optUnits: options, linUnderlying: linear, linFrom: linear, linTo: linear, linInstrument: linear, linUnits: linear,
  };
}

/** Entry a's positions: [start[a], end[a]) of `instrument` (layout rows) and `quantity`; none where `live[a]` is 0 (default: all live). */
export interface PlanPositions {
  live?: Uint8Array | undefined;
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
