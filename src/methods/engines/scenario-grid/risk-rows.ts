/**
 * The portfolio run's kernel calls on part of its rows: option base values re-priced, risk-array rows and groups'
 * worst losses recomputed on compact copies of their inputs (rows and groups are independent, so each has the bits
 * the whole run computes for it), and the instruments' rows read from a table workers computed.
 */
import type { GreeksInput } from '../../../model/greeks-types.js';
import { PORTFOLIO_REDUCE_TYPES, type ReduceColumnName, RISK_ARRAY_COLUMNS, RISK_ARRAY_TYPES, type RiskArrayColumnName } from '../../../kernels/abi.js';
import type { MarginKernels } from '../../../kernels/backend.js';
import type { RiskArrayColumns } from '../../../kernels/js/scenario/risk-arrays.js';
import { Column, type ColumnAllocator } from '../../../memory/columns.js';
import type { TablePart } from '../../method.js';
import type { SettledRows } from './settled-rows.js';

/** The risk-array columns and what the kernel calls on them need. */
export interface RiskRows {
  readonly risk: Record<RiskArrayColumnName, Column>;
  readonly riskArgs: Column<'i32'>;
  readonly allocator: ColumnAllocator;
  /** Kernel scenarios: the risk-array row stride. */
  readonly kernelScenarios: number;
  readonly assetCount: number;
  readonly settled: SettledRows;
}

/** Typed views of the risk-array columns (re-read after an allocation). */
export function riskViews(risk: Record<RiskArrayColumnName, Column>): RiskArrayColumns {
  return Object.fromEntries(RISK_ARRAY_COLUMNS.map((k) => [k, risk[k].array])) as unknown as RiskArrayColumns;
}

/** Base values of option rows `rows` at the current market (the Greeks kernel, as a whole run prices them). */
export function priceOptions(kernels: MarginKernels, risk: Record<RiskArrayColumnName, Column>, rows: Int32Array): void {
  const m = rows.length;
  if (m === 0) return;
  const v = riskViews(risk);
  const input: Required<GreeksInput> = {
    isCall: new Uint8Array(m), spot: new Float64Array(m), strike: new Float64Array(m), expiryYears: new Float64Array(m),
    vol: new Float64Array(m), rate: new Float64Array(m), carry: new Float64Array(m),
  };
  for (let j = 0; j < m; j++) {
    const i = rows[j], u = v.underlying[i];
    input.isCall[j] = v.isCall[i];
    input.spot[j] = v.spot[u];
    input.strike[j] = v.strike[i];
    input.expiryYears[j] = v.expiryYears[i];
    input.vol[j] = v.vol[i];
    input.rate[j] = v.rate[u];
    input.carry[j] = v.carry[u];
  }
  const price = kernels.greeks(input).price;
  const base = risk.baseValue.array as Float64Array;
  for (let j = 0; j < m; j++) base[rows[j]] = price[j];
}

/** Risk-array rows `rows` recomputed by the kernel on a compact copy of their inputs (rows are independent). */
export function riskRows(kernels: MarginKernels, r: RiskRows, rows: Int32Array): void {
  const k = rows.length, S = r.kernelScenarios, U = r.assetCount;
  if (k === 0) return;
  const perRow = ['kind', 'underlying', 'isCall', 'strike', 'expiryYears', 'vol', 'volScale', 'baseValue'] as const;
  const compact = Object.fromEntries(perRow.map((name) => [name, Column.allocate(r.allocator, RISK_ARRAY_TYPES[name], k)])) as Record<(typeof perRow)[number], Column>;
  const riskArray = Column.allocate(r.allocator, 'f64', k * S);
  try {
    const columns = { ...r.risk, ...compact, riskArray } as Record<RiskArrayColumnName, Column>;
    for (const name of perRow) {
      const from = r.risk[name].array, to = compact[name].array;
      for (let j = 0; j < k; j++) to[j] = from[rows[j]];
    }
    kernels.riskArrays(k, U, S, columns, r.riskArgs);
    const main = r.risk.riskArray.array as Float64Array, fresh = riskArray.array as Float64Array;
    for (let j = 0; j < k; j++) main.set(fresh.subarray(j * S, (j + 1) * S), rows[j] * S);
    r.settled.apply(rows);
  } finally {
    for (const c of Object.values(compact)) c.release();
    riskArray.release();
  }
}

/** The instruments' base values and risk-array rows (stride S) from a supplied table (PortfolioRun.table). */
export function readTable(risk: Record<RiskArrayColumnName, Column>, S: number, parts: readonly TablePart[]): void {
  const base = risk.baseValue.array as Float64Array, riskArray = risk.riskArray.array as Float64Array, width = S + 1;
  for (const { from, to, data } of parts) {
    for (let i = from; i < to; i++) {
      const at = (i - from) * width;
      base[i] = data[at];
      riskArray.set(data.subarray(at + 1, at + width), i * S);
    }
  }
}

/** Worst losses of groups `groups` of a reduction's columns, by the kernel on a compact copy of their bounds. */
export function reduceGroups(kernels: MarginKernels, allocator: ColumnAllocator, reduce: Record<ReduceColumnName, Column>, reduceArgs: Column<'i32'>, S: number, groups: Int32Array): void {
  const k = groups.length;
  if (k === 0) return;
  const perGroup = ['groupStart', 'groupEnd', 'groupUnderlying', 'worstLoss', 'worstScenario'] as const;
  const compact = Object.fromEntries(perGroup.map((name) => [name, Column.allocate(allocator, PORTFOLIO_REDUCE_TYPES[name], k)])) as Record<(typeof perGroup)[number], Column>;
  try {
    for (const name of ['groupStart', 'groupEnd', 'groupUnderlying'] as const) {
      const from = reduce[name].array, to = compact[name].array;
      for (let j = 0; j < k; j++) to[j] = from[groups[j]];
    }
    kernels.portfolioReduce(k, S, { ...reduce, ...compact } as Record<ReduceColumnName, Column>, reduceArgs);
    const worst = reduce.worstLoss.array, scenario = reduce.worstScenario.array;
    const w = compact.worstLoss.array, sc = compact.worstScenario.array;
    for (let j = 0; j < k; j++) {
      worst[groups[j]] = w[j];
      scenario[groups[j]] = sc[j];
    }
  } finally {
    for (const c of Object.values(compact)) c.release();
  }
}
