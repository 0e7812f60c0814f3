/**
 * GET /report at any size: the JSON of `live.report()`, byte for byte, written as it is made. The rows are first
 * copied, `reportSliceRows` (options.ts) at a time with a turn of the event loop between slices, into columns of the
 * report's own (src/margin/summary-rows.ts), while the book lock holds fills, transfers and ticks back (reads go on);
 * the totals are summed over that copy, the lock is released, and the rows are turned into JSON a chunk at a time, at
 * the pace the client reads. So the report is one snapshot, no request waits behind a whole report, and memory holds
 * the copy's columns (about 100 bytes per account), never a row object per account.
 *
 * A run with a breakdown has no summary columns: its rows are built one by one (`accountAt`) with the lock held until
 * the last is written.
 */
import type { LiveSession } from '../live/live-session.js';
import type { SummaryColumns } from '../margin/build-report.js';
import type { AccountMargin, MarginReport, MarginTotals } from '../margin/report.js';
import { joinedReasons, type RowBlock, summaryRow, type SummaryRows, summaryTotals } from '../margin/summary-rows.js';
import { withWarnings } from '../model/warnings.js';
import type { InputProblem } from '../errors.js';
import type { BookLock } from './book-lock.js';

/** Rows turned into JSON per write. */
const ROWS_PER_WRITE = 250;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The report's rows and totals, copied a slice at a time (the lock held by the caller). */
async function snapshot(live: LiveSession, slice: number): Promise<{ rows: SummaryRows; totals: MarginTotals } | undefined> {
  const parts = live.reportParts;
  const layout = live.layout;
  const liveColumn = layout.live.array;
  const masters = parts.accountMasters;
  // a row: a live account, or a coin-margined account the run set aside (reported in status error), as buildReport lists them
  const isRow = (a: number) => layout.accountIds[a] !== null && (liveColumn[a] !== 0 || parts.setAside?.has(a) === true);
  // row k ↔ live account a, in layout order (build-report.ts lists the same rows): when every slot of the layout is a
  // live account (a book as opened), row k is account k and the layout's own arrays serve; else they are gathered
  let everyLive = true;
  for (let a = 0; a < layout.accountCount && everyLive; a++) everyLive = isRow(a);
  let ids: readonly string[], rowMasters: readonly (string | undefined)[] | undefined;
  if (everyLive) {
    ids = layout.accountIds as readonly string[];
    rowMasters = masters;
  } else {
    const gathered: string[] = [], gatheredMasters: (string | undefined)[] = [];
    for (let a = 0; a < layout.accountCount; a++) {
      if (a > 0 && a % slice === 0) await turn();
      if (!isRow(a)) continue;
      gathered.push(layout.accountIds[a] as string);
      if (masters) gatheredMasters.push(masters[a]);
    }
    ids = gathered;
    rowMasters = masters ? gatheredMasters : undefined;
  }
  const count = ids.length;
  const blocks: RowBlock[] = [];
  const reasons: ((i: number) => string | undefined)[] = [];
  const errors = new Map<number, string>();
  const currencies = new Map<number, { currency: string; price: number }>();
  const block = new Int32Array(count), at = new Int32Array(count);
  let anyReason = false;
  for (let from = 0, b = 0; from < count; from += slice, b++) {
    if (from > 0) await turn();
    const to = Math.min(count, from + slice);
    const columns: SummaryColumns | undefined = parts.rowColumns(from, to);
    if (columns === undefined) return undefined;
    blocks.push(columns);
    for (let k = from; k < to; k++) {
      block[k] = b;
      at[k] = k - from;
    }
    for (const [i, message] of columns.errors) errors.set(from + i, message);
    // coin-margined rows: their currency and USD price, for the row's USD view and the totals in USD
    for (const [i, currency, price] of columns.currencies ?? []) currencies.set(from + i, { currency, price });
    reasons.push(columns.reasons !== undefined && columns.reasonEnds !== undefined ? joinedReasons(columns.reasons, columns.reasonEnds) : () => undefined);
    anyReason ||= columns.reasons !== undefined;
  }
  const rows: SummaryRows = { count, ids, blocks, block, at, errors, ...(rowMasters ? { masters: rowMasters } : {}), ...(currencies.size > 0 ? { currencies } : {}) };
  if (anyReason) rows.ownReason = (k) => reasons[block[k]](at[k]);
  return { rows, totals: summaryTotals(rows) };
}

/**
 * The report's JSON in pieces: `{ ...head, "accounts": [rows], "totals": …, "warnings"? }`, exactly
 * `JSON.stringify(live.report())`. The lock is held while the rows are copied (or, with a breakdown, until the last
 * row is made) and released when the generator ends or is dropped (a client that went away).
 */
export async function* reportChunks(live: LiveSession, lock: BookLock, slice: number): AsyncGenerator<string> {
  const parts = live.reportParts;
  let release: (() => void) | undefined = lock.read();
  try {
    const head = parts.reportHead();
    const warnings = parts.inputWarnings;
    const copy = await snapshot(live, slice);
    // the master/subaccount roll-up (books with masters), from the same state as the rows
    const subaccounts = live.subaccounts();
    if (copy === undefined) {
      // a breakdown: rows made one by one, the lock held throughout
      const indices = liveIndices(live);
      yield* reportText(head, warnings, parts.totals(), subaccounts, indices.length, (k) => parts.accountAt(indices[k]));
      return;
    }
    release();
    release = undefined;
    const { rows, totals } = copy;
    yield* reportText(head, warnings, totals, subaccounts, rows.count, (k) => summaryRow(rows, k));
  } finally {
    release?.();
  }
}

function liveIndices(live: LiveSession): number[] {
  const layout = live.layout, liveColumn = layout.live.array, aside = live.reportParts.setAside, out: number[] = [];
  for (let a = 0; a < layout.accountCount; a++) if (layout.accountIds[a] !== null && (liveColumn[a] !== 0 || aside?.has(a) === true)) out.push(a);
  return out;
}

async function* reportText(
  head: object, warnings: readonly InputProblem[], totals: MarginTotals, subaccounts: MarginReport['subaccounts'], count: number, row: (k: number) => AccountMargin,
): AsyncGenerator<string> {
  const marker = '\u0000margin-core:rows\u0000';
  // key order as live.report(): the roll-up after the warnings (it is set on the built report)
  const shell = JSON.stringify({ ...withWarnings({ ...head, accounts: marker, totals }, warnings), ...(subaccounts !== undefined ? { subaccounts } : {}) });
  const cut = shell.indexOf(JSON.stringify(marker));
  yield `${shell.slice(0, cut)}[`;
  for (let k = 0; k < count; k += ROWS_PER_WRITE) {
    const end = Math.min(count, k + ROWS_PER_WRITE);
    let text = k === 0 ? '' : ',';
    for (let j = k; j < end; j++) text += (j === k ? '' : ',') + JSON.stringify(row(j));
    yield text;
    await turn();
  }
  yield `]${shell.slice(cut + JSON.stringify(marker).length)}`;
}
