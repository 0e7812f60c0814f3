/**
 * Why an account has its status, in words with the figures that decide it (STATUS in status.ts states the rules):
 * shown beside the status in the report, the CLI and the page, so that e.g. an account with no maintenance margin
 * but an underwater borrowing, or an isolated position in trouble inside a well-funded account, explains itself.
 */
import { STATUS, STATUS_LIQUIDATABLE, type Status } from './status.js';
import type { AccountFigureValues } from './figures.js';
import { amount, money, writeAmount } from './money-text.js';

/**
 * A figure in a reason: the display formatter's amount of money in a sentence (src/margin/money-text.ts: grouped digits
 * and cents, `-78.27`, `567,970.00`), so the "why" reads like the tables beside it. (writePooledStatusReason writes
 * the same text as bytes: money-text.ts writeAmount.)
 */
export const figure: (x: number) => string = amount;

/** The figures a pooled reason reads (figures.ts). */
export type PooledFigures = Pick<AccountFigureValues, 'equity' | 'equityIm' | 'equityMm' | 'im' | 'mm'>;

/** A pooled reason: its words (each with its UTF-8 bytes) and, between them, the figures (by their place in {@link FIGURE_ORDER}) in order. */
interface ReasonTemplate {
  words: readonly string[];
  bytes: readonly Uint8Array[];
  places: Int32Array;
}

/** The pooled figures by place ({@link figureAt}). */
const FIGURE_ORDER: readonly (keyof PooledFigures)[] = ['equity', 'equityIm', 'equityMm', 'im', 'mm'];

/** The figure at `place` of FIGURE_ORDER, read by its fixed name: perf: per-row-text (docs/performance.md). */
function figureAt(f: PooledFigures, place: number): number {
  return figureOf(place, f.equity, f.equityIm, f.equityMm, f.im, f.mm);
}

/** `words[0] figures[0] words[1] figures[1] … words[n]`. */
function template(words: readonly string[], ...figures: (keyof PooledFigures)[]): ReasonTemplate {
  const encoder = new TextEncoder();
  return { words, bytes: words.map((w) => encoder.encode(w)), places: Int32Array.from(figures, (name) => FIGURE_ORDER.indexOf(name)) };
}

/** The pooled rule's reasons: which comparison of equity (with haircuts) against IM or MM sets the status. */
const POOLED = {
  healthy: template(['equity for IM ', ' ≥ IM ', ''], 'equityIm', 'im'),
  margin_call: template(['equity for IM ', ' < IM ', ' (equity for MM ', ' ≥ MM ', ')'], 'equityIm', 'im', 'equityMm', 'mm'),
  liquidatable: template(['equity for MM ', ' < MM ', ''], 'equityMm', 'mm'),
  liquidatableWithoutMm: template(['no maintenance margin, but equity for MM ', ' < 0 (borrowings weighted up)'], 'equityMm'),
  bankrupt: template(['equity ', ' < 0'], 'equity'),
  error: template(['margin could not be computed (see error)']),
} as const;

function pooledTemplate(status: Status, f: PooledFigures): ReasonTemplate {
  return status === 'liquidatable' && !(f.mm > 0) ? POOLED.liquidatableWithoutMm : POOLED[status];
}

/**
 * The pooled rule: which comparison of equity (with haircuts) against IM or MM sets the status. `marginCurrency`: a
 * coin-margined account's coin, its figures then written to the satoshi with it (`0.00072165 BTC`), as its row's.
 */
export function pooledStatusReason(status: Status, f: PooledFigures, marginCurrency?: string): string {
  const t = pooledTemplate(status, f);
  const write = figureIn(marginCurrency);
  const texts = Array.from(t.places, (place) => write(figureAt(f, place)));
  // the figures compared come in pairs (equity against its requirement): two that differ never read the same
  for (let k = 0; k + 1 < t.places.length; k += 2) {
    const x = figureAt(f, t.places[k]), y = figureAt(f, t.places[k + 1]);
    if (texts[k] === texts[k + 1] && x !== y) [texts[k], texts[k + 1]] = distinctFigures(x, y, marginCurrency);
  }
  let text = t.words[0];
  for (let k = 0; k < texts.length; k++) text += texts[k] + t.words[k + 1];
  return text;
}

/** Decimals past the usual that a reason shows to tell two figures apart (a double has at most 17 significant digits). */
const MAX_REASON_DECIMALS = 20;

/** `x` and `y` (x ≠ y) with as many decimals as it takes for them to read differently, in the reason's form. */
function distinctFigures(x: number, y: number, marginCurrency?: string): [string, string] {
  const unit = marginCurrency === undefined ? '' : ` ${marginCurrency}`;
  for (let d = marginCurrency === undefined ? 3 : 9; d <= MAX_REASON_DECIMALS; d++) {
    const a = money(x, d), b = money(y, d);
    if (a !== b) return [a + unit, b + unit];
  }
  return [String(x) + unit, String(y) + unit];
}

/** Bytes {@link writePooledStatusReason} may write. */
export const POOLED_REASON_MAX_BYTES = 160;

/**
 * {@link pooledStatusReason}'s text as UTF-8 bytes, written into `out` from `at` (room for
 * {@link POOLED_REASON_MAX_BYTES}) without making a string (src/io/arrow/write-report.ts writes a column of them).
 * Returns where it ends, or −1 when a figure is not a usual amount (writeAmount): then use the string.
 */
export function writePooledStatusReason(status: Status, f: PooledFigures, out: Uint8Array, at: number): number {
  return writePooledReasonOf(STATUS_CODE[status], f.equity, f.equityIm, f.equityMm, f.im, f.mm, out, at);
}

/** The status codes by name (the kernels' codes: STATUS's indices). */
const STATUS_CODE = Object.fromEntries(STATUS.map((name, code) => [name, code])) as Readonly<Record<Status, number>>;

/**
 * {@link writePooledStatusReason} of the status with code `code` (STATUS's index) and the figures given one by one:
 * what a writer of a column of reasons calls per row (perf: per-row-text, docs/performance.md: no record of figures, no
 * lookup of a template by name).
 */
export function writePooledReasonOf(code: number, equity: number, equityIm: number, equityMm: number, im: number, mm: number, out: Uint8Array, at: number): number {
  const t = code === STATUS_LIQUIDATABLE && !(mm > 0) ? POOLED.liquidatableWithoutMm : BY_CODE[code], places = t.places;
  at = putBytes(t.bytes[0], out, at);
  for (let k = 0; k < places.length; k++) {
    const x = figureOf(places[k], equity, equityIm, equityMm, im, mm);
    // a pair of figures that differ but round to the same cents: the string form says them apart
    if (k % 2 === 0 && k + 1 < places.length) {
      const y = figureOf(places[k + 1], equity, equityIm, equityMm, im, mm);
      if (x !== y && Math.round(x * 100) === Math.round(y * 100)) return -1;
    }
    at = writeAmount(x, out, at);
    if (at < 0) return -1;
    at = putBytes(t.bytes[k + 1], out, at);
  }
  return at;
}

/** {@link figureAt} of figures given one by one (the byte writer's: no record of them). */
function figureOf(place: number, equity: number, equityIm: number, equityMm: number, im: number, mm: number): number {
  return place === 0 ? equity : place === 1 ? equityIm : place === 2 ? equityMm : place === 3 ? im : mm;
}

/** The pooled templates by status code (liquidatable's with MM; without: {@link writePooledReasonOf}). */
const BY_CODE: readonly ReasonTemplate[] = STATUS.map((name) => POOLED[name]);

/** `word` written into `out` at `at`; returns where it ends. perf: per-row-text (docs/performance.md). */
function putBytes(word: Uint8Array, out: Uint8Array, at: number): number {
  for (let j = 0; j < word.length; j++) out[at + j] = word[j];
  return at + word.length;
}

/**
 * How a reason writes a figure: {@link figure} for a USD account; for a coin-margined one (`marginCurrency`), to the
 * satoshi with its coin (`0.00072165 BTC`), as its row's figures are.
 */
function figureIn(marginCurrency: string | undefined): (x: number) => string {
  return marginCurrency === undefined ? figure : (x: number) => (Number.isFinite(x) ? `${money(x, 8)} ${marginCurrency}` : money(x));
}

/**
 * An isolated position's rule: its allocated collateral plus its P&L against its own IM and MM (in `marginCurrency`
 * for a coin-margined account, {@link figureIn}).
 */
export function isolatedStatusReason(status: Status, instrument: string, f: { allocated: number; markToMarket: number; im: number; mm: number }, marginCurrency?: string): string {
  const figure = figureIn(marginCurrency);
  const equity = f.allocated + f.markToMarket;
  // the equity against the requirement its status compares it with: two that differ never read the same
  const against = (requirement: number): [string, string] => {
    const pair: [string, string] = [figure(equity), figure(requirement)];
    return pair[0] === pair[1] && equity !== requirement ? distinctFigures(equity, requirement, marginCurrency) : pair;
  };
  // + 0: a short's P&L of −0 (no move) reads 0.00, not −0.00
  const own = (shown: string) => `isolated position ${instrument}: allocated ${figure(f.allocated)} + P&L ${figure(f.markToMarket + 0)} = ${shown}`;
  const im = against(f.im), mm = against(f.mm);
  switch (status) {
    case 'healthy':
      return `${own(im[0])} ≥ IM ${im[1]}`;
    case 'margin_call':
      return `${own(im[0])} < IM ${im[1]}`;
    case 'liquidatable':
      return `${own(mm[0])} < MM ${mm[1]}`;
    case 'bankrupt':
      return `${own(figure(equity))} < 0`;
    case 'error':
      return `${own(figure(equity))}: not computable`;
  }
}

/**
 * The rest of an isolated account (its collateral and cash less what its positions hold: their allocations and P&L),
 * when it is the account's worst part: it has no requirement, but must not owe (a borrowing beyond its collateral).
 * `rest`, `restIm`, `restMm`: its raw, IM-weighted and MM-weighted equity.
 */
export function isolatedRestReason(status: Status, rest: number, restIm: number, restMm: number, marginCurrency?: string): string {
  const figure = figureIn(marginCurrency);
  const own = 'rest of the account (collateral and cash less its isolated positions\' allocations and P&L)';
  switch (status) {
    case 'bankrupt':
      return `${own} ${figure(rest)} < 0`;
    case 'liquidatable':
      return `${own} for MM ${figure(restMm)} < 0`;
    case 'margin_call':
      return `${own} for IM ${figure(restIm)} < 0`;
    default:
      return `${own} ${figure(rest)} ≥ 0`;
  }
}
