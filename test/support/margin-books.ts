/** One-line builders for margin test books: a BTC market at 100,000 with USDC/USDT stablecoins. */
export const VALUATION = '2026-11-20T08:00:00Z';
export const EXPIRY = '2026-12-25T08:00:00Z';

export interface TestPosition { instrument: string; quantity: number; entryPrice: number; isolatedMargin?: number }
export interface TestBalance { asset: string; amount: number; location?: string }

export const INSTRUMENTS = [
  { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
  { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' },
  { id: 'BTC-110000-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 110_000, expiry: EXPIRY },
  { id: 'BTC-110000-P', kind: 'option', underlying: 'BTC', right: 'put', strike: 110_000, expiry: EXPIRY },
  { id: 'BTC-90000-P', kind: 'option', underlying: 'BTC', right: 'put', strike: 90_000, expiry: EXPIRY },
];

export function book(...accounts: Array<{ id?: string; positions?: TestPosition[]; collateral?: TestBalance[] }>) {
  return { instruments: INSTRUMENTS, accounts: accounts.map((a, i) => ({ id: a.id ?? `acct-${i}`, positions: a.positions ?? [], collateral: a.collateral ?? [] })) };
}

/** Quoted marks make option values hand-computable: the call at 1,234, the ITM put at 10,500, the OTM put at 800. */
export function market(overrides: { btc?: number; marks?: Record<string, number> } = {}) {
  return {
    valuationTime: VALUATION,
    assets: {
      BTC: { price: overrides.btc ?? 100_000, vol: 0.5, rate: 0.04, carry: 0.04 },
      ETH: { price: 3_000, vol: 0.7, rate: 0.04, carry: 0.04 },
      USDC: { price: 1, vol: 0 },
      USDT: { price: 1, vol: 0 },
    },
    marks: { 'BTC-PERP': overrides.btc ?? 100_000, 'ETH-PERP': 3_000, 'BTC-110000-C': 1_234, 'BTC-110000-P': 10_500, 'BTC-90000-P': 800, ...overrides.marks },
    impliedVols: { 'BTC-110000-C': 0.5, 'BTC-110000-P': 0.5, 'BTC-90000-P': 0.55 },
    correlation: { assets: ['BTC', 'ETH'], matrix: [[1, 0.8], [0.8, 1]] },
  };
}

/**
 * Two accounts for the report-shape tests: 'call', long 1 BTC-PERP at 100,000 (marked 100,000) on 600 USDC — under
 * cross margin IM 900 (50,000 × 0.8% + 50,000 × 1%), MM 450 (50,000 × 0.4% + 50,000 × 0.5%), equity 600 < IM, ≥ MM: a
 * margin call — and 'cash', 50,000 USDC alone (no margin). USDC is collateral here, not cash: no row has cashUsd.
 */
export function callAndCashBook() {
  return book(
    { id: 'call', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 600 }] },
    { id: 'cash', collateral: [{ asset: 'USDC', amount: 50_000 }] },
  );
}
