/**
 * Price histories for volatility forecasts and backtests: closes of one or more assets at common timestamps, read from
 * JSON or CSV and validated with the row of every problem, then turned into daily log returns.
 *
 * JSON: `{ "assets": { "BTC": [{ "t": "2026-01-01T00:00:00Z", "close": 42000 }, …], "ETH": […] } }`; every asset on
 *   the same timestamps (paths: `history.assets.BTC[4].close`).
 * CSV, wide: a header `timestamp,BTC,ETH`, then one row per timestamp; long: a header `timestamp,asset,close`, then one
 *   row per observation (paths: `history.csv:17` for line 17, the header being line 1).
 * Timestamps are ISO 8601 with a zone. Checked: a parseable timestamp, strictly increasing times (an unsorted or
 * repeated one names the row), no gap (an interval above 1.5 × the median interval names the two timestamps), closes
 * finite and > 0, every asset at every timestamp, at least `minObservations`.
 */
import { checkOptions, type OptionKinds } from '../model/options-check.js';
import { describeValue, ProblemList } from '../errors.js';
import { formatIsoTimestamp, parseIsoTimestamp } from '../model/time.js';
import { isRecord, keyPath, ownEntries } from '../model/checks.js';
import { DOMAIN } from '../model/domain.js';
import { withoutByteOrderMark } from '../model/json-text.js';
import { ln } from './math.js';

export interface PriceHistory {
  assets: string[];
  /** Epoch milliseconds, strictly increasing. */
  times: Float64Array;
  /** closes[k][t]: asset k's close at times[t] (USD, > 0). */
  closes: Float64Array[];
}

export interface HistoryOptions {
  /** Fewest timestamps accepted (default 2: one return). */
  minObservations?: number | undefined;
  /** Accept intervals above 1.5 × the median (default false: a gap is an error). */
  allowGaps?: boolean | undefined;
  /** Names the source in CSV paths (default `history.csv`). */
  name?: string | undefined;
}

/** {@link HistoryOptions}' keys: a misspelt `minObs` had been taken as none. */
const HISTORY_OPTION_KINDS: OptionKinds<HistoryOptions> = { minObservations: 'any', allowGaps: 'boolean', name: 'any' };

/** A history from JSON (an object) or CSV (a string); InputError listing every problem with its row. */
export function readHistory(input: unknown, options: HistoryOptions = {}): PriceHistory {
  checkOptions(options, HISTORY_OPTION_KINDS);
  const problems = new ProblemList();
  const name = options.name ?? 'history.csv';
  // a CSV's rows: the line of each timestamp (wide: as read, blank lines skipped; long: none, its rows are regrouped)
  const csv = typeof input === 'string' ? fromCsv(input, name, problems) : null;
  const history = csv ? csv.history : typeof input === 'string' ? null : fromJson(input, problems);
  const rowOf = (k: number) => (csv ? (csv.lines ? `${name}:${csv.lines[k]}` : name) : `history.assets.${history?.assets[0] ?? ''}[${k}].t`);
  if (history) checkTimes(history, options, problems, csv ? name : 'history', rowOf);
  problems.throwIfAny();
  return history as PriceHistory;
}

/** `input` if it is a history read before (a {@link PriceHistory}), else {@link readHistory} of it. */
export function historyOf(input: unknown, options: HistoryOptions = {}): PriceHistory {
  if (isRecord(input) && input.times instanceof Float64Array && Array.isArray(input.closes) && Array.isArray(input.assets)) return input as unknown as PriceHistory;
  return readHistory(input, options);
}

/** Daily log returns per asset: r[t] = ln(close[t + 1] / close[t]). */
export function logReturns(history: PriceHistory): Float64Array[] {
  return history.closes.map((c) => {
    const r = new Float64Array(Math.max(0, c.length - 1));
    for (let t = 0; t < r.length; t++) r[t] = ln(c[t + 1] / c[t]);
    return r;
  });
}

/**
 * A close outside the price domain (src/model/domain.ts: the bounds every price of a market has), or null. `missing`:
 * what an absent close is in the format read (a CSV's empty cell, a JSON row's field).
 */
function closeProblem(v: unknown, missing = 'an empty cell'): string | null {
  if (v === undefined) return `close is missing (${missing})`;
  if (typeof v !== 'number' || !Number.isFinite(v)) return `close is not a finite number (${describeValue(v)})`;
  if (!(v > 0)) return `close is not positive (${v})`;
  if (v < DOMAIN.price.min || v > DOMAIN.price.max) return `close ${v} is outside the price domain [${DOMAIN.price.min}, ${DOMAIN.price.max}]`;
  return null;
}

/** A plain decimal number (as JSON writes one: no hex, binary, octal, Infinity or spaces inside). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A CSV cell's number: undefined for an empty cell (said as "missing"), the text for anything but a plain decimal (`0x10` is not 16). */
function csvNumber(cell: string): number | string | undefined {
  const text = cell.trim();
  return DECIMAL.test(text) ? Number(text) : text === '' ? undefined : text;
}

function fromJson(json: unknown, problems: ProblemList): PriceHistory | null {
  if (!isRecord(json) || !isRecord(json.assets)) {
    problems.add('history', `expected { "assets": { "BTC": [{ "t", "close" }, …] } }, got ${describeValue(json)}`);
    return null;
  }
  for (const [key] of ownEntries(json)) if (key !== 'assets' && key !== '$schema') problems.add(keyPath('history', key), 'unknown field (expected assets)');
  const assets: string[] = [], closes: Float64Array[] = [];
  let times: Float64Array | null = null, timesOf = '';
  for (const [asset, rows] of ownEntries(json.assets)) {
    const path = keyPath('history.assets', asset);
    if (!Array.isArray(rows)) {
      problems.add(path, `expected an array of { t, close }, got ${describeValue(rows)}`);
      continue;
    }
    const t = new Float64Array(rows.length), c = new Float64Array(rows.length);
    rows.forEach((row, k) => {
      const at = `${path}[${k}]`;
      if (!isRecord(row)) return problems.add(at, `expected { t, close }, got ${describeValue(row)}`);
      for (const [key] of ownEntries(row)) if (key !== 't' && key !== 'close') problems.add(keyPath(at, key), 'unknown field (expected t, close)');
      t[k] = typeof row.t === 'string' ? parseIsoTimestamp(row.t) : NaN;
      if (Number.isNaN(t[k])) timestampProblem(row.t, `${at}.t`, problems);
      const bad = closeProblem(row.close, 'expected a finite number');
      if (bad) problems.add(`${at}.close`, bad.replace(/^close /, ''));
      c[k] = row.close as number;
    });
    if (times === null) {
      times = t;
      timesOf = asset;
    } else if (t.length !== times.length || t.some((x, k) => !Object.is(x, (times as Float64Array)[k]))) {
      // (Object.is: a timestamp that did not read, NaN, is the same unread one in both; its problem is said above)
      problems.add(path, `its timestamps differ from ${JSON.stringify(timesOf)}'s: every asset needs the same ones`);
    }
    assets.push(asset);
    closes.push(c);
  }
  if (assets.length === 0) problems.add('history.assets', 'no asset');
  return { assets, times: times ?? new Float64Array(0), closes };
}

function fromCsv(text: string, name: string, problems: ProblemList): { history: PriceHistory; lines: number[] | null } | null {
  // blank lines hold nothing and are skipped; every other line keeps its number in the paths
  const lines: { text: string; line: number }[] = [];
  // CRLF (Windows), LF, or CR alone (classic Mac OS, some spreadsheet exports) end a line
  withoutByteOrderMark(text).split(/\r\n|\r|\n/).forEach((line, k) => {
    if (line.trim() !== '') lines.push({ text: line, line: k + 1 });
  });
  if (lines.length === 0) {
    problems.add(name, 'empty (expected a header: timestamp,BTC,… or timestamp,asset,close)');
    return null;
  }
  const header = lines[0].text.split(',').map((h) => h.trim());
  if (header[0] !== 'timestamp' || header.length < 2) {
    problems.add(`${name}:${lines[0].line}`, `expected a header timestamp,BTC,… or timestamp,asset,close, got ${JSON.stringify(lines[0].text)}`);
    return null;
  }
  const long = header.length === 3 && header[1] === 'asset' && header[2] === 'close';
  // a long history with another column would be read as a wide one, its "asset" and "close" columns as assets
  if (!long && (header[1] === 'asset' || header.includes('close'))) {
    problems.add(`${name}:${lines[0].line}`, `a long history's header is timestamp,asset,close, got ${JSON.stringify(lines[0].text)} (a wide one names an asset in each column after timestamp)`);
    return null;
  }
  return long ? { history: longCsv(lines, name, problems), lines: null } : { history: wideCsv(header, lines, name, problems), lines: lines.slice(1).map((l) => l.line) };
}

function wideCsv(header: string[], lines: readonly { text: string; line: number }[], name: string, problems: ProblemList): PriceHistory {
  const assets = header.slice(1);
  // an asset named twice would have its second column silently replace the first
  assets.forEach((asset, j) => {
    if (asset === '') problems.add(`${name}:${lines[0].line}`, `column ${j + 2} has no asset name`);
    else if (assets.indexOf(asset) !== j) problems.add(`${name}:${lines[0].line}`, `${JSON.stringify(asset)} is column ${assets.indexOf(asset) + 2} and again column ${j + 2}`);
  });
  const n = lines.length - 1;
  const times = new Float64Array(n), closes = assets.map(() => new Float64Array(n));
  for (let k = 0; k < n; k++) {
    const at = `${name}:${lines[k + 1].line}`;
    const cells = lines[k + 1].text.split(',');
    if (cells.length !== header.length) {
      problems.add(at, `${cells.length} cells, expected ${header.length} (${header.join(',')})`);
      times[k] = NaN; // no time: the order check passes it over (a 0 would be "before the previous")
      continue;
    }
    times[k] = parseIsoTimestamp(cells[0].trim());
    if (Number.isNaN(times[k])) timestampProblem(cells[0], at, problems);
    assets.forEach((asset, j) => {
      const v = csvNumber(cells[j + 1]);
      const bad = closeProblem(v);
      if (bad) problems.add(at, `${asset} ${bad}`);
      closes[j][k] = typeof v === 'number' ? v : NaN;
    });
  }
  return { assets, times, closes };
}

/**
 * A timestamp that is not ISO 8601 with a zone. One without its zone (`2026-01-01`, `2026-01-01T08:00:00`) is one cause
 * however many rows share it: one problem naming the first rows and the count, with the form meant.
 */
function timestampProblem(value: unknown, at: string, problems: ProblemList): void {
  const text = typeof value === 'string' ? value.trim() : '';
  const meant = [`${text}Z`, `${text}T00:00:00Z`].find((t) => text !== '' && !Number.isNaN(parseIsoTimestamp(t)));
  if (meant === undefined) problems.add(at, `not an ISO 8601 timestamp with a zone (${describeValue(value)})`);
  else problems.addShared('history-timestamp-zone', at, `${describeValue(value)} has no zone: give timestamps with their zone (${JSON.stringify(meant)} for UTC)`);
}

function longCsv(lines: readonly { text: string; line: number }[], name: string, problems: ProblemList): PriceHistory {
  const byAsset = new Map<string, Map<number, number>>();
  const allTimes = new Set<number>();
  for (let k = 1; k < lines.length; k++) {
    const at = `${name}:${lines[k].line}`;
    const cells = lines[k].text.split(',');
    if (cells.length !== 3) {
      problems.add(at, `${cells.length} cells, expected 3 (timestamp,asset,close)`);
      continue;
    }
    const t = parseIsoTimestamp(cells[0].trim()), asset = cells[1].trim(), cell = csvNumber(cells[2]), v = typeof cell === 'number' ? cell : NaN;
    if (Number.isNaN(t)) timestampProblem(cells[0], at, problems);
    if (asset === '') problems.add(at, 'no asset');
    const bad = closeProblem(cell);
    if (bad) problems.add(at, `${asset} ${bad}`);
    if (Number.isNaN(t) || asset === '' || bad) continue;
    let series = byAsset.get(asset);
    if (!series) byAsset.set(asset, (series = new Map()));
    if (series.has(t)) problems.add(at, `${asset} at ${formatIsoTimestamp(t)} again`);
    series.set(t, v);
    allTimes.add(t);
  }
  const times = Float64Array.from([...allTimes].sort((a, b) => a - b));
  const assets = [...byAsset.keys()];
  const closes = assets.map((asset) => {
    const series = byAsset.get(asset)!;
    const c = new Float64Array(times.length);
    times.forEach((t, k) => {
      const v = series.get(t);
      if (v === undefined) problems.add(name, `${asset} has no close at ${formatIsoTimestamp(t)} (every asset needs every timestamp)`);
      c[k] = v ?? NaN;
    });
    return c;
  });
  if (assets.length === 0) problems.add(name, 'no observation');
  return { assets, times, closes };
}

/** Order, repeats, gaps and length of the timestamps. */
function checkTimes(h: PriceHistory, options: HistoryOptions, problems: ProblemList, source: string, rowOf: (k: number) => string): void {
  const min = options.minObservations ?? 2;
  if (h.times.length < min) problems.add(source, `${h.times.length} timestamps, at least ${min} needed`);
  let intervals = 0;
  for (let k = 1; k < h.times.length; k++) {
    const step = h.times[k] - h.times[k - 1];
    if (!(step > 0) && Number.isFinite(step)) problems.add(rowOf(k), `${formatIsoTimestamp(h.times[k])} is ${step === 0 ? 'repeated' : `before the previous ${formatIsoTimestamp(h.times[k - 1])}`}: times must increase`);
    else if (step > 0) intervals++;
  }
  if (options.allowGaps || intervals < 2 || problems.size > 0) return;
  const median = usualStepMs(h.times);
  for (let k = 1; k < h.times.length; k++) {
    if (h.times[k] - h.times[k - 1] > 1.5 * median) {
      problems.add(rowOf(k), `a gap from ${formatIsoTimestamp(h.times[k - 1])} to ${formatIsoTimestamp(h.times[k])} (the usual step is ${median / 3_600_000} h; readHistory's allowGaps, margin-core/io, or backtest --allow-gaps accepts it)`);
    }
  }
}


/**
 * The usual step of `times` (ms): the median interval, the lower middle of an even count (a gap only lengthens an
 * interval, so of two middles the shorter is the usual step); NaN with fewer than two times.
 */
export function usualStepMs(times: Float64Array): number {
  if (times.length < 2) return NaN;
  const intervals = Float64Array.from({ length: times.length - 1 }, (_, k) => times[k + 1] - times[k]).sort();
  return intervals[(intervals.length - 1) >> 1];
}

const HOUR_MS = 3_600_000, DAY_MS = 24 * HOUR_MS, YEAR_MS = 365.25 * DAY_MS;
/** Daily closes a year: calendar days and trading days. */
const CALENDAR_DAYS = 365, TRADING_DAYS = 252;

/**
 * Adds the problem (at `path`) of annualising `history`'s returns with `periodsPerYear` when its closes are not a day
 * apart and the periods do not match them: hourly closes read as daily would give a vol √24 too low, weekly ones one
 * √7 too high. Daily closes (a step of a day, within an hour: a local close across a clock change) are calendar days
 * (365) or trading days (252) alike: `periodsPerYear` within 1.5× of either (168 to 547.5); any other usual step must
 * be within 1.5× of `periodsPerYear`'s period.
 */
export function checkPeriods(history: PriceHistory, periodsPerYear: number, path: string, problems: ProblemList): void {
  const step = usualStepMs(history.times);
  if (!(step > 0)) return;
  if (Math.abs(step - DAY_MS) <= HOUR_MS) {
    // daily: calendar (365) or trading (252) days, each within 1.5×
    if (periodsPerYear >= TRADING_DAYS / 1.5 && periodsPerYear <= CALENDAR_DAYS * 1.5) return;
    problems.add(path, `the closes are a day apart but periodsPerYear is ${periodsPerYear}: their returns would be annualised as ${(YEAR_MS / periodsPerYear / DAY_MS).toPrecision(3)}-day ones. Give periodsPerYear ${CALENDAR_DAYS} (calendar days) or ${TRADING_DAYS} (trading days)`);
    return;
  }
  const perYear = YEAR_MS / step;
  if (periodsPerYear >= perYear / 1.5 && periodsPerYear <= perYear * 1.5) return;
  const hours = Number((step / HOUR_MS).toPrecision(4));
  problems.add(path, `the closes are ${hours} h apart (about ${Math.round(perYear).toLocaleString('en-US')} a year) but periodsPerYear is ${periodsPerYear}: their returns would be annualised as ${(YEAR_MS / periodsPerYear / HOUR_MS).toPrecision(3)}-hour ones. Give daily closes, or periodsPerYear ${Math.round(perYear)} with horizonDays in those periods`);
}

/** A history as wide CSV (`timestamp,BTC,ETH`, one row per timestamp): what {@link readHistory} reads back. */
export function* historyCsvLines(history: PriceHistory): Generator<string> {
  yield ['timestamp', ...history.assets].join(',');
  for (let t = 0; t < history.times.length; t++) yield [formatIsoTimestamp(history.times[t]), ...history.closes.map((c) => String(c[t]))].join(',');
}
