/**
 * Every account's summary figures of a margin report as typed columns, in report order: how a consumer of a big book
 * reads all of it without 10^5 row objects. `report.accounts` builds its rows (and their status reasons) on first read
 * (perf: lazy-rows (docs/performance.md)); these columns are the figures the rows are made from, read where they lie.
 */
import type { MarginReport } from './report.js';
import { STATUS_CODE } from './status.js';
import { figureModel } from './figure-model.js';
import type { FigureName } from './figures.js';
import { type RowBlock, summaryRowsOfReport, type SummaryRows } from './summary-rows.js';
import type { IdText } from '../model/book-columns.js';

/** A summary figure of an account row (`AccountMargin`): a figure of the table (figures.ts), one column each in {@link AccountColumns}. */
export type SummaryFigure = FigureName;

/**
 * Column k of each array is the report's row k (`report.accounts[k]`), bit for bit. The arrays may be views on the
 * report's own storage: read them, do not write them.
 */
export type AccountColumns = { readonly [F in SummaryFigure]: Float64Array } & {
  readonly count: number;
  readonly ids: readonly string[];
  /** The ids as the bytes they were read from, when the report has them (src/model/book-columns.ts IdText); else absent. */
  readonly idText?: IdText | undefined;
  /** Status codes: row k's status is `STATUS[status[k]]`. */
  readonly status: Uint8Array;
  /** Settled cash (USD), 0 where the row has no `cashUsd`. */
  readonly cashUsd: Float64Array;
  /** Row index → why its status is `error`. */
  readonly errors: ReadonlyMap<number, string>;
};


/**
 * The report's account figures as columns (see {@link AccountColumns}). A summary report (no breakdown)
 * is read from the columns behind its rows, built or not: views when the rows came from one run, each column gathered
 * on its first read when they came from a sharded book's parts. Any other report (rows already objects) is read from its rows.
 */
export function accountColumns(report: MarginReport): AccountColumns {
  const rows = typeof report === 'object' && report !== null ? summaryRowsOfReport(report) : undefined;
  if (rows) return fromSummaryRows(rows); // before reading report.accounts, which would build every row
  if (!isMarginReport(report)) {
    throw new TypeError('accountColumns: expected a margin report (what engine.margin or session.margin returns), with an accounts array');
  }
  return fromRowObjects(report);
}

function fromSummaryRows(s: SummaryRows): AccountColumns {
  const n = s.count;
  const columns: Record<string, unknown> = { count: n, ids: s.ids, errors: s.errors };
  if (s.block === undefined && s.blocks.length <= 1) {
    // one run's rows, in order: views, no copy
    const b = s.blocks[0] ?? { count: 0, figures: new Float64Array(0), cashUsd: new Float64Array(0), status: new Uint8Array(0) };
    figureModel().names.forEach((name, f) => (columns[name] = b.figures.subarray(f * n, (f + 1) * n)));
    columns.status = b.status.subarray(0, n);
    columns.cashUsd = b.cashUsd.subarray(0, n);
    if (s.idText !== undefined) columns.idText = s.idText;
    return columns as AccountColumns;
  }
  return new GatheredColumns(s) as unknown as AccountColumns;
}

/**
 * A sharded book's rows, each in its part's block (found through `block` and `at`): each column gathered into report
 * order on its first read, figure by figure (one source array per part: a pass per figure reads few streams at once),
 * so a consumer that reads four figures allocates four columns, not twelve.
 */
class GatheredColumns {
  readonly count: number;
  readonly ids: readonly string[];
  readonly errors: ReadonlyMap<number, string>;

  constructor(s: SummaryRows) {
    this.count = s.count;
    this.ids = s.ids;
    this.errors = s.errors;
    const { blocks, count } = s, block = s.block as Int32Array, at = s.at as Int32Array;
    // each column an accessor that gathers it and puts it in its own place: a loop reading c.im[k] reads a property
    const lazy = (name: string, gather: () => Float64Array | Uint8Array) => Object.defineProperty(this, name, {
      get: () => {
        const value = gather();
        Object.defineProperty(this, name, { value, enumerable: true });
        return value;
      },
      enumerable: true,
      configurable: true,
    });
    // a figure's column in each block: its summary index, or in a compact block (a shard's) its stored index; a figure
    // a compact block does not store is derived in the gather from the two it is made from (its formula in the figure
    // table, figures.ts: the function every other block's figure came from, so the same bits)
    const model = figureModel();
    const compact = blocks.some((b) => b.compact === true && b.count > 0);
    const stored = (name: string) => model.stored.indexOf(name);
    const derived = (f: number): (() => Float64Array) | undefined => {
      const d = model.derived.find((d) => d.at === f);
      if (!compact || d === undefined) return undefined;
      const x = stored(model.names[d.x]), y = stored(model.names[d.y]);
      return () => gatherDerived(new Float64Array(count), blocks, block, at, x, y, f, d.formula);
    };
    model.names.forEach((name, f) => {
      const s = stored(name);
      lazy(name, derived(f) ?? (() => gather64(new Float64Array(count), blocks.map((b) => b.figures), Int32Array.from(blocks, (b) => (b.compact === true ? s : f) * b.count), block, at)));
    });
    lazy('cashUsd', () => gather64(new Float64Array(count), blocks.map((b) => b.cashUsd), new Int32Array(blocks.length), block, at));
    lazy('status', () => gather8(new Uint8Array(count), blocks.map((b) => b.status), new Int32Array(blocks.length), block, at));
  }
}

/** into[k] = sources[block[k]][offsets[block[k]] + at[k]]. */
function gather64(into: Float64Array, sources: Float64Array[], offsets: Int32Array, block: Int32Array, at: Int32Array): Float64Array {
  for (let k = 0; k < into.length; k++) {
    const b = block[k];
    into[k] = sources[b][offsets[b] + at[k]];
  }
  return into;
}

/**
 * into[k] = figure(x, y) of row k's stored figures x and y (stored indices) in a compact block, or its figure f
 * (summary index) in another block.
 */
function gatherDerived(into: Float64Array, blocks: readonly RowBlock[], block: Int32Array, at: Int32Array, x: number, y: number, f: number, figure: (a: number, b: number) => number): Float64Array {
  for (let k = 0; k < into.length; k++) {
    const b = blocks[block[k]], i = at[k], n = b.count, values = b.figures;
    into[k] = b.compact === true ? figure(values[x * n + i], values[y * n + i]) : values[f * n + i];
  }
  return into;
}

/** {@link gather64} for byte columns. */
function gather8(into: Uint8Array, sources: Uint8Array[], offsets: Int32Array, block: Int32Array, at: Int32Array): Uint8Array {
  for (let k = 0; k < into.length; k++) {
    const b = block[k];
    into[k] = sources[b][offsets[b] + at[k]];
  }
  return into;
}

// perf: one-type-per-loop (docs/performance.md)

function fromRowObjects(report: MarginReport): AccountColumns {
  const accounts = report.accounts, n = accounts.length;
  const status = new Uint8Array(n), cashUsd = new Float64Array(n);
  const names = figureModel().names as readonly SummaryFigure[];
  const figures = names.map(() => new Float64Array(n));
  const errors = new Map<number, string>();
  for (let k = 0; k < n; k++) {
    const row = accounts[k];
    status[k] = STATUS_CODE.get(row.status) as number;
    cashUsd[k] = row.cashUsd ?? 0;
    for (let f = 0; f < figures.length; f++) figures[f][k] = row[names[f]];
    if (row.error !== undefined) errors.set(k, row.error);
  }
  const columns: Record<string, unknown> = { count: n, ids: accounts.map((row) => row.id), status, cashUsd, errors };
  names.forEach((name, f) => (columns[name] = figures[f]));
  return columns as AccountColumns;
}

/**
 * Whether `value` has a margin report's shape: its accounts, method, and totals with IM and the count by status. A
 * liquidation report, a book or a comparison (accounts without those totals) is none: read as one, every figure was NaN.
 */
export function isMarginReport(value: unknown): value is MarginReport {
  const r = value as Partial<MarginReport> | null;
  if (typeof r !== 'object' || r === null || typeof r.method !== 'string') return false;
  // accounts built on first read (a lazy field) are not read here: a million rows would be built to answer
  const accounts = Object.getOwnPropertyDescriptor(r, 'accounts');
  if (accounts === undefined || (accounts.get === undefined && !Array.isArray(accounts.value))) return false;
  const totals = r.totals as Partial<MarginReport['totals']> | undefined;
  return typeof totals === 'object' && totals !== null && typeof totals.im === 'number' && typeof totals.byStatus === 'object' && totals.byStatus !== null;
}
