/**
 * CCXT unified symbols (ccxt wiki "Manual", "Contract naming conventions"; ts/src/base/types.ts):
 * `BASE/QUOTE:SETTLE` a perpetual swap, `BASE/QUOTE:SETTLE-YYMMDD` a future, `BASE/QUOTE:SETTLE-YYMMDD-STRIKE-C|P` an
 * option; `BASE/QUOTE` spot. Linear when SETTLE is QUOTE (`BTC/USDT:USDT`), inverse when SETTLE is BASE
 * (`BTC/USD:BTC`); a USD stablecoin settling a USD-quoted contract is linear at par (`BTC/USD:USDC-…`, Bybit's USDC
 * options); any other settlement is a quanto contract.
 */
import { USD_STABLECOINS } from '../types.js';

export interface CcxtContract {
  symbol: string;
  kind: 'future' | 'perpetual' | 'option';
  base: string;
  quote: string;
  settle: string;
  inverse: boolean;
  /** Epoch ms of the expiry: the symbol's date at `expiryHourUtc`. */
  expiryMs?: number | undefined;
  strike?: number | undefined;
  right?: 'call' | 'put' | undefined;
}

const CODE = '[A-Z0-9]+';
const SYMBOL = new RegExp(`^(${CODE})/(${CODE}):(${CODE})(?:-(\\d{6})(?:-(\\d+(?:\\.\\d+)?)-([CP]))?)?$`);

/** The contract a unified symbol denotes, or why it cannot be used. */
export function parseCcxtSymbol(symbol: string, expiryHourUtc: number): CcxtContract | { error: string } {
  if (/^[A-Z0-9]+\/[A-Z0-9]+$/.test(symbol)) return { error: `${symbol} is a spot market: spot holdings are balances (fetchBalance), not positions` };
  const m = SYMBOL.exec(symbol);
  if (!m) return { error: `not a unified contract symbol (${JSON.stringify(symbol)}; expected e.g. BTC/USDT:USDT, BTC/USD:BTC-261225, BTC/USD:BTC-261225-100000-C)` };
  const [, base, quote, settle, date, strike, right] = m;
  const linear = settle === quote || (USD_STABLECOINS.has(settle) && USD_STABLECOINS.has(quote));
  if (!linear && settle !== base) return { error: `${symbol}: a quanto contract (settled in ${settle}, neither its base nor its quote) is not supported` };
  if (settle === base && quote !== 'USD') return { error: `${symbol}: an inverse contract quoted in ${quote}, not USD, is not supported` };
  const common = { symbol, base, quote, settle, inverse: !linear };
  if (date === undefined) return { ...common, kind: 'perpetual' };
  const year = 2000 + Number(date.slice(0, 2)), month = Number(date.slice(2, 4)), day = Number(date.slice(4, 6));
  const expiryMs = Date.UTC(year, month - 1, day, expiryHourUtc);
  if (month < 1 || month > 12 || new Date(expiryMs).getUTCDate() !== day) return { error: `${symbol}: ${date} is not a date (YYMMDD)` };
  if (strike === undefined) return { ...common, kind: 'future', expiryMs };
  return { ...common, kind: 'option', expiryMs, strike: Number(strike), right: right === 'C' ? 'call' : 'put' };
}
