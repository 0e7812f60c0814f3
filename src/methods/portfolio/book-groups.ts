/**
 * What a portfolio run builds from the book's holdings alone, no market: every account's slots (positions, then
 * exposed balances) ordered by underlying and cut into groups, the risk-array row of each exposed balance asset, and
 * the add-on plan (add-on-plan.ts). A book margined tick after tick (a session, a sharded book's worker) has the same
 * holdings every call, so this is kept per layout and reused while the layout still holds what it was built from:
 * checked each time against a copy of those inputs, so a layout changed by any writer (a liquidation, a live fill, a
 * what-if left applied) is rebuilt, never reused stale. On the generated 100,000-account book, building it was about
 * 60% of a portfolio worker's time per call and most of its garbage; checking it costs one pass over the holdings.
 */
import type { BookLayout } from '../../layout/book-layout.js';
import { AddOnPlan } from './add-on-plan.js';
import { markGroups, sortByUnderlying } from './slot-groups.js';

/** The groups of a book's holdings (read-only: runs on the same layout share them). */
export interface BookGroups {
  /** Risk-array rows: the book's instruments, then one per exposed balance asset. */
  readonly nRows: number;
  /** Risk-array row of each asset's balances (−1: not exposed: stable, or no live account holds a non-zero amount). */
  readonly assetRow: Int32Array;
  /** Per slot: risk-array row, scale (units of underlying: quantity × multiplier, or the balance), origin (position index ≥ 0, or −1 − collateral slot). */
  readonly slotRow: Int32Array;
  readonly slotScale: Float64Array;
  readonly slotSource: Int32Array;
  /** Per group: slots [groupStart, groupEnd) on underlying groupUnderlying. */
  readonly groupStart: Int32Array;
  readonly groupEnd: Int32Array;
  readonly groupUnderlying: Int32Array;
  /** Groups of account a: [accountGroupStart[a], accountGroupEnd[a]). */
  readonly accountGroupStart: Int32Array;
  readonly accountGroupEnd: Int32Array;
  /** Every account's add-ons, priced per market by `addOns.total`. */
  readonly addOns: AddOnPlan;
}

/** The inputs a {@link BookGroups} was built from, copied: what the next run's layout must still hold to reuse it. */
interface Holdings {
  stable: string;
  assets: number;
  /** Per instrument: what the slots and the add-on plan read. */
  kind: Uint8Array;
  underlying: Int32Array;
  multiplier: Float64Array;
  strike: Float64Array;
  live: Uint8Array;
  /** Account a's positions are entries [posEnd[a − 1], posEnd[a]) of instrument/quantity (posEnd[−1] = 0); balances likewise. */
  posEnd: Int32Array;
  instrument: Int32Array;
  quantity: Float64Array;
  colEnd: Int32Array;
  asset: Int32Array;
  amount: Float64Array;
}

const kept = new WeakMap<BookLayout, { holdings: Holdings; groups: BookGroups }>();

/** The groups of the layout's holdings with `stable` assets' balances left out: kept ones when the holdings are unchanged. */
export function bookGroupsOf(layout: BookLayout, stable: ReadonlySet<string>): BookGroups {
  const stableKey = [...stable].sort().join('\u0000');
  const entry = kept.get(layout);
  if (entry && entry.holdings.stable === stableKey && sameHoldings(layout, entry.holdings)) return entry.groups;
  const holdings = holdingsOf(layout, stableKey);
  const groups = buildGroups(layout, stable);
  kept.set(layout, { holdings, groups });
  return groups;
}

/** Object.is on doubles: +0 and −0 differ (they scale slots to different bits); validated holdings hold no NaN. */
function same(x: number, y: number): boolean {
  return x === y ? x !== 0 || 1 / x === 1 / y : false;
}

function holdingsOf(layout: BookLayout, stable: string): Holdings {
  const ins = layout.instruments, n = ins.count, A = layout.accountCount;
  const pos = layout.positions, col = layout.collateral;
  const pStart = pos.start.array, pEnd = pos.end.array, cStart = col.start.array, cEnd = col.end.array;
  const posEnd = new Int32Array(A), colEnd = new Int32Array(A);
  let np = 0, nc = 0;
  for (let a = 0; a < A; a++) {
    posEnd[a] = np += pEnd[a] - pStart[a];
    colEnd[a] = nc += cEnd[a] - cStart[a];
  }
  const instrument = new Int32Array(np), quantity = new Float64Array(np), asset = new Int32Array(nc), amount = new Float64Array(nc);
  const posInstrument = pos.column<'i32'>('instrument').array, posQuantity = pos.column<'f64'>('quantity').array;
  const colAsset = col.column<'i32'>('asset').array, colAmount = col.column<'f64'>('amount').array;
  let p = 0, c = 0;
  for (let a = 0; a < A; a++) {
    for (let k = pStart[a]; k < pEnd[a]; k++, p++) {
      instrument[p] = posInstrument[k];
      quantity[p] = posQuantity[k];
    }
    for (let k = cStart[a]; k < cEnd[a]; k++, c++) {
      asset[c] = colAsset[k];
      amount[c] = colAmount[k];
    }
  }
  return {
    stable, assets: layout.assets.length,
    kind: ins.kind.array.slice(0, n), underlying: ins.underlying.array.slice(0, n), multiplier: ins.multiplier.array.slice(0, n), strike: ins.strike.array.slice(0, n),
    live: layout.live.array.slice(0, A), posEnd, instrument, quantity, colEnd, asset, amount,
  };
}

/** True when the layout holds exactly `h`: same instruments' terms, accounts, live flags, positions and balances, in order. */
function sameHoldings(layout: BookLayout, h: Holdings): boolean {
  const ins = layout.instruments, n = ins.count, A = layout.accountCount;
  if (layout.assets.length !== h.assets || n !== h.kind.length || A !== h.live.length) return false;
  const kind = ins.kind.array, underlying = ins.underlying.array, multiplier = ins.multiplier.array, strike = ins.strike.array;
  for (let i = 0; i < n; i++) {
    if (kind[i] !== h.kind[i] || underlying[i] !== h.underlying[i] || !same(multiplier[i], h.multiplier[i])) return false;
    if (!(same(strike[i], h.strike[i]) || (strike[i] !== strike[i] && h.strike[i] !== h.strike[i]))) return false; // NaN: no strike
  }
  const pos = layout.positions, col = layout.collateral, live = layout.live.array;
  const pStart = pos.start.array, pEnd = pos.end.array, cStart = col.start.array, cEnd = col.end.array;
  const posInstrument = pos.column<'i32'>('instrument').array, posQuantity = pos.column<'f64'>('quantity').array;
  const colAsset = col.column<'i32'>('asset').array, colAmount = col.column<'f64'>('amount').array;
  let p = 0, c = 0;
  for (let a = 0; a < A; a++) {
    if (live[a] !== h.live[a] || pEnd[a] - pStart[a] !== h.posEnd[a] - p || cEnd[a] - cStart[a] !== h.colEnd[a] - c) return false;
    for (let k = pStart[a]; k < pEnd[a]; k++, p++) if (posInstrument[k] !== h.instrument[p] || !same(posQuantity[k], h.quantity[p])) return false;
    for (let k = cStart[a]; k < cEnd[a]; k++, c++) if (colAsset[k] !== h.asset[c] || !same(colAmount[k], h.amount[c])) return false;
  }
  return true;
}

/**
 * The slots and groups: per live account its positions (row: the instrument), then its non-zero balances of exposed
 * assets (row: the asset's), stably sorted by underlying and cut into one group per underlying.
 */
function buildGroups(layout: BookLayout, stable: ReadonlySet<string>): BookGroups {
  const assets = layout.assets, U = assets.length, A = layout.accountCount;
  const ins = layout.instruments, n = ins.count;
  const underlying = ins.underlying.array, multiplier = ins.multiplier.array;
  const live = layout.live.array;
  const colStart = layout.collateral.start.array, colEnd = layout.collateral.end.array;
  const colAsset = layout.collateral.column<'i32'>('asset').array, amount = layout.collateral.column<'f64'>('amount').array;
  const posStart = layout.positions.start.array, posEnd = layout.positions.end.array;
  const posInstrument = layout.positions.column<'i32'>('instrument').array, quantity = layout.positions.column<'f64'>('quantity').array;

  // exposed collateral assets: every non-stable asset some live account holds, rows in order of first holding
  const assetRow = new Int32Array(U).fill(-1);
  const stableAsset = Uint8Array.from(assets, (name) => (stable.has(name) ? 1 : 0));
  let nRows = n, nSlots = 0;
  for (let a = 0; a < A; a++) {
    if (live[a] === 0) continue;
    nSlots += posEnd[a] - posStart[a];
    for (let k = colStart[a]; k < colEnd[a]; k++) {
      const asset = colAsset[k];
      if (stableAsset[asset] === 0 && amount[k] !== 0) {
        if (assetRow[asset] < 0) assetRow[asset] = nRows++;
        nSlots++;
      }
    }
  }
  const slotRow = new Int32Array(nSlots), slotScale = new Float64Array(nSlots), slotSource = new Int32Array(nSlots), slotUnderlying = new Int32Array(nSlots);
  // at most one group per slot: fill, then keep the used part
  const groupStart = new Int32Array(nSlots), groupEnd = new Int32Array(nSlots), groupUnderlying = new Int32Array(nSlots);
  const accountGroupStart = new Int32Array(A), accountGroupEnd = new Int32Array(A);
  let nGroups = 0, top = 0;
  for (let a = 0; a < A; a++) {
    accountGroupStart[a] = nGroups;
    if (live[a] !== 0) {
      const first = top;
      for (let p = posStart[a]; p < posEnd[a]; p++) {
        const i = posInstrument[p];
        slotRow[top] = i;
        slotScale[top] = quantity[p] * multiplier[i];
        slotSource[top] = p;
        slotUnderlying[top++] = underlying[i];
      }
      for (let k = colStart[a]; k < colEnd[a]; k++) {
        const asset = colAsset[k];
        if (assetRow[asset] < 0 || amount[k] === 0) continue;
        slotRow[top] = assetRow[asset];
        slotScale[top] = amount[k];
        slotSource[top] = -1 - k;
        slotUnderlying[top++] = asset;
      }
      sortByUnderlying(first, top, slotUnderlying, slotRow, slotScale, slotSource);
      nGroups = markGroups(first, top, slotUnderlying, groupStart, groupEnd, groupUnderlying, nGroups);
    }
    accountGroupEnd[a] = nGroups;
  }
  return {
    nRows, assetRow, slotRow, slotScale, slotSource,
    groupStart: groupStart.slice(0, nGroups), groupEnd: groupEnd.slice(0, nGroups), groupUnderlying: groupUnderlying.slice(0, nGroups),
    accountGroupStart, accountGroupEnd, addOns: new AddOnPlan(layout, A),
  };
}
