/**
 * CCXT unified structures → margin-core book and market (docs/data-import.md, "CCXT"): what `fetchPositions`,
 * `fetchBalance`, `fetchTickers` and `fetchGreeks` / `fetchAllGreeks` return (ccxt ts/src/base/types.ts: Position,
 * Balances, Ticker, Greeks), as plain objects: margin-core does not depend on ccxt.
 *
 * Unified fields only (`info`, the venue's raw answer, is not read): a position is `side` × `contracts` of
 * `contractSize` units at `entryPrice`; a balance is `total` units of its currency. Contracts settled in a coin
 * (inverse: `BTC/USD:BTC…`) go to an account of that coin (`<id>-BTC`, margined in BTC, holding the BTC balance), as the
 * book format margins each settlement currency apart; the rest, and every other balance, to the USD account `<id>`.
 * Stablecoin-settled contracts are counted at par. CCXT does not normalise implied
 * vol units across venues (Deribit quotes percent, Binance decimals): `ivUnit` says which, or `auto` reads percent
 * when every IV is above 3 and decimals when none is.
 */
import { describeValue, type InputProblem, ProblemList } from '../../errors.js';
import { formatIsoTimestamp, parseIsoTimestamp } from '../../model/time.js';
import { isRecord, type JsonRecord, numberAt, optionalNumber, percentToDecimal, stringAt } from '../fields.js';
import { assembleMarket, type VolCandidate } from '../market.js';
import type { ImportedAccount, ImportedInstrument, ImportResult } from '../types.js';
import { USD_STABLECOINS } from '../types.js';
import { type CcxtContract, parseCcxtSymbol } from './symbols.js';

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
  accountId?: string;
  /** ISO-8601 with a zone; default: the latest ticker or greeks timestamp. */
  valuationTime?: string;
  /** Hour (UTC) of expiry on the symbol's date; default 8 (Deribit, OKX, Bybit and Binance options expire at 08:00 UTC). */
  expiryHourUtc?: number;
  /** Units of `markImpliedVolatility`. Default `auto`. */
  ivUnit?: 'percent' | 'decimal' | 'auto';
}

const BALANCE_META = new Set(['info', 'timestamp', 'datetime', 'free', 'used', 'total', 'debt']);

interface Held {
  contract: CcxtContract;
  quantity: number;
  multiplier: number;
  entryPrice: number;
  mark?: number;
  path: string;
}

export function importCcxt(input: CcxtStructures, options: CcxtImportOptions = {}): ImportResult {
  const problems = new ProblemList();
  const skipped: InputProblem[] = [], notes: InputProblem[] = [];
  const hour = options.expiryHourUtc ?? 8;
  if (!(Number.isInteger(hour) && hour >= 0 && hour <= 23)) problems.add('expiryHourUtc', `expected an hour from 0 to 23, got ${describeValue(hour)}`);
  const tickers = keyedBySymbol(input.tickers, 'tickers.json', problems);
  const greeks = input.greeks === undefined ? new Map<string, { value: JsonRecord; path: string }>() : keyedBySymbol(input.greeks, 'greeks.json', problems);
  const held = readPositions(input.positions, hour, problems, skipped, notes);
  const balances = readBalances(input.balance, problems);

  const timestamps = [...tickers.values(), ...greeks.values()].map(({ value }) => optionalNumber(value, 'timestamp') ?? -Infinity);
  const valuationMs = options.valuationTime !== undefined ? parseIsoTimestamp(options.valuationTime) : Math.max(...timestamps);
  if (!Number.isFinite(valuationMs)) problems.add(options.valuationTime !== undefined ? 'valuationTime' : 'tickers.json', options.valuationTime !== undefined ? `not an ISO-8601 timestamp with a zone: ${options.valuationTime}` : 'no ticker or greeks timestamp: give a valuation time');
  problems.throwIfAny();

  const ivs = new Map<string, { vol: number; path: string; underlying?: number }>();
  for (const [symbol, { value, path }] of greeks) {
    const iv = optionalNumber(value, 'markImpliedVolatility');
    if (iv !== undefined) ivs.set(symbol, { vol: iv, path: `${path}.markImpliedVolatility`, underlying: optionalNumber(value, 'underlyingPrice') });
  }
  const scale = ivScale(options.ivUnit ?? 'auto', [...ivs.values()].map((v) => v.vol), problems);
  problems.throwIfAny();

  const instruments = new Map<string, ImportedInstrument>();
  const marks = new Map<string, number>(), impliedVols = new Map<string, number>();
  // an account per coin that settles contracts (margined in it), the rest in one USD account (see the module comment)
  const id = options.accountId ?? 'ccxt';
  const coinSettled = new Set(held.filter((h) => h.contract.inverse).map((h) => h.contract.settle));
  const accounts = new Map<string, ImportedAccount>();
  const accountOf = (currency: string): ImportedAccount => {
    const key = coinSettled.has(currency) ? `${id}-${currency}` : id;
    let account = accounts.get(key);
    if (account === undefined) {
      account = { id: key, positions: [], collateral: [] };
      if (coinSettled.has(currency)) account.marginCurrency = currency;
      accounts.set(key, account);
    }
    return account;
  };
  const prices = new Map<string, number>();
  const priceOf = (asset: string) => {
    if (!prices.has(asset)) {
      const found = assetPrice(asset, tickers);
      if (found !== undefined) {
        prices.set(asset, found.price);
        if (found.path === '') notes.push({ path: `market.assets.${asset}.price`, message: `${asset} valued at 1 USD (no ${asset}/USD ticker)` });
      }
    }
    return prices.get(asset);
  };
  for (const h of held) {
    const c = h.contract;
    const symbol = c.symbol;
    if (c.expiryMs !== undefined && c.expiryMs <= valuationMs) {
      skipped.push({ path: h.path, message: `${symbol}: expired at the valuation time ${formatIsoTimestamp(valuationMs)}` });
      continue;
    }
    if (priceOf(c.base) === undefined) {
      skipped.push({ path: h.path, message: `${symbol}: no price for ${c.base} (give a ticker with an indexPrice, or a ${c.base}/USD spot ticker)` });
      continue;
    }
    const iv = ivs.get(symbol);
    if (c.kind === 'option' && iv === undefined) {
      skipped.push({ path: h.path, message: `${symbol}: no markImpliedVolatility in greeks.json` });
      continue;
    }
    const mark = optionalNumber(tickers.get(symbol)?.value ?? {}, 'markPrice') ?? h.mark ?? optionalNumber(greeks.get(symbol)?.value ?? {}, 'markPrice');
    if (!instruments.has(symbol)) {
      const instrument: ImportedInstrument = { id: symbol, kind: c.kind, underlying: c.base, multiplier: h.multiplier };
      if (c.kind === 'option') Object.assign(instrument, { right: c.right, strike: c.strike });
      if (c.expiryMs !== undefined) instrument.expiry = formatIsoTimestamp(c.expiryMs);
      if (c.inverse) instrument.settlement = c.base;
      else if (c.settle !== 'USD' && priceOf(c.settle) !== 1) notes.push({ path: h.path, message: `${symbol}: settled in ${c.settle}, priced ${priceOf(c.settle)} USD: its P&L is counted at par` });
      instruments.set(symbol, instrument);
      if (mark !== undefined) marks.set(symbol, mark);
      else notes.push({ path: h.path, message: `${symbol}: no markPrice in the ticker, position or greeks; valued by the engine's default` });
      if (iv !== undefined) impliedVols.set(symbol, scaled(iv.vol, scale));
    }
    accountOf(c.inverse ? c.settle : 'USD').positions.push({ instrument: symbol, quantity: h.quantity, entryPrice: h.entryPrice });
  }
  for (const b of balances) {
    if (b.amount === 0) continue;
    if (priceOf(b.asset) === undefined) skipped.push({ path: b.path, message: `${b.asset}: no price (give a ${b.asset}/USD or ${b.asset}/USDT ticker)` });
    else accountOf(b.asset).collateral.push({ asset: b.asset, amount: b.amount });
  }
  if (held.some((h) => h.contract.inverse)) notes.push({ path: 'positions.json', message: 'inverse contracts settle in their coin (settlement): margining them needs the engine\'s coin-settled contracts' });

  const assetPrices = new Map<string, number>();
  for (const i of instruments.values()) {
    assetPrices.set(i.underlying, prices.get(i.underlying)!);
  }
  for (const a of accounts.values()) for (const c of a.collateral) assetPrices.set(c.asset, prices.get(c.asset)!);
  const volCandidates: VolCandidate[] = [];
  for (const [symbol, iv] of ivs) {
    const c = parseCcxtSymbol(symbol, hour);
    if ('error' in c || c.kind !== 'option' || !(iv.vol > 0)) continue;
    const underlying = iv.underlying ?? prices.get(c.base);
    if (underlying !== undefined && underlying > 0) volCandidates.push({ asset: c.base, expiryMs: c.expiryMs!, strike: c.strike!, vol: scaled(iv.vol, scale), underlyingPrice: underlying, name: symbol, path: iv.path });
  }
  const market = assembleMarket({ valuationMs, prices: assetPrices, marks, impliedVols, volCandidates }, notes);
  const book = { instruments: [...instruments.values()], accounts: [...accounts.values()].filter((a) => a.positions.length > 0 || a.collateral.length > 0) };
  return { book, market, skipped, notes, venueEquity: [] };
}

/** Entries of an object keyed by symbol, an array of objects with a `symbol`, or one such object. */
function keyedBySymbol(json: unknown, file: string, problems: ProblemList): Map<string, { value: JsonRecord; path: string }> {
  const out = new Map<string, { value: JsonRecord; path: string }>();
  const add = (value: unknown, path: string, key?: string) => {
    if (!isRecord(value)) return problems.add(path, `expected an object, got ${describeValue(value)}`);
    const symbol = typeof value.symbol === 'string' ? value.symbol : key;
    if (symbol === undefined) return problems.add(`${path}.symbol`, 'missing (expected a unified symbol)');
    out.set(symbol, { value, path });
  };
  if (Array.isArray(json)) json.forEach((v, i) => add(v, `${file}[${i}]`));
  else if (isRecord(json) && typeof json.symbol === 'string') add(json, file);
  else if (isRecord(json)) for (const key of Object.keys(json)) add(json[key], `${file}[${JSON.stringify(key)}]`, key);
  else problems.add(file, `expected tickers or greeks keyed by symbol, got ${describeValue(json)}`);
  return out;
}

function readPositions(json: unknown, hour: number, problems: ProblemList, skipped: InputProblem[], notes: InputProblem[]): Held[] {
  if (!Array.isArray(json)) {
    problems.add('positions.json', `expected fetchPositions' array, got ${describeValue(json)}`);
    return [];
  }
  const out: Held[] = [];
  let isolatedNoted = false;
  json.forEach((p, i) => {
    const at = `positions.json[${i}]`;
    if (!isRecord(p)) return problems.add(at, `expected a position object, got ${describeValue(p)}`);
    const symbol = stringAt(p, 'symbol', at, problems);
    if (symbol === undefined) return;
    const contract = parseCcxtSymbol(symbol, hour);
    if ('error' in contract) return void skipped.push({ path: `${at}.symbol`, message: contract.error });
    if (p.contracts === undefined || p.contracts === null) {
      return void skipped.push({ path: `${at}.contracts`, message: `${symbol}: contracts is undefined (CCXT leaves it so for some venues, e.g. Deribit: use the Deribit adapter on the raw responses)` });
    }
    const contracts = numberAt(p, 'contracts', at, problems);
    const size = numberAt(p, 'contractSize', at, problems);
    const entry = numberAt(p, 'entryPrice', at, problems);
    if (p.side !== 'long' && p.side !== 'short') problems.add(`${at}.side`, `expected "long" or "short", got ${describeValue(p.side)}`);
    if (contracts === undefined || size === undefined || entry === undefined || (p.side !== 'long' && p.side !== 'short')) return;
    if (contracts < 0) return problems.add(`${at}.contracts`, `negative (${contracts}); the side gives the sign`);
    if (!(size > 0)) return problems.add(`${at}.contractSize`, `not positive (${size})`);
    if (entry < 0) return problems.add(`${at}.entryPrice`, `negative (${entry})`);
    if (contracts === 0) return void notes.push({ path: at, message: `${symbol}: flat (0 contracts), not imported` });
    if (p.marginMode === 'isolated' && !isolatedNoted) {
      isolatedNoted = true;
      notes.push({ path: `${at}.marginMode`, message: 'isolated positions are imported like the others: the margin method is chosen when margining (margin --method isolated)' });
    }
    out.push({ contract, quantity: p.side === 'long' ? contracts : -contracts, multiplier: size, entryPrice: entry, mark: optionalNumber(p, 'markPrice'), path: at });
  });
  return out;
}

/** Each currency's `total`, from its own entry (`balance.BTC.total`) or the `total` map. */
function readBalances(json: unknown, problems: ProblemList): { asset: string; amount: number; path: string }[] {
  if (!isRecord(json)) {
    problems.add('balance.json', `expected fetchBalance's object, got ${describeValue(json)}`);
    return [];
  }
  const out: { asset: string; amount: number; path: string }[] = [];
  const seen = new Set<string>();
  for (const key of Object.keys(json)) {
    if (BALANCE_META.has(key)) continue;
    const entry = json[key];
    const path = `balance.json[${JSON.stringify(key)}]`;
    if (!isRecord(entry)) {
      problems.add(path, `expected {free, used, total}, got ${describeValue(entry)}`);
      continue;
    }
    const total = numberAt(entry, 'total', path, problems);
    if (total !== undefined) out.push({ asset: key.toUpperCase(), amount: total, path: `${path}.total` });
    seen.add(key);
  }
  if (isRecord(json.total)) {
    for (const key of Object.keys(json.total)) {
      if (seen.has(key)) continue;
      const total = numberAt(json.total, key, 'balance.json.total', problems);
      if (total !== undefined) out.push({ asset: key.toUpperCase(), amount: total, path: `balance.json.total[${JSON.stringify(key)}]` });
    }
  }
  return out;
}

/**
 * USD per unit of `asset`: a contract ticker's `indexPrice` on it, else a spot ticker against USD or a USD stablecoin
 * (`last`); a USD stablecoin without one is 1 (path '').
 */
function assetPrice(asset: string, tickers: Map<string, { value: JsonRecord; path: string }>): { price: number; path: string } | undefined {
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
