/**
 * Deribit account → margin-core book and market (docs/data-import.md, "Deribit"). Input: the JSON-RPC responses a
 * user saves (OpenAPI 2.1.1): `private/get_positions`, `private/get_account_summary`, `public/ticker` or
 * `public/get_book_summary_by_currency`, `public/get_index_price`.
 *
 * Accounts: one per currency summary (Deribit margins each currency apart: `BTC` collateral for BTC contracts). A coin
 * account is margined in its coin (`marginCurrency`), its inverse contracts and options settle in it (`settlement`).
 * Under cross collateral, the currencies that settle no contract share one USD account; a coin that settles contracts
 * keeps an account of its own (the book format margins each settlement currency apart). USDC-settled linear contracts
 * and USDC accounts are written as USD ones: Deribit values USDC at par (it publishes no usdc_usd index), so both read
 * the same.
 *
 * Equity: the venue's `equity` = balance + futures_session_rpl + futures_session_upl + options_value (the identity the
 * OpenAPI example satisfies: 302.60065765 − 0.03258105 + 0.05921555 − 0.0086 = 302.61869215 ≈ 302.61869214). The book
 * holds balance + futures_session_rpl as the coin balance, each future from the price its session P&L runs from
 * (positions.ts), each option at its mark: the same sum.
 */
import { type InputProblem, ProblemList } from '../../errors.js';
import { impliedVol } from '../../greeks/implied-vol.js';
import { formatIsoTimestamp, parseIsoTimestamp, yearsBetween } from '../../model/time.js';
import { checkOptionFields, checkResponses, jsonRpcResults, percentToDecimal } from '../fields.js';
import { assembleMarket, type VolCandidate } from '../market.js';
import type { ImportedAccount, ImportedInstrument, ImportResult, VenueEquity } from '../types.js';
import { USD_STABLECOINS } from '../types.js';
import { parseDeribitName } from './names.js';
import { type BookSources, checkVenueEquity, validateImported } from './check-book.js';
import { type DeribitPosition, readPositions } from './positions.js';
import { assignIndexPrices, type DeribitQuote, type DeribitSummary, readIndexPrices, readQuotes, readSummaries } from './responses.js';

/** The saved responses, each as parsed JSON (a response, or an array of responses: one per currency). */
export interface DeribitResponses {
  /** `get_positions.json` */
  positions: unknown;
  /** `get_account_summary.json` */
  accountSummary: unknown;
  /** `get_book_summary_by_currency.json` (this or `ticker`). */
  bookSummary?: unknown;
  /** `ticker.json`: an array of `public/ticker` responses. */
  ticker?: unknown;
  /** `get_index_price.json` */
  indexPrice: unknown;
}

export interface DeribitImportOptions {
  /** Account ids are `<prefix>-<currency>` (`deribit-BTC`), or the prefix alone for a cross-collateral account. Default `deribit`. */
  accountPrefix?: string | undefined;
  /** The market's valuation time (ISO-8601 with a zone); default: the latest ticker or book-summary timestamp. */
  valuationTime?: string | undefined;
}

/** What the responses say, read (every problem collected in `problems`). */
interface Read {
  summaries: DeribitSummary[];
  byCurrency: Map<string, DeribitSummary>;
  quotes: Map<string, DeribitQuote>;
  positions: DeribitPosition[];
  /** The settlement currencies of the positions listed as skipped (undefined: one of unknown currency). */
  skippedCurrencies: Set<string | undefined>;
  cross: boolean;
  valuationMs: number;
}

export function importDeribit(input: DeribitResponses, options: DeribitImportOptions = {}): ImportResult {
  checkResponses(input, 'responses', 'the API\'s responses ({ positions, accountSummary, bookSummary, ticker, indexPrice })', ['positions', 'accountSummary', 'bookSummary', 'ticker', 'indexPrice']);
  checkOptionFields(options, ['accountPrefix', 'valuationTime'], 'options');
  const problems = new ProblemList();
  const skipped: InputProblem[] = [], notes: InputProblem[] = [];
  const prefix = options.accountPrefix ?? 'deribit';
  const read = readResponses(input, options, problems, skipped, notes);
  const quoted = importable(read, skipped, notes);
  const indexPrices = new Map<string, string>();
  const prices = coinPrices(input, read, quoted, problems, notes, indexPrices);
  problems.throwIfAny();
  const usdOf = (currency: string) => (USD_STABLECOINS.has(currency) ? 1 : prices.get(currency)!);
  const kept = withImpliedVols(read, quoted, usdOf, skipped, notes);
  // An account per coin that settles contracts (margined in it, as the book format margins each settlement currency
  // apart); the rest (stablecoin-settled contracts, other balances) in one USD account under cross collateral, else
  // one account per currency.
  const coinSettled = new Set(kept.filter((p) => p.instrument.inverse).map((p) => p.instrument.settlement));
  const accountOf = (currency: string) => (read.cross && !coinSettled.has(currency) ? prefix : `${prefix}-${currency}`);
  const built = buildBook(read, kept, accountOf, (c) => !USD_STABLECOINS.has(c) && (!read.cross || coinSettled.has(c)), notes);
  const assetPrices = new Map<string, number>();
  for (const i of built.instruments.values()) assetPrices.set(i.underlying, usdOf(i.underlying));
  for (const a of built.accounts.values()) for (const c of a.collateral) assetPrices.set(c.asset, usdOf(c.asset));
  const volSources = new Map<string, string>();
  const market = assembleMarket({ valuationMs: read.valuationMs, prices: assetPrices, marks: built.marks, impliedVols: built.impliedVols, volCandidates: volCandidatesOf(read.quotes), volSources }, notes);
  const venueEquity = venueEquityOf(built.accounts, read, accountOf, usdOf);
  const accounts = [...built.accounts.values()];
  for (const a of accounts) if (a.positions.length === 0 && a.collateral.length === 0) notes.push({ path: 'get_account_summary.json', message: `${a.id}: no balance and no position, left out of the book` });
  const book = { instruments: [...built.instruments.values()], accounts: accounts.filter((a) => a.positions.length > 0 || a.collateral.length > 0) };
  // what `margin` would refuse is refused here, at the venue's paths; then each currency's equity against the venue's
  const valid = validateImported(book, market, { ...built.sources, quotes: read.quotes, indexPrices, volSources, valuationTime: valuationTimePath(read, options) });
  checkVenueEquity(valid.book, valid.market, read.summaries, kept, read.skippedCurrencies, problems, notes, skipped);
  problems.throwIfAny();
  return { book, market, skipped, notes, venueEquity };
}

/** Where the valuation time was read: the option, or the latest quote's timestamp. */
function valuationTimePath(read: Read, options: DeribitImportOptions): string | undefined {
  if (options.valuationTime !== undefined) return 'valuationTime';
  const latest = [...read.quotes.values()].find((q) => q.timestampMs === read.valuationMs);
  return latest && `${latest.path}.${latest.path.startsWith('ticker.json') ? 'timestamp' : 'creation_timestamp'}`;
}

function readResponses(input: DeribitResponses, options: DeribitImportOptions, problems: ProblemList, skipped: InputProblem[], notes: InputProblem[]): Read {
  if (input.bookSummary === undefined && input.ticker === undefined) problems.add('get_book_summary_by_currency.json', 'missing: give the book summaries or ticker.json (marks and mark IVs)');
  const summaries = readSummaries(input.accountSummary, 'get_account_summary.json', problems);
  const beforeQuotes = problems.size;
  const quotes = readQuotes(input.ticker, input.bookSummary, problems, notes);
  const quoteRefused = problems.size > beforeQuotes; // then a missing timestamp follows from it: said once
  const { positions, skippedCurrencies } = readPositions(jsonRpcResults(input.positions, 'get_positions.json', problems), problems, skipped, notes);
  const cross = summaries.some((s) => s.crossCollateral);
  if (cross && !summaries.every((s) => s.crossCollateral)) problems.add('get_account_summary.json', 'some summaries have cross_collateral_enabled and some not: save the summaries of one account');
  const byCurrency = new Map<string, DeribitSummary>();
  for (const s of summaries) {
    if (byCurrency.has(s.currency)) problems.add(`${s.path}.currency`, `a second summary for ${s.currency}`);
    byCurrency.set(s.currency, s);
  }
  const given = options.valuationTime;
  const valuationMs = given !== undefined ? parseIsoTimestamp(given) : Math.max(...[...quotes.values()].map((q) => q.timestampMs ?? -Infinity));
  if (!Number.isFinite(valuationMs)) {
    if (given !== undefined) problems.add('valuationTime', `not an ISO-8601 timestamp with a zone: ${given}`);
    else if (!Number.isNaN(valuationMs) && !quoteRefused) problems.add('ticker.json', 'no timestamp in the tickers or book summaries: give a valuation time'); // NaN: one refused
  }
  return { summaries, byCurrency, quotes, positions, skippedCurrencies, cross, valuationMs };
}

/**
 * The positions the book can hold; the others listed in `skipped` with why. A position no ticker or book summary
 * quotes is marked at its own `mark_price` (a note says so; an option's vol is then the one its mark implies:
 * {@link withImpliedVols}), so a held contract is never left out for a missing quote.
 */
function importable(read: Read, skipped: InputProblem[], notes: InputProblem[]): DeribitPosition[] {
  const kept: DeribitPosition[] = [];
  for (const p of read.positions) {
    const { name, settlement, expiryMs, kind } = p.instrument;
    const quote = read.quotes.get(name);
    let why: string | undefined;
    if (!read.byCurrency.has(settlement)) why = `no account summary for ${settlement} (save get_account_summary for ${settlement})`;
    else if (expiryMs !== undefined && Number.isFinite(read.valuationMs) && expiryMs < read.valuationMs) why = `expired before the valuation time ${formatIsoTimestamp(read.valuationMs)}`;
    if (why) {
      skip(read, p, why, skipped);
      continue;
    }
    if (!quote) {
      read.quotes.set(name, { mark: p.mark, path: p.path, fromPosition: true });
      if (kind !== 'option') notes.push({ path: `${p.path}.mark_price`, message: `${name}: ${UNQUOTED}: marked at the position's own mark_price ${p.mark}` });
    }
    kept.push(p);
  }
  return kept;
}

/**
 * A quoted mark_iv far from the vol its mark_price implies at the index (a quote in other units, a stale surface): noted,
 * since the methods that revalue options (portfolio, deribit, var) read the vol, not the mark. Far: more than a quarter
 * of the implied vol and 5 vol points apart (the index is not Deribit's forward, so a small gap is usual).
 */
function noteVolAgainstMark(read: Read, p: DeribitPosition, usdOf: (currency: string) => number, notes: InputProblem[]): void {
  const d = p.instrument, quote = read.quotes.get(d.name)!;
  const spot = usdOf(d.base), implied = markImpliedVol(read, d, quote.mark, spot);
  const quoted = percentToDecimal(quote.markIvPercent!);
  if (implied === undefined || !(Math.abs(quoted - implied) > Math.max(0.05, 0.25 * implied))) return;
  notes.push({ path: `${quote.path}.mark_iv`, message: `${d.name}: mark_iv ${quote.markIvPercent} is far from the ${(implied * 100).toPrecision(4)}% its mark_price ${quote.mark} implies at the index ${spot}: the methods that revalue options read the vol` });
}

/** The vol option `d`'s `mark` implies at the index `spot` (rate and carry 0, as the market's); undefined when none does. */
function markImpliedVol(read: Read, d: DeribitPosition['instrument'], mark: number, spot: number): number | undefined {
  // a coin-settled option's mark is coin per unit: its USD price is mark × index
  return impliedVol(d.right === 'call', spot, d.strike!, yearsBetween(read.valuationMs, d.expiryMs!), d.inverse ? mark * spot : mark, 0, 0);
}

const UNQUOTED = 'no ticker or book summary quotes it';

function skip(read: Read, p: DeribitPosition, why: string, skipped: InputProblem[]): void {
  skipped.push({ path: p.path, message: `${p.instrument.name}: ${why}` });
  read.skippedCurrencies.add(p.instrument.settlement);
}

/**
 * The positions kept, each option with no quoted vol (none quoted it, or its quote has no mark_iv) given the vol its
 * mark (its own position's, or its quote's) implies at the coin's index (rate and carry 0, as the market's:
 * implied-vol.ts); one whose mark implies none is skipped with why.
 */
function withImpliedVols(read: Read, quoted: DeribitPosition[], usdOf: (currency: string) => number, skipped: InputProblem[], notes: InputProblem[]): DeribitPosition[] {
  const kept: DeribitPosition[] = [];
  for (const p of quoted) {
    const d = p.instrument, quote = read.quotes.get(d.name)!;
    const unquoted = quote.fromPosition === true;
    if (d.kind === 'option' && quote.vol === undefined && (unquoted || quote.markIvPercent === undefined)) {
      const spot = usdOf(d.base), vol = markImpliedVol(read, d, quote.mark, spot);
      const why = unquoted ? `${UNQUOTED}, and its own mark_price ${quote.mark}` : `its quote has no mark_iv, and its mark_price ${quote.mark}`;
      if (vol === undefined) {
        skip(read, p, `${why} implies no vol at the index ${spot}`, skipped);
        read.quotes.delete(d.name);
        continue;
      }
      quote.vol = vol;
      quote.underlyingPrice = spot; // a source of the coin's vol as a quoted one is (volCandidatesOf)
      const at = `at the vol it implies at the index ${spot} (${(vol * 100).toPrecision(6)}%)`;
      notes.push(unquoted
        ? { path: `${p.path}.mark_price`, message: `${d.name}: ${UNQUOTED}: marked at the position's own mark_price ${quote.mark}, ${at}` }
        : { path: `${quote.path}.mark_iv`, message: `${d.name}: its quote has no mark_iv: marked at its mark_price ${quote.mark}, ${at}` });
    } else if (d.kind === 'option' && quote.vol === undefined) noteVolAgainstMark(read, p, usdOf, notes);
    kept.push(p);
  }
  return kept;
}

/** USD prices of the coins the book names, from the index responses (responses.ts assignIndexPrices). */
function coinPrices(input: DeribitResponses, read: Read, kept: DeribitPosition[], problems: ProblemList, notes: InputProblem[], sources: Map<string, string>): Map<string, number> {
  const coins = [...new Set([...kept.map((p) => p.instrument.base), ...read.byCurrency.keys()])].filter((c) => !USD_STABLECOINS.has(c)).sort();
  const reported = new Map<string, Set<number>>();
  const report = (coin: string, price: number | undefined) => price !== undefined && (reported.get(coin) ?? reported.set(coin, new Set()).get(coin)!).add(price);
  for (const p of read.positions) if (p.instrument.inverse) report(p.instrument.base, p.indexPrice);
  for (const [name, q] of read.quotes) if (!name.includes('_')) report(name.split('-')[0], q.indexPrice);
  const before = problems.size;
  const indices = readIndexPrices(input.indexPrice, problems);
  // an index response refused (index_price 0, not a number) is said once: no follow-on "no index price for BTC"
  return assignIndexPrices(indices, coins, reported, problems, notes, sources, problems.size > before);
}

/** The accounts (balance + session realized P&L as the coin balance), instruments, marks and IVs. */
function buildBook(read: Read, kept: DeribitPosition[], accountOf: (currency: string) => string, marginedIn: (currency: string) => boolean, notes: InputProblem[]) {
  const instruments = new Map<string, ImportedInstrument>();
  const marks = new Map<string, number>(), impliedVols = new Map<string, number>();
  const accounts = new Map<string, ImportedAccount>();
  const sources = {
    accounts: new Map<ImportedAccount, DeribitSummary[]>(), collateral: new Map<object, DeribitSummary>(),
    positions: new Map<object, DeribitPosition>(), instruments: new Map<string, DeribitPosition>(),
  } satisfies Partial<BookSources>;
  const parNoted = new Set<string>();
  const notePar = (path: string, coin: string) => {
    if (!parNoted.has(coin)) notes.push({ path, message: `${coin}-settled contracts and ${coin} balances are written as USD: Deribit values ${coin} at par` });
    parNoted.add(coin);
  };
  for (const s of read.summaries) {
    const id = accountOf(s.currency);
    const account = accounts.get(id) ?? { id, positions: [], collateral: [] };
    if (marginedIn(s.currency)) account.marginCurrency = s.currency;
    if (USD_STABLECOINS.has(s.currency)) notePar(s.path, s.currency);
    const amount = s.balance + s.futuresSessionRpl;
    if (amount !== 0) {
      const balance = { asset: s.currency, amount };
      account.collateral.push(balance);
      sources.collateral.set(balance, s);
    }
    accounts.set(id, account);
    sources.accounts.set(account, [...(sources.accounts.get(account) ?? []), s]);
  }
  for (const p of kept) {
    const { instrument: d } = p;
    const quote = read.quotes.get(d.name)!;
    if (!instruments.has(d.name)) {
      const instrument: ImportedInstrument = { id: d.name, kind: d.kind, underlying: d.base, multiplier: p.multiplier };
      if (d.kind === 'option') Object.assign(instrument, { right: d.right, strike: d.strike });
      if (d.expiryMs !== undefined) instrument.expiry = formatIsoTimestamp(d.expiryMs);
      if (d.inverse) instrument.settlement = d.base;
      else notePar(p.path, d.settlement);
      instruments.set(d.name, instrument);
      sources.instruments.set(d.name, p);
      marks.set(d.name, quote.mark);
      if (quote.mark !== p.mark) notes.push({ path: `${p.path}.mark_price`, message: `${d.name}: the position's mark ${p.mark} differs from its quote's ${quote.mark} (${quote.path}); the quote's is used` });
      if (d.kind === 'option') impliedVols.set(d.name, quote.vol ?? percentToDecimal(quote.markIvPercent!));
    }
    const position = { instrument: d.name, quantity: p.quantity, entryPrice: p.entryPrice };
    accounts.get(accountOf(d.settlement))!.positions.push(position);
    sources.positions.set(position, p);
  }
  return { instruments, marks, impliedVols, accounts, sources };
}

/** The option quotes an asset's vol may be read from (market.ts). */
function volCandidatesOf(quotes: Map<string, DeribitQuote>): VolCandidate[] {
  const out: VolCandidate[] = [];
  for (const [name, q] of quotes) {
    const parsed = parseDeribitName(name);
    const vol = q.vol ?? (q.markIvPercent === undefined ? undefined : percentToDecimal(q.markIvPercent));
    if ('error' in parsed || parsed.kind !== 'option' || !(vol! > 0) || !(q.underlyingPrice! > 0)) continue;
    out.push({ asset: parsed.base, expiryMs: parsed.expiryMs!, strike: parsed.strike!, vol: vol!, underlyingPrice: q.underlyingPrice!, name, path: `${q.path}.${q.vol === undefined ? 'mark_iv' : 'mark_price'}` });
  }
  return out;
}

/** Each account's equity as the venue states it: its summary's, or for a USD account the USD total of its currencies. */
function venueEquityOf(accounts: Map<string, ImportedAccount>, read: Read, accountOf: (currency: string) => string, usdOf: (currency: string) => number): VenueEquity[] {
  const out: VenueEquity[] = [];
  for (const [id, account] of accounts) {
    const own = read.summaries.filter((x) => accountOf(x.currency) === id);
    if (own.length === 1 && (!read.cross || account.marginCurrency !== undefined)) {
      const s = own[0];
      out.push({ account: id, currency: s.currency, equity: s.equity, equityUsd: s.equity * usdOf(s.currency), path: `${s.path}.equity` });
    } else if (own.length > 0) {
      // Deribit's total_equity_usd when the account holds every currency, else its currencies' equity at their index
      const total = own.length === read.summaries.length ? own[0].totalEquityUsd : undefined;
      const usd = total ?? own.reduce((sum, x) => sum + x.equity * usdOf(x.currency), 0);
      // summed: every summary's equity is a term of it
      const path = total !== undefined ? `${own[0].path}.total_equity_usd` : own.map((x) => `${x.path}.equity`).join(' + ');
      out.push({ account: id, currency: 'USD', equity: usd, equityUsd: usd, path });
    }
  }
  return out;
}
