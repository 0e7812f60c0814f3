/** Small books and markets for the VaR method tests (fresh objects on every call). */
import type { Engine, MarginReport } from '../../src/index.js';

export interface MarketSpec {
  btc?: number;
  eth?: number;
  btcVol?: number;
  ethVol?: number;
  rho?: number;
}

/** BTC and ETH (risky), USDC (vol 0); valued 2026-11-20T08:00Z. */
export function varMarket(s: MarketSpec = {}): any {
  const rho = s.rho ?? 0.5;
  return {
    valuationTime: '2026-11-20T08:00:00Z',
    assets: {
      BTC: { price: s.btc ?? 50_000, vol: s.btcVol ?? 0.5 },
      ETH: { price: s.eth ?? 2_500, vol: s.ethVol ?? 0.8 },
      USDC: { price: 1, vol: 0 },
    },
    impliedVols: { 'BTC-C-50000': 0.6, 'BTC-P-50000': 0.6, 'BTC-C-60000': 0.55, 'ETH-P-2400': 0.75 },
    correlation: { assets: ['BTC', 'ETH'], matrix: [[1, rho], [rho, 1]] },
  };
}

export const INSTRUMENTS = [
  { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
  { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' },
  { id: 'BTC-C-50000', kind: 'option', underlying: 'BTC', right: 'call', strike: 50_000, expiry: '2026-12-18T08:00:00Z' },
  { id: 'BTC-P-50000', kind: 'option', underlying: 'BTC', right: 'put', strike: 50_000, expiry: '2026-12-18T08:00:00Z' },
  { id: 'BTC-C-60000', kind: 'option', underlying: 'BTC', right: 'call', strike: 60_000, expiry: '2027-03-26T08:00:00Z' },
  { id: 'ETH-P-2400', kind: 'option', underlying: 'ETH', right: 'put', strike: 2_400, expiry: '2026-12-25T08:00:00Z', multiplier: 10 },
];

export interface AccountSpec {
  id?: string;
  positions?: [instrument: string, quantity: number][];
  collateral?: [asset: string, amount: number][];
}

export function account(spec: AccountSpec, i = 0): any {
  return {
    id: spec.id ?? `acct-${i}`,
    positions: (spec.positions ?? []).map(([instrument, quantity]) => ({ instrument, quantity, entryPrice: 0 })),
    collateral: (spec.collateral ?? [['USDC', 1_000_000]]).map(([asset, amount]) => ({ asset, amount })),
  };
}

export function varBook(...accounts: AccountSpec[]): any {
  return { instruments: INSTRUMENTS, accounts: accounts.map((a, i) => account(a, i)) };
}

/** The VaR margin report with the given `var` params section (breakdown on). */
export function varReport(engine: Engine, book: unknown, market: unknown, params: Record<string, unknown> = {}): MarginReport {
  return engine.margin(book, market, { method: 'var', params: { var: params }, breakdown: true });
}

/** A deterministic uniform generator in [0, 1). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}
