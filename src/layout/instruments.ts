/**
 * Instrument columns (struct of arrays, one row per instrument, in book order). Book-only data:
 * nothing here depends on the market, so a new snapshot never rewrites it.
 */

import { Column } from '../memory/columns.js';
import type { ColumnAllocator } from '../memory/columns.js';
import { parseIsoTimestamp } from '../model/time.js';
import type { ValidatedInstrument } from '../model/types.js';
import { KIND_CODE, KIND_OPTION } from './codes.js';
import { grownCapacity, resizeColumn } from './resize.js';

export class InstrumentTable {
  /** u8 kind code (see codes.ts). */
  kind: Column<'u8'>;
  /** i32 index into the layout's asset list. */
  underlying: Column<'i32'>;
  /** f64 units of the underlying per contract. */
  multiplier: Column<'f64'>;
  /** f64 strike in USD (0 for non-options). */
  strike: Column<'f64'>;
  /** f64 expiry as epoch milliseconds; NaN when the instrument does not expire. */
  expiryMs: Column<'f64'>;
  /** u8 1 for calls, 0 for puts and non-options. */
  isCall: Column<'u8'>;
  /**
   * i32 index of the settlement asset in the layout's asset list; −1 for USD-settled instruments. Equal to
   * `underlying` for inverse futures and perpetuals and coin-settled options (src/model/settlement.ts).
   */
  settlement: Column<'i32'>;
  /** Instrument ids by row (JS only). */
  readonly ids: string[] = [];
  readonly indexById = new Map<string, number>();
  generation = 0;

  constructor(private readonly allocator: ColumnAllocator, capacity: number) {
    const n = Math.max(capacity, 1);
    this.kind = Column.allocate(allocator, 'u8', n);
    this.underlying = Column.allocate(allocator, 'i32', n);
    this.multiplier = Column.allocate(allocator, 'f64', n);
    this.strike = Column.allocate(allocator, 'f64', n);
    this.expiryMs = Column.allocate(allocator, 'f64', n);
    this.isCall = Column.allocate(allocator, 'u8', n);
    this.settlement = Column.allocate(allocator, 'i32', n);
  }

  get count(): number {
    return this.ids.length;
  }

  get capacity(): number {
    return this.kind.length;
  }

  get byteLength(): number {
    return this.columns().reduce((bytes, column) => bytes + column.byteLength, 0);
  }

  /**
   * Appends a row; `assetIndex` is the layout index of its underlying, `settlementIndex` that of its settlement asset
   * (−1: USD). Returns the row.
   */
  add(instrument: ValidatedInstrument, assetIndex: number, settlementIndex = -1): number {
    const row = this.ids.length;
    if (row === this.capacity) this.grow(row + 1);
    this.kind.array[row] = KIND_CODE[instrument.kind];
    this.underlying.array[row] = assetIndex;
    this.multiplier.array[row] = instrument.multiplier;
    const isOption = instrument.kind === 'option';
    this.strike.array[row] = isOption ? instrument.strike : 0;
    this.isCall.array[row] = isOption && instrument.right === 'call' ? 1 : 0;
    const expiry = isOption || instrument.kind === 'future' ? instrument.expiry : undefined;
    this.expiryMs.array[row] = expiry === undefined ? NaN : parseIsoTimestamp(expiry);
    this.settlement.array[row] = settlementIndex;
    this.ids.push(instrument.id);
    this.indexById.set(instrument.id, row);
    return row;
  }

  isOption(row: number): boolean {
    return this.kind.array[row] === KIND_OPTION;
  }

  /** An inverse future or perpetual: settled in its underlying; its layout prices are −1/price (coin per USD of face). */
  isInverse(row: number): boolean {
    const s = this.settlement.array[row];
    return s >= 0 && s === this.underlying.array[row] && this.kind.array[row] !== KIND_OPTION;
  }

  /** A coin-settled option: settled in its underlying; its marks are coin per unit (docs/coin-margined.md). */
  isCoinOption(row: number): boolean {
    const s = this.settlement.array[row];
    return s >= 0 && s === this.underlying.array[row] && this.kind.array[row] === KIND_OPTION;
  }

  /** True when some instrument is settled in an asset (not USD). */
  anySettled(): boolean {
    const s = this.settlement.array;
    for (let row = 0; row < this.count; row++) if (s[row] >= 0) return true;
    return false;
  }

  release(): void {
    for (const column of this.columns()) column.release();
  }

  private columns(): Column[] {
    return [this.kind, this.underlying, this.multiplier, this.strike, this.expiryMs, this.isCall, this.settlement];
  }

  private grow(needed: number): void {
    const next = grownCapacity(this.capacity, needed);
    const used = this.ids.length;
    this.kind = resizeColumn(this.kind, next, used);
    this.underlying = resizeColumn(this.underlying, next, used);
    this.multiplier = resizeColumn(this.multiplier, next, used);
    this.strike = resizeColumn(this.strike, next, used);
    this.expiryMs = resizeColumn(this.expiryMs, next, used);
    this.isCall = resizeColumn(this.isCall, next, used);
    this.settlement = resizeColumn(this.settlement, next, used);
    this.generation++;
  }
}
