/**
 * A master's pool under the `cross` policy as holdings, without building the pooled book: the positions, balances
 * and cash that src/subaccounts/pool-book.ts followed by book validation give the pooled account, computed with
 * the same operations in the same order, so that a method margining these holdings (MethodRun.pools.unionMargin) gives
 * the bits a run on the pooled book gives.
 *
 * - Positions: the members' validated (already netted) rows, master first then subaccounts in book order, each
 *   instrument at its first appearance; an instrument held by one member keeps its row as it is (quantity and
 *   entry, bit for bit), one held by several is netted by src/model/netting.ts over those rows in that order
 *   (quantities add: the union's net is the sum of the members' nets). P&L realised by that netting is summed
 *   from +0 in first-appearance order, as validation sums it, and added to the pooled cash.
 * - Balances: summed per asset from +0 in member order, each asset at its first appearance.
 * - Cash: the members' cash summed from +0 in member order, then the realised P&L added.
 *
 * Answers null when the pool cannot be reproduced this way (then the caller margins the pooled book): a balance held
 * at a location (the pooled balance carries per-location shares, src/locations/), a member margined in a coin (a coin
 * account's layout keeps its balance as cash and an inverse contract's entry as −1/entry: src/layout/coin-layout.ts),
 * or a netted sum that overflows.
 */
import { netRows, type PositionRow } from '../model/netting.js';
import type { ValidatedBook, ValidatedInstrument, ValidatedPosition } from '../model/types.js';
import type { UnionHoldings } from '../methods/method.js';
import type { MasterGroup } from './groups.js';

/** Layout indices of the book's instruments and assets (the session's layout: instrument row = book index). */
export interface UnionIndex {
  instrumentRow(id: string): number;
  assetIndex(symbol: string): number;
}

/** The pooled account of group `g` as holdings (module comment), or null. Arrays are exact-length and owned by the caller. */
export function unionHoldings(book: ValidatedBook, g: MasterGroup, index: UnionIndex): UnionHoldings | null {
  const accounts = book.accounts;
  const byId = instrumentsById(book);
  const slotOf = new Map<number, number>(); // instrument row → union slot
  const rows: number[] = [];
  const first: ValidatedPosition[] = []; // per slot: the first row
  const more: (PositionRow[] | undefined)[] = []; // per slot: every row, when more than one member holds it
  const assetSlot = new Map<number, number>();
  const assets: number[] = [];
  const amounts: number[] = [];
  let cash = 0;
  for (let k = -1; k < g.subaccounts.length; k++) {
    const m = accounts[k < 0 ? g.master : g.subaccounts[k]];
    if (m.marginCurrency !== undefined) return null;
    for (const p of m.positions) {
      const row = index.instrumentRow(p.instrument);
      const slot = slotOf.get(row);
      if (slot === undefined) {
        slotOf.set(row, rows.length);
        rows.push(row);
        first.push(p);
        more.push(undefined);
      } else (more[slot] ??= [first[slot]]).push(p);
    }
    for (const b of m.collateral) {
      if (b.location !== undefined) return null;
      const asset = index.assetIndex(b.asset);
      const slot = assetSlot.get(asset);
      if (slot === undefined) {
        assetSlot.set(asset, assets.length);
        assets.push(asset);
        amounts.push(0 + b.amount); // pool-book.ts: (absent ?? 0) + amount
      } else amounts[slot] = amounts[slot] + b.amount;
    }
    cash = cash + (m.cashUsd ?? 0);
  }
  const n = rows.length;
  const quantity = new Float64Array(n), entryPrice = new Float64Array(n);
  let realizedUsd = 0;
  for (let s = 0; s < n; s++) {
    const group = more[s];
    if (group === undefined) {
      quantity[s] = first[s].quantity;
      entryPrice[s] = first[s].entryPrice;
      continue;
    }
    const instrument = byId.get(first[s].instrument)!;
    const net = netRows(group, instrument.multiplier, instrument.kind !== 'option');
    if (!Number.isFinite(net.quantity) || !Number.isFinite(net.entryPrice) || !Number.isFinite(net.realizedUsd)) return null;
    quantity[s] = net.quantity;
    entryPrice[s] = net.entryPrice;
    realizedUsd = realizedUsd + net.realizedUsd;
  }
  const cashUsd = cash + realizedUsd;
  if (!Number.isFinite(cashUsd)) return null;
  return { instrument: Int32Array.from(rows), quantity, entryPrice, asset: Int32Array.from(assets), amount: Float64Array.from(amounts), cashUsd };
}

/** By the instruments array: books validated on one instrument table share it (src/model/validate.ts validateBookOn). */
const byList = new WeakMap<readonly ValidatedInstrument[], Map<string, ValidatedInstrument>>();

/** The book's instruments by id (netting reads their multiplier and kind). */
function instrumentsById(book: ValidatedBook): Map<string, ValidatedInstrument> {
  let map = byList.get(book.instruments);
  if (!map) byList.set(book.instruments, (map = new Map(book.instruments.map((i) => [i.id, i]))));
  return map;
}
