/**
 * A market tick: new prices, vols, rates or carries of some assets, new marks of some instruments, new implied
 * vols of some options. Validated against the live market and book before anything is applied, every problem
 * with its path (`tick.assets.BTC.price: not positive (-1); expected > 0`, `tick.marks["XYZ"]: unknown
 * instrument`), with the market snapshot's rules plus the Greeks kernels' domain (src/model/greeks-limits.ts), so a
 * valid tick can always be priced. A price move carries the quoted marks of the futures and perpetuals on the asset
 * with it, unless the tick gives them (src/live/tick-marks.ts): the validated tick holds those marks.
 *
 * ```json
 * { "assets": { "BTC": { "price": 92000, "vol": 0.55 } }, "marks": { "BTC-PERP": 92010 }, "impliedVols": { "BTC-27NOV26-100000-C": 0.57 } }
 * ```
 */
import { describeValue, ProblemList } from '../errors.js';
import { DOMAIN, domainProblem, rateBound } from '../model/domain.js';
import type { BookLayout } from '../layout/book-layout.js';
import { KIND_FUTURE, KIND_OPTION } from '../layout/codes.js';
import { isFiniteNumber, isRecord, keyPath, notFiniteMessage, notObjectMessage, ownEntries, unknownInstrumentMessage } from '../model/checks.js';
import type { Market } from '../model/types.js';
import { holdMarksToIndex } from './tick-marks.js';
import type { OptionGrowth } from '../model/mark-bounds.js';
import { hasMarkBound, rowMarkProblem } from '../layout/row-mark.js';
import { parseIsoTimestamp, yearsBetween } from '../model/time.js';
import { MemoSlot } from '../layout/memo.js';

/** A tick as JSON (every part optional). */
export interface Tick {
  assets?: Record<string, { price?: number | undefined; vol?: number | undefined; rate?: number | undefined; carry?: number | undefined }> | undefined;
  marks?: Record<string, number> | undefined;
  impliedVols?: Record<string, number> | undefined;
}

/** A validated tick: the new values by symbol and instrument id. */
export interface ValidTick {
  assets: Map<string, { price?: number | undefined; vol?: number | undefined; rate?: number | undefined; carry?: number | undefined }>;
  marks: Map<string, number>;
  impliedVols: Map<string, number>;
}

const TICK_FIELDS = ['assets', 'marks', 'impliedVols'];
const ASSET_FIELDS = ['price', 'vol', 'rate', 'carry'];

/** What a tick that is not an object is refused with: one message wherever it is checked (the live gateway too). */
export function notTickMessage(json: unknown): string {
  return notObjectMessage(json, 'an object with assets, marks or impliedVols');
}

/** Checks `json` as a tick on `market` (the live snapshot, JSON) and `layout` (the book); throws one InputError. */
export function validateTick(json: unknown, market: Market, layout: BookLayout, base = 'tick'): ValidTick {
  const problems = new ProblemList();
  const tick: ValidTick = { assets: new Map(), marks: new Map(), impliedVols: new Map() };
  if (!isRecord(json)) {
    problems.add(base, notTickMessage(json));
    problems.throwIfAny();
  }
  const record = json as Record<string, unknown>;
  for (const [key] of ownEntries(record)) if (!TICK_FIELDS.includes(key)) problems.add(keyPath(base, key), `unknown field (expected ${TICK_FIELDS.join(', ')})`);
  if (record.assets !== undefined) readAssets(record.assets, `${base}.assets`, market, tick, problems);
  if (record.marks !== undefined) readQuotes(record.marks, `${base}.marks`, 'mark', layout, tick.marks, problems);
  if (record.impliedVols !== undefined) readQuotes(record.impliedVols, `${base}.impliedVols`, 'implied vol', layout, tick.impliedVols, problems);
  // a tick that moves nothing is a mistake (a body cut to {}), not a heartbeat: the cluster would log it under a tick id
  if (problems.size === 0 && movesNothing(tick)) problems.add(base, 'moves nothing: give a price, vol, rate or carry of an asset, a mark or an implied vol');
  if (problems.size === 0) {
    // the price-tick mark rule (src/live/tick-marks.ts): quoted marks of futures and perpetuals follow their index
    const prices = new Map<string, number>();
    for (const [symbol, values] of tick.assets) if (values.price !== undefined) prices.set(symbol, values.price);
    const held = new Set<string>();
    holdMarksToIndex(prices, tick.marks, market, layout, base, problems, held);
    checkQuotedMarks(tick, held, prices, market, layout, base, problems);
  }
  problems.throwIfAny();
  return tick;
}

/** True when a valid tick gives no value: no asset field, no mark, no implied vol. */
function movesNothing(tick: ValidTick): boolean {
  if (tick.marks.size > 0 || tick.impliedVols.size > 0) return false;
  for (const values of tick.assets.values()) if (values.price !== undefined || values.vol !== undefined || values.rate !== undefined || values.carry !== undefined) return false;
  return true;
}

/**
 * The market's rule for a mark (model/mark-bounds.ts: an option's at most what it can be worth, an inverse future's or
 * perpetual's within a factor of its forward) on the market after the tick: a coin-settled mark in USD (1425 for
 * a call worth 0.015 BTC) made every holder bankrupt while engine.margin refused the same market, a USD call marked 1e9
 * did the same, and an inverse perpetual marked 1e-9 made P&L of 1e18 USD. A mark the tick gives, or holds to the index
 * (tick-marks.ts), is refused at its path. A coin-settled put's bound K / S falls as S rises, a USD call's S·e^{−qT} as
 * S falls: a price moving that way is checked against the quoted marks of those options it leaves as they are, at the
 * price; a rate or carry moves every option's bound and every future's forward on its asset, so all of them are
 * checked then. Only those rows are read: a mark-only tick on a book of thousands of options reads its own marks.
 */
function checkQuotedMarks(tick: ValidTick, held: ReadonlySet<string>, prices: ReadonlyMap<string, number>, market: Market, layout: BookLayout, base: string, problems: ProblemList): void {
  const ins = layout.instruments, underlying = ins.underlying.array;
  // the rate and carry after the tick (what it gives, else the market's) and the option's years to expiry
  const valuationMs = parseIsoTimestamp(market.valuationTime);
  const priceOf = (asset: string) => prices.get(asset) ?? market.assets[asset].price;
  const problemAt = (row: number, mark: number, spot: number): string | null => {
    const u = underlying[row], asset = layout.assets[u];
    const after = { ...market.assets[asset], ...tick.assets.get(asset) };
    const growth: OptionGrowth = { rate: after.rate ?? 0, carry: after.carry ?? 0, years: Math.max(0, yearsBetween(valuationMs, ins.expiryMs.array[row])) };
    return rowMarkProblem(layout, row, mark, (a) => (a === u ? spot : priceOf(layout.assets[a])), growth);
  };
  for (const [id, mark] of tick.marks) {
    const row = ins.indexById.get(id)!;
    // a mark held to its index keeps its ratio to the forward but where a rate or carry moves (below)
    if (held.has(id) || !hasMarkBound(layout, row)) continue;
    const wrong = problemAt(row, mark, priceOf(layout.assets[underlying[row]]));
    if (wrong !== null) problems.add(keyPath(`${base}.marks`, id), wrong);
  }
  if (market.marks === undefined) return;
  const shrinking = optionsByAsset(layout);
  for (const [asset, values] of tick.assets) {
    const spot = priceOf(asset), before = market.assets[asset].price, u = layout.assetIndex(asset);
    // a rate or carry moves every option's bound on the asset (rare: all of them are read); a price one way only
    const growthMoved = values.rate !== undefined || values.carry !== undefined;
    const rows = growthMoved ? shrinking.all.get(u) : spot > before ? shrinking.coinPuts.get(u) : spot < before ? shrinking.calls.get(u) : undefined;
    if (rows === undefined) continue;
    for (const row of rows) {
      const id = ins.ids[row];
      if ((tick.marks.has(id) && !held.has(id)) || !Object.hasOwn(market.marks, id)) continue; // given: read above
      const wrong = problemAt(row, tick.marks.get(id) ?? market.marks[id], spot);
      if (wrong === null) continue;
      const moved = growthMoved ? (values.rate !== undefined ? 'rate' : 'carry') : 'price';
      const at = growthMoved ? `at ${moved} ${values[moved]}` : `at ${spot}`;
      problems.add(`${keyPath(`${base}.assets`, asset)}.${moved}`, `${at}, the quoted mark of ${JSON.stringify(id)} is refused: ${wrong}: give its mark in the same tick`);
    }
  }
}

/**
 * The layout's options whose bound falls with their underlying's move, by underlying (asset index): coin-settled puts
 * (K / S falls as S rises) and the other calls (S·e^{−qT} falls with S). Made once per layout and instrument count (memo.ts).
 */
interface OptionsByAsset {
  count: number;
  coinPuts: Map<number, number[]>;
  calls: Map<number, number[]>;
  /** Every option and inverse future, for a rate or carry move. */
  all: Map<number, number[]>;
}

const SHRINKING_BOUNDS = new MemoSlot<OptionsByAsset>('options by asset whose bound falls with a move');

function optionsByAsset(layout: BookLayout): OptionsByAsset {
  const ins = layout.instruments, kept = layout.memo.get(SHRINKING_BOUNDS, ins);
  if (kept !== undefined && kept.count === ins.count) return kept;
  const coinPuts = new Map<number, number[]>(), calls = new Map<number, number[]>(), all = new Map<number, number[]>();
  const add = (into: Map<number, number[]>, asset: number, row: number) => {
    let rows = into.get(asset);
    if (rows === undefined) into.set(asset, (rows = []));
    rows.push(row);
  };
  for (let row = 0; row < ins.count; row++) {
    const kind = ins.kind.array[row], asset = ins.underlying.array[row];
    if (kind === KIND_FUTURE && ins.isInverse(row)) add(all, asset, row); // its forward S·e^{(r−q)T} moves with a rate or carry
    if (kind !== KIND_OPTION) continue;
    const call = ins.isCall.array[row] === 1, coin = ins.isCoinOption(row);
    add(all, asset, row);
    if (!call && coin) add(coinPuts, asset, row);
    else if (call && !coin) add(calls, asset, row);
  }
  return layout.memo.set(SHRINKING_BOUNDS, ins, { count: ins.count, coinPuts, calls, all });
}

function readAssets(json: unknown, path: string, market: Market, tick: ValidTick, problems: ProblemList): void {
  if (!isRecord(json)) {
    problems.add(path, notObjectMessage(json, 'an object of assets by symbol'));
    return;
  }
  for (const [symbol, raw] of ownEntries(json)) {
    const at = keyPath(path, symbol);
    if (!Object.hasOwn(market.assets, symbol)) {
      problems.add(at, `unknown asset ${describeValue(symbol)}: not in the live market`);
      continue;
    }
    if (!isRecord(raw)) {
      problems.add(at, notObjectMessage(raw, 'an object with price, vol, rate or carry'));
      continue;
    }
    const before = problems.size;
    const fields = ownEntries(raw);
    if (fields.length === 0) problems.add(at, 'empty (expected price, vol, rate or carry)');
    for (const [key, value] of fields) {
      const field = `${at}.${key}`;
      if (!ASSET_FIELDS.includes(key)) problems.add(keyPath(at, key), `unknown field (expected ${ASSET_FIELDS.join(', ')})`);
      else if (!isFiniteNumber(value)) problems.add(field, notFiniteMessage(value));
      else {
        // the domain's bounds (src/model/domain.ts), as when the market was validated
        const wrong = domainProblem(key === 'price' ? DOMAIN.price : key === 'vol' ? DOMAIN.vol : rateBound(key as 'rate' | 'carry'), value);
        if (wrong !== null) problems.add(field, wrong);
      }
    }
    if (problems.size === before) tick.assets.set(symbol, { ...(raw as { price?: number | undefined; vol?: number | undefined; rate?: number | undefined; carry?: number | undefined }) });
  }
}

function readQuotes(json: unknown, path: string, what: 'mark' | 'implied vol', layout: BookLayout, out: Map<string, number>, problems: ProblemList): void {
  if (!isRecord(json)) {
    problems.add(path, notObjectMessage(json, `an object of ${what}s by instrument id`));
    return;
  }
  const ins = layout.instruments;
  for (const [id, value] of ownEntries(json)) {
    const at = keyPath(path, id);
    const row = ins.indexById.get(id);
    if (row === undefined) problems.add(at, `${unknownInstrumentMessage(id, ins.indexById, problems)}: not in the book`);
    else if (what === 'implied vol' && ins.kind.array[row] !== KIND_OPTION) problems.add(at, `${JSON.stringify(id)} is not an option`);
    else if (!isFiniteNumber(value)) problems.add(at, notFiniteMessage(value));
    else {
      const wrong = domainProblem(what === 'mark' ? DOMAIN.price : DOMAIN.vol, value);
      if (wrong !== null) problems.add(at, wrong);
      else out.set(id, value);
    }
  }
}
