/**
 * A market snapshot laid out next to a book layout, in columns of its own, so that a new snapshot
 * is a rewrite of these columns only (same `ptr`s while the book's asset and instrument counts fit).
 *
 * Per asset (layout asset order): price, vol, rate, carry; the correlation matrix row-major.
 * Per instrument (book row order): expiryYears, impliedVol, mark, markSource and forwardGrowth.
 */

import { ProblemList } from '../errors.js';
import { Column } from '../memory/columns.js';
import type { ColumnAllocator } from '../memory/columns.js';
import { assertValidatedMarket } from '../model/brand.js';
import { keyPath } from '../model/checks.js';
import { MS_PER_YEAR, yearsBetween } from '../model/time.js';
import { GREEKS_LIMITS } from '../model/greeks-limits.js';
import { expiredBefore, tooFarMessage } from '../model/validate-market.js';
import type { OptionGrowth } from '../model/mark-bounds.js';
import type { ValidatedMarket } from '../model/types.js';
import type { BookLayout } from './book-layout.js';
import { KIND_FUTURE, KIND_OPTION, MARK_DERIVED, MARK_NONE, MARK_QUOTED } from './codes.js';
import { hasMarkBound, rowMarkProblem } from './row-mark.js';

export class MarketLayout {
  /** f64 per asset: spot price in USD. */
  readonly price: Column<'f64'>;
  /** f64 per asset: annualised vol (decimal). */
  readonly vol: Column<'f64'>;
  /** f64 per asset: continuously compounded rate per year. */
  readonly rate: Column<'f64'>;
  /** f64 per asset: continuous carry yield q per year. */
  readonly carry: Column<'f64'>;
  /** f64, assetCount² row-major in layout asset order; zero-vol assets absent from the input correlate 0. */
  readonly correlation: Column<'f64'>;
  /** f64 per instrument: years (ACT/365) from the valuation time to expiry; 0 for non-expiring instruments. */
  readonly expiryYears: Column<'f64'>;
  /** f64 per instrument: implied vol for options, 0 otherwise. */
  readonly impliedVol: Column<'f64'>;
  /**
   * f64 per instrument: mark per unit of the underlying in the instrument's quote (USD; USD per coin for inverse
   * contracts; coin for coin-settled options; the settlement asset for linear contracts settled in one); see `markSource`.
   */
  readonly mark: Column<'f64'>;
  /** u8 per instrument: MARK_NONE (options without a quote: price them), MARK_QUOTED or MARK_DERIVED. */
  readonly markSource: Column<'u8'>;
  /**
   * f64 per instrument: an option's forward over its underlying's index, e^{(r−q)·T} (a coin-settled option's OTM is
   * measured against that forward, as its premium is C/F: src/kernels/js/margin.ts); 1 for the other instruments.
   */
  readonly forwardGrowth: Column<'f64'>;
  valuationTime = '';
  valuationMs = NaN;

  constructor(
    allocator: ColumnAllocator,
    readonly assetCount: number,
    readonly instrumentCount: number,
  ) {
    this.price = Column.allocate(allocator, 'f64', assetCount);
    this.vol = Column.allocate(allocator, 'f64', assetCount);
    this.rate = Column.allocate(allocator, 'f64', assetCount);
    this.carry = Column.allocate(allocator, 'f64', assetCount);
    this.correlation = Column.allocate(allocator, 'f64', assetCount * assetCount);
    this.expiryYears = Column.allocate(allocator, 'f64', instrumentCount);
    this.impliedVol = Column.allocate(allocator, 'f64', instrumentCount);
    this.mark = Column.allocate(allocator, 'f64', instrumentCount);
    this.markSource = Column.allocate(allocator, 'u8', instrumentCount);
    this.forwardGrowth = Column.allocate(allocator, 'f64', instrumentCount);
  }

  get byteLength(): number {
    return this.columns().reduce((bytes, column) => bytes + column.byteLength, 0);
  }

  release(): void {
    for (const column of this.columns()) column.release();
  }

  private columns(): Column[] {
    return [this.price, this.vol, this.rate, this.carry, this.correlation, this.expiryYears, this.impliedVol, this.mark, this.markSource, this.forwardGrowth];
  }
}

/** The market applied last to each book layout: its columns are rewritten by the next snapshot, released with the book. */
const applied = new WeakMap<BookLayout, MarketLayout>();

/**
 * Writes a validated market into the columns kept beside `layout` (allocated on first use, or when the book
 * gained assets or instruments) and returns them. Touches no book column. Checks what validateMarket could not
 * know if the book was mutated since: every layout asset priced, every option with an implied vol and
 * not expired before the valuation time. O(assets² + instruments).
 */
export function applyMarket(layout: BookLayout, market: ValidatedMarket): MarketLayout {
  assertValidatedMarket(market);
  checkCoverage(layout, market);
  const nAssets = layout.assets.length;
  const nInstruments = layout.instruments.count;
  let target = applied.get(layout);
  if (!target || target.assetCount !== nAssets || target.instrumentCount !== nInstruments) {
    if (target) target.release();
    else layout.onRelease(() => applied.get(layout)?.release());
    target = new MarketLayout(layout.allocator, nAssets, nInstruments);
    applied.set(layout, target);
  }
  writeAssets(layout, market, target);
  writeInstruments(layout, market, target);
  target.valuationTime = market.valuationTime;
  target.valuationMs = market.valuationMs;
  layout.marketStale = false;
  return target;
}

function checkCoverage(layout: BookLayout, market: ValidatedMarket): void {
  const problems = new ProblemList();
  for (const symbol of layout.assets) {
    if (!market.assets.has(symbol)) problems.add(keyPath('market.assets', symbol), 'missing (the book uses this asset)');
  }
  const table = layout.instruments;
  const expiryMs = table.expiryMs.array;
  for (let row = 0; row < table.count; row++) {
    if (expiredBefore(expiryMs[row], market.valuationMs)) {
      problems.add(`instruments[${row}].expiry`, `expired before the valuation time (${market.valuationTime})`);
    }
    const years = yearsBetween(market.valuationMs, expiryMs[row]); // NaN (never expires) fails the test
    if (years > GREEKS_LIMITS.expiryYearsMax) problems.add(`instruments[${row}].expiry`, tooFarMessage(years));
    if (table.isOption(row) && !market.impliedVols.has(table.ids[row])) {
      problems.add(keyPath('market.impliedVols', table.ids[row]), `missing implied vol for option instruments[${row}]`);
    }
  }
  if (problems.size === 0) checkMarks(layout, market, problems);
  problems.throwIfAny();
}

/**
 * A quoted mark held to what its instrument can be worth (model/mark-bounds.ts), as where a book meets its market: a
 * session given a market alone (session.margin, prepare, liquidate on a session) had taken a USD call marked 1e9 and an
 * inverse perpetual marked 1e-9 that engine.margin refuses. Only the marks of the book's instruments are read.
 */
function checkMarks(layout: BookLayout, market: ValidatedMarket, problems: ProblemList): void {
  const table = layout.instruments;
  const priceOf = (a: number) => market.assets.get(layout.assets[a])!.price;
  for (const [id, mark] of market.marks) {
    const row = table.indexById.get(id);
    if (row === undefined || !hasMarkBound(layout, row)) continue;
    const asset = market.assets.get(layout.assets[table.underlying.array[row]])!;
    const growth = { rate: asset.rate, carry: asset.carry, years: Math.max(0, yearsBetween(market.valuationMs, table.expiryMs.array[row])) };
    const wrong = rowMarkProblem(layout, row, mark, priceOf, growth);
    if (wrong !== null) problems.add(keyPath('market.marks', id), wrong);
  }
}

function writeAssets(layout: BookLayout, market: ValidatedMarket, target: MarketLayout): void {
  const n = layout.assets.length;
  const price = target.price.array;
  const vol = target.vol.array;
  const rate = target.rate.array;
  const carry = target.carry.array;
  const correlation = target.correlation.array;
  // Input row of each layout asset, or -1 for zero-vol assets the correlation leaves out.
  const inputRow = new Int32Array(n);
  const order = market.correlation.assets;
  const rowBySymbol = new Map(order.map((symbol, i) => [symbol, i]));
  for (let i = 0; i < n; i++) {
    const symbol = layout.assets[i];
    const asset = market.assets.get(symbol)!;
    price[i] = asset.price;
    vol[i] = asset.vol;
    rate[i] = asset.rate;
    carry[i] = asset.carry;
    inputRow[i] = rowBySymbol.get(symbol) ?? -1;
  }
  const m = order.length;
  const input = market.correlation.matrix;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const r = inputRow[i];
      const c = inputRow[j];
      correlation[i * n + j] = i === j ? 1 : r < 0 || c < 0 ? 0 : input[r * m + c];
    }
  }
}

function writeInstruments(layout: BookLayout, market: ValidatedMarket, target: MarketLayout): void {
  const table = layout.instruments;
  const kind = table.kind.array;
  const expiryMs = table.expiryMs.array;
  const expiryYears = target.expiryYears.array;
  const impliedVol = target.impliedVol.array;
  for (let row = 0; row < table.count; row++) {
    const id = table.ids[row];
    const years = Number.isNaN(expiryMs[row]) ? 0 : (expiryMs[row] - market.valuationMs) / MS_PER_YEAR;
    expiryYears[row] = years;
    impliedVol[row] = kind[row] === KIND_OPTION ? (market.impliedVols.get(id) as number) : 0;
    writeMark(layout, target, row, market.marks.get(id));
    writeForwardGrowth(layout, target, row);
  }
}

/** Instrument `row`'s {@link MarketLayout.forwardGrowth} from the asset columns and its expiryYears in `target`. */
export function writeForwardGrowth(layout: BookLayout, target: MarketLayout, row: number): void {
  const table = layout.instruments, u = table.underlying.array[row];
  // the forward's own arithmetic (coin-valuation.ts forwardPrice: S·e^{(r−q)·T}): S × this is that forward's bits
  target.forwardGrowth.array[row] = table.kind.array[row] === KIND_OPTION ? Math.exp((target.rate.array[u] - target.carry.array[u]) * target.expiryYears.array[row]) : 1;
}

/**
 * Instrument `row`'s mark and mark source from its quoted mark (undefined: none) and the asset columns already in
 * `target` (its expiryYears too): the one rule a fresh market and a live tick (src/live/market-update.ts) both apply.
 */
export function writeMark(layout: BookLayout, target: MarketLayout, row: number, quoted: number | undefined): void {
  const table = layout.instruments;
  const kind = table.kind.array[row];
  const mark = target.mark.array;
  const markSource = target.markSource.array;
  if (quoted !== undefined) {
    mark[row] = quoted;
    markSource[row] = MARK_QUOTED;
    return;
  }
  if (kind === KIND_OPTION) {
    mark[row] = 0;
    markSource[row] = MARK_NONE;
    return;
  }
  const asset = table.underlying.array[row];
  const price = target.price.array, rate = target.rate.array, carry = target.carry.array;
  // Cost of carry: F = S·e^{(r−q)T}; T = 0 for spot and perpetuals gives S.
  mark[row] = kind === KIND_FUTURE ? price[asset] * Math.exp((rate[asset] - carry[asset]) * target.expiryYears.array[row]) : price[asset];
  markSource[row] = MARK_DERIVED;
  // a linear contract settled in another asset Y is quoted in Y: F / P_Y (inverse contracts keep F in USD)
  const settled = table.settlement.array[row];
  if (settled >= 0 && settled !== asset) mark[row] = mark[row] / price[settled];
}

/** What instrument `row`'s bound reads of the market (validate-market.ts optionMost): asset `u`'s rate and carry, its years to expiry. */
export function growthAt(m: MarketLayout, u: number, row: number): OptionGrowth {
  return { rate: m.rate.array[u], carry: m.carry.array[u], years: m.expiryYears.array[row] };
}
