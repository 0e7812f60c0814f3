/**
 * The page's pure logic, apart from the DOM (unit-tested in test/web-plots.test.ts): which dropped
 * file is which input, the accounts table's columns and sort order, and input errors as lines.
 */
import { InputError } from '../src/errors.js';
import { parseJsonText } from '../src/model/json-text.js';
import { firstNonUtf8 } from '../src/io/utf8.js';
import type { AccountMargin } from '../src/margin/report.js';
import { STATUS } from '../src/margin/status.js';

export type InputKind = 'book' | 'market' | 'params';

/** Recognises a dropped JSON document by its fields: a book has instruments/accounts, a market a valuation time/assets. */
export function classifyInput(json: unknown): InputKind {
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    if ('instruments' in json || 'accounts' in json) return 'book';
    if ('valuationTime' in json || 'assets' in json) return 'market';
  }
  return 'params';
}

/** Parses a file's text; malformed JSON is an InputError at the file's name, with the line and column. */
export function parseJsonFile(name: string, text: string | Uint8Array): unknown {
  if (typeof text === 'string') return parseJsonText(text, name);
  // a dropped file's bytes: File.text() would put U+FFFD where a byte is not UTF-8 (an id that is not the file's)
  const bad = firstNonUtf8(text, 0, text.length);
  if (bad >= 0) throw new InputError([{ path: name, message: `not valid UTF-8 at byte ${bad.toLocaleString('en-US')}: JSON text must be UTF-8` }]);
  return parseJsonText(new TextDecoder().decode(text), name);
}

export type SortKey = 'id' | 'status' | 'equity' | 'im' | 'mm' | 'health' | 'excessOverMm' | 'efficiency';

export const COLUMNS: readonly { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'id', label: 'account', numeric: false },
  { key: 'status', label: 'status', numeric: false },
  { key: 'equity', label: 'equity', numeric: true },
  { key: 'im', label: 'IM', numeric: true },
  { key: 'mm', label: 'MM', numeric: true },
  { key: 'health', label: 'health', numeric: true },
  { key: 'excessOverMm', label: 'excess', numeric: true },
  { key: 'efficiency', label: 'notional/IM', numeric: true },
];

/**
 * Accounts sorted by a column: status by severity (healthy < … < error), numbers numerically with
 * NaN last in either direction, ties by id so the order is stable across runs.
 */
export function sortAccounts(accounts: readonly AccountMargin[], key: SortKey, descending: boolean): AccountMargin[] {
  const sign = descending ? -1 : 1;
  // a coin-margined account's money compares in USD (its `usd` view): its own figures are in its coin
  const value = (a: AccountMargin): number | string => {
    if (key === 'status') return STATUS.indexOf(a.status);
    if (a.usd && (key === 'equity' || key === 'im' || key === 'mm' || key === 'excessOverMm')) return a.usd[key];
    return a[key];
  };
  return [...accounts].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (typeof va === 'number' && typeof vb === 'number') {
      if (Number.isNaN(va) !== Number.isNaN(vb)) return Number.isNaN(va) ? 1 : -1;
      if (va !== vb && !Number.isNaN(va)) return sign * (va < vb ? -1 : 1);
    } else if (va !== vb) return sign * (va < vb ? -1 : 1);
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/**
 * An error as `{ path, message }` lines for the page: InputError problems keep their paths, but for a message that
 * starts with its path (a file's `broken.json:1:31: not valid JSON`) and an Error's own line (`Error: …`), which
 * have none to show ('').
 */
export function errorLines(error: unknown): { path: string; message: string }[] {
  if (error instanceof InputError) {
    const lines = error.problems.map((p) => ({ path: p.message.startsWith(`${p.path}:`) ? '' : p.path, message: p.message }));
    if (error.truncated) lines.push({ path: '…', message: 'more problems were found; fix these first' });
    return lines;
  }
  return [{ path: '', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }];
}

/** Accounts above which the page asks before a stress on this tab's thread (a cascade per method, minutes on 100,000). */
export const PAGE_STRESS_ACCOUNTS = 10_000;

/**
 * Why a stress of `accounts` accounts under `methods` methods should not run unasked on the page's thread (it blocks
 * the tab: 100,000 accounts under the 7 methods on the crash path took minutes), with the CLI command that runs it
 * off the page; null for a book the page stresses in moments.
 */
export function heavyStressNote(accounts: number, methods: number): string | null {
  if (accounts <= PAGE_STRESS_ACCOUNTS) return null;
  return `A stress of ${accounts.toLocaleString('en-US')} accounts under ${methods} method${methods === 1 ? '' : 's'} runs a cascade per method on this tab's thread, which stays busy until it ends (minutes for 100,000 accounts). ` +
    'Run it off the page with margin-core stress --book BOOK --market MARKET --method all (--workers 2 for Monte Carlo paths), or here anyway.';
}

/**
 * The heading over {@link errorLines}: their problems counted, the line saying more were found not among them (a
 * list cut at 100 reads "100+ problems").
 */
export function rejectedHeading(lines: readonly { path: string }[]): string {
  const n = lines.filter((l) => l.path !== '…').length, more = n < lines.length ? '+' : '';
  return `Input rejected (${n}${more} problem${n === 1 && more === '' ? '' : 's'})`;
}

/** The accounts whose id contains `search` (case-insensitive) and whose status is `status` ('' for any), in order. */
export function filterAccounts(accounts: readonly AccountMargin[], search: string, status: string): readonly AccountMargin[] {
  const needle = search.trim().toLowerCase();
  if (needle === '' && status === '') return accounts;
  return accounts.filter((a) => (status === '' || a.status === status) && (needle === '' || a.id.toLowerCase().includes(needle)));
}
