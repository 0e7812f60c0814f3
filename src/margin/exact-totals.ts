/**
 * A margin report's totals, summed exactly (src/kernels/js/exact-sum.ts, assembly/sum/exact.ts): the sums of equity,
 * IM, MM and gross notional over the accounts not in status error are each the exact sum rounded once, so they have
 * the same bits whatever the order of the accounts and however the book is split (one thread, N workers, N Redis
 * shards: each sums its own rows and the coordinator merges the accumulators).
 *
 * A total that leaves accounts out says so: `complete` is false when some account is in status error, and `covered`
 * counts the accounts the sums cover (of `accounts`).
 */
import { Column } from '../memory/columns.js';
import type { MarginKernels } from '../kernels/backend.js';
import { ACC_SLOTS, exactAddOneJs, exactMergeJs, exactRoundJs, exactTotalsJs, newAccumulators } from '../kernels/js/exact-sum.js';
import type { AccountMargin, MarginTotals } from './report.js';
import { STATUS, STATUS_ERROR } from './status.js';
import { efficiencyOf } from './derived-figures.js';

/** The sums a report's totals round: equity, IM, MM, gross notional, gross notional of the accounts with IM > 0. */
export const TOTAL_SUM_COUNT = 5;
const EQUITY = 0, IM = 1, MM = 2, GROSS = 3, GROSS_WITH_IM = 4;

/** Accumulators (TOTAL_SUM_COUNT × ACC_SLOTS f64s) and the accounts counted by status code. */
export interface TotalSums {
  readonly sums: Float64Array;
  readonly counts: Int32Array;
}

export function newTotalSums(): TotalSums {
  return { sums: newAccumulators(TOTAL_SUM_COUNT), counts: new Int32Array(STATUS.length) };
}

/** Adds one account's figures (status code `status`): counted, and summed unless in error. */
export function addAccount(t: TotalSums, status: number, equity: number, im: number, mm: number, gross: number): void {
  t.counts[status]++;
  if (status === STATUS_ERROR) return;
  const s = t.sums;
  exactAddOneJs(s, EQUITY * ACC_SLOTS, equity);
  exactAddOneJs(s, IM * ACC_SLOTS, im);
  exactAddOneJs(s, MM * ACC_SLOTS, mm);
  exactAddOneJs(s, GROSS * ACC_SLOTS, gross);
  if (im > 0) exactAddOneJs(s, GROSS_WITH_IM * ACC_SLOTS, gross);
}

/** Adds the IM sum of `from` (accounts not in error) to the accumulator at `at` of `into`. */
export function addImSum(into: Float64Array, at: number, from: TotalSums): void {
  exactMergeJs(into, at, from.sums, IM * ACC_SLOTS);
}

/** Adds `from` to `into` (the coordinator's merge of shards' sums). */
export function mergeTotalSums(into: TotalSums, from: TotalSums): void {
  for (let k = 0; k < TOTAL_SUM_COUNT; k++) exactMergeJs(into.sums, k * ACC_SLOTS, from.sums, k * ACC_SLOTS);
  for (let s = 0; s < into.counts.length; s++) into.counts[s] += from.counts[s];
}

/** The report's totals from the sums: each rounded once. */
export function totalsOfSums(t: TotalSums): MarginTotals {
  const s = t.sums;
  const equity = exactRoundJs(s, EQUITY * ACC_SLOTS), im = exactRoundJs(s, IM * ACC_SLOTS), mm = exactRoundJs(s, MM * ACC_SLOTS);
  const grossNotional = exactRoundJs(s, GROSS * ACC_SLOTS), grossWithIm = exactRoundJs(s, GROSS_WITH_IM * ACC_SLOTS);
  const byStatus = Object.fromEntries(STATUS.map((name, code) => [name, t.counts[code]])) as MarginTotals['byStatus'];
  let accounts = 0;
  for (let code = 0; code < t.counts.length; code++) accounts += t.counts[code];
  const covered = accounts - t.counts[STATUS_ERROR];
  return { accounts, byStatus, complete: covered === accounts, covered, equity, im, mm, grossNotional, efficiency: efficiencyOf(grossWithIm, im) };
}

/** Report totals from row objects. */
export function totalsOfRows(rows: readonly AccountMargin[]): MarginTotals {
  return totalsOfSums(sumsOfRows(rows));
}

/** The exact sums behind the totals of row objects, unrounded (a coin-margined row through its `usd` view). */
export function sumsOfRows(rows: readonly AccountMargin[]): TotalSums {
  const t = newTotalSums();
  for (const r of rows) {
    const f = r.usd ?? r;
    addAccount(t, STATUS.indexOf(r.status), f.equity, f.im, f.mm, f.grossNotional);
  }
  return t;
}

/** The columns the totals read: per account, live flag and status (u8), equity, IM, MM, gross notional (f64). */
export interface TotalsColumns {
  live: Column<'u8'>;
  status: Column<'u8'>;
  equity: Column<'f64'>;
  im: Column<'f64'>;
  mm: Column<'f64'>;
  gross: Column<'f64'>;
}

/**
 * The sums over accounts [first, last) of the columns, live accounts only, by the kernels (WASM when the columns live
 * in its memory, else the JS twin: the same accumulator state either way).
 */
export function columnSums(columns: TotalsColumns, first: number, last: number, kernels?: MarginKernels): TotalSums {
  const t = newTotalSums();
  if (kernels && columns.equity.allocator.linear) {
    const acc = Column.allocate(columns.equity.allocator, 'f64', TOTAL_SUM_COUNT * ACC_SLOTS);
    const args = Column.allocate(columns.equity.allocator, 'i32', 6);
    try {
      kernels.exactTotals(columns, args, acc, first, last);
      t.sums.set(acc.array);
    } finally {
      acc.release();
      args.release();
    }
  } else {
    exactTotalsJs(t.sums, { live: columns.live.array, status: columns.status.array, equity: columns.equity.array, im: columns.im.array, mm: columns.mm.array, gross: columns.gross.array }, first, last);
  }
  const live = columns.live.array, status = columns.status.array, counts = t.counts;
  for (let a = first; a < last; a++) if (live[a] !== 0) counts[status[a]]++;
  return t;
}
