/** The slots and groups of accounts in no layout (masters' pools, MethodRun.pools.unionMargin), kept per unions array. */
import { PORTFOLIO_REDUCE_COLUMNS, PORTFOLIO_REDUCE_TYPES, type ReduceColumnName } from '../../../kernels/abi.js';
import type { MarginKernels } from '../../../kernels/backend.js';
import type { BookLayout } from '../../../layout/book-layout.js';
import { MemoSlot } from '../../../layout/memo.js';
import { Column, type ColumnAllocator } from '../../../memory/columns.js';
import type { UnionHoldings } from '../../method.js';
import type { AddOnPlan } from './add-on-plan.js';
import { markGroups, sortByUnderlying } from './slot-groups.js';

/** The slots and groups of masters' pools for the reduction kernel (unionGroupsOf). */
export interface UnionGroups {
  slotRow: Int32Array;
  slotScale: Float64Array;
  groupStart: Int32Array;
  groupEnd: Int32Array;
  groupUnderlying: Int32Array;
  /** Groups of union r: [first[r], first[r + 1]). */
  first: Int32Array;
}

/**
 * Pools' groups per unions array (src/subaccounts/policy.ts keeps one per book), kept by the layout (memo.ts) with
 * what they were built against.
 */
const UNION_GROUPS = new MemoSlot<{ assetRow: Int32Array; stable: string; groups: UnionGroups }>('portfolio union groups');

/** Pools' add-on plans per unions array, kept by the layout whose instrument rows they name. */
export const UNION_ADD_ONS = new MemoSlot<AddOnPlan>('portfolio union add-on plans');

function sameInts(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The slots and groups of `unions` (positions, then non-stable non-zero balances, stably ordered by underlying, as
 * the constructor builds an account's), or undefined when a balance has no risk row. They depend on the unions, the
 * stable assets and which assets have risk rows, not on the market: kept by the layout per unions array for the next
 * run while those are the same (a session margins its book on market after market).
 */
export function unionGroupsOf(layout: BookLayout, stable: ReadonlySet<string>, assetRow: Int32Array, unions: readonly UnionHoldings[]): UnionGroups | undefined {
  const kept = layout.memo.get(UNION_GROUPS, unions);
  if (kept && sameInts(kept.assetRow, assetRow) && kept.stable === [...stable].join('\u0000')) return kept.groups;
  const underlying = layout.instruments.underlying.array, multiplier = layout.instruments.multiplier.array;
  const stableAsset = Uint8Array.from(layout.assets, (name) => (stable.has(name) ? 1 : 0));
  let nSlots = 0;
  for (const u of unions) nSlots += u.instrument.length + u.asset.length;
  const slotRow = new Int32Array(nSlots), slotScale = new Float64Array(nSlots), slotU = new Int32Array(nSlots), source = new Int32Array(nSlots);
  const groupStart = new Int32Array(nSlots), groupEnd = new Int32Array(nSlots), groupUnderlying = new Int32Array(nSlots);
  const first = new Int32Array(unions.length + 1); // groups of union r: [first[r], first[r + 1])
  let top = 0, G = 0;
  for (let r = 0; r < unions.length; r++) {
    const u = unions[r], from = top;
    first[r] = G;
    const instrument = u.instrument, quantity = u.quantity, asset = u.asset, amount = u.amount;
    for (let k = 0; k < instrument.length; k++) {
      const i = instrument[k];
      slotRow[top] = i;
      slotScale[top] = quantity[k] * multiplier[i];
      slotU[top++] = underlying[i];
    }
    for (let k = 0; k < asset.length; k++) {
      const a = asset[k];
      if (stableAsset[a] === 1 || amount[k] === 0) continue;
      if (assetRow[a] < 0) return undefined;
      slotRow[top] = assetRow[a];
      slotScale[top] = amount[k];
      slotU[top++] = a;
    }
    sortByUnderlying(from, top, slotU, slotRow, slotScale, source);
    G = markGroups(from, top, slotU, groupStart, groupEnd, groupUnderlying, G);
  }
  first[unions.length] = G;
  const groups: UnionGroups = {
    slotRow: slotRow.slice(0, top), slotScale: slotScale.slice(0, top), groupStart: groupStart.slice(0, G), groupEnd: groupEnd.slice(0, G),
    groupUnderlying: groupUnderlying.slice(0, G), first,
  };
  layout.memo.set(UNION_GROUPS, unions, { assetRow: assetRow.slice(), stable: [...stable].join('\u0000'), groups });
  return groups;
}

/**
 * The worst loss of every group of `g`, by one call of the reduction kernel over the run's risk rows and weights (a
 * group's worst loss does not depend on the other groups of the call).
 */
export function reduceUnionGroups(kernels: MarginKernels, allocator: ColumnAllocator, g: UnionGroups, S: number, riskArray: Column, weight: Column): Float64Array {
  const { slotRow, slotScale, groupStart, groupEnd, groupUnderlying } = g;
  const G = groupStart.length, top = slotRow.length;
  const own = { groupStart: G, groupEnd: G, groupUnderlying: G, slotRow: top, slotScale: top, worstLoss: G, worstScenario: G, pnl: S } as const;
  const columns = Object.fromEntries(Object.entries(own).map(([k, n]) => [k, Column.allocate(allocator, PORTFOLIO_REDUCE_TYPES[k as ReduceColumnName], Math.max(n, 1))])) as Record<keyof typeof own, Column>;
  const args = Column.allocate(allocator, 'i32', PORTFOLIO_REDUCE_COLUMNS.length);
  try {
    // views after every allocation (memory growth detaches earlier ones)
    (columns.groupStart.array as Int32Array).set(groupStart);
    (columns.groupEnd.array as Int32Array).set(groupEnd);
    (columns.groupUnderlying.array as Int32Array).set(groupUnderlying);
    (columns.slotRow.array as Int32Array).set(slotRow);
    (columns.slotScale.array as Float64Array).set(slotScale);
    kernels.portfolioReduce(G, S, { ...columns, riskArray, weight }, args);
    return (columns.worstLoss.array as Float64Array).slice(0, G);
  } finally {
    for (const c of Object.values(columns)) c.release();
    args.release();
  }
}
