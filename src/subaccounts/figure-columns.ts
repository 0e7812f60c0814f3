/**
 * The figures a roll-up reads of every account (equities, IM and MM in USD, status code), as columns in book order,
 * copied from the runs' output columns while each run is open (src/subaccounts/policy.ts). A coin-margined account's
 * figures are in its coin in the run: they are copied in USD, each times its coin's index price (its row's `usd` view,
 * the figures the report's totals add), so that a master's sums and the totals never add coins to dollars.
 *
 * Why not read the report's rows: a book with masters has rows of several shapes (a master's row has no `master`,
 * some rows carry `cashUsd`, covered rows gain `backstopUsd`). perf: lazy-rows (docs/performance.md)
 * The columns hold the very values the rows were built from (build-report.ts copies them), so sums over them have
 * the rows' bits.
 */
import { usdPerUnitOf } from '../layout/coin-layout.js';
import type { MethodContext } from '../methods/method.js';
import type { ValidatedBook } from '../model/types.js';
import { STATUS_ERROR } from '../margin/status.js';

export class FigureColumns {
  readonly equity: Float64Array;
  readonly equityIm: Float64Array;
  readonly equityMm: Float64Array;
  readonly im: Float64Array;
  readonly mm: Float64Array;
  /** Status codes (src/margin/status.ts STATUS order). */
  readonly status: Uint8Array;

  constructor(readonly count: number) {
    const f64 = new Float64Array(5 * count);
    this.equity = f64.subarray(0, count);
    this.equityIm = f64.subarray(count, 2 * count);
    this.equityMm = f64.subarray(2 * count, 3 * count);
    this.im = f64.subarray(3 * count, 4 * count);
    this.mm = f64.subarray(4 * count, 5 * count);
    this.status = new Uint8Array(count);
  }

  /**
   * Copies the figures of the run's rows, which are the book's accounts in book order (the caller checks the report
   * built from the same run lists them so): all of them, or those whose entry in `methods` is `method`. A row is a live
   * account or one the run set aside (`setAside`: out of the run while it lasts, so not live, yet a row in status
   * error); skipping those would shift every later account onto the wrong row.
   */
  take(ctx: MethodContext, methods: readonly string[] | null, method: string, setAside?: ReadonlyMap<number, string>): void {
    const layout = ctx.layout, out = ctx.out, ids = layout.accountIds, live = layout.live.array;
    const equity = out.equity.array, equityIm = out.equityIm.array, equityMm = out.equityMm.array;
    const im = out.im.array, mm = out.mm.array, status = out.status.array;
    const marginAsset = layout.marginAsset.array, price = ctx.market.price.array;
    let i = 0;
    for (let a = 0; a < layout.accountCount && i < this.count; a++) {
      if (ids[a] === null || (live[a] === 0 && setAside?.has(a) !== true)) continue; // the report's rule for a row (build-report.ts)
      if (setAside?.has(a) === true) {
        if (methods === null || methods[i] === method) this.setError(i);
      } else if (methods === null || methods[i] === method) {
        const usd = usdPerUnitOf(marginAsset, price, a); // × 1 for a USD account: the same bits
        this.equity[i] = equity[a] * usd;
        this.equityIm[i] = equityIm[a] * usd;
        this.equityMm[i] = equityMm[a] * usd;
        this.im[i] = im[a] * usd;
        this.mm[i] = mm[a] * usd;
        this.status[i] = status[a];
      }
      i++;
    }
  }

  /** Row `i` in status error: no figures (sums skip it, as the report's totals do). */
  private setError(i: number): void {
    this.equity[i] = this.equityIm[i] = this.equityMm[i] = this.im[i] = this.mm[i] = 0;
    this.status[i] = STATUS_ERROR;
  }
}

/** One set per book, reused by every call (a margin call fills it before reading it; calls never interleave). */
const byBook = new WeakMap<ValidatedBook, FigureColumns>();

export function figureColumns(book: ValidatedBook): FigureColumns {
  let c = byBook.get(book);
  if (!c || c.count !== book.accounts.length) byBook.set(book, (c = new FigureColumns(book.accounts.length)));
  return c;
}
