/**
 * Deribit instrument names (docs.deribit.com, "Naming"; OpenAPI 2.1.1 `instrument_name`):
 * - `BTC-PERPETUAL`, `BTC-27DEC26` (inverse: USD face value, settled in the coin);
 * - `BTC-27DEC26-100000-C` (coin-settled option: premium in the coin);
 * - `BTC_USDC-PERPETUAL`, `SOL_USDC-27DEC26-250-P`, `XRP_USDC-27DEC26-0d625-C` (linear: settled in the stablecoin,
 *   a `d` in a strike is its decimal point).
 * Expiries are at 08:00 UTC on the named day (Deribit's contract specifications).
 */

export interface DeribitInstrument {
  name: string;
  kind: 'future' | 'perpetual' | 'option';
  base: string;
  /** The settlement currency: the base coin for inverse contracts, the stablecoin for linear ones. */
  settlement: string;
  inverse: boolean;
  /** Epoch ms of the expiry (futures and options). */
  expiryMs?: number | undefined;
  strike?: number | undefined;
  right?: 'call' | 'put' | undefined;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DATE = /^(\d{1,2})([A-Z]{3})(\d{2})$/;
/** Deribit's daily expiry hour (UTC). */
export const DERIBIT_EXPIRY_HOUR_UTC = 8;

/** Epoch ms of a Deribit expiry code (`27DEC26` → 2026-12-27T08:00:00Z), or NaN. */
export function deribitExpiry(code: string): number {
  const m = DATE.exec(code);
  if (!m) return NaN;
  const month = MONTHS.indexOf(m[2]);
  const day = Number(m[1]), year = 2000 + Number(m[3]);
  if (month < 0 || day < 1 || day > 31) return NaN;
  const ms = Date.UTC(year, month, day, DERIBIT_EXPIRY_HOUR_UTC);
  return new Date(ms).getUTCDate() === day ? ms : NaN;
}

/** A strike as Deribit writes it (`100000`, `0d625`), or NaN. */
function strikeOf(text: string): number {
  if (!/^\d+(d\d+)?$/.test(text)) return NaN;
  return Number(text.replace('d', '.'));
}

/** The instrument a name denotes, or why it cannot be read. */
export function parseDeribitName(name: string): DeribitInstrument | { error: string } {
  const parts = name.split('-');
  const [pair] = parts;
  const underscore = pair.indexOf('_');
  const base = underscore < 0 ? pair : pair.slice(0, underscore);
  const quote = underscore < 0 ? 'USD' : pair.slice(underscore + 1);
  if (!/^[A-Z0-9]+$/.test(base) || !/^[A-Z0-9]+$/.test(quote)) return { error: `not a Deribit instrument name (${JSON.stringify(name)})` };
  const inverse = quote === 'USD';
  const settlement = inverse ? base : quote;
  const common = { name, base, settlement, inverse };
  if (parts.length === 1) return { error: `${name} is a spot pair: spot holdings are balances, not positions` };
  if (parts.length === 2 && parts[1] === 'PERPETUAL') return { ...common, kind: 'perpetual' };
  const expiryMs = deribitExpiry(parts[1]);
  if (Number.isNaN(expiryMs)) return { error: `unknown expiry ${JSON.stringify(parts[1])} in ${name} (expected e.g. 27DEC26; combos and spreads are not supported)` };
  if (parts.length === 2) return { ...common, kind: 'future', expiryMs };
  if (parts.length === 4 && (parts[3] === 'C' || parts[3] === 'P')) {
    const strike = strikeOf(parts[2]);
    if (!(strike > 0)) return { error: `unreadable strike ${JSON.stringify(parts[2])} in ${name}` };
    return { ...common, kind: 'option', expiryMs, strike, right: parts[3] === 'C' ? 'call' : 'put' };
  }
  return { error: `not a future, perpetual or option name (${JSON.stringify(name)}; combos and spreads are not supported)` };
}

/**
 * USD face value of one inverse future or perpetual contract (Deribit contract specifications: BTC 10 USD, ETH 1
 * USD); undefined for a coin Deribit lists no inverse futures on.
 */
export function inverseContractUsd(base: string): number | undefined {
  return base === 'BTC' ? 10 : base === 'ETH' ? 1 : undefined;
}
