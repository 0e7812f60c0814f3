/**
 * The argument-block ABI of the column kernels: each list is the order in which a kernel reads its column
 * pointers from a block of u32s (the AssemblyScript side has the same order as slot constants), and each
 * name is a field of the JS twin's column views. Changing an order means changing the AS constants too.
 */
import type { MarginColumns } from './js/margin.js';
import type { ReduceColumns } from './js/portfolio/reduce.js';
import type { AddOnEntriesColumns, PortfolioSlotsColumns } from './js/portfolio/book-slots.js';
import type { RiskArrayColumns } from './js/scenario/risk-arrays.js';
import type { ColumnType } from '../memory/columns.js';

/** Rule-based margin (assembly/margin/rule-based.ts, twin src/kernels/js/margin.ts). */
export const MARGIN_COLUMNS = [
  'kind', 'underlying', 'multiplier', 'strike', 'isCall', 'value', 'price',
  'live', 'posStart', 'posEnd', 'posInstrument', 'quantity', 'entryPrice', 'isolatedMargin',
  'colStart', 'colEnd', 'colAsset', 'amount', 'cashUsd',
  'linUpTo', 'linLower', 'linCumIm', 'linIm', 'linCumMm', 'linMm', 'optBase', 'optFloor', 'optMm',
  'hairUpTo', 'hairLower', 'hairCumIm', 'hairIm', 'hairCumMm', 'hairMm', 'liabIm', 'liabMm',
  'shape', 'instrumentTerms',
  'posIm', 'posMm', 'posMtm', 'posNotional', 'posAlloc', 'posStatus',
  'equity', 'equityIm', 'equityMm', 'im', 'mm', 'gross', 'collateralValue', 'status',
  'settlement', 'linSizeIm', 'linSizeMm', 'forwardGrowth',
] as const satisfies readonly (keyof MarginColumns)[];

export type MarginColumnName = (typeof MARGIN_COLUMNS)[number];

/** Risk arrays (assembly/scenario/risk-arrays.ts, twin src/kernels/js/scenario/risk-arrays.ts). */
export const RISK_ARRAY_COLUMNS = [
  'kind', 'underlying', 'isCall', 'strike', 'expiryYears', 'vol', 'volScale', 'baseValue',
  'spot', 'rate', 'carry', 'volFloor', 'spotMove', 'volShock', 'logMove', 'riskArray',
] as const satisfies readonly (keyof RiskArrayColumns)[];

export type RiskArrayColumnName = (typeof RISK_ARRAY_COLUMNS)[number];

export const RISK_ARRAY_TYPES: Readonly<Record<RiskArrayColumnName, ColumnType>> = {
  kind: 'u8', underlying: 'i32', isCall: 'u8', strike: 'f64', expiryYears: 'f64', vol: 'f64', volScale: 'f64',
  baseValue: 'f64', spot: 'f64', rate: 'f64', carry: 'f64', volFloor: 'f64', spotMove: 'f64', volShock: 'f64',
  logMove: 'f64', riskArray: 'f64',
};

/** Portfolio reduction (assembly/portfolio/reduce.ts, twin src/kernels/js/portfolio/reduce.ts). */
export const PORTFOLIO_REDUCE_COLUMNS = [
  'groupStart', 'groupEnd', 'groupUnderlying', 'slotRow', 'slotScale', 'riskArray', 'weight', 'worstLoss', 'worstScenario', 'pnl',
] as const satisfies readonly (keyof ReduceColumns)[];

export type ReduceColumnName = (typeof PORTFOLIO_REDUCE_COLUMNS)[number];

export const PORTFOLIO_REDUCE_TYPES: Readonly<Record<ReduceColumnName, ColumnType>> = {
  groupStart: 'i32', groupEnd: 'i32', groupUnderlying: 'i32', slotRow: 'i32', slotScale: 'f64',
  riskArray: 'f64', weight: 'f64', worstLoss: 'f64', worstScenario: 'i32', pnl: 'f64',
};

/** A portfolio run's slots grouped by underlying (assembly/portfolio/book-slots.ts `portfolioSlots`, twin src/kernels/js/portfolio/book-slots.ts). */
export const PORTFOLIO_SLOTS_COLUMNS = [
  'live', 'posStart', 'posEnd', 'posInstrument', 'quantity', 'colStart', 'colEnd', 'colAsset', 'amount',
  'underlying', 'multiplier', 'assetRow',
  'slotRow', 'slotScale', 'slotSource', 'groupStart', 'groupEnd', 'groupUnderlying', 'accountGroupStart', 'accountGroupEnd',
  'heldRows', 'count', 'next', 'held', 'bits',
] as const satisfies readonly (keyof PortfolioSlotsColumns)[];

export type PortfolioSlotsColumnName = (typeof PORTFOLIO_SLOTS_COLUMNS)[number];

/** A portfolio run's add-on entries (assembly/portfolio/book-slots.ts `addOnEntries`, same twin module). */
export const ADD_ON_ENTRIES_COLUMNS = [
  'live', 'posStart', 'posEnd', 'posInstrument', 'quantity', 'multiplier', 'settlement', 'rank', 'rankUnderlying',
  'optStart', 'optEnd', 'linStart', 'linEnd', 'mask', 'coin', 'optUnderlying', 'optUnits', 'linUnderlying', 'linFrom', 'linTo',
  'linInstrument', 'linUnits', 'net', 'count', 'next', 'bits', 'keys', 'linearPositions',
] as const satisfies readonly (keyof AddOnEntriesColumns)[];

export type AddOnEntriesColumnName = (typeof ADD_ON_ENTRIES_COLUMNS)[number];

/** Exact report totals (assembly/sum/exact.ts `exactTotals`, twin src/kernels/js/exact-sum.ts). */
export const EXACT_TOTALS_COLUMNS = ['live', 'status', 'equity', 'im', 'mm', 'gross'] as const;

export type ExactTotalsColumnName = (typeof EXACT_TOTALS_COLUMNS)[number];
