/**
 * A partition's holdings copied out of its layout at once, for a checkpoint made on another thread: the columns as
 * typed-array copies (each cut to the slots in use), the ids, masters and assets, and the instruments table's columns.
 * Taking it is the only part of a checkpoint on the shard's event loop (a few memcpy and two short string arrays);
 * the copy moves to the checkpoint worker without another copy (its buffers are transferred), where a LayoutCopy
 * reads it through the same LayoutView the live layout is read through, so the bytes made from it are the same.
 */
import type { BookLayout } from '../layout/book-layout.js';
import { KIND_OPTION } from '../layout/codes.js';
import { inverseCoordinate, inverseEntry } from '../model/inverse-price.js';
import type { ArrayView, InstrumentsView, LayoutView, SegmentsView } from '../layout/layout-view.js';
import type { ColumnArrays } from '../memory/columns.js';

/** Plain data (structured-clone safe): what {@link LayoutCopy} reads. */
export interface LayoutCopyData {
  accountIds: (string | null)[];
  /** Each account's master by layout index (undefined: none has one). */
  masters: (string | undefined)[] | undefined;
  assets: string[];
  cashUsd: Float64Array;
  marginAsset: Int32Array;
  positions: SegmentsData;
  collateral: SegmentsData;
  instruments: {
    ids: string[];
    kind: Uint8Array;
    underlying: Int32Array;
    multiplier: Float64Array;
    strike: Float64Array;
    expiryMs: Float64Array;
    isCall: Uint8Array;
    settlement: Int32Array;
  };
}

interface SegmentsData {
  start: Int32Array;
  end: Int32Array;
  columns: Record<string, Int32Array | Float64Array>;
}

const POSITION_COLUMNS = ['instrument', 'quantity', 'entryPrice', 'isolatedMargin'];
const COLLATERAL_COLUMNS = ['asset', 'amount'];

/** `layout`'s holdings now (synchronously: no update can land halfway), with `masters` by layout index. */
export function copyLayout(layout: BookLayout, masters: readonly (string | undefined)[] | undefined): LayoutCopyData {
  const n = layout.accountCount, ins = layout.instruments, rows = ins.count;
  return {
    accountIds: layout.accountIds.slice(),
    masters: masters?.slice(0, n),
    assets: [...layout.assets],
    cashUsd: layout.cashUsd.array.slice(0, n),
    marginAsset: layout.marginAsset.array.slice(0, n),
    positions: copySegments(layout.positions, n, POSITION_COLUMNS),
    collateral: copySegments(layout.collateral, n, COLLATERAL_COLUMNS),
    instruments: {
      ids: ins.ids.slice(0, rows),
      kind: ins.kind.array.slice(0, rows),
      underlying: ins.underlying.array.slice(0, rows),
      multiplier: ins.multiplier.array.slice(0, rows),
      strike: ins.strike.array.slice(0, rows),
      expiryMs: ins.expiryMs.array.slice(0, rows),
      isCall: ins.isCall.array.slice(0, rows),
      settlement: ins.settlement.array.slice(0, rows),
    },
  };
}

/** The start and end of n accounts' slot ranges and the named columns up to the last slot in use. */
function copySegments(list: BookLayout['positions'], n: number, names: readonly string[]): SegmentsData {
  const start = list.start.array.slice(0, n), end = list.end.array.slice(0, n);
  let used = 0;
  for (let a = 0; a < n; a++) if (end[a] > used) used = end[a];
  const columns: SegmentsData['columns'] = {};
  for (const name of names) columns[name] = list.column<'i32' | 'f64'>(name).array.slice(0, used);
  return { start, end, columns };
}

/** The buffers of a copy (to transfer to a worker: the copy is not used on this side after). */
export function copyBuffers(data: LayoutCopyData): ArrayBuffer[] {
  const i = data.instruments;
  const views = [data.cashUsd, data.marginAsset, data.positions.start, data.positions.end, ...Object.values(data.positions.columns), data.collateral.start, data.collateral.end, ...Object.values(data.collateral.columns), i.kind, i.underlying, i.multiplier, i.strike, i.expiryMs, i.isCall, i.settlement];
  return views.map((v) => v.buffer as ArrayBuffer);
}

const view = <A>(array: A): ArrayView<A> => ({ array });

function segmentsView(data: SegmentsData): SegmentsView {
  return {
    start: view(data.start),
    end: view(data.end),
    column<K extends 'i32' | 'f64'>(name: string): ArrayView<ColumnArrays[K]> {
      const array = data.columns[name];
      if (array === undefined) throw new RangeError(`no column ${JSON.stringify(name)} in the copy`);
      return view(array as ColumnArrays[K]);
    },
  };
}

/** A copy read as a layout (the same answers BookLayout gives for the same columns). */
export class LayoutCopy implements LayoutView {
  readonly accountCount: number;
  readonly accountIds: readonly (string | null)[];
  readonly assets: readonly string[];
  readonly cashUsd: ArrayView<Float64Array>;
  readonly marginAsset: ArrayView<Int32Array>;
  readonly positions: SegmentsView;
  readonly collateral: SegmentsView;
  readonly instruments: InstrumentsView;
  private indexById: Map<string, number> | undefined;

  constructor(readonly data: LayoutCopyData) {
    this.accountCount = data.accountIds.length;
    this.accountIds = data.accountIds;
    this.assets = data.assets;
    this.cashUsd = view(data.cashUsd);
    this.marginAsset = view(data.marginAsset);
    this.positions = segmentsView(data.positions);
    this.collateral = segmentsView(data.collateral);
    const i = data.instruments;
    this.instruments = {
      ids: i.ids,
      count: i.ids.length,
      kind: view(i.kind),
      underlying: view(i.underlying),
      multiplier: view(i.multiplier),
      strike: view(i.strike),
      expiryMs: view(i.expiryMs),
      isCall: view(i.isCall),
      settlement: view(i.settlement),
      // as InstrumentTable.isInverse: a future or perpetual settled in its underlying (an option never is)
      isInverse: (row) => i.settlement[row] >= 0 && i.settlement[row] === i.underlying[row] && i.kind[row] !== KIND_OPTION,
    };
  }

  accountIndex(id: string): number {
    if (this.indexById === undefined) {
      this.indexById = new Map();
      this.accountIds.forEach((x, a) => x !== null && this.indexById!.set(x, a));
    }
    return this.indexById.get(id) ?? -1;
  }

  marginCurrencyOf(a: number): string {
    const m = this.marginAsset.array[a];
    return m < 0 ? 'USD' : this.assets[m];
  }

  layoutEntry(row: number, entryPrice: number): number {
    return this.instruments.isInverse(row) ? inverseCoordinate(entryPrice) : entryPrice;
  }

  bookEntry(row: number, layoutPrice: number): number {
    return this.instruments.isInverse(row) ? inverseEntry(layoutPrice) : layoutPrice;
  }
}
