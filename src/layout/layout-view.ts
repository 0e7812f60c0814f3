/**
 * What reading a layout's holdings needs of it, as a type: a BookLayout is one, and so is a copy of its columns taken
 * for a checkpoint (src/durable/layout-copy.ts) that another thread reads while the layout goes on changing.
 */
import type { ColumnArrays } from '../memory/columns.js';

export interface ArrayView<A> {
  readonly array: A;
}

/** Per-account slot ranges [start, end) and the slot columns by name. */
export interface SegmentsView {
  readonly start: ArrayView<Int32Array>;
  readonly end: ArrayView<Int32Array>;
  column<K extends 'i32' | 'f64'>(name: string): ArrayView<ColumnArrays[K]>;
}

export interface InstrumentsView {
  readonly ids: readonly string[];
  readonly count: number;
  readonly kind: ArrayView<Uint8Array>;
  readonly underlying: ArrayView<Int32Array>;
  readonly multiplier: ArrayView<Float64Array>;
  readonly strike: ArrayView<Float64Array>;
  readonly expiryMs: ArrayView<Float64Array>;
  readonly isCall: ArrayView<Uint8Array>;
  readonly settlement: ArrayView<Int32Array>;
  isInverse(row: number): boolean;
}

export interface LayoutView {
  /** Accounts laid out, removed ones (id null) included. */
  readonly accountCount: number;
  readonly accountIds: readonly (string | null)[];
  readonly assets: readonly string[];
  readonly cashUsd: ArrayView<Float64Array>;
  readonly marginAsset: ArrayView<Int32Array>;
  readonly positions: SegmentsView;
  readonly collateral: SegmentsView;
  readonly instruments: InstrumentsView;
  accountIndex(id: string): number;
  marginCurrencyOf(a: number): string;
  layoutEntry(row: number, entryPrice: number): number;
  bookEntry(row: number, layoutPrice: number): number;
}
