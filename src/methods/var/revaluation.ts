/**
 * Simulation revaluation through the risk-array kernel (assembly/scenario/risk-arrays.ts, the one the
 * portfolio method uses): every instrument revalued once per scenario, in place in the engine's
 * memory, so the risk array never leaves it on its way to the reduction.
 *
 * Rows: the book's instruments (row = instrument index), then one linear row per asset for
 * collateral balances (row = instruments + asset, mark = the asset's price). Underlyings are the
 * layout's assets; the spot move of asset u in scenario s is the scenario return of its factor
 * (0 for riskless assets, whose rows then are exactly 0: a zero move revalues an option to its base
 * value bit for bit). No vol shock (volShock 0): options are revalued at their implied vol.
 */
import { RISK_ARRAY_COLUMNS, RISK_ARRAY_TYPES } from '../../kernels/abi.js';
import type { MarginKernels } from '../../kernels/backend.js';
import { KIND_LINEAR, KIND_OPTION as RA_OPTION, type RiskArrayColumns } from '../../kernels/js/scenario/risk-arrays.js';
import type { BookLayout } from '../../layout/book-layout.js';
import { KIND_OPTION } from '../../layout/codes.js';
import type { MarketLayout } from '../../layout/market-layout.js';
import { Column, type ColumnAllocator } from '../../memory/columns.js';
import type { RiskFactors } from './covariance.js';
import type { InstrumentGreeks } from './exposures.js';

type ColumnName = (typeof RISK_ARRAY_COLUMNS)[number];

/** What revaluation needs from the engine: the risk-array kernel (trap → JS twin) and its memory. */
export interface RevaluationBackend {
  readonly allocator: ColumnAllocator;
  runRiskArrays: MarginKernels['riskArrays'];
}

/** Scenario returns: M × m row-major (scenario s, factor j). */
export interface Scenarios {
  readonly count: number;
  readonly returns: Float64Array;
}

/**
 * Rows [from, to) of the risk array (default: all, (instruments + assets) × M), P&L per unit (USD), row-major, as a
 * column of the backend's allocator (the caller releases it). `g.value` holds the base values (options: the Greeks
 * kernel's price; linear: the mark). Each row is computed alone, so a slice has the bits of the same rows of the
 * whole array (workers split it by rows: src/methods/method.ts InstrumentTable).
 */
export function revalue(
  layout: BookLayout, market: MarketLayout, factors: RiskFactors, g: InstrumentGreeks, sc: Scenarios, backend: RevaluationBackend,
  from = 0, to = riskArrayRows(layout),
): Column<'f64'> {
  const ins = layout.instruments;
  const nI = ins.count, U = layout.assets.length, M = sc.count, m = factors.symbols.length;
  const rows = to - from;
  const sizes: Record<ColumnName, number> = {
    kind: rows, underlying: rows, isCall: rows, strike: rows, expiryYears: rows, vol: rows, volScale: rows, baseValue: rows,
    spot: U, rate: U, carry: U, volFloor: U, spotMove: U * M, volShock: U * M, logMove: U * M, riskArray: rows * M,
  };
  const alloc = backend.allocator;
  const cols = Object.fromEntries(RISK_ARRAY_COLUMNS.map((k) => [k, Column.allocate(alloc, RISK_ARRAY_TYPES[k], sizes[k])])) as Record<ColumnName, Column>;
  const args = Column.allocate(alloc, 'i32', RISK_ARRAY_COLUMNS.length);
  try {
    // Views after every allocation: a growth of linear memory detaches earlier ones.
    const v = Object.fromEntries(RISK_ARRAY_COLUMNS.map((k) => [k, cols[k].array])) as unknown as RiskArrayColumns;
    const kind = ins.kind.array, underlying = ins.underlying.array, isCall = ins.isCall.array, strike = ins.strike.array;
    const expiry = market.expiryYears.array, impliedVol = market.impliedVol.array, price = market.price.array;
    for (let i = from; i < Math.min(to, nI); i++) {
      const r = i - from, option = kind[i] === KIND_OPTION;
      v.kind[r] = option ? RA_OPTION : KIND_LINEAR;
      v.underlying[r] = underlying[i];
      v.baseValue[r] = g.value[i];
      if (!option) continue;
      v.isCall[r] = isCall[i];
      v.strike[r] = strike[i];
      v.expiryYears[r] = expiry[i];
      v.vol[r] = impliedVol[i];
    }
    for (let u = Math.max(from, nI) - nI; u < to - nI; u++) {
      const r = nI + u - from;
      v.kind[r] = KIND_LINEAR;
      v.underlying[r] = u;
      v.baseValue[r] = price[u];
    }
    v.spot.set(price);
    v.rate.set(market.rate.array);
    v.carry.set(market.carry.array);
    const x = sc.returns, move = v.spotMove;
    for (let u = 0; u < U; u++) {
      const j = factors.factorOf[u];
      if (j < 0) continue; // riskless: no move
      const row = u * M;
      for (let s = 0; s < M; s++) move[row + s] = x[s * m + j];
    }
    backend.runRiskArrays(rows, U, M, cols, args);
    return cols.riskArray as Column<'f64'>;
  } catch (error) {
    cols.riskArray.release();
    throw error;
  } finally {
    for (const k of RISK_ARRAY_COLUMNS) if (k !== 'riskArray') cols[k].release();
    args.release();
  }
}

/** Rows of the risk array: one per instrument, then one per asset (collateral balances). */
export function riskArrayRows(layout: BookLayout): number {
  return layout.instruments.count + layout.assets.length;
}
