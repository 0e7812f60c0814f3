/**
 * The Deribit JSON-RPC results an import reads (OpenAPI 2.1.1, docs.deribit.com): account summaries, tickers or book
 * summaries (marks, mark IVs, timestamps) and index prices, each read with the path of its fields.
 */
import type { InputProblem, ProblemList } from '../../errors.js';
import { isRecord, itemsOf, jsonRpcResults, numberAt, numbersOrNull, optionalNumber, stringAt, timestampAt } from '../fields.js';
import { USD_STABLECOINS } from '../types.js';

/** One currency's `private/get_account_summary` result. */
export interface DeribitSummary {
  currency: string;
  /** Coin (or stablecoin) units, as the venue states them. */
  balance: number;
  equity: number;
  /** Realized futures P&L of the session: in `equity`, not yet in `balance` (settled at the next 08:00 UTC settlement). */
  futuresSessionRpl: number;
  crossCollateral: boolean;
  /** Cross-collateral accounts only: the equity of every currency in USD. */
  totalEquityUsd?: number | undefined;
  path: string;
}

/** What a ticker or book summary says of one instrument. */
export interface DeribitQuote {
  mark: number;
  /** Mark implied vol, percent as Deribit quotes it (61.27 = 61.27 %). */
  markIvPercent?: number | undefined;
  underlyingPrice?: number | undefined;
  interestRate?: number | undefined;
  /** Index price of the instrument's index (tickers only). */
  indexPrice?: number | undefined;
  /** Epoch ms; NaN when the venue's was refused (fields.ts timestampAt). */
  timestampMs?: number | undefined;
  path: string;
  /** A position's own mark, no ticker or book summary quoting it (index.ts importable). */
  fromPosition?: true | undefined;
  /** An option's vol (decimal) implied by that mark, for want of a quoted mark_iv. */
  vol?: number | undefined;
}

/** Account summaries: one result per currency (`get_account_summary`), or `{ summaries: […] }` (`get_account_summaries`). */
export function readSummaries(json: unknown, file: string, problems: ProblemList): DeribitSummary[] {
  const out: DeribitSummary[] = [];
  for (const { result, path } of jsonRpcResults(json, file, problems)) {
    const items = isRecord(result) && Array.isArray(result.summaries) ? itemsOf(result.summaries, `${path}.summaries`) : [{ value: result, path }];
    for (const { value, path: at } of items) {
      if (!isRecord(value)) {
        problems.add(at, 'expected an account summary object');
        continue;
      }
      numbersOrNull(value, at, ['total_equity_usd'], problems);
      const currency = stringAt(value, 'currency', at, problems);
      const balance = numberAt(value, 'balance', at, problems);
      const equity = numberAt(value, 'equity', at, problems);
      const rpl = numberAt(value, 'futures_session_rpl', at, problems, true) ?? 0;
      if (currency === undefined || balance === undefined || equity === undefined) continue;
      out.push({
        currency: currency.toUpperCase(), balance, equity, futuresSessionRpl: rpl, crossCollateral: value.cross_collateral_enabled === true,
        totalEquityUsd: optionalNumber(value, 'total_equity_usd'), path: at,
      });
    }
  }
  return out;
}

/** Marks and IVs by instrument name from `public/ticker` responses (an array of them) and `get_book_summary_by_currency` results. */
export function readQuotes(ticker: unknown, bookSummary: unknown, problems: ProblemList, notes?: InputProblem[]): Map<string, DeribitQuote> {
  const quotes = new Map<string, DeribitQuote>();
  // instruments both files quote: the ticker's replaces the summary's, and a note says how far their marks were apart
  let replaced = 0, widest = 0;
  // per file, the first path quoting each instrument: one file quoting it twice is a save to fix, not a quote to pick
  const firstIn = { timestamp: new Map<string, string>(), creation_timestamp: new Map<string, string>() };
  const add = (value: unknown, path: string, timestampKey: 'timestamp' | 'creation_timestamp') => {
    if (!isRecord(value)) {
      problems.add(path, 'expected an object with instrument_name and mark_price');
      return;
    }
    numbersOrNull(value, path, ['mark_iv', 'underlying_price', 'interest_rate', 'index_price'], problems); // read as optional below
    const name = stringAt(value, 'instrument_name', path, problems);
    const mark = numberAt(value, 'mark_price', path, problems);
    if (name === undefined || mark === undefined) return;
    const first = firstIn[timestampKey].get(name);
    if (first !== undefined) return problems.add(`${path}.instrument_name`, `${JSON.stringify(name)} again (first at ${first}): one quote per instrument in a file`);
    firstIn[timestampKey].set(name, path);
    const before = quotes.get(name);
    if (before !== undefined && timestampKey === 'timestamp') {
      replaced++;
      widest = Math.max(widest, Math.abs(mark - before.mark) / Math.max(Math.abs(mark), Math.abs(before.mark), Number.MIN_VALUE));
    }
    quotes.set(name, {
      mark, markIvPercent: optionalNumber(value, 'mark_iv'), underlyingPrice: optionalNumber(value, 'underlying_price'),
      interestRate: optionalNumber(value, 'interest_rate'), indexPrice: optionalNumber(value, 'index_price'), timestampMs: timestampAt(value, timestampKey, path, problems), path,
    });
  };
  if (bookSummary !== undefined) {
    for (const { result, path } of jsonRpcResults(bookSummary, 'get_book_summary_by_currency.json', problems)) {
      if (!Array.isArray(result)) problems.add(path, 'expected the array of book summaries');
      else result.forEach((item, i) => add(item, `${path}[${i}]`, 'creation_timestamp'));
    }
  }
  // tickers last: a ticker is per instrument and carries its own timestamp
  if (ticker !== undefined) for (const { result, path } of jsonRpcResults(ticker, 'ticker.json', problems)) add(result, path, 'timestamp');
  if (replaced > 0) {
    notes?.push({ path: 'ticker.json', message: `${replaced} instrument${replaced === 1 ? ' is' : 's are'} quoted by both the ticker and the book summary: the ticker's quote is taken (their marks differ by up to ${(widest * 100).toPrecision(3)}%)` });
  }
  return quotes;
}

/** A stablecoin's index within this of 1 USD is at par (the import writes the coin as USD). */
export const STABLE_PAR_TOLERANCE = 0.01;

/** One `public/get_index_price` result: the index value and what names it (a string request id such as "btc_usd"). */
export interface DeribitIndex {
  price: number;
  /** The request id when it is a string (a JSON-RPC id the user chose; Deribit echoes it). */
  id?: string | undefined;
  path: string;
}

export function readIndexPrices(json: unknown, problems: ProblemList): DeribitIndex[] {
  const out: DeribitIndex[] = [];
  for (const { value, path } of itemsOf(json, 'get_index_price.json')) {
    const [first] = jsonRpcResults(value, path, problems);
    if (!first) continue;
    if (!isRecord(first.result)) {
      problems.add(first.path, 'expected {"index_price": …}');
      continue;
    }
    const price = numberAt(first.result, 'index_price', first.path, problems);
    if (price === undefined) continue;
    if (!(price > 0)) {
      problems.add(`${first.path}.index_price`, `not positive (${price})`);
      continue;
    }
    const id = isRecord(value) && typeof value.id === 'string' ? value.id : undefined;
    out.push({ price, id, path: first.path });
  }
  return out;
}

/** The currency an index name or id denotes (`btc_usd` → BTC), with whether it is a USD index (not a stablecoin one). */
function indexCurrency(id: string): { currency: string; usd: boolean } | undefined {
  const m = /^([a-z0-9]+)_(usd|usdc|usdt)$/i.exec(id);
  if (m) return { currency: m[1].toUpperCase(), usd: m[2].toLowerCase() === 'usd' };
  return /^[A-Za-z0-9]+$/.test(id) ? { currency: id.toUpperCase(), usd: true } : undefined;
}

/**
 * USD prices of `needed` coins from the index responses: named by a string request id (`btc_usd`; a stablecoin index
 * such as `btc_usdc` only when no USD one is given), else the one response when one coin is needed, else by equality
 * with the `index_price` the positions and tickers of that coin report. Unassigned responses and unpriced coins are
 * problems (unpriced ones not when `someRefused`: a response was refused already, likely the one). `sources` gets the
 * path of each price's `index_price`.
 */
export function assignIndexPrices(indices: readonly DeribitIndex[], needed: readonly string[], reported: ReadonlyMap<string, Set<number>>, problems: ProblemList, notes: InputProblem[], sources?: Map<string, string>, someRefused = false): Map<string, number> {
  const prices = new Map<string, number>();
  const assign = (currency: string, index: DeribitIndex) => {
    prices.set(currency, index.price);
    sources?.set(currency, `${index.path}.index_price`);
  };
  const usd = new Set<string>();
  const open: DeribitIndex[] = [];
  const firstOf = new Map<string, DeribitIndex>(); // the USD index that priced each coin
  for (const index of indices) {
    const named = index.id === undefined ? undefined : indexCurrency(index.id);
    // an id of the form <coin>_usd names its coin: never another's, even when it is the one response left
    const pair = named !== undefined && index.id!.includes('_');
    if (!named || !needed.includes(named.currency)) {
      if (pair && USD_STABLECOINS.has(named!.currency)) {
        // a stablecoin is written as USD at par: an index of it far from 1 says that would misvalue it
        // within 1% inclusive: 1.01 − 1 is 0.010000000000000009 in doubles
        if (Math.abs(index.price - 1) > STABLE_PAR_TOLERANCE + 1e-12) problems.add(`${index.path}.index_price`, `${named!.currency} at ${index.price} USD is not at par: the import writes ${named!.currency} balances and ${named!.currency}-settled contracts as USD at 1 (within ${STABLE_PAR_TOLERANCE * 100}%); convert them first, or leave the index out`);
        else notes.push({ path: index.path, message: `the ${index.id} index (${index.price}): ${named!.currency} is written as USD at par` });
      } else if (pair) notes.push({ path: index.path, message: `the ${index.id} index: no imported instrument or balance is in ${named!.currency}: not used` });
      else open.push(index);
      continue;
    }
    if (named.usd && firstOf.has(named.currency)) {
      problems.add(index.path, `a second ${named.currency} index (${index.id}: ${index.price}; the first, ${firstOf.get(named.currency)!.path}: ${firstOf.get(named.currency)!.price}): one index per coin`);
      continue;
    }
    if (named.usd) firstOf.set(named.currency, index);
    if (named.usd || !usd.has(named.currency)) {
      if (!named.usd) notes.push({ path: index.path, message: `${named.currency} priced from the ${index.id} index: USDC taken at 1 USD` });
      assign(named.currency, index);
      if (named.usd) usd.add(named.currency);
    }
  }
  const unpriced = () => needed.filter((c) => !prices.has(c));
  if (open.length === 1 && unpriced().length === 1) {
    assign(unpriced()[0], open[0]);
    open.length = 0;
  }
  for (const index of open.splice(0)) {
    const matches = unpriced().filter((c) => reported.get(c)?.has(index.price));
    if (matches.length === 1) assign(matches[0], index);
    else open.push(index);
  }
  for (const index of open) {
    if (unpriced().length === 0) {
      notes.push({ path: index.path, message: 'an index price no imported instrument or balance needs: not used' });
      continue;
    }
    problems.add(index.path, `cannot tell which coin this index price is for: send the request with a string id naming the index (e.g. "id": "btc_usd"), or save one response per file entry with such an id`);
  }
  if (!someRefused) for (const currency of unpriced()) problems.add('get_index_price.json', `no index price for ${currency} (request public/get_index_price with index_name ${currency.toLowerCase()}_usd)`);
  return prices;
}
