/**
 * Plain-text tables and the one set of number formats shared by the CLI, the demo and the browser page (no colours:
 * output is often piped). The rules (docs/cli.md, "How figures are written"):
 * - money (USD): grouped digits and cents, `money` (`91,500.00`); whole dollars where a table says so (`money(x, 0)`);
 *   in a sentence, `amount` (cents, or three significant digits below a cent so a small amount is not `0.00`); a
 *   coin-margined account's own figures in its coin, `moneyIn` (`0.00900000 BTC`); in dense grids and plot labels,
 *   `compactMoney` (`-12.3k`), or for a coin `compactMoneyIn` (`-0.0936`);
 * - ratios (health, notional / IM, amplification, coverage): three significant digits, `ratio` (`13.8`, `0.272`,
 *   `1.00`), grouped above 1,000; `∞` and `-∞` where the ratio is unbounded, `n/a` where there is none;
 * - shares: one decimal, `percent` (`10.8%`), grouped above 1,000% (`9,999,900.0%`);
 * - prices: the decimals their size needs, `price`; quantities and Greeks: significant digits, `sig`;
 * - one minus sign everywhere, the ASCII hyphen-minus (`-0.341`, `-∞`): text copied into a spreadsheet stays a number.
 */

import { amount, money, sig } from '../margin/money-text.js';

// money, amount and sig live with the margin core, whose status reasons are written with them
export { amount, money, sig };

/** Whether `currency` (a row's `marginCurrency`) is a coin: not absent, not USD. */
export function isCoin(currency: string | undefined): currency is string {
  return currency !== undefined && currency !== 'USD';
}

/**
 * Money in `currency`: USD as {@link money}; a coin (a coin-margined account's own figures) with eight decimals and its
 * symbol (`0.00900000 BTC`), so a figure in BTC never reads as dollars and cents.
 */
export function moneyIn(currency: string | undefined): (x: number) => string {
  if (!isCoin(currency)) return money;
  return (x) => (Number.isFinite(x) ? `${money(x, 8)} ${currency}` : money(x));
}

export type Align = 'left' | 'right';

/** Renders rows as a fixed-width table with a header rule. Numbers are right-aligned by default. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  return [...tableLines(header, rows.length, (i) => rows[i], align)].join('\n');
}

/**
 * A column is padded to at most this many characters: a longer cell (an id of 20 million characters, which a book may
 * hold) is written whole on its own row, unpadded, and the other rows are not padded to it (that padding had made a
 * 1,000-row table of 20 GB).
 */
export const MAX_COLUMN_WIDTH = 96;

/**
 * The lines of {@link table}, one at a time, for tables of any size: `row(i)` is asked twice per row (once for the
 * column widths, once to write it), so no string holds the whole table and no call spreads the rows.
 */
export function* tableLines(header: readonly string[], count: number, row: (i: number) => readonly string[], align?: readonly Align[]): Generator<string> {
  const widths = header.map((h) => Math.min(h.length, MAX_COLUMN_WIDTH));
  for (let i = 0; i < count; i++) {
    const cells = row(i);
    for (let c = 0; c < widths.length; c++) if (cells[c].length > widths[c]) widths[c] = Math.min(cells[c].length, MAX_COLUMN_WIDTH);
  }
  const side = (c: number): Align => align?.[c] ?? (c === 0 ? 'left' : 'right');
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (side(c) === 'left' ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  yield line(header);
  yield widths.map((w) => '─'.repeat(w)).join('  ');
  for (let i = 0; i < count; i++) yield line(row(i));
}

/** A count with grouped digits, and its noun in the singular or plural: `1 account`, `929,259 accounts`. */
export function count(n: number, noun?: string, plural = `${noun}s`): string {
  const digits = n.toLocaleString('en-US');
  return noun === undefined ? digits : `${digits} ${n === 1 ? noun : plural}`;
}

/** A price with the decimals its size needs: 87,970.90, 3.1416, 0.160023 (six significant digits below 1). */
export function price(x: number): string {
  const a = Math.abs(x);
  if (!Number.isFinite(x)) return money(x);
  return money(x, a >= 100 || a === 0 ? 2 : a >= 1 ? 4 : Math.min(15, 5 - Math.floor(Math.log10(a))));
}

/** CSV with RFC 4180 quoting. */
export function csv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/**
 * A ratio (health, notional / IM, amplification) to three significant digits, never in exponent form: 13.84 → "13.8",
 * -0.2717 → "-0.272", 1 → "1.00", 0.00139 → "0.00139", 12345.6 → "12,346", below 5e-7 "0"; ∞ / -∞ where it is unbounded (no
 * requirement), "n/a" where there is no number. `digits` for a ratio whose interest is near 1 (amplification: 4).
 */
export function ratio(x: number, digits = 3): string {
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '-∞';
  if (Number.isNaN(x)) return 'n/a';
  const a = Math.abs(x);
  if (a >= 999.5) return money(x, 0);
  if (a === 0) return '0';
  if (a < 5e-7) return '0'; // rounding residue of a figure that is zero (a health after a full close): not 3.36e-17
  let decimals = Math.max(0, Math.min(10, digits - 1 - Math.floor(Math.log10(a))));
  let text = x.toFixed(decimals);
  // rounding up to the next power of ten (9.996 → "10.00") shows one digit too many: one decimal fewer
  if (decimals > 0 && Math.abs(Number(text)) >= 10 ** (digits - decimals)) text = x.toFixed(--decimals);
  return text;
}

/**
 * Margin efficiency (gross notional / IM) for tables, with an optional unit ("×"): "n/a" when it is not applicable
 * (IM = 0, where the library's value is Infinity) or there is no number.
 */
export function efficiency(x: number, unit = ''): string {
  return Number.isFinite(x) ? `${ratio(x)}${unit}` : 'n/a';
}

/** A fraction as a signed percentage: 0.4213 → "42.1%", −0.05 → "-5.0%"; null or NaN (no such figure) → "n/a". */
export function percent(x: number | null, decimals = 1): string {
  if (x === null || Number.isNaN(x)) return 'n/a';
  // grouped above 1,000% as money is (a stress move of 9,999,900.00%)
  return Math.abs(x * 100) >= 1_000 && Number.isFinite(x) ? `${money(x * 100, decimals)}%` : `${(x * 100).toFixed(decimals)}%`;
}

/** Short money for dense grids, 3 significant digits: 1234567 → "1.23M", −45678 → "-45.7k", 812.4 → "812". */
export function compactMoney(x: number): string {
  if (Math.abs(x) < 9999.5) return String(Math.round(x)); // String(-0) is "0"
  for (const [scale, suffix] of [[1e3, 'k'], [1e6, 'M'], [1e9, 'B']] as const) {
    const v = x / scale;
    const a = Math.abs(v);
    const s = v.toFixed(a < 9.995 ? 2 : a < 99.95 ? 1 : 0);
    if (Math.abs(Number(s)) < 1000 || suffix === 'B') return `${s}${suffix}`;
  }
  return String(x); // unreachable: the B branch always returns
}

/**
 * Short money in `currency` for dense grids and plot labels, without its symbol (the grid or plot says the unit): USD as
 * {@link compactMoney}; a coin (a coin-margined account's own figures) to three significant digits and at most eight
 * decimals (a satoshi), never in exponent form: -0.09356 → "-0.0936", 0.0024967 → "0.00250", 1.1 → "1.10", as
 * {@link compactMoney} from 999.5 on ("1235", "12.3k"); "0" below half a satoshi. So a coin figure never rounds to 0.
 */
export function compactMoneyIn(currency: string | undefined): (x: number) => string {
  return isCoin(currency) ? compactCoin : compactMoney;
}

function compactCoin(x: number): string {
  if (!Number.isFinite(x)) return money(x);
  const a = Math.abs(x);
  if (a >= 999.5) return compactMoney(x);
  if (a < 5e-9) return '0';
  let decimals = Math.min(8, 2 - Math.floor(Math.log10(a)));
  let text = x.toFixed(decimals);
  // rounding up to the next power of ten (0.09996 → "0.1000") shows one digit too many: one decimal fewer
  if (decimals > 0 && Math.abs(Number(text)) >= 10 ** (3 - decimals)) text = x.toFixed(--decimals);
  return Number(text) === 0 ? '0' : text; // no "-0.00000000"
}

/** A relative spot move as a column label: −0.16 → "-16%", 0 → "0%", 0.02 → "+2%". */
export function moveLabel(move: number): string {
  const p = Number((move * 100).toPrecision(4));
  return `${p > 0 ? '+' : ''}${p}%`;
}

/** Prose wrapped at `width` columns (terminals): words kept whole, continuation lines indented by `indent`. */
export function wrap(text: string, width = 120, indent = ''): string {
  const lead = /^ */.exec(text)![0]; // a leading indent is kept on the first line
  const lines: string[] = [];
  let line = lead;
  let first = true;
  for (const word of text.slice(lead.length).split(' ')) {
    if (!first && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = first ? line + word : `${line} ${word}`;
    first = false;
  }
  lines.push(line);
  return lines.join('\n');
}
