/**
 * What a Deribit import checks of the book and market it built, before anyone writes them (docs/data-import.md,
 * "Deribit", "Checked before writing"):
 *
 * - they pass the library's own validation (src/model/validate.ts `validateInputs`, what `margin` runs on a book and a
 *   market): a refusal is reported at the venue field the book's field was made from (`get_positions.json.result[0].size`
 *   for `accounts[0].positions[0].quantity`), else at the book's path with the response it came from named;
 * - each currency's equity in the validated book equals the venue's `equity` in that currency's account summary, to
 *   the venue's rounding ({@link equityTolerance}).
 */
import { InputError, type InputProblem, type ProblemList } from '../../errors.js';
import { inversePnlCoin } from '../../margin/coin-valuation.js';
import { keyPath } from '../../model/checks.js';
import { isInverseInstrument } from '../../model/settlement.js';
import type { Market, ValidatedBook, ValidatedMarket } from '../../model/types.js';
import { validateInputs } from '../../model/validate.js';
import type { ImportedAccount, ImportedBook } from '../types.js';
import type { DeribitPosition } from './positions.js';
import type { DeribitQuote, DeribitSummary } from './responses.js';

/** Where each part of the book and market was read from. */
export interface BookSources {
  /** Each account's summaries (one, or every currency of a cross-collateral account). */
  accounts: ReadonlyMap<ImportedAccount, readonly DeribitSummary[]>;
  /** Each collateral balance's summary. */
  collateral: ReadonlyMap<object, DeribitSummary>;
  /** Each book position's get_positions entry. */
  positions: ReadonlyMap<object, DeribitPosition>;
  /** Instrument id → its (one) get_positions entry. */
  instruments: ReadonlyMap<string, DeribitPosition>;
  quotes: ReadonlyMap<string, DeribitQuote>;
  /** Coin → the path of the index_price it was priced at. */
  indexPrices: ReadonlyMap<string, string>;
  /** Asset → the path of the option quote's mark_iv its vol was taken from. */
  volSources: ReadonlyMap<string, string>;
  /** The path of the valuation time: the `valuationTime` option, or the latest quote's timestamp. */
  valuationTime?: string | undefined;
}

/**
 * The book and market validated as `margin` validates them; an InputError with the problems at the venue's paths
 * (see the module comment) when the library refuses them.
 */
export function validateImported(book: ImportedBook, market: Market, sources: BookSources): { book: ValidatedBook; market: ValidatedMarket } {
  try {
    return validateInputs(book, market);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const table = sourceTable(book, sources);
    throw new InputError(error.problems.map((p) => atSource(p, table, book)), error.truncated);
  }
}

/** A book or market path → the venue path it was read from, with the file a path without one comes from. */
interface SourceTable {
  paths: Map<string, string>;
  /** Top-level part of a book path (`accounts[0]`, `instruments[1]`, `market`) → the responses it was made from. */
  files: Map<string, string>;
}

function sourceTable(book: ImportedBook, sources: BookSources): SourceTable {
  const paths = new Map<string, string>(), files = new Map<string, string>();
  book.accounts.forEach((account, a) => {
    const at = `accounts[${a}]`;
    const summaries = sources.accounts.get(account) ?? [];
    if (summaries.length > 0) {
      paths.set(at, summaries[0].path);
      paths.set(`${at}.marginCurrency`, `${summaries[0].path}.currency`);
    }
    files.set(at, account.positions.length > 0 ? 'get_account_summary.json and get_positions.json' : 'get_account_summary.json');
    account.collateral.forEach((c, k) => {
      const s = sources.collateral.get(c);
      if (!s) return;
      paths.set(`${at}.collateral[${k}]`, s.path);
      paths.set(`${at}.collateral[${k}].amount`, `${s.path}.balance`);
      paths.set(`${at}.collateral[${k}].asset`, `${s.path}.currency`);
    });
    account.positions.forEach((position, j) => {
      const p = sources.positions.get(position);
      if (!p) return;
      const pos = `${at}.positions[${j}]`;
      paths.set(pos, p.path);
      paths.set(`${pos}.quantity`, `${p.path}.size`);
      paths.set(`${pos}.entryPrice`, `${p.path}.${p.entryField}`);
      paths.set(`${pos}.instrument`, `${p.path}.instrument_name`);
    });
  });
  book.instruments.forEach((instrument, i) => {
    const p = sources.instruments.get(instrument.id);
    if (p) paths.set(`instruments[${i}]`, `${p.path}.instrument_name`); // every field of it is read from the name
    files.set(`instruments[${i}]`, 'get_positions.json');
    const quote = sources.quotes.get(instrument.id);
    if (quote) {
      paths.set(keyPath('market.marks', instrument.id), `${quote.path}.mark_price`);
      paths.set(keyPath('market.impliedVols', instrument.id), `${quote.path}.mark_iv`);
    }
  });
  for (const [coin, path] of sources.indexPrices) paths.set(`${keyPath('market.assets', coin)}.price`, path);
  for (const [asset, path] of sources.volSources) paths.set(`${keyPath('market.assets', asset)}.vol`, path);
  if (sources.valuationTime !== undefined) paths.set('market.valuationTime', sources.valuationTime);
  files.set('market', 'get_index_price.json and the tickers or book summaries');
  return { paths, files };
}

/**
 * A validation problem at the venue path its book path maps to (the longest mapped prefix of it, a whole-account
 * notional problem at the position's size), the book path kept in the message; else at the book path, the responses
 * it was made from named.
 */
function atSource(problem: InputProblem, table: SourceTable, book: ImportedBook): InputProblem {
  let bookPath = problem.path;
  // a position's notional is reported on its account: `the position in BTC-PERPETUAL has a notional of …`
  const account = /^accounts\[(\d+)\]$/.exec(bookPath);
  const named = /^the position in (.+?) has a notional/.exec(problem.message);
  if (account && named) {
    const j = book.accounts[Number(account[1])]?.positions.findIndex((p) => p.instrument === named[1]) ?? -1;
    if (j >= 0) bookPath = `${bookPath}.positions[${j}].quantity`;
  }
  for (let prefix = bookPath; prefix.length > 0; prefix = parentPath(prefix)) {
    const source = table.paths.get(prefix);
    if (source !== undefined) return { path: source, message: `${problem.message} (imported as ${problem.path})` };
  }
  const top = /^(accounts\[\d+\]|instruments\[\d+\]|market)/.exec(problem.path)?.[1];
  const from = top !== undefined ? table.files.get(top) : undefined;
  return { path: problem.path, message: `${problem.message} (in the book the import made from ${from ?? 'the responses'})` };
}

/** `a.b[2].c` → `a.b[2]` → `a.b` → `a` → ''. */
function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut > 0 ? path.slice(0, cut) : '';
}

/**
 * The tolerance of the equity check, in the currency: 1e-9 of the equity, for the doubles' rounding (about 1e-16 of
 * each term) and the venue's decimal arithmetic on figures printed to a finite number of digits (a mark to 8 or 9
 * significant digits), far below what a missing or doubled position moves; 3e-8 for the three printed figures the
 * check reads, `balance`, `futures_session_rpl` and `equity`, each rounded to 1e-8 (the coin's satoshi; the OpenAPI
 * example's own sum is 1e-8 off its `equity`); each future's P&L may be off the venue's `floating_profit_loss` by what
 * the import took as the same (positions.ts: 1e-8 in a coin, 1e-6 in USDC), and each option's size·mark by 1e-8 (the
 * venue's `options_value`, rounded).
 */
function equityTolerance(equity: number, positions: readonly DeribitPosition[]): number {
  let tolerance = 1e-9 * Math.abs(equity) + 3e-8;
  for (const p of positions) tolerance += p.valueTolerance;
  return tolerance;
}

/**
 * Each summary's currency: the validated book's equity in it (its balances of that currency, the contracts settled in
 * it valued as the engine values them: an inverse contract's P&L quantity·multiplier·(1/entry − 1/mark), a linear
 * one's units·(mark − entry), an option's units·mark; USD cash, realized by netting USDC contracts, in USDC) against
 * the summary's `equity`. A currency some skipped position may settle in is not checked (the book leaves it out), with
 * a note.
 */
export function checkVenueEquity(
  book: ValidatedBook, market: ValidatedMarket, summaries: readonly DeribitSummary[], kept: readonly DeribitPosition[],
  skippedCurrencies: ReadonlySet<string | undefined>, problems: ProblemList, notes: InputProblem[], skipped: readonly InputProblem[] = [],
): void {
  const byId = new Map(kept.map((p) => [p.instrument.name, p]));
  const instruments = new Map(book.instruments.map((i) => [i.id, i]));
  const equity = new Map<string, number>();
  const add = (currency: string, value: number) => equity.set(currency, (equity.get(currency) ?? 0) + value);
  for (const account of book.accounts) {
    for (const c of account.collateral) add(c.asset, c.amount);
    if (account.cashUsd !== undefined) add('USDC', account.cashUsd);
    for (const position of account.positions) {
      const instrument = instruments.get(position.instrument)!;
      const source = byId.get(position.instrument);
      const currency = source?.instrument.settlement ?? instrument.settlement ?? 'USDC';
      const mark = market.marks.get(position.instrument) ?? NaN;
      const units = position.quantity * instrument.multiplier;
      add(currency, instrument.kind === 'option' ? units * mark : isInverseInstrument(instrument) ? inversePnlCoin(position.quantity, instrument.multiplier, position.entryPrice, mark) : units * (mark - position.entryPrice));
    }
  }
  for (const s of summaries) {
    if (s.balance < 0) notes.push({ path: `${s.path}.balance`, message: `negative (${s.balance} ${s.currency}): written as a negative balance, a liability at full value, as the venue's equity counts it` });
    if (skippedCurrencies.has(s.currency) || skippedCurrencies.has(undefined)) {
      notes.push({ path: `${s.path}.equity`, message: `${s.currency}: the book's equity is not checked against the venue's: it leaves out the positions listed as skipped` });
      continue;
    }
    const ours = equity.get(s.currency) ?? 0;
    const tolerance = equityTolerance(s.equity, kept.filter((p) => p.instrument.settlement === s.currency));
    if (!(Math.abs(ours - s.equity) <= tolerance)) {
      problems.add(`${s.path}.equity`, `the venue's ${s.currency} equity ${s.equity} is not the imported book's ${Number(ours.toPrecision(12))} (off by ${Number((ours - s.equity).toPrecision(3))}, beyond the rounding tolerance ${Number(tolerance.toPrecision(2))}): balance + futures_session_rpl + each future's session P&L + each option's size × mark must make it; save get_account_summary and get_positions at the same time, each position once${skippedBeside(s.currency, kept, skipped)}`);
    }
  }
}

/**
 * The positions skipped from the get_positions response that holds `currency`'s positions, as the end of an equity
 * refusal: a position saved in another currency's response (an ETH-PERPETUAL among BTC's) is skipped, while its P&L
 * stays in the venue's equity of the response's currency.
 */
function skippedBeside(currency: string, kept: readonly DeribitPosition[], skipped: readonly InputProblem[]): string {
  const responseOf = (path: string) => path.slice(0, path.indexOf('.result'));
  const responses = new Set(kept.filter((p) => p.instrument.settlement === currency).map((p) => responseOf(p.path)));
  const beside = skipped.filter((k) => k.path.startsWith('get_positions.json') && responses.has(responseOf(k.path)));
  if (beside.length === 0) return '';
  return `; not imported from the same response: ${beside.slice(0, 3).map((k) => `${k.path} (${k.message})`).join('; ')}${beside.length > 3 ? ', …' : ''}: a position of another currency saved there keeps its P&L in this equity`;
}
