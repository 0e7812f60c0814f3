/**
 * The `margin` command's rows: the table's columns, and the selection a user asks for on a big book (`--status`,
 * `--sort`, `--top`), the same whether the book is margined whole or streamed chunk by chunk (margin-stream.ts).
 */
import { InvalidArgumentError } from 'commander';
import type { AccountMargin } from '../margin/report.js';
import { STATUS, type Status } from '../margin/status.js';
import { nearestName } from '../model/checks.js';
import { efficiency, moneyIn, ratio } from '../report/format.js';
import type { Align } from '../report/format.js';

/** The CSV's columns; `marginCurrency` is empty for a USD account (a coin-margined row's money is in its coin). */
export const CSV_COLUMNS = ['id', 'status', 'equity', 'equityIm', 'equityMm', 'im', 'mm', 'health', 'excessOverMm', 'grossNotional', 'efficiency', 'marginCurrency'] as const;

export const TABLE_HEADER = ['account', 'status', 'equity', 'IM', 'MM', 'health', 'excess over MM', 'efficiency', 'why (unless healthy)'];
export const TABLE_ALIGN: readonly Align[] = ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'];

export function tableRow(a: AccountMargin): string[] {
  // a coin-margined account's money is in its coin: eight decimals and the coin's symbol
  const amount = moneyIn(a.marginCurrency);
  // an account in error has no figures (n/a): its row says why it could not be computed
  const why = a.status === 'healthy' ? '' : a.status === 'error' && a.error ? a.error : a.statusReason;
  return [a.id, a.status, amount(a.equity), amount(a.im), amount(a.mm), ratio(a.health), amount(a.excessOverMm), efficiency(a.efficiency), why];
}

/**
 * The sort keys, each in the order a risk manager reads first: health and excess over MM ascending (closest to
 * liquidation first), IM, MM and equity descending (largest first), id ascending. Money is compared in USD (a
 * coin-margined account's at its coin's index).
 */
export const SORT_KEYS = ['health', 'excess', 'im', 'mm', 'equity', 'id'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface Selection {
  /** Keep only accounts in these statuses. */
  status?: Status[] | undefined;
  sort?: SortKey | undefined;
  /** At most this many rows (after the filter and the sort). */
  top?: number | undefined;
}

/** `--status liquidatable,bankrupt`: statuses (a misspelt one is a usage error naming the nearest). */
export function parseStatuses(value: string): Status[] {
  const names = value.split(',').map((s) => s.trim().replace(/ /g, '_')).filter((s) => s !== '');
  // no status at all would select no row, silently: `--status ""` is a mistake, not a filter
  if (names.length === 0) throw new InvalidArgumentError(`no status given; expected ${STATUS.join(', ')}, or several joined by commas.`);
  for (const name of names) {
    if (!(STATUS as readonly string[]).includes(name)) {
      const near = nearestName(name, STATUS);
      throw new InvalidArgumentError(`unknown status "${name}"${near ? ` (did you mean "${near}"?)` : ''}; expected ${STATUS.join(', ')}, or several joined by commas.`);
    }
  }
  return names as Status[];
}

/** Orders rows by `key` ({@link SORT_KEYS}); NaN figures last; ties by id, so the order is the same on every run. */
export function rowOrder(key: SortKey): (a: AccountMargin, b: AccountMargin) => number {
  const byId = (a: AccountMargin, b: AccountMargin) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  if (key === 'id') return byId;
  const field = key === 'excess' ? 'excessOverMm' : key;
  const sign = key === 'health' || key === 'excess' ? 1 : -1;
  // money compared in USD: a coin-margined row's figures through its USD view (health is a ratio, the same in either)
  const value = (r: AccountMargin) => (field !== 'health' && r.usd !== undefined ? r.usd[field] : r[field]);
  return (a, b) => {
    const x = value(a), y = value(b);
    if (Number.isNaN(x) !== Number.isNaN(y)) return Number.isNaN(x) ? 1 : -1;
    if (x !== y && !Number.isNaN(x)) return sign * (x < y ? -1 : 1);
    return byId(a, b);
  };
}

/**
 * Rows offered one at a time (a streamed book) or all at once: keeps those the selection asks for. With a sort and a
 * top N it holds at most 2N rows (trimmed by sorting as it goes), so a million accounts cost the memory of N.
 */
export class RowSelector {
  private rows: AccountMargin[] = [];
  private readonly order?: (a: AccountMargin, b: AccountMargin) => number;

  constructor(private readonly selection: Selection) {
    if (selection.sort) this.order = rowOrder(selection.sort);
  }

  /** True when the selection needs every row before it can print one (a sort). */
  get needsAll(): boolean {
    return this.order !== undefined;
  }

  matches(row: AccountMargin): boolean {
    return this.selection.status === undefined || this.selection.status.includes(row.status);
  }

  /** Offers a row (kept when it matches and may be among the top N). */
  offer(row: AccountMargin): void {
    if (!this.matches(row)) return;
    this.rows.push(row);
    const top = this.selection.top;
    if (this.order && top !== undefined && this.rows.length >= 2 * top + 1024) this.trim(top);
  }

  /** The rows selected, sorted and cut to the top N. */
  result(): AccountMargin[] {
    if (this.order) this.rows.sort(this.order);
    return this.selection.top === undefined ? this.rows : this.rows.slice(0, this.selection.top);
  }

  private trim(top: number): void {
    this.rows.sort(this.order);
    this.rows.length = top;
  }
}

/** The line that says what a selection shows, or '' without one. */
export function selectionLine(selection: Selection, shown: number, of: number): string {
  if (selection.status === undefined && selection.sort === undefined && selection.top === undefined) return '';
  const parts = [
    selection.status ? `status ${selection.status.join(' or ')}` : '',
    selection.sort ? `sorted by ${selection.sort} (${selection.sort === 'health' || selection.sort === 'excess' ? 'lowest' : selection.sort === 'id' ? 'a to z' : 'largest'} first)` : '',
    selection.top !== undefined ? `top ${selection.top}` : '',
  ].filter(Boolean);
  return `showing ${shown.toLocaleString('en-US')} of ${of.toLocaleString('en-US')} accounts (${parts.join(', ')}); the totals below are the whole book's`;
}
