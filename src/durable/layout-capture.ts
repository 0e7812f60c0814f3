/**
 * A partition's accounts read out of its layout (or a copy of it, layout-copy.ts) for a checkpoint: the USD-margined
 * accounts straight from the layout's columns into the arrays of an Arrow book batch (src/io/arrow/write-book.ts
 * fromArrays: no object per position, the slack between accounts' slots squeezed out), the coin-margined ones (an
 * Arrow book holds USD accounts only) as book JSON with their place among the accounts. Entry prices are the book's
 * (layout.bookEntry); the inverse ones a book price cannot give back travel beside (partition-state.ts).
 */
import type { BookBatchArrays } from '../io/arrow/write-book.js';
import type { LayoutView } from '../layout/layout-view.js';
import { accountOf, instrumentsOf } from '../layout/to-book.js';
import type { Account, Instrument } from '../model/types.js';

export interface CapturedBook {
  /** The whole instruments table, in row order. */
  instruments: Instrument[];
  /** The layout's asset symbols (what the Arrow batch's asset indices and a restored layout's asset list are). */
  assets: string[];
  /** The USD-margined accounts in layout order (null: none), and which optional columns they need. */
  usd: BookBatchArrays | null;
  usdShape: { masters: boolean; methods: boolean; isolatedMargin: boolean };
  /** The coin-margined accounts and their index among the partition's accounts. */
  coin: { at: number; account: Account }[];
  /** Masters and methods by account id when there are coin accounts (a family may span both parts). */
  masters?: Record<string, string> | undefined;
  methods?: Record<string, string> | undefined;
}

/** The accounts of `layout` (masters by layout index, methods by id) as a checkpoint holds them. */
export function captureLayout(layout: LayoutView, masters: readonly (string | undefined)[] | undefined, methods: ReadonlyMap<string, string>): CapturedBook {
  const usdIndex: number[] = [], coin: { at: number; account: Account }[] = [];
  let positions = 0, balances = 0, at = 0;
  const pStart = layout.positions.start.array, pEnd = layout.positions.end.array, cStart = layout.collateral.start.array, cEnd = layout.collateral.end.array;
  for (let a = 0; a < layout.accountCount; a++) {
    if (layout.accountIds[a] === null) continue;
    if (layout.marginAsset.array[a] >= 0) coin.push({ at, account: accountOf(layout, a) });
    else {
      usdIndex.push(a);
      positions += pEnd[a] - pStart[a];
      balances += cEnd[a] - cStart[a];
    }
    at++;
  }
  const split = coin.length > 0;
  const captured: CapturedBook = { instruments: instrumentsOf(layout), assets: [...layout.assets], usd: null, usdShape: { masters: false, methods: false, isolatedMargin: false }, coin };
  if (split) {
    captured.masters = {};
    captured.methods = {};
    for (let a = 0; a < layout.accountCount; a++) {
      const id = layout.accountIds[a];
      if (id === null) continue;
      if (masters?.[a] !== undefined) captured.masters[id] = masters[a]!;
      if (methods.has(id)) captured.methods[id] = methods.get(id)!;
    }
  }
  if (usdIndex.length > 0) captured.usd = usdArrays(layout, usdIndex, positions, balances, split ? undefined : masters, split ? undefined : methods, captured.usdShape);
  return captured;
}

/** The arrays of USD accounts `accounts` (layout indices); sets `shape`'s flags for the optional columns they need. */
function usdArrays(
  layout: LayoutView,
  accounts: readonly number[],
  positions: number,
  balances: number,
  masters: readonly (string | undefined)[] | undefined,
  methods: ReadonlyMap<string, string> | undefined,
  shape: CapturedBook['usdShape'],
): BookBatchArrays {
  const n = accounts.length;
  const pos = layout.positions, col = layout.collateral;
  const pStart = pos.start.array, pEnd = pos.end.array, cStart = col.start.array, cEnd = col.end.array;
  const instrumentIn = pos.column<'i32'>('instrument').array, quantityIn = pos.column<'f64'>('quantity').array;
  const entryIn = pos.column<'f64'>('entryPrice').array, isolatedIn = pos.column<'f64'>('isolatedMargin').array;
  const assetIn = col.column<'i32'>('asset').array, amountIn = col.column<'f64'>('amount').array;
  const out: BookBatchArrays = {
    ids: accounts.map((a) => layout.accountIds[a]!),
    positionOffsets: new Int32Array(n + 1), instrument: new Int32Array(positions), quantity: new Float64Array(positions), entryPrice: new Float64Array(positions),
    isolated: new Float64Array(positions), isolatedValid: new Uint8Array((positions + 7) >> 3),
    balanceOffsets: new Int32Array(n + 1), asset: new Int32Array(balances), amount: new Float64Array(balances), cash: new Float64Array(n),
  };
  let p = 0, b = 0;
  for (let k = 0; k < n; k++) {
    const a = accounts[k];
    out.cash[k] = layout.cashUsd.array[a];
    for (let s = pStart[a]; s < pEnd[a]; s++, p++) {
      const row = instrumentIn[s];
      out.instrument[p] = row;
      out.quantity[p] = quantityIn[s];
      out.entryPrice[p] = layout.bookEntry(row, entryIn[s]);
      if (!Number.isNaN(isolatedIn[s])) {
        out.isolated![p] = isolatedIn[s];
        out.isolatedValid![p >> 3] |= 1 << (p & 7);
        shape.isolatedMargin = true;
      }
    }
    out.positionOffsets[k + 1] = p;
    for (let s = cStart[a]; s < cEnd[a]; s++, b++) {
      out.asset[b] = assetIn[s];
      out.amount[b] = amountIn[s];
    }
    out.balanceOffsets[k + 1] = b;
  }
  if (!shape.isolatedMargin) {
    out.isolated = undefined;
    out.isolatedValid = undefined;
  }
  if (masters && accounts.some((a) => masters[a] !== undefined)) {
    shape.masters = true;
    out.masters = accounts.map((a) => masters[a] ?? null);
  }
  if (methods && methods.size > 0) {
    shape.methods = true;
    out.methods = out.ids.map((id) => methods.get(id) ?? null);
  }
  return out;
}
