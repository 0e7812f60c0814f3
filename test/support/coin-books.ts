/**
 * One-line builders for coin-margined test books (docs/coin-margined.md): Deribit-style BTC instruments settled in
 * BTC (an inverse perpetual of 10 USD face, an inverse future, coin-settled options) beside USD ones, BTC at 100,000.
 */
import { BUILT_IN_METHODS } from '../../src/methods/registry.js';

/** The registry's methods that margin a coin-margined account (`coinMargin`), in registry order. */
export const COIN_METHODS = BUILT_IN_METHODS.filter((m) => m.coinMargin).map((m) => m.name);
/** The others: USD-only, they set a coin-margined account aside (status error). */
export const USD_ONLY_METHODS = BUILT_IN_METHODS.filter((m) => !m.coinMargin).map((m) => m.name);

export const VALUATION = '2026-11-20T08:00:00Z';
export const EXPIRY = '2026-12-25T08:00:00Z';

export const COIN_INSTRUMENTS = [
  { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' },
  { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', multiplier: 10, settlement: 'BTC', expiry: EXPIRY },
  { id: 'BTC-25DEC26-120000-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 120_000, expiry: EXPIRY, settlement: 'BTC' },
  { id: 'BTC-25DEC26-90000-P', kind: 'option', underlying: 'BTC', right: 'put', strike: 90_000, expiry: EXPIRY, settlement: 'BTC' },
  { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
  { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' },
];

export interface CoinAccount {
  id?: string;
  marginCurrency?: string;
  positions?: { instrument: string; quantity: number; entryPrice: number; isolatedMargin?: number }[];
  collateral?: { asset: string; amount: number }[];
  cashUsd?: number;
  /** The master account whose subaccount this is. */
  master?: string;
}

export function coinBook(...accounts: CoinAccount[]) {
  return { instruments: COIN_INSTRUMENTS, accounts: accounts.map((a, i) => ({ id: a.id ?? `acct-${i}`, ...a })) };
}

/** Rates and carry 0, so a future's and an option's forward is the index: BTC 100,000, options at vol 0.5. */
export function coinMarket(overrides: { btc?: number; marks?: Record<string, number> } = {}) {
  const btc = overrides.btc ?? 100_000;
  return {
    valuationTime: VALUATION,
    assets: { BTC: { price: btc, vol: 0.5 }, ETH: { price: 3_000, vol: 0.7 }, USDC: { price: 1, vol: 0 } },
    marks: { 'BTC-PERPETUAL': btc, 'BTC-PERP': btc, 'ETH-PERP': 3_000, ...overrides.marks },
    impliedVols: { 'BTC-25DEC26-120000-C': 0.5, 'BTC-25DEC26-90000-P': 0.5 },
    correlation: { assets: ['BTC', 'ETH'], matrix: [[1, 0.8], [0.8, 1]] },
  };
}
