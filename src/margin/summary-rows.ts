/**
 * A report's summary rows held as columns (figures in Float64Arrays, status codes, the few strings a row needs), and
 * built into row objects only when `report.accounts` is first read: a caller that wants the totals, or a few
 * accounts, or that forwards the report, does not pay for 10^5 row objects and their status reasons (perf: lazy-rows,
 * docs/performance.md). Both the single-process report (build-report.ts) and the sharded one (src/scale/merge.ts)
 * are made here: one mechanism.
 *
 * `report.accounts` stays a plain array of plain rows for every reader: the first read of the property (plain access,
 * JSON.stringify, spread, structuredClone, util.inspect) builds it and replaces the accessor by the array itself, in
 * the same key position, so keys, JSON and iteration are those of an eagerly built report.
 */
import type { AccountMargin, MarginReport, MarginTotals } from './report.js';
import { addAccount, newTotalSums, totalsOfSums, type TotalSums } from './exact-totals.js';
import { STATUS } from './status.js';
import { pooledStatusReason } from './status-reason.js';
import { defineLazyField } from '../model/lazy-field.js';
import type { IdText } from '../model/book-columns.js';
import { FIGURE_TABLE, type FigureName, type StoredFigure } from './figures.js';
import { figureModel, fromStored } from './figure-model.js';
import { type RowCurrencies, withCurrency } from './currency-view.js';

/**
 * The figures of a summary row, in the row's key order (the figure table, figures.ts): the figure columns below. The
 * table's; a reader that must see a test's extension of it reads figureModel().names.
 */
export const SUMMARY_FIGURES = Object.keys(FIGURE_TABLE) as readonly FigureName[];

/**
 * The figures a compact block stores: those read from a kernel column (figures.ts `column`); a row derives the others
 * from them (their formulas, the ones the report builder uses: the same bits). What a shard sends its coordinator: 7
 * figures, cash, status and a cash flag, 66 bytes per account instead of 90.
 */
export const STORED_FIGURES = SUMMARY_FIGURES.filter((name) => 'column' in FIGURE_TABLE[name]) as readonly StoredFigure[];

/** Bytes of a compact block of `n` rows in one buffer ({@link compactColumns}). */
export function compactBytes(n: number): number {
  return (figureModel().stored.length + 1) * 8 * n + 2 * n;
}

/**
 * The columns of a compact block of `n` rows laid out in one buffer of {@link compactBytes}(n) bytes: the stored
 * figures (8-byte aligned, first), cashUsd, status, hasCash. One buffer per block: one transfer, one buffer to reuse.
 */
export function compactColumns(buffer: ArrayBuffer, n: number): { figures: Float64Array; cashUsd: Float64Array; status: Uint8Array; hasCash: Uint8Array } {
  if (buffer.byteLength !== compactBytes(n)) throw new RangeError(`margin-core: a compact block of ${n} rows takes ${compactBytes(n)} bytes, not ${buffer.byteLength}`);
  const f = figureModel().stored.length * n;
  return {
    figures: new Float64Array(buffer, 0, f),
    cashUsd: new Float64Array(buffer, f * 8, n),
    status: new Uint8Array(buffer, (f + n) * 8, n),
    hasCash: new Uint8Array(buffer, (f + n) * 8 + n, n),
  };
}

/** Rows as one run or one shard's part produced them: the columns of `count` rows. */
export interface RowBlock {
  count: number;
  /**
   * A column of `count` per summary figure (figureModel().names), figure after figure (row i's equity at [i], its
   * equityIm at [count + i], …); in a compact block, one per stored figure (figureModel().stored).
   */
  figures: Float64Array;
  /** True: `figures` holds the stored figures, and a row derives the others from them. */
  compact?: boolean | undefined;
  /** `cashUsd` of the rows that have one (0 where `hasCash` is 0). */
  cashUsd: Float64Array;
  /** 1 where the row has `cashUsd`. */
  hasCash: Uint8Array;
  status: Uint8Array;
}

/**
 * Summary rows (no breakdown; a subaccount's row carries its master) as columns, rows in report order, left in the
 * blocks they came in (a single-process run: one block; a sharded run: one per shard part, in no order) and found
 * through `block` and `at`: merging shards copies no figure. A row's status reason is the pooled one (status-reason.ts `pooledStatusReason`,
 * made from its figures when the row is built) unless `ownReason` gives the method's own (isolated margin names the
 * worst position).
 */
export interface SummaryRows {
  count: number;
  /** Row k's account id. */
  ids: readonly string[];
  /** The ids' bytes as the book was read (src/model/book-columns.ts), when the rows are its accounts in order; else absent. */
  idText?: IdText | undefined;
  blocks: RowBlock[];
  /** Row k is row `at[k]` of `blocks[block[k]]`; both absent: row k of `blocks[0]`. */
  block?: Int32Array | undefined;
  at?: Int32Array | undefined;
  /** Row k's status reason when it is the method's own, else undefined (the pooled one). Absent: every row's is pooled. */
  ownReason?: ((k: number) => string | undefined) | undefined;
  /** Row index → message, for rows in status error. */
  errors: ReadonlyMap<number, string>;
  /** Row k's master (a subaccount's row carries `master` after its id); absent: no row has one. */
  masters?: readonly (string | undefined)[] | undefined;
  /**
   * Row index → the row's `backstopUsd` (src/subaccounts/policy.ts): cash a backstop moved, already in the row's
   * figures and `cashUsd`; such a row's status reason is the pooled one, made from its figures after the move.
   */
  backstops?: ReadonlyMap<number, number> | undefined;
  /** Row k's own method (an account naming its method carries `method`, its last key); absent: no row has one. */
  methods?: readonly (string | undefined)[] | undefined;
  /** Row index → the margin asset and its USD price of a coin-margined row (its figures in that asset); absent: none. */
  currencies?: RowCurrencies | undefined;
}

/**
 * Row k's own status reason from reasons joined one after another with their end offsets (build-report.ts
 * `ReasonJoiner`): an empty one is the pooled reason (undefined).
 */
export function joinedReasons(reasons: string, ends: Uint32Array): (k: number) => string | undefined {
  return (k) => {
    const start = k === 0 ? 0 : ends[k - 1];
    return ends[k] === start ? undefined : reasons.slice(start, ends[k]);
  };
}

/**
 * Row k as the report lists it: keys in the order of an eagerly built row (build-report.ts `rowOf`). `scratch`: room
 * for one row's figures (figureModel().names.length), for a compact block's (its derived figures recomputed there).
 */
export function summaryRow(s: SummaryRows, k: number, scratch?: Float64Array): AccountMargin {
  const b = s.blocks[s.block ? s.block[k] : 0], i = s.at ? s.at[k] : k;
  const model = figureModel();
  const status = STATUS[b.status[i]];
  const row = b.compact === true
    ? model.row(s.ids[k], s.masters?.[k], status, fromStored(model, scratch ?? new Float64Array(model.names.length), b.figures, b.count, i), 1, 0)
    : model.row(s.ids[k], s.masters?.[k], status, b.figures, b.count, i);
  const coin = s.currencies?.get(k);
  if (coin !== undefined) withCurrency(row, coin.currency, coin.price);
  if (b.hasCash[i] === 1) row.cashUsd = b.cashUsd[i];
  const backstopUsd = s.backstops?.get(k);
  if (backstopUsd !== undefined) row.backstopUsd = backstopUsd;
  row.statusReason = (backstopUsd === undefined ? s.ownReason?.(k) : undefined) ?? pooledStatusReason(status, row, coin?.currency);
  const error = s.errors.get(k);
  if (error !== undefined) row.error = error;
  const method = s.methods?.[k];
  if (method !== undefined) row.method = method;
  return row;
}

/** Every row, in order. */
export function summaryRowList(s: SummaryRows): AccountMargin[] {
  const rows = new Array<AccountMargin>(s.count);
  const scratch = new Float64Array(figureModel().names.length);
  for (let k = 0; k < s.count; k++) rows[k] = summaryRow(s, k, scratch);
  return rows;
}

/**
 * Totals over the rows, summed exactly (exact-totals.ts): the bits of build-report.ts `buildTotals` over the same
 * accounts, in any order.
 */
export function summaryTotals(s: SummaryRows): MarginTotals {
  return totalsOfSums(summarySums(s));
}

/**
 * The exact sums behind {@link summaryTotals}, unrounded (mergeable with other rows' sums); a coin-margined row's
 * figures in USD at its index (build-report.ts buildTotalSums).
 */
export function summarySums(s: SummaryRows): TotalSums {
  const t = newTotalSums();
  const { blocks, block, at, currencies } = s;
  // the summed figures' columns: their summary indices, or in a compact block their stored ones
  const model = figureModel(), summed = ['equity', 'im', 'mm', 'grossNotional'];
  const full = summed.map(model.at), compact = summed.map(model.storedIndex);
  for (let k = 0; k < s.count; k++) {
    const b = blocks[block ? block[k] : 0], i = at ? at[k] : k, n = b.count, f = b.figures;
    const p = currencies?.get(k)?.price ?? 1, c = b.compact === true ? compact : full;
    addAccount(t, b.status[i], f[c[0] * n + i] * p, f[c[1] * n + i] * p, f[c[2] * n + i] * p, f[c[3] * n + i] * p);
  }
  return t;
}

/**
 * The exact sums behind the totals of `rows`, the summary rows of `report` ({@link summaryRowsOfReport}): those its
 * totals were rounded from when it kept them and its totals are still those (a run's report: the kernels summed
 * them), else summed from the rows again ({@link summarySums}). What merges chunks' reports into a book's
 * (src/cli/margin-chunks.ts, report-stream.ts) reads.
 */
export function reportSums(report: MarginReport, rows: SummaryRows): TotalSums {
  const source = ROWS_OF_REPORT.get(report);
  // kept sums serve while the totals are still the ones rounded from them: whatever writes into the rows afterwards
  // (the backstop policy's covers, src/subaccounts/policy.ts) gives the report new totals
  const kept = source?.kept;
  return kept !== undefined && source!.rows === rows && report.totals === kept.totals ? kept.sums : summarySums(rows);
}

/** The columns a report's rows are made from, and the rows made from them once read. */
interface RowsSource {
  rows: SummaryRows;
  /** The exact sums its totals were rounded from, and those totals, when the report was made with them (build-report.ts). */
  kept?: { sums: TotalSums; totals: MarginTotals } | undefined;
  built?: AccountMargin[] | undefined;
  /** The caller assigned `report.accounts`. */
  replaced?: boolean | undefined;
  /** The columns were given to session.marginInto (another report's now): the rows are no longer this report's. */
  lent?: boolean | undefined;
}
const ROWS_OF_REPORT = new WeakMap<MarginReport, RowsSource>();

/**
 * The summary rows behind `report.accounts` while they are still its rows (not yet read, or read and not replaced
 * by the caller), else undefined: the report lists row objects only.
 */
export function summaryRowsOfReport(report: MarginReport): SummaryRows | undefined {
  const source = ROWS_OF_REPORT.get(report);
  if (source === undefined || source.replaced || source.lent) return undefined;
  const own = Object.getOwnPropertyDescriptor(report, 'accounts');
  if (own === undefined) return undefined;
  // unread (the accessor: a frozen report keeps it), or still the array built from the columns
  return own.get !== undefined || own.value === source.built ? source.rows : undefined;
}

/**
 * The summary rows behind `report.accounts` while no row object has been built from them (the property not yet
 * read), else undefined: what may still change the rows by changing the columns (src/subaccounts/policy.ts covers).
 */
export function unbuiltSummaryRows(report: MarginReport): SummaryRows | undefined {
  const source = ROWS_OF_REPORT.get(report);
  if (source === undefined || source.replaced || source.lent || source.built !== undefined) return undefined;
  return Object.getOwnPropertyDescriptor(report, 'accounts')?.get !== undefined ? source.rows : undefined;
}

/**
 * A report whose `accounts` are built from `rows` on first read (see the module comment; src/model/lazy-field.ts);
 * `head` holds the keys before `accounts` (method, profile, valuationTime, backend), `totals` comes after it.
 */
export function reportWithSummaryRows(head: Omit<MarginReport, 'accounts' | 'totals' | 'warnings'>, rows: SummaryRows, totals: MarginTotals, sums?: TotalSums): MarginReport {
  const report = { ...head } as MarginReport;
  const source: RowsSource = sums === undefined ? { rows } : { rows, kept: { sums, totals } };
  ROWS_OF_REPORT.set(report, source);
  defineLazyField(report, 'accounts', () => {
    // fail closed: the columns hold another report's figures now (they were written again by session.marginInto)
    if (source.lent) throw new TypeError(LENT_MESSAGE);
    return (source.built = summaryRowList(rows));
  }, () => (source.replaced = true));
  report.totals = totals;
  return report;
}

const LENT_MESSAGE = 'margin-core: this report\'s columns were given to session.marginInto and hold the newer report\'s figures: read the report it returned';

/**
 * The memory of a report's summary rows lent to the next report of the same rows (session.marginInto): the one block
 * of a single run's summary report, not yet lent. `lend()` marks the report as no longer owning them (reading its
 * unbuilt rows then throws; rows already built stay as they were).
 */
export interface LentRows {
  readonly rows: SummaryRows;
  readonly block: RowBlock;
  lend(): void;
}

/**
 * What `report` can lend (see {@link LentRows}), or why not: a report made by one run without breakdown (engine.margin,
 * session.margin or marginInto), whose columns were not lent before.
 */
export function lendableRows(report: unknown): LentRows | string {
  if (typeof report !== 'object' || report === null) return 'expected a margin report (what session.margin or marginInto returned)';
  const source = ROWS_OF_REPORT.get(report as MarginReport);
  if (source === undefined) return 'expected a report whose rows are columns (one method\'s run without breakdown: engine.margin, session.margin or marginInto); a breakdown report, or one of accounts with methods of their own, lists row objects: use margin';
  if (source.lent) return 'this report\'s columns were already given to marginInto: pass the report that call returned';
  const rows = source.rows, block = rows.blocks[0];
  // a sharded book's report (rows in several blocks, or compact ones) has no one block of the report's size to write
  if (rows.block !== undefined || rows.blocks.length !== 1 || block.compact === true || block.count !== rows.count) {
    return 'expected the report of one run (engine.margin, session.margin or marginInto), not of a sharded book';
  }
  return { rows, block, lend: () => void (source.lent = true) };
}
