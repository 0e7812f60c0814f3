/**
 * Per-account lists (positions, collateral) as one arena of struct-of-arrays slots, CSR-style.
 *
 * Account `a` owns slots [start[a], end[a]) of every field column; kernels loop exactly that range.
 * Each account also reserves a little slack after its last slot (up to a JS-side `limit[a]`), so an
 * insert is usually a write in place. When the slack is used up the account's run moves to the end
 * of the arena with double the room (O(its slots), amortised O(1) per insert) and leaves a hole.
 * Holes and removed accounts are reclaimed by `compact()` (O(all slots)). Freshly laid out or
 * compacted, `end[a] + slack === start[a + 1]`.
 */

import { Column, type ColumnType } from '../memory/columns.js';
import type { ColumnAllocator } from '../memory/columns.js';
import { grownCapacity, resizeColumn } from './resize.js';

export interface FieldSpec {
  readonly name: string;
  readonly type: ColumnType;
}

export class SegmentedList {
  /** i32 per account: first slot. Kernel input. */
  start: Column<'i32'>;
  /** i32 per account: one past the last used slot. Kernel input. */
  end: Column<'i32'>;
  /** Per account: one past the last reserved slot (JS only: kernels never need it). */
  private limit: Int32Array;
  private readonly fields = new Map<string, Column>();
  /** Slots handed out from the arena so far (the next account or relocation starts here). */
  private top = 0;
  /** Reserved slots no account can use any more (relocated runs, removed accounts), reclaimed by compact(). */
  wastedSlots = 0;
  /** Bumped whenever a column is reallocated: kernels holding `ptr`s must re-read them. */
  generation = 0;

  private constructor(
    private readonly allocator: ColumnAllocator,
    private readonly specs: readonly FieldSpec[],
    accountCapacity: number,
    slotCapacity: number,
    readonly slack: number,
  ) {
    this.start = Column.allocate(allocator, 'i32', accountCapacity);
    this.end = Column.allocate(allocator, 'i32', accountCapacity);
    this.limit = new Int32Array(accountCapacity);
    for (const spec of specs) this.fields.set(spec.name, Column.allocate(allocator, spec.type, slotCapacity));
  }

  /**
   * Reserves `counts[a] + slack` slots for each account, in order, plus `headroom` (a fraction of
   * the total) at the end for inserts and new accounts. Slots are zeroed; `end[a] === start[a]`
   * until the caller fills them and sets `end`.
   */
  static withCounts(
    allocator: ColumnAllocator,
    specs: readonly FieldSpec[],
    counts: Int32Array,
    slack: number,
    headroom: number,
    accountCapacity = counts.length,
  ): SegmentedList {
    const capacity = Math.max(16, Math.ceil(slotsFor(counts, slack) * (1 + headroom)));
    const list = new SegmentedList(allocator, specs, Math.max(accountCapacity, counts.length), capacity, slack);
    list.top = placeSegments(counts, slack, list.start.array, list.end.array, list.limit);
    return list;
  }

  /** The field column `name` (e.g. `quantity`). Re-read `.array` after any insert: columns may move. */
  column<K extends ColumnType>(name: string): Column<K> {
    const column = this.fields.get(name);
    if (!column) throw new Error(`no field ${name}`);
    return column as Column<K>;
  }

  /** Slots reserved in the arena (capacity of each field column). */
  get slotCapacity(): number {
    return this.column(this.specs[0].name).length;
  }

  /** Slots handed out so far, including holes and slack. */
  get slotsReserved(): number {
    return this.top;
  }

  /** Bytes of all columns (field columns at capacity plus start/end). */
  get byteLength(): number {
    let bytes = this.start.byteLength + this.end.byteLength;
    for (const column of this.fields.values()) bytes += column.byteLength;
    return bytes;
  }

  countOf(account: number): number {
    return this.end.array[account] - this.start.array[account];
  }

  /** Makes room for account `account` (index = current account count) with `count + slack` slots. */
  openAccount(account: number, count: number): void {
    this.ensureAccountCapacity(account + 1);
    const room = count + this.slack;
    this.ensureSlots(this.top + room);
    this.start.array[account] = this.top;
    this.end.array[account] = this.top;
    this.top += room;
    this.limit[account] = this.top;
  }

  /** Appends one slot to `account`'s run (moving the run if it is full) and returns its index. */
  push(account: number): number {
    if (this.end.array[account] === this.limit[account]) this.relocate(account);
    const slot = this.end.array[account];
    this.end.array[account] = slot + 1;
    return slot;
  }

  /** Removes the `index`-th slot of `account`, keeping the order of the rest (O(slots of the account)). */
  removeAt(account: number, index: number): void {
    const first = this.start.array[account];
    const last = this.end.array[account];
    const slot = first + index;
    if (index < 0 || slot >= last) throw new RangeError(`account ${account} has no slot ${index}`);
    for (const column of this.fields.values()) column.array.copyWithin(slot, slot + 1, last);
    this.end.array[account] = last - 1;
  }

  /** Empties `account` and gives its whole reservation up as waste (the account is being removed). */
  closeAccount(account: number): void {
    this.wastedSlots += this.limit[account] - this.start.array[account];
    this.end.array[account] = this.start.array[account];
    this.limit[account] = this.start.array[account];
  }

  /**
   * Rewrites the arena with only the accounts in `keep` (old indices, in their new order), each with
   * fresh slack, and no holes. O(all slots); every column is reallocated.
   */
  compact(keep: Int32Array, accountCapacity: number): void {
    const oldStart = this.start;
    const oldEnd = this.end;
    const oldFields = new Map(this.fields);
    let total = 0;
    for (let k = 0; k < keep.length; k++) total += oldEnd.array[keep[k]] - oldStart.array[keep[k]] + this.slack;
    const capacity = Math.max(16, total + (this.slotCapacity - this.top)); // keep the spare room we had
    const fresh = new Map<string, Column>();
    for (const spec of this.specs) fresh.set(spec.name, Column.allocate(this.allocator, spec.type, capacity));
    const start = Column.allocate(this.allocator, 'i32', accountCapacity);
    const end = Column.allocate(this.allocator, 'i32', accountCapacity);
    const limit = new Int32Array(accountCapacity);
    let slot = 0;
    for (let k = 0; k < keep.length; k++) {
      const from = oldStart.array[keep[k]];
      const to = oldEnd.array[keep[k]];
      for (const spec of this.specs) {
        (fresh.get(spec.name) as Column).array.set((oldFields.get(spec.name) as Column).array.subarray(from, to), slot);
      }
      start.array[k] = slot;
      end.array[k] = slot + (to - from);
      slot += to - from + this.slack;
      limit[k] = slot;
    }
    for (const column of oldFields.values()) column.release();
    oldStart.release();
    oldEnd.release();
    this.fields.clear();
    for (const [name, column] of fresh) this.fields.set(name, column);
    this.start = start;
    this.end = end;
    this.limit = limit;
    this.top = slot;
    this.wastedSlots = 0;
    this.generation++;
  }

  release(): void {
    for (const column of this.fields.values()) column.release();
    this.start.release();
    this.end.release();
  }

  /** Moves `account`'s run to the top of the arena with twice the room. */
  private relocate(account: number): void {
    const first = this.start.array[account];
    const last = this.end.array[account];
    const count = last - first;
    const room = Math.max(4, count * 2, count + this.slack);
    this.ensureSlots(this.top + room);
    for (const column of this.fields.values()) column.array.copyWithin(this.top, first, last);
    this.wastedSlots += this.limit[account] - first;
    this.start.array[account] = this.top;
    this.end.array[account] = this.top + count;
    this.top += room;
    this.limit[account] = this.top;
  }

  private ensureSlots(needed: number): void {
    const capacity = this.slotCapacity;
    if (needed <= capacity) return;
    const next = grownCapacity(capacity, needed);
    for (const [name, column] of this.fields) this.fields.set(name, resizeColumn(column, next, this.top));
    this.generation++;
  }

  private ensureAccountCapacity(needed: number): void {
    const capacity = this.start.length;
    if (needed <= capacity) return;
    const next = grownCapacity(capacity, needed);
    this.start = resizeColumn(this.start, next, capacity);
    this.end = resizeColumn(this.end, next, capacity);
    const limit = new Int32Array(next);
    limit.set(this.limit);
    this.limit = limit;
    this.generation++;
  }
}

// The loops of withCounts. perf: loop-alone (docs/performance.md)

/** Slots the accounts' items take with `slack` spare slots each. */
function slotsFor(counts: Int32Array, slack: number): number {
  let total = 0;
  for (let a = 0; a < counts.length; a++) total += counts[a] + slack;
  return total;
}

/** Empty segments in account order, each `counts[a] + slack` slots long; returns the first slot after them. */
function placeSegments(counts: Int32Array, slack: number, start: Int32Array, end: Int32Array, limit: Int32Array): number {
  let slot = 0;
  for (let a = 0; a < counts.length; a++) {
    start[a] = slot;
    end[a] = slot;
    slot += counts[a] + slack;
    limit[a] = slot;
  }
  return slot;
}
