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
import { Column, type ColumnAllocator, type ColumnType } from '../../../memory/columns.js';
import { ScratchColumns } from '../../../memory/scratch-columns.js';

/**
 * The groups of a book's holdings (read-only: runs on the same layout share kept ones): the risk-array rows, each
 * account's groups, where each slot came from, and the add-on plan. The slots and groups the reduction reads are a
 * run's own columns ({@link RunSlotColumns}), beside them.
 */
export interface BookGroups extends Pick<PortfolioSlotsColumns, 'accountGroupStart' | 'accountGroupEnd'> {
  /** Risk-array rows: the book's instruments, then one per exposed balance asset. */
  readonly nRows: number;
  /** Risk-array row of each asset's balances (−1: not exposed: stable, or no live account holds a non-zero amount). */
  readonly assetRow: Int32Array;
  /** Groups written (the run's group columns may be longer). */
  readonly nGroups: number;
  /**
   * Per slot: position index (≥ 0) or −1 − balance slot (src/kernels/js/portfolio/book-slots.ts): kept groups' as an
   * array; a run's own as its column (read through `.array`: re-read after an allocation).
   */
  readonly slotSource: Int32Array | Column<'i32'>;
  /** Every account's add-ons, priced per market by `addOns.total`. */
  readonly addOns: AddOnPlan;
}

/** The slot and group columns the reduction kernel reads (src/kernels/js/portfolio/reduce.ts ReduceColumns). */
type ReducedSlot = 'slotRow' | 'slotScale' | 'groupStart' | 'groupEnd' | 'groupUnderlying';

/**
 * A run's slot and group columns, in its allocator (the kernels' memory on WASM): written there by the slots kernel
 * on a layout's first run (no copy out and back), copied in from the kept arrays after. The run's own: it releases them.
 */
export type RunSlotColumns = { readonly [K in ReducedSlot]: Column<K extends 'slotScale' ? 'f64' : 'i32'> };

/** What the layout keeps: the groups (their slot sources as an array) and the reduced slots as arrays, cut to their length. */
interface KeptGroups {
  groups: BookGroups;
  slots: { readonly [K in ReducedSlot]: K extends 'slotScale' ? Float64Array : Int32Array };
}

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
const KEPT = new MemoSlot<{ holdings: Holdings; kept: KeptGroups } | 'ran once'>('portfolio book groups');

/**
 * The groups of the layout's holdings with `stable` assets' balances left out, and the run's slot columns (taken from
 * `allocator`): kept groups when the holdings are unchanged. On the layout's first run the groups are the run's alone:
 * their arrays are lent by `lease` (the run gives them back when it is released; default: plain arrays) and their
 * slot sources stay in a column of the run's; kept groups are plain arrays, owned by the layout's memo.
 * `kernels`: built by the WASM kernels while they run on WASM (assembly/portfolio/book-slots.ts), else by their JS
 * twins (same bits).
 */
export function bookGroupsOf(layout: BookLayout, stable: ReadonlySet<string>, allocator: ColumnAllocator, lease = new ArrayLease(), kernels?: MarginKernels): { groups: BookGroups; slots: RunSlotColumns } {
  const stableKey = [...stable].sort().join('\u0000');
  const entry = layout.memo.get(KEPT, layout);
  if (entry === undefined) {
    layout.memo.set(KEPT, layout, 'ran once');
    return buildGroups(layout, stable, lease, allocator, kernels);
  }
  const now = holdingWords(layout);
  if (entry !== 'ran once' && entry.holdings.stable === stableKey && entry.holdings.assets === layout.assets.length && sameWords(now, entry.holdings)) {
    return { groups: entry.kept.groups, slots: slotColumnsOf(allocator, entry.kept.slots) };
  }
  const built = buildGroups(layout, stable, new ArrayLease(), allocator, kernels);
  const copy = (views: Int32Array[]): Int32Array[] => views.map((v) => v.slice());
  const kept = keptOf(built);
  layout.memo.set(KEPT, layout, { holdings: { stable: stableKey, assets: layout.assets.length, instruments: copy(now.instruments), accounts: copy(now.accounts), slots: copy(now.slots) }, kept });
  return { groups: kept.groups, slots: built.slots };
}

/**
 * Copies of a run's groups and slot columns for the layout to keep (the groups' arrays are plain ones already: shared);
 * the slot sources' and add-on plan's columns given back (the kept arrays serve the run too).
 */
function keptOf(built: { groups: BookGroups; slots: RunSlotColumns }): KeptGroups {
  const { groups, slots } = built, G = groups.nGroups;
  const i32 = (c: Column<'i32'>, length?: number) => c.array.slice(0, length);
  const source = groups.slotSource as Column<'i32'>, slotSource = i32(source);
  source.release();
  return {
    groups: { ...groups, slotSource, addOns: groups.addOns.kept() },
    slots: {
      slotRow: i32(slots.slotRow), slotScale: slots.slotScale.array.slice(),
      groupStart: i32(slots.groupStart, G), groupEnd: i32(slots.groupEnd, G), groupUnderlying: i32(slots.groupUnderlying, G),
    },
  };
}

/** Columns of `allocator` holding the kept slot arrays (contents written whole: not cleared first). */
function slotColumnsOf(allocator: ColumnAllocator, kept: KeptGroups['slots']): RunSlotColumns {
  const columns = {
    slotRow: Column.allocate(allocator, 'i32', kept.slotRow.length, false), slotScale: Column.allocate(allocator, 'f64', kept.slotScale.length, false),
    groupStart: Column.allocate(allocator, 'i32', kept.groupStart.length, false), groupEnd: Column.allocate(allocator, 'i32', kept.groupEnd.length, false),
    groupUnderlying: Column.allocate(allocator, 'i32', kept.groupUnderlying.length, false),
  };
  // views after every allocation above (perf: views-after-alloc)
  for (const name of Object.keys(columns) as ReducedSlot[]) (columns[name].array as Int32Array | Float64Array).set(kept[name]);
  return columns;
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
const NodeBuffer = (globalThis as { Buffer?: { from(buffer: ArrayBufferLike, byteOffset: number, length: number): { equals(other: Uint8Array): boolean } } | undefined }).Buffer;

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
 * assets (row: the asset's), stably sorted by underlying and cut into one group per underlying; the slots and groups
 * the reduction reads, and the slot sources, written into columns of `allocator` (the run's own).
 */
function buildGroups(layout: BookLayout, stable: ReadonlySet<string>, lease: ArrayLease, allocator: ColumnAllocator, kernels: MarginKernels | undefined): { groups: BookGroups; slots: RunSlotColumns } {
  const A = layout.accountCount;
  const assetRow = new Int32Array(layout.assets.length).fill(-1);
  const { nRows, nSlots, maxGroups } = exposedAssets(layout, stable, assetRow);
  // every slot is written; the groups are counted as they are written (the columns hold at most maxGroups)
  const run = new ScratchColumns(allocator);
  const slots: RunSlotColumns = {
    slotRow: run.take('i32', nSlots, false), slotScale: run.take('f64', nSlots, false),
    groupStart: run.take('i32', maxGroups, false), groupEnd: run.take('i32', maxGroups, false), groupUnderlying: run.take('i32', maxGroups, false),
  };
  const slotSource = run.take('i32', nSlots, false);
  try {
    const accountGroups = { accountGroupStart: lease.i32(A), accountGroupEnd: lease.i32(A) };
    const held = new Int32Array(layout.instruments.count);
    // the kernel reads the layout's columns where they are, and writes the run's: in the kernels' linear memory
    const onKernels = kernels !== undefined && kernels.backend !== 'js' && allocator.linear && layout.live.allocator === allocator;
    const out = { ...slots, slotSource, ...accountGroups };
    const nGroups = onKernels ? slotsOnKernels(kernels, layout, assetRow, out, held) : fillSlots(layout, assetRow, out, held);
    return { groups: { nRows, assetRow, nGroups, slotSource, ...accountGroups, addOns: new AddOnPlan(layout, A, undefined, lease, held, kernels) }, slots };
  } catch (error) {
    run.release();
    throw error;
  }
}

/** Where the slots are written: the run's columns, and the accounts' group bounds (arrays). */
type SlotsOut = RunSlotColumns & { slotSource: Column<'i32'> } & Pick<BookGroups, 'accountGroupStart' | 'accountGroupEnd'>;

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
function fillSlots(layout: BookLayout, assetRow: Int32Array, out: SlotsOut, heldRows: Int32Array): number {
  const U = layout.assets.length, ins = layout.instruments, pos = layout.positions, col = layout.collateral;
  return portfolioSlotsJs({
    live: layout.live.array, posStart: pos.start.array, posEnd: pos.end.array, posInstrument: pos.column<'i32'>('instrument').array, quantity: pos.column<'f64'>('quantity').array,
    colStart: col.start.array, colEnd: col.end.array, colAsset: col.column<'i32'>('asset').array, amount: col.column<'f64'>('amount').array,
    underlying: ins.underlying.array, multiplier: ins.multiplier.array, assetRow,
    slotRow: out.slotRow.array, slotScale: out.slotScale.array, slotSource: out.slotSource.array,
    groupStart: out.groupStart.array, groupEnd: out.groupEnd.array, groupUnderlying: out.groupUnderlying.array,
    accountGroupStart: out.accountGroupStart, accountGroupEnd: out.accountGroupEnd, heldRows,
    count: new Int32Array(U), next: new Int32Array(U), held: new Int32Array(U), bits: new Int32Array((U + 31) >> 5),
  }, layout.accountCount);
}

/**
 * {@link fillSlots} by the WASM kernel, straight into the run's columns; the accounts' group bounds and `heldRows` copied
 * out of the kernels' memory.
 */
function slotsOnKernels(kernels: MarginKernels, layout: BookLayout, assetRow: Int32Array, out: SlotsOut, heldRows: Int32Array): number {
  const A = layout.accountCount, U = layout.assets.length, ins = layout.instruments, pos = layout.positions, col = layout.collateral;
  const scratch = new ScratchColumns(layout.live.allocator);
  // zeroed: what the kernel counts into; the rest is written before it is read (perf: no clearing of a reused block)
  const column = <K extends ColumnType>(type: K, length: number, cleared = false): Column<K> => scratch.take(type, length, cleared);
  try {
    const columns: Record<PortfolioSlotsColumnName, Column> = {
      live: layout.live, posStart: pos.start, posEnd: pos.end, posInstrument: pos.column('instrument'), quantity: pos.column('quantity'),
      colStart: col.start, colEnd: col.end, colAsset: col.column('asset'), amount: col.column('amount'),
      underlying: ins.underlying, multiplier: ins.multiplier, assetRow: column('i32', U),
      slotRow: out.slotRow, slotScale: out.slotScale, slotSource: out.slotSource,
      groupStart: out.groupStart, groupEnd: out.groupEnd, groupUnderlying: out.groupUnderlying,
      accountGroupStart: column('i32', A), accountGroupEnd: column('i32', A), heldRows: column('i32', heldRows.length, true),
      count: column('i32', U, true), next: column('i32', U), held: column('i32', U), bits: column('i32', (U + 31) >> 5, true),
    };
    const args = column('i32', PORTFOLIO_SLOTS_COLUMNS.length);
    (columns.assetRow.array as Int32Array).set(assetRow);
    const groups = kernels.portfolioSlots(columns, args, A);
    // views after every allocation above (perf: views-after-alloc)
    out.accountGroupStart.set(columns.accountGroupStart.array as Int32Array);
    out.accountGroupEnd.set(columns.accountGroupEnd.array as Int32Array);
    heldRows.set(columns.heldRows.array as Int32Array);
    return groups;
  } finally {
    scratch.release();
  }
}
