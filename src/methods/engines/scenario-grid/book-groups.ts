/**
 * What a portfolio run builds from the book's holdings alone, no market: every account's slots (positions, then
 * exposed balances) ordered by underlying and cut into groups, the risk-array row of each exposed balance asset, and
 * the add-on plan (add-on-plan.ts). A book margined tick after tick (a session, a sharded book's worker) has the same
 * holdings every call, so this is kept per layout and reused while the layout still holds what it was built from:
 * checked each time against a copy of those inputs, so a layout changed by any writer (a liquidation, a live fill, a
 * what-if left applied) is rebuilt, never reused stale. Building it is most of a portfolio worker's work per call on a
 * big book; checking it costs one pass over the holdings.
 */
import type { BookLayout } from '../../../layout/book-layout.js';
import { MemoSlot } from '../../../layout/memo.js';
import { AddOnPlan } from './add-on-plan.js';
import { ArrayLease } from '../../../memory/array-lease.js';
import { PORTFOLIO_SLOTS_COLUMNS, type PortfolioSlotsColumnName } from '../../../kernels/abi.js';
import type { MarginKernels } from '../../../kernels/backend.js';
import { portfolioSlotsJs, type PortfolioSlotsColumns } from '../../../kernels/js/portfolio/book-slots.js';
import type { Column, ColumnType } from '../../../memory/columns.js';
import { ScratchColumns } from '../../../memory/scratch-columns.js';

/**
 * The groups of a book's holdings (read-only: runs on the same layout share them): the slots and groups the slots
 * kernel writes (their meaning: src/kernels/js/portfolio/book-slots.ts PortfolioSlotsColumns), the risk-array rows, and
 * the add-on plan.
 */
export interface BookGroups extends Pick<PortfolioSlotsColumns, SlotOutput> {
  /** Risk-array rows: the book's instruments, then one per exposed balance asset. */
  readonly nRows: number;
  /** Risk-array row of each asset's balances (−1: not exposed: stable, or no live account holds a non-zero amount). */
  readonly assetRow: Int32Array;
  /** Every account's add-ons, priced per market by `addOns.total`. */
  readonly addOns: AddOnPlan;
}

/** The slots kernel's outputs a {@link BookGroups} keeps. */
type SlotOutput = 'slotRow' | 'slotScale' | 'slotSource' | 'groupStart' | 'groupEnd' | 'groupUnderlying' | 'accountGroupStart' | 'accountGroupEnd';

/**
 * The inputs a {@link BookGroups} was built from, copied as 32-bit words (doubles by their bits: −0 and +0 scale slots
 * to different bits): the instruments' terms, the accounts' live flags and list bounds, and the position and balance
 * columns up to the last used slot. Comparing words over whole columns (spare slots included) is a few flat loops;
 * spare slots that changed while the holdings did not only cost a rebuild.
 */
interface Holdings {
  stable: string;
  assets: number;
  instruments: Int32Array[];
  accounts: Int32Array[];
  slots: Int32Array[];
}

/**
 * Kept by the layout (memo.ts): the groups, with the holdings they were built from; or, after a layout's first run, only that it
 * ran once. A layout margined once (`engine.margin`) copies nothing: the copy is taken from the second run on, which
 * builds the groups again (a session or a shard's worker margins its layout call after call).
 */
const KEPT = new MemoSlot<{ holdings: Holdings; groups: BookGroups } | 'ran once'>('portfolio book groups');

/**
 * The groups of the layout's holdings with `stable` assets' balances left out: kept ones when the holdings are
 * unchanged. On the layout's first run the groups are the run's alone: their arrays are lent by `lease` (the run gives
 * them back when it is released; default: plain arrays); kept groups are plain arrays, owned by the layout's memo.
 * `kernels`: built by the WASM kernels while they run on WASM (assembly/portfolio/book-slots.ts), else by their JS
 * twins (same bits).
 */
export function bookGroupsOf(layout: BookLayout, stable: ReadonlySet<string>, lease = new ArrayLease(), kernels?: MarginKernels): BookGroups {
  const stableKey = [...stable].sort().join('\u0000');
  const entry = layout.memo.get(KEPT, layout);
  if (entry === undefined) {
    layout.memo.set(KEPT, layout, 'ran once');
    return buildGroups(layout, stable, lease, false, kernels);
  }
  const now = holdingWords(layout);
  if (entry !== 'ran once' && entry.holdings.stable === stableKey && entry.holdings.assets === layout.assets.length && sameWords(now, entry.holdings)) return entry.groups;
  const groups = buildGroups(layout, stable, new ArrayLease(), true, kernels);
  const copy = (views: Int32Array[]): Int32Array[] => views.map((v) => v.slice());
  layout.memo.set(KEPT, layout, { holdings: { stable: stableKey, assets: layout.assets.length, instruments: copy(now.instruments), accounts: copy(now.accounts), slots: copy(now.slots) }, groups });
  return groups;
}

/** 32-bit word views of a typed array's first `length` elements (no copy); u8 columns packed four bytes a word (a copy: they need not be word-aligned). */
function words(view: Uint8Array | Int32Array | Float64Array, length = view.length): Int32Array {
  if (view instanceof Uint8Array) {
    const out = new Int32Array((length + 3) >> 2);
    for (let k = 0; k < length; k++) out[k >> 2] |= view[k] << ((k & 3) << 3);
    return out;
  }
  return new Int32Array(view.buffer, view.byteOffset, (length * view.BYTES_PER_ELEMENT) >> 2);
}

/** The layout's current holdings as word views. */
function holdingWords(layout: BookLayout): Omit<Holdings, 'stable' | 'assets'> {
  const ins = layout.instruments, n = ins.count, A = layout.accountCount;
  const pos = layout.positions, col = layout.collateral;
  const pEnd = pos.end.array, cEnd = col.end.array;
  let np = 0, nc = 0;
  for (let a = 0; a < A; a++) {
    if (pEnd[a] > np) np = pEnd[a];
    if (cEnd[a] > nc) nc = cEnd[a];
  }
  return {
    instruments: [words(ins.kind.array, n), words(ins.underlying.array, n), words(ins.multiplier.array, n), words(ins.strike.array, n)],
    accounts: [words(layout.live.array, A), words(pos.start.array, A), words(pEnd, A), words(col.start.array, A), words(cEnd, A)],
    slots: [
      words(pos.column<'i32'>('instrument').array, np), words(pos.column<'f64'>('quantity').array, np),
      words(col.column<'i32'>('asset').array, nc), words(col.column<'f64'>('amount').array, nc),
    ],
  };
}

function sameWords(now: Omit<Holdings, 'stable' | 'assets'>, was: Holdings): boolean {
  const lists = [now.instruments, now.accounts, now.slots], kept = [was.instruments, was.accounts, was.slots];
  for (let l = 0; l < lists.length; l++) {
    for (let c = 0; c < lists[l].length; c++) if (!equalWords(lists[l][c], kept[l][c])) return false;
  }
  return true;
}

/** Node's Buffer, when there is one (a browser has none): its `equals` is a memcmp. */
const NodeBuffer = (globalThis as { Buffer?: { from(buffer: ArrayBufferLike, byteOffset: number, length: number): { equals(other: Uint8Array): boolean } } }).Buffer;

/**
 * Same words, same order. In Node a memcmp over the bytes (byte-equal is word-equal), which every portfolio call on a
 * kept layout pays. perf: threshold (docs/performance.md)
 */
function equalWords(x: Int32Array, y: Int32Array): boolean {
  if (x.length !== y.length) return false;
  if (NodeBuffer !== undefined) return NodeBuffer.from(x.buffer, x.byteOffset, x.byteLength).equals(new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  return true;
}

/**
 * The slots and groups: per live account its positions (row: the instrument), then its non-zero balances of exposed
 * assets (row: the asset's), stably sorted by underlying and cut into one group per underlying. `kept`: the groups
 * outlive the run (the layout's memo).
 */
function buildGroups(layout: BookLayout, stable: ReadonlySet<string>, lease: ArrayLease, kept: boolean, kernels: MarginKernels | undefined): BookGroups {
  const A = layout.accountCount;
  const assetRow = new Int32Array(layout.assets.length).fill(-1);
  const { nRows, nSlots, maxGroups } = exposedAssets(layout, stable, assetRow);
  const slots: Slots = {
    slotRow: lease.i32(nSlots), slotScale: lease.f64(nSlots), slotSource: lease.i32(nSlots),
    groupStart: lease.i32(maxGroups), groupEnd: lease.i32(maxGroups), groupUnderlying: lease.i32(maxGroups),
    accountGroupStart: lease.i32(A), accountGroupEnd: lease.i32(A),
  };
  // the groups are counted as they are written: their arrays cut to the count (kept ones copied: no spare room kept)
  const held = new Int32Array(layout.instruments.count);
  // the kernel reads the layout's columns where they are: in the kernels' linear memory
  const onKernels = kernels !== undefined && kernels.backend !== 'js' && layout.live.allocator.linear;
  const nGroups = onKernels ? slotsOnKernels(kernels, layout, assetRow, slots, held) : fillSlots(layout, assetRow, slots, held);
  const fit = (x: Int32Array): Int32Array => (x.length === nGroups ? x : kept ? x.slice(0, nGroups) : x.subarray(0, nGroups));
  slots.groupStart = fit(slots.groupStart);
  slots.groupEnd = fit(slots.groupEnd);
  slots.groupUnderlying = fit(slots.groupUnderlying);
  return { nRows, assetRow, ...slots, addOns: new AddOnPlan(layout, A, undefined, lease, held, kernels) };
}

type Slots = { -readonly [K in SlotOutput]: BookGroups[K] };

/**
 * Gives each exposed collateral asset (not stable, held non-zero by some live account) its risk-array row, in order
 * of first holding (`assetRow`, filled with −1 on entry); returns the rows, the slots of the live accounts, and a bound
 * on their groups (an account has at most one per slot, and one per asset). Reads the accounts' list bounds and
 * balances, not their positions.
 */
function exposedAssets(layout: BookLayout, stable: ReadonlySet<string>, assetRow: Int32Array): { nRows: number; nSlots: number; maxGroups: number } {
  const A = layout.accountCount, U = layout.assets.length, live = layout.live.array;
  const colStart = layout.collateral.start.array, colEnd = layout.collateral.end.array;
  const colAsset = layout.collateral.column<'i32'>('asset').array, amount = layout.collateral.column<'f64'>('amount').array;
  const posStart = layout.positions.start.array, posEnd = layout.positions.end.array;
  const stableAsset = Uint8Array.from(layout.assets, (name) => (stable.has(name) ? 1 : 0));
  let nRows = layout.instruments.count, nSlots = 0, maxGroups = 0;
  for (let a = 0; a < A; a++) {
    if (live[a] === 0) continue;
    let slots = posEnd[a] - posStart[a];
    for (let k = colStart[a]; k < colEnd[a]; k++) {
      const asset = colAsset[k];
      if (stableAsset[asset] !== 0 || amount[k] === 0) continue;
      if (assetRow[asset] < 0) assetRow[asset] = nRows++;
      slots++;
    }
    nSlots += slots;
    maxGroups += slots < U ? slots : U;
  }
  return { nRows, nSlots, maxGroups };
}

/**
 * Every live account's slots written in order of underlying (the order of the stable sort by underlying of
 * slot-groups.ts, without moving slots) and its groups, by the JS twin (src/kernels/js/portfolio/book-slots.ts);
 * returns how many groups. Counts into `heldRows` (zeros on entry) how many positions hold each instrument row, for the
 * add-on plan.
 */
function fillSlots(layout: BookLayout, assetRow: Int32Array, out: Slots, heldRows: Int32Array): number {
  const U = layout.assets.length, ins = layout.instruments, pos = layout.positions, col = layout.collateral;
  return portfolioSlotsJs({
    live: layout.live.array, posStart: pos.start.array, posEnd: pos.end.array, posInstrument: pos.column<'i32'>('instrument').array, quantity: pos.column<'f64'>('quantity').array,
    colStart: col.start.array, colEnd: col.end.array, colAsset: col.column<'i32'>('asset').array, amount: col.column<'f64'>('amount').array,
    underlying: ins.underlying.array, multiplier: ins.multiplier.array, assetRow, ...out, heldRows,
    count: new Int32Array(U), next: new Int32Array(U), held: new Int32Array(U), bits: new Int32Array((U + 31) >> 5),
  }, layout.accountCount);
}

/** {@link fillSlots} by the WASM kernel: its outputs in the kernels' memory, then copied into `out` and `heldRows`. */
function slotsOnKernels(kernels: MarginKernels, layout: BookLayout, assetRow: Int32Array, out: Slots, heldRows: Int32Array): number {
  const A = layout.accountCount, U = layout.assets.length, ins = layout.instruments, pos = layout.positions, col = layout.collateral;
  const scratch = new ScratchColumns(layout.live.allocator);
  // zeroed: what the kernel counts into; the rest is written before it is read (perf: no clearing of a reused block)
  const column = <K extends ColumnType>(type: K, length: number, cleared = false): Column<K> => scratch.take(type, length, cleared);
  try {
    const columns: Record<PortfolioSlotsColumnName, Column> = {
      live: layout.live, posStart: pos.start, posEnd: pos.end, posInstrument: pos.column('instrument'), quantity: pos.column('quantity'),
      colStart: col.start, colEnd: col.end, colAsset: col.column('asset'), amount: col.column('amount'),
      underlying: ins.underlying, multiplier: ins.multiplier, assetRow: column('i32', U),
      slotRow: column('i32', out.slotRow.length), slotScale: column('f64', out.slotScale.length), slotSource: column('i32', out.slotSource.length),
      groupStart: column('i32', out.groupStart.length), groupEnd: column('i32', out.groupEnd.length), groupUnderlying: column('i32', out.groupUnderlying.length),
      accountGroupStart: column('i32', A), accountGroupEnd: column('i32', A), heldRows: column('i32', heldRows.length, true),
      count: column('i32', U, true), next: column('i32', U), held: column('i32', U), bits: column('i32', (U + 31) >> 5, true),
    };
    const args = column('i32', PORTFOLIO_SLOTS_COLUMNS.length);
    (columns.assetRow.array as Int32Array).set(assetRow);
    const groups = kernels.portfolioSlots(columns, args, A);
    // views after every allocation above (perf: views-after-alloc); the groups' arrays up to the groups written
    const i32 = (name: PortfolioSlotsColumnName, length?: number) => (columns[name].array as Int32Array).subarray(0, length);
    out.slotRow.set(i32('slotRow'));
    out.slotScale.set(columns.slotScale.array as Float64Array);
    out.slotSource.set(i32('slotSource'));
    out.groupStart.set(i32('groupStart', groups));
    out.groupEnd.set(i32('groupEnd', groups));
    out.groupUnderlying.set(i32('groupUnderlying', groups));
    out.accountGroupStart.set(i32('accountGroupStart'));
    out.accountGroupEnd.set(i32('accountGroupEnd'));
    heldRows.set(i32('heldRows'));
    return groups;
  } finally {
    scratch.release();
  }
}
