/**
 * A columnar book (src/model/book-columns.ts) laid out: the same layout {@link layoutBook} makes of the same book held
 * as objects (assets sorted, instruments in book order, each account's positions and balances in its CSR run with the
 * same slack, coin-margined accounts and inverse entries as src/layout/coin-layout.ts writes them), filled by copying
 * whole column ranges instead of reading an object per position.
 */
import { Column, type ColumnAllocator } from '../memory/columns.js';
import { type BookColumns, ownIdText } from '../model/book-columns.js';
import { BookLayout, COLLATERAL_FIELDS, type LayoutOptions, POSITION_FIELDS } from './book-layout.js';
import { settleColumns, usdBalances } from './coin-layout.js';
import { InstrumentTable } from './instruments.js';
import { SegmentedList } from './segments.js';

export function layoutColumns(c: BookColumns, allocator: ColumnAllocator, options: LayoutOptions = {}): BookLayout {
  const positionSlack = options.positionSlack ?? 2;
  const collateralSlack = options.collateralSlack ?? 1;
  const headroom = options.headroom ?? 0.125;
  const nAccounts = c.accountIds.length;
  const nPositions = c.positionStart[nAccounts];

  const symbols = new Set<string>(options.assets ?? []);
  for (const instrument of c.instruments) {
    symbols.add(instrument.underlying);
    if (instrument.settlement !== undefined) symbols.add(instrument.settlement);
  }
  const balanceAssetUsed = new Uint8Array(c.balanceAssets.length);
  for (let k = 0; k < c.balanceAsset.length; k++) balanceAssetUsed[c.balanceAsset[k]] = 1;
  c.balanceAssets.forEach((symbol, i) => balanceAssetUsed[i] === 1 && symbols.add(symbol));
  const assets = [...symbols].sort();
  const assetIndex = new Map(assets.map((symbol, i) => [symbol, i]));

  // a coin-margined account's balance is its cash (settleColumns), not a collateral slot
  const balances = usdBalances(c);
  const positionCounts = new Int32Array(nAccounts), collateralCounts = new Int32Array(nAccounts);
  for (let a = 0; a < nAccounts; a++) {
    positionCounts[a] = c.positionStart[a + 1] - c.positionStart[a];
    collateralCounts[a] = balances.start[a + 1] - balances.start[a];
  }
  const reserve = (allocator as { reserveUpTo?: ((bytes: number) => void) | undefined }).reserveUpTo;
  reserve?.call(allocator, Math.ceil((nPositions + nAccounts * positionSlack) * 20 * (1 + headroom) + nAccounts * 72 + c.instruments.length * 40));
  const instruments = new InstrumentTable(allocator, c.instruments.length);
  for (const instrument of c.instruments) {
    const settlement = instrument.settlement === undefined ? -1 : (assetIndex.get(instrument.settlement) as number);
    instruments.add(instrument, assetIndex.get(instrument.underlying) as number, settlement);
  }
  const accountCapacity = Math.max(1, Math.ceil(nAccounts * (1 + headroom)));
  const positions = SegmentedList.withCounts(allocator, POSITION_FIELDS, positionCounts, positionSlack, headroom, accountCapacity);
  const collateral = SegmentedList.withCounts(allocator, COLLATERAL_FIELDS, collateralCounts, collateralSlack, headroom, accountCapacity);
  const live = Column.allocate(allocator, 'u8', accountCapacity);
  const cashUsd = Column.allocate(allocator, 'f64', accountCapacity);
  const marginAsset = Column.allocate(allocator, 'i32', accountCapacity);

  // views after the last allocation: nothing below grows memory
  live.array.fill(0);
  live.array.fill(1, 0, nAccounts);
  cashUsd.array.fill(0);
  marginAsset.array.fill(-1); // USD, but for the coin-margined accounts (settleColumns)
  cashUsd.array.set(c.cashUsd.subarray(0, nAccounts));
  copyRuns(c.positionStart, positions, [
    [c.positionInstrument, positions.column<'i32'>('instrument').array],
    [c.quantity, positions.column<'f64'>('quantity').array],
    [c.entryPrice, positions.column<'f64'>('entryPrice').array],
  ], nAccounts);
  const isolated = positions.column<'f64'>('isolatedMargin').array;
  if (c.isolatedMargin) copyRuns(c.positionStart, positions, [[c.isolatedMargin, isolated]], nAccounts);
  else if (positions.slack === 0) isolated.fill(NaN, 0, nPositions);
  else {
    const start = positions.start.array;
    for (let a = 0; a < nAccounts; a++) isolated.fill(NaN, start[a], start[a] + positionCounts[a]);
  }
  const balanceAsset = new Int32Array(balances.asset.length);
  const remap = Int32Array.from(c.balanceAssets, (symbol) => assetIndex.get(symbol) ?? -1);
  for (let k = 0; k < balanceAsset.length; k++) balanceAsset[k] = remap[balances.asset[k]];
  copyRuns(balances.start, collateral, [[balanceAsset, collateral.column<'i32'>('asset').array], [balances.amount, collateral.column<'f64'>('amount').array]], nAccounts);
  settleColumns(c, assetIndex, marginAsset.array, cashUsd.array, positions.start.array, positions.column<'f64'>('entryPrice').array);
  return new BookLayout(allocator, { assets, instruments, accountIds: c.accountIds.slice(), idText: c.idText && ownIdText(c.idText), live, cashUsd, marginAsset, positions, collateral });
}

type Pair = [Int32Array, Int32Array] | [Float64Array, Float64Array];

/**
 * Copies each account's rows [offsets[a], offsets[a + 1]) of every source column to its run in `list`, and sets the
 * run's end: one copy per column when the runs are back to back (no slack), else a loop per account (a run is a few
 * rows: a loop beats a view and a copy per run).
 */
function copyRuns(offsets: Int32Array, list: SegmentedList, pairs: Pair[], nAccounts: number): void {
  const start = list.start.array, end = list.end.array;
  for (const [from, to] of pairs) {
    if (list.slack === 0) (to as Float64Array).set((from as Float64Array).subarray(0, offsets[nAccounts]), start[0] ?? 0);
    else copyEach(offsets, start, from, to, nAccounts);
  }
  for (let a = 0; a < nAccounts; a++) end[a] = start[a] + offsets[a + 1] - offsets[a];
}

function copyEach(offsets: Int32Array, start: Int32Array, from: ArrayLike<number>, to: { [i: number]: number }, nAccounts: number): void {
  for (let a = 0; a < nAccounts; a++) {
    const shift = start[a] - offsets[a];
    for (let r = offsets[a]; r < offsets[a + 1]; r++) to[r + shift] = from[r];
  }
}
