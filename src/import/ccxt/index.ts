/**
 * CCXT unified structures → margin-core book and market (docs/data-import.md, "CCXT"): what `fetchPositions`,
 * `fetchBalance`, `fetchTickers` and `fetchGreeks` / `fetchAllGreeks` return (ccxt ts/src/base/types.ts: Position,
 * Balances, Ticker, Greeks), as plain objects: margin-core does not depend on ccxt.
 *
 * Unified fields (`info`, the venue's raw answer, only where a venue's parser leaves the sign there alone: BitMEX's
 * `currentQty`): a position is `side` × `contracts` of `contractSize` units at `entryPrice`, as each venue's parser
 * fills them (venue-positions.ts: BitMEX's inverse `contractSize` is its multiplier in satoshis); a balance is `total`
 * units of its currency. Contracts settled in a coin
 * (inverse: `BTC/USD:BTC…`) go to an account of that coin (`<id>-BTC`, margined in BTC, holding the BTC balance), as the
 * book format margins each settlement currency apart; the rest, and every other balance, to the USD account `<id>`.
 * Stablecoin-settled contracts are counted at par. What `total` is depends on the venue's parser (balance-total.ts:
 * Deribit's and BitMEX's hold equity, wallet plus unrealized P&L): an equity `total` is imported as cash, the imported
 * positions' value taken out, so the book's equity is the venue's. CCXT does not normalise implied
 * vol units across venues (Deribit quotes percent, Binance decimals): `ivUnit` says which, or `auto` reads percent
 * when every IV is above 3 and decimals when none is.
 */
import { describeValue, type InputProblem, ProblemList } from '../../errors.js';
import { impliedVol } from '../../greeks/implied-vol.js';
import { formatIsoTimestamp, parseIsoTimestamp, yearsBetween } from '../../model/time.js';
import { checkOptionFields, checkResponses, isRecord, type JsonRecord, numberAt, numbersOrNull, optionalNumber, percentToDecimal, stringAt, timestampAt } from '../fields.js';
import { canonicalJson } from '../../model/canonical-json.js';
import { assembleMarket, type VolCandidate } from '../market.js';
import type { ImportedAccount, ImportedInstrument, ImportResult } from '../types.js';
import { USD_STABLECOINS } from '../types.js';
import { type BalanceTotal, balanceTotalOf, CCXT_BALANCE_CONVENTIONS, valueInSettlement } from './balance-total.js';
import { validateCcxtBook } from './check-book.js';
import { type CcxtContract, parseCcxtSymbol } from './symbols.js';
import { keyedBySymbol } from './quotes.js';
import { entryOf, indexTickerSymbol, positionSign, signedContracts, unitsPerContract, venueSkip } from './venue-positions.js';

export interface CcxtStructures {
  /** `positions.json`: fetchPositions' array. */
  positions: unknown;
  /** `balance.json`: fetchBalance's object. */
  balance: unknown;
  /** `tickers.json`: fetchTickers' object keyed by symbol (or an array of tickers). */
  tickers: unknown;
  /** `greeks.json`: fetchGreeks' object, or fetchAllGreeks' array or object keyed by symbol; needed for options. */
  greeks?: unknown;
}

export interface CcxtImportOptions {
  /** The account's id in the book. Default `ccxt`. */
  accountId?: string | undefined;
  /** ISO-8601 with a zone; default: the latest ticker or greeks timestamp. */
  valuationTime?: string | undefined;
  /** Hour (UTC) of expiry on the symbol's date; default 8 (Deribit, OKX, Bybit and Binance options expire at 08:00 UTC). */
  expiryHourUtc?: number | undefined;
  /** Units of `markImpliedVolatility`. Default `auto`. */
  ivUnit?: 'percent' | 'decimal' | 'auto' | undefined;
  /** The ccxt exchange id the structures came from (`deribit`, `bitmex`, …): says what its `total` is (balance-total.ts). */
  venue?: string | undefined;
  /** What `total` is, over the venue's convention: `cash` (a wallet balance) or `equity` (with the positions' P&L). */
  balanceTotal?: BalanceTotal | undefined;
}

const BALANCE_META = new Set(['info', 'timestamp', 'datetime', 'free', 'used', 'total', 'debt']);

interface Held {
  contract: CcxtContract;
  quantity: number;
  multiplier: number;
  entryPrice: number;
  mark?: number | undefined;
  path: string;
}

type Keyed = Map<string, { value: JsonRecord; path: string }>;

/** What the structures say, read (every problem collected in `problems`). */
interface Read {
  tickers: Keyed;
  greeks: Keyed;
  held: Held[];
  balances: Balance[];
  valuationMs: number;
  hour: number;
  /** Mark IVs by symbol, annualised decimals. */
  ivs: Map<string, { vol: number; path: string; underlying?: number | undefined }>;
  /** What each balance's `total` is (balance-total.ts). */
  balanceTotal: BalanceTotal;
  /** The ccxt exchange id, for its conventions (balance-total.ts, venue-positions.ts). */
  venue?: string | undefined;
}

export function importCcxt(input: CcxtStructures, options: CcxtImportOptions = {}): ImportResult {
  checkResponses(input, 'structures', 'ccxt\'s structures ({ positions, balance, tickers, greeks })', ['positions', 'balance', 'tickers', 'greeks']);
  checkOptionFields(options, ['accountId', 'valuationTime', 'expiryHourUtc', 'ivUnit', 'venue', 'balanceTotal'], 'options');
  const problems = new ProblemList();
  const skipped: InputProblem[] = [], notes: InputProblem[] = [];
  const read = readStructures(input, options, problems, skipped, notes);
  const book = new CcxtBook(read, options.accountId ?? 'ccxt', notes);
  for (const h of read.held) {
    const why = book.addPosition(h);
    if (why) skipped.push({ path: h.path, message: `${h.contract.symbol}: ${why}` });
  }
  for (const b of read.balances) {
    const amount = ownedOf(b, options.venue, notes);
    if (amount !== 0 && !book.addBalance(b.asset, amount, b.path)) skipped.push({ path: b.path, message: `${b.asset}: no price (give a ${b.asset}/USD or ${b.asset}/USDT ticker)` });
  }
  if (read.balanceTotal === 'equity') book.equityToCash(options.venue);
  const market = assembleMarket({ valuationMs: read.valuationMs, prices: book.assetPrices(), marks: book.marks, impliedVols: book.impliedVols, volCandidates: volCandidatesOf(read, book) }, notes);
  const accounts = [...book.accounts.values()].filter((a) => a.positions.length > 0 || a.collateral.length > 0);
  const imported = { instruments: [...book.instruments.values()], accounts };
  // nothing is written that margin would refuse (an empty book is the caller's to say: nothing to import, with the skips)
  if (accounts.length > 0) validateCcxtBook(imported, market, book.sourceOf);
  return { book: imported, market, skipped, notes, venueEquity: [] };
}

function readStructures(input: CcxtStructures, options: CcxtImportOptions, problems: ProblemList, skipped: InputProblem[], notes: InputProblem[]): Read {
  const hour = options.expiryHourUtc ?? 8;
  if (!(Number.isInteger(hour) && hour >= 0 && hour <= 23)) problems.add('expiryHourUtc', `expected an hour from 0 to 23, got ${describeValue(hour)}`);
  if (options.balanceTotal !== undefined && options.balanceTotal !== 'cash' && options.balanceTotal !== 'equity') {
    problems.add('balanceTotal', `expected "cash" or "equity", got ${describeValue(options.balanceTotal)}`);
  }
  if (options.venue !== undefined && (typeof options.venue !== 'string' || options.venue === '')) problems.add('venue', `expected a ccxt exchange id, got ${describeValue(options.venue)}`);
  const balanceTotal = balanceTotalOf(options.venue, options.balanceTotal);
  if (options.balanceTotal === undefined) {
    const known = Object.keys(CCXT_BALANCE_CONVENTIONS).join(', ');
    // the CLI's flags beside the library's options: the same note reaches both
    if (options.venue === undefined) notes.push({ path: 'balance.json', message: `each total read as cash (a wallet balance): no venue given; ccxt's ${known} parsers put equity there (give the venue: --venue or venue; or --balance-total equity, balanceTotal "equity")` });
    else if (!Object.hasOwn(CCXT_BALANCE_CONVENTIONS, options.venue)) notes.push({ path: 'balance.json', message: `each total read as cash (a wallet balance): ${options.venue}'s parser is not among those read (${known}); give --balance-total equity (balanceTotal "equity") if its total holds unrealized P&L` });
  }
  const tickers = keyedBySymbol(input.tickers, 'tickers.json', problems);
  const greeks: Keyed = input.greeks === undefined ? new Map() : keyedBySymbol(input.greeks, 'greeks.json', problems);
  const held = readPositions(input.positions, hour, options.venue, balanceTotal, problems, skipped, notes);
  const balances = readBalances(input.balance, problems);
  const timestamps = [...tickers.values(), ...greeks.values()].map(({ value, path }) => timestampAt(value, 'timestamp', path, problems) ?? -Infinity);
  const given = options.valuationTime;
  const valuationMs = given !== undefined ? parseIsoTimestamp(given) : Math.max(...timestamps);
  if (!Number.isFinite(valuationMs)) {
    if (given !== undefined) problems.add('valuationTime', `not an ISO-8601 timestamp with a zone: ${given}`);
    else if (!Number.isNaN(valuationMs)) problems.add('tickers.json', 'no ticker or greeks timestamp: give a valuation time'); // NaN: one refused
  }
  problems.throwIfAny();
  const raw = new Map<string, { vol: number; path: string; underlying?: number | undefined }>();
  for (const [symbol, { value, path }] of greeks) {
    const iv = optionalNumber(value, 'markImpliedVolatility');
    if (iv !== undefined) raw.set(symbol, { vol: iv, path: `${path}.markImpliedVolatility`, underlying: optionalNumber(value, 'underlyingPrice') });
  }
  const scale = ivScale(options.ivUnit ?? 'auto', [...raw.values()].map((v) => v.vol), problems);
  problems.throwIfAny();
  const ivs = new Map([...raw].map(([symbol, iv]) => [symbol, { ...iv, vol: scaled(iv.vol, scale) }]));
  return { tickers, greeks, held, balances, valuationMs, hour, ivs, balanceTotal, venue: options.venue };
}

/**
 * The book being built: an account per coin that settles contracts (margined in it), the rest in one USD account
 * (see the module comment); instruments, marks and IVs; asset prices found as they are needed.
 */
class CcxtBook {
  readonly instruments = new Map<string, ImportedInstrument>();
  readonly marks = new Map<string, number>();
  readonly impliedVols = new Map<string, number>();
  readonly accounts = new Map<string, ImportedAccount>();
  readonly prices = new Map<string, number>();
  /** Where each position and balance record of the book was read (check-book.ts). */
  readonly sourceOf = new WeakMap<object, string>();
  /** The positions imported, for an equity `total`'s cash (equityToCash). */
  private readonly imported: Held[] = [];
  private readonly coinSettled: Set<string>;

  constructor(private readonly read: Read, private readonly id: string, private readonly notes: InputProblem[]) {
    this.coinSettled = new Set(read.held.filter((h) => h.contract.inverse).map((h) => h.contract.settle));
  }

  /** Adds a position; returns why it cannot be imported instead. */
  addPosition(h: Held): string | undefined {
    const c = h.contract, symbol = c.symbol, { read } = this;
    if (c.expiryMs !== undefined && c.expiryMs < read.valuationMs) return `expired before the valuation time ${formatIsoTimestamp(read.valuationMs)}`;
    if (this.priceOf(c.base) === undefined) return `no price for ${c.base} (give a ticker with an indexPrice, or a ${c.base}/USD spot ticker)`;
    const mark = optionalNumber(read.tickers.get(symbol)?.value ?? {}, 'markPrice') ?? h.mark ?? optionalNumber(read.greeks.get(symbol)?.value ?? {}, 'markPrice');
    const iv = read.ivs.get(symbol)?.vol ?? (c.kind === 'option' ? this.impliedByMark(h, mark) : undefined);
    if (typeof iv === 'string') return iv;
    if (!this.instruments.has(symbol)) {
      const instrument: ImportedInstrument = { id: symbol, kind: c.kind, underlying: c.base, multiplier: h.multiplier };
      if (c.kind === 'option') Object.assign(instrument, { right: c.right, strike: c.strike });
      if (c.expiryMs !== undefined) instrument.expiry = formatIsoTimestamp(c.expiryMs);
      if (c.inverse) instrument.settlement = c.base;
      else if (c.settle !== 'USD' && this.priceOf(c.settle) !== 1) this.notes.push({ path: h.path, message: `${symbol}: settled in ${c.settle}, priced ${this.priceOf(c.settle)} USD: its P&L is counted at par` });
      this.instruments.set(symbol, instrument);
      if (mark !== undefined) this.marks.set(symbol, mark);
      else this.notes.push({ path: h.path, message: `${symbol}: no markPrice in the ticker, position or greeks; valued by the engine's default` });
      if (iv !== undefined) this.impliedVols.set(symbol, iv);
    }
    const position = { instrument: symbol, quantity: h.quantity, entryPrice: h.entryPrice };
    this.sourceOf.set(position, h.path);
    this.accountOf(c.inverse ? c.settle : 'USD').positions.push(position);
    this.imported.push(h);
    return undefined;
  }

  /**
   * An option's vol for want of a markImpliedVolatility: the one its mark implies at the index (rate and carry 0, the
   * market's; a coin-settled option's mark is coin per unit), noted; or why there is none (the position's skip reason).
   */
  private impliedByMark(h: Held, mark: number | undefined): number | string {
    const c = h.contract, missing = 'no markImpliedVolatility in greeks.json';
    if (mark === undefined) return `${missing}, and no markPrice to imply a vol from`;
    const spot = this.priceOf(c.base)!, years = yearsBetween(this.read.valuationMs, c.expiryMs!);
    const vol = impliedVol(c.right === 'call', spot, c.strike!, years, c.inverse ? mark * spot : mark, 0, 0);
    if (vol === undefined) return `${missing}, and its markPrice ${mark} implies no vol at the index ${spot}`;
    this.notes.push({ path: h.path, message: `${c.symbol}: ${missing}: at the vol its markPrice ${mark} implies at the index ${spot} (${(vol * 100).toPrecision(6)}%)` });
    return vol;
  }

  /**
   * Each balance whose `total` is the venue's equity turned into cash: less the value, in that currency, of the
   * imported positions settled in it (balance-total.ts, valueInSettlement), so the book's equity is the venue's.
   */
  equityToCash(venue: string | undefined): void {
    const values = new Map<string, { value: number; path: string }>();
    for (const h of this.imported) {
      const mark = this.marks.get(h.contract.symbol);
      if (mark === undefined) {
        this.notes.push({ path: h.path, message: `${h.contract.symbol}: no mark, so its P&L stays in the ${h.contract.settle} total (read as equity)` });
        continue;
      }
      const v = valueInSettlement(h.contract, h.quantity * h.multiplier, h.entryPrice, mark);
      const at = values.get(h.contract.settle);
      values.set(h.contract.settle, { value: (at?.value ?? 0) + v, path: at?.path ?? h.path });
    }
    const source = venue !== undefined && Object.hasOwn(CCXT_BALANCE_CONVENTIONS, venue) ? `${venue}: ${CCXT_BALANCE_CONVENTIONS[venue].source}` : 'balanceTotal "equity"';
    for (const account of this.accounts.values()) {
      for (const entry of account.collateral) {
        const held = values.get(entry.asset);
        if (held === undefined) continue;
        this.notes.push({ path: `balance.json[${JSON.stringify(entry.asset)}].total`, message: `${entry.asset}: total ${entry.amount} is equity (${source}); cash ${entry.amount} ${held.value < 0 ? '+' : '−'} ${Math.abs(held.value)} (the imported positions' value in ${entry.asset}: ${held.value})` });
        entry.amount = entry.amount - held.value;
        values.delete(entry.asset);
      }
    }
    for (const [asset, { path }] of values) this.notes.push({ path, message: `no ${asset} balance to take the ${asset}-settled positions' value out of: the book counts it on top` });
  }

  /** Adds a balance read at `path`; false when its asset has no price. */
  addBalance(asset: string, amount: number, path: string): boolean {
    if (this.priceOf(asset) === undefined) return false;
    const balance = { asset, amount };
    this.sourceOf.set(balance, path);
    this.accountOf(asset).collateral.push(balance);
    return true;
  }

  /** USD per unit of every asset the book names. */
  assetPrices(): Map<string, number> {
    const out = new Map<string, number>();
    for (const i of this.instruments.values()) out.set(i.underlying, this.prices.get(i.underlying)!);
    for (const a of this.accounts.values()) for (const c of a.collateral) out.set(c.asset, this.prices.get(c.asset)!);
    return out;
  }

  priceOf(asset: string): number | undefined {
    if (!this.prices.has(asset)) {
      const found = assetPrice(asset, this.read.tickers, this.read.venue);
      if (found !== undefined) {
        this.prices.set(asset, found.price);
        if (found.path === '') this.notes.push({ path: `market.assets.${asset}.price`, message: `${asset} valued at 1 USD (no ${asset}/USD ticker)` });
      }
    }
    return this.prices.get(asset);
  }

  private accountOf(currency: string): ImportedAccount {
    const key = this.coinSettled.has(currency) ? `${this.id}-${currency}` : this.id;
    let account = this.accounts.get(key);
    if (account === undefined) {
      account = { id: key, positions: [], collateral: [] };
      if (this.coinSettled.has(currency)) account.marginCurrency = currency;
      this.accounts.set(key, account);
    }
    return account;
  }
}

/** The option quotes an asset's vol may be read from (market.ts). */
function volCandidatesOf(read: Read, book: CcxtBook): VolCandidate[] {
  const out: VolCandidate[] = [];
  for (const [symbol, iv] of read.ivs) {
    const c = parseCcxtSymbol(symbol, read.hour);
    if ('error' in c || c.kind !== 'option' || !(iv.vol > 0)) continue;
    const underlying = iv.underlying ?? book.prices.get(c.base);
    if (underlying !== undefined && underlying > 0) out.push({ asset: c.base, expiryMs: c.expiryMs!, strike: c.strike!, vol: iv.vol, underlyingPrice: underlying, name: symbol, path: iv.path });
  }
  return out;
}

/** A position's numeric fields read with optionalNumber (its required ones are read with numberAt). */
const POSITION_NUMBERS = ['markPrice', 'unrealizedPnl', 'notional'];


function readPositions(json: unknown, hour: number, venue: string | undefined, balanceTotal: BalanceTotal, problems: ProblemList, skipped: InputProblem[], notes: InputProblem[]): Held[] {
  if (!Array.isArray(json)) {
    problems.add('positions.json', `expected fetchPositions' array, got ${describeValue(json)}`);
    return [];
  }
  const out: Held[] = [];
  let isolatedNoted = false;
  // each position's fields as text → its path: fetchPositions lists a position once, so the same object again (a file
  // saved twice over, responses concatenated) would count its P&L and requirement twice; a flat one counts nothing
  const seen = new Map<string, string>();
  json.forEach((p, i) => {
    const at = `positions.json[${i}]`;
    if (!isRecord(p)) return problems.add(at, `expected a position object, got ${describeValue(p)}`);
    numbersOrNull(p, at, POSITION_NUMBERS, problems);
    const symbol = stringAt(p, 'symbol', at, problems);
    if (symbol === undefined) return;
    const contract = parseCcxtSymbol(symbol, hour);
    if ('error' in contract) return void skipped.push({ path: `${at}.symbol`, message: contract.error });
    if (p.contracts === undefined || p.contracts === null) {
      return void skipped.push({ path: `${at}.contracts`, message: `${symbol}: contracts is undefined (CCXT leaves it so for some venues, e.g. Deribit: use the Deribit adapter on the raw responses)` });
    }
    const signed = numberAt(p, 'contracts', at, problems);
    if (signed === undefined) return;
    // a flat position (ccxt's parsers keep them: Bybit's with side "", Binance's account positions) needs nothing else
    if (signed === 0) return void notes.push({ path: at, message: `${symbol}: flat (0 contracts), not imported` });
    const skip = venueSkip(venue, contract);
    if (skip !== undefined) return void skipped.push({ path: at, message: `${symbol}: ${skip}` });
    const text = canonicalJson(p), first = seen.get(text);
    if (first !== undefined) return problems.add(at, `${symbol}: the same position as ${first}, every field alike: it would count its P&L and its requirement twice (fetchPositions lists a position once; two that differ, e.g. long and short in hedge mode, are both imported)`);
    seen.set(text, at);
    const size = numberAt(p, 'contractSize', at, problems);
    const given = numberAt(p, 'entryPrice', at, problems);
    if (size === undefined || given === undefined) return;
    if (signed < 0 && !signedContracts(venue)) return problems.add(`${at}.contracts`, `negative (${signed}); the side gives the sign`);
    const contracts = Math.abs(signed);
    if (!(size > 0)) return problems.add(`${at}.contractSize`, `not positive (${size})`);
    if (given < 0) return problems.add(`${at}.entryPrice`, `negative (${given})`);
    // an open future or perpetual at entry 0 would count its whole notional as P&L (an inverse one's is refused by the book)
    if (given === 0 && contract.kind !== 'option' && !contract.inverse) return problems.add(`${at}.entryPrice`, `0 is not > 0: an open ${symbol} position at entry 0 would count its whole notional as profit`);
    const sign = positionSign(venue, p, contracts, at, problems);
    const units = unitsPerContract(venue, contract, p, size, contracts, at, problems);
    if (sign === undefined || units === undefined) return;
    if (signedContracts(venue) && Math.sign(signed) !== sign) return problems.add(`${at}.side`, `${JSON.stringify(p.side)} with contracts ${signed}: ${venue}'s parser signs contracts`);
    const { entryPrice: entry, note } = entryOf(venue, contract, p, given, at);
    if (note !== undefined) notes.push({ path: `${at}.info.sessionAvgPrice`, message: note });
    const pnlNote = balanceTotal === 'cash' ? pnlMismatch(contract, sign * contracts * units, entry, p) : undefined;
    if (pnlNote !== undefined) notes.push({ path: `${at}.unrealizedPnl`, message: pnlNote });
    if (p.marginMode === 'isolated' && !isolatedNoted) {
      isolatedNoted = true;
      notes.push({ path: `${at}.marginMode`, message: 'isolated positions are imported like the others: the margin method is chosen when margining (margin --method isolated)' });
    }
    out.push({ contract, quantity: sign * contracts, multiplier: units, entryPrice: entry, mark: optionalNumber(p, 'markPrice'), path: at });
  });
  return out;
}

/**
 * Why a linear position's own `unrealizedPnl` is not what the book will count from its entry at the position's own
 * `markPrice` (units·(mark − entry)), or undefined when they agree (to 1e-6) or either is missing: a venue that settled
 * part of the P&L into the wallet, or an entry that is not the one the P&L runs from, shows here. Asked only when
 * `total` is read as cash: an equity total makes the book's equity the venue's whatever the entry.
 */
function pnlMismatch(contract: CcxtContract, units: number, entry: number, p: JsonRecord): string | undefined {
  const venuePnl = optionalNumber(p, 'unrealizedPnl'), mark = optionalNumber(p, 'markPrice');
  if (contract.kind === 'option' || contract.inverse || venuePnl === undefined || mark === undefined) return undefined;
  const counted = units * (mark - entry);
  if (Math.abs(counted - venuePnl) <= 1e-6 * Math.max(1, Math.abs(venuePnl), Math.abs(counted))) return undefined;
  return `${contract.symbol}: the venue's unrealizedPnl ${venuePnl} is not the P&L the book counts from entry ${entry} at mark ${mark} (${counted}): the account's equity will differ by the difference`;
}

/** A currency's balance as read: its `total` and its `debt` (0: none stated). */
interface Balance {
  asset: string;
  total: number;
  path: string;
  debt: number;
}

/** A ccxt Balance's `debt` at record[key] (borrowed plus interest, ≥ 0); absent or null: 0. */
function debtOf(record: JsonRecord, key: string, path: string, problems: ProblemList): number {
  if (record[key] === null) return 0; // Python ccxt's None, as json.dump writes it
  const debt = numberAt(record, key, path, problems, true) ?? 0;
  if (debt < 0) problems.add(`${path}.${key}`, `negative (${debt}); a debt is what is owed`);
  return Math.max(0, debt);
}

/**
 * What the account owns of a balance: `total`, less its `debt` where the venue's `total` is gross of it (Binance's
 * margin account: total = free + locked, debt = borrowed + interest); elsewhere the total is kept and a note says the
 * debt was not taken out (Bybit's walletBalance may already be net of a borrowing).
 */
function ownedOf(b: Balance, venue: string | undefined, notes: InputProblem[]): number {
  if (b.total < 0) notes.push({ path: b.path, message: `${b.asset}: total ${b.total} is negative: imported as a borrowing (a liability, weighted as the params' liability weights say)` });
  if (!(b.debt > 0)) return b.total;
  if (venue !== undefined && DEBT_OUTSIDE_TOTAL.has(venue)) {
    notes.push({ path: b.path, message: `${b.asset}: total ${b.total} less debt ${b.debt} (borrowed plus interest) = ${b.total - b.debt}` });
    return b.total - b.debt;
  }
  const venues = [...DEBT_OUTSIDE_TOTAL].join(', ');
  const why = venue === undefined
    ? `no venue was named (--venue): only a venue whose total is known to be gross of its debt (${venues}) has it taken out`
    : `${venue}'s total is not known to be gross of its debt (only ${venues}'s is)`;
  notes.push({ path: b.path, message: `${b.asset}: debt ${b.debt} not taken out of total ${b.total}: ${why}` });
  return b.total;
}

/** Venues whose ccxt `total` is gross of the `debt` ccxt states beside it (their parsers were read). */
const DEBT_OUTSIDE_TOTAL: ReadonlySet<string> = new Set(['binance']);

/** Each currency's `total` less its `debt`, from its own entry (`balance.BTC.total`) or the `total` map. */
function readBalances(json: unknown, problems: ProblemList): Balance[] {
  if (!isRecord(json)) {
    problems.add('balance.json', `expected fetchBalance's object, got ${describeValue(json)}`);
    return [];
  }
  const out: Balance[] = [];
  const seen = new Map<string, Balance | undefined>(); // each entry's own balance (undefined: no total read)
  for (const key of Object.keys(json)) {
    if (BALANCE_META.has(key)) continue;
    const entry = json[key];
    const path = `balance.json[${JSON.stringify(key)}]`;
    if (!isRecord(entry)) {
      problems.add(path, `expected {free, used, total}, got ${describeValue(entry)}`);
      continue;
    }
    const total = numberAt(entry, 'total', path, problems);
    const debt = debtOf(entry, 'debt', path, problems);
    const balance = total === undefined ? undefined : { asset: key.toUpperCase(), total, path: `${path}.total`, debt };
    if (balance) out.push(balance);
    seen.set(key, balance);
  }
  if (isRecord(json.total)) {
    const totals = json.total;
    for (const key of Object.keys(totals)) {
      if (seen.has(key)) {
        // ccxt states each total twice (balance.USDT.total, balance.total.USDT): two that differ are no one balance
        const mine = seen.get(key);
        const other = totals[key];
        if (mine !== undefined && typeof other === 'number' && other !== mine.total) {
          problems.add(`balance.json.total[${JSON.stringify(key)}]`, `${other} is not ${key}'s own total ${mine.total} (${mine.path}): ccxt states one balance twice; save fetchBalance again`);
        }
        continue;
      }
      const total = numberAt(totals, key, 'balance.json.total', problems);
      const debt = isRecord(json.debt) ? debtOf(json.debt, key, 'balance.json.debt', problems) : 0;
      if (total !== undefined) out.push({ asset: key.toUpperCase(), total, path: `balance.json.total[${JSON.stringify(key)}]`, debt });
    }
  }
  return out;
}

/**
 * USD per unit of `asset`: a contract ticker's `indexPrice` on it, else a spot ticker against USD or a USD stablecoin
 * (`last`); a USD stablecoin without one is 1 (path '').
 */
function assetPrice(asset: string, tickers: Map<string, { value: JsonRecord; path: string }>, venue: string | undefined): { price: number; path: string } | undefined {
  const index = indexTickerSymbol(venue, asset), indexTicker = index === undefined ? undefined : tickers.get(index);
  const indexLast = indexTicker && optionalNumber(indexTicker.value, 'last');
  if (indexLast !== undefined && indexLast > 0) return { price: indexLast, path: indexTicker!.path };
  for (const [symbol, { value, path }] of tickers) {
    const index = optionalNumber(value, 'indexPrice');
    if (symbol.startsWith(`${asset}/`) && symbol.includes(':') && index !== undefined && index > 0) return { price: index, path };
  }
  for (const quote of ['USD', 'USDT', 'USDC']) {
    const spot = tickers.get(`${asset}/${quote}`);
    const last = spot && (optionalNumber(spot.value, 'last') ?? optionalNumber(spot.value, 'close'));
    if (last !== undefined && last > 0 && asset !== quote) return { price: last, path: spot!.path };
  }
  return USD_STABLECOINS.has(asset) ? { price: 1, path: '' } : undefined;
}

/** The factor turning `markImpliedVolatility` into an annualised decimal (see the module comment). */
function ivScale(unit: 'percent' | 'decimal' | 'auto', vols: number[], problems: ProblemList): number {
  if (unit === 'percent') return 0.01;
  if (unit === 'decimal') return 1;
  if (unit !== 'auto') problems.add('ivUnit', `expected "percent", "decimal" or "auto", got ${describeValue(unit)}`);
  const above = vols.filter((v) => v > 3).length;
  if (above === 0) return 1;
  if (above === vols.length) return 0.01;
  problems.add('greeks.json', `markImpliedVolatility mixes values above and below 3 (percent or decimals?): say which (ivUnit / --iv-unit)`);
  return 1;
}

const scaled = (iv: number, scale: number) => (scale === 1 ? iv : percentToDecimal(iv));
