/**
 * The `deribit` profile (Deribit's 2024 model) on cases worked by hand from the documented rule (docs/profiles.md,
 * "Deribit"), beyond what the two published responses exercise: a USD-margined perpetual (roll shock in USD), the
 * delta shock above its liquidity threshold, a long-dated future's roll shock beyond its minimum, and coin-settled
 * options (vol shocks by term, the vol-up floor, the extended table with its dampener), option values from the
 * independent 50-digit BSM (test/reference/decimal-bsm.ts). Every backend gives the same bits.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountMargin, Engine } from '../../../src/index.js';
import { allEngines } from '../../support/engines.js';
import { bsmRef } from '../../reference/decimal-bsm.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const VALUATION = '2026-11-20T08:00:00Z';
const EXPIRY = '2026-12-25T08:00:00Z'; // 35 days
const T = 35 / 365;

const INSTRUMENTS = [
  { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
  { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' },
  { id: 'BTC-19NOV27', kind: 'future', underlying: 'BTC', multiplier: 10, settlement: 'BTC', expiry: '2027-11-20T08:00:00Z' },
  { id: 'BTC-25DEC26-90000-P', kind: 'option', underlying: 'BTC', right: 'put', strike: 90_000, expiry: EXPIRY, settlement: 'BTC' },
  { id: 'BTC-25DEC26-50000-P', kind: 'option', underlying: 'BTC', right: 'put', strike: 50_000, expiry: EXPIRY, settlement: 'BTC' },
];

/** BTC at 100,000, rates and carry 0 (the forward is the index), the puts at implied vol 0.3. */
const MARKET = {
  valuationTime: VALUATION,
  assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
  marks: { 'BTC-PERP': 100_000, 'BTC-PERPETUAL': 100_000 },
  impliedVols: { 'BTC-25DEC26-90000-P': 0.3, 'BTC-25DEC26-50000-P': 0.3 },
  correlation: { assets: ['BTC'], matrix: [[1]] },
};

function margined(account: Record<string, unknown>): AccountMargin {
  const book = { instruments: INSTRUMENTS, accounts: [{ id: 'a', ...account }] };
  const rows = engines.map((e) => e.margin(book, MARKET, { profile: 'deribit', breakdown: true }).accounts[0]);
  for (const row of rows) expect(JSON.stringify(row)).toBe(JSON.stringify(rows[0]));
  return rows[0];
}

const relative = (x: number, y: number) => Math.abs(x / y - 1);

describe('deribit profile: the 2024 model worked by hand', () => {
  it('a USD-margined long 2 BTC-PERP: the −16% bucket (32,000 USD; the −66% extended move at 0.16/0.66 ties it) plus the perpetual\'s roll shock 0.01 × 2 × 100,000', () => {
    const row = margined({ positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 100_000 }] });
    expect(row.marginCurrency).toBeUndefined();
    expect(row.deribit!.worstCase).toBeCloseTo(32_000, 6);
    expect(row.deribit!.rollShock).toEqual([{ underlying: 'BTC', expiry: null, netDelta: 2, rate: 0.01, amount: 2_000 }]);
    expect(row.im).toBeCloseTo(34_000, 6);
    expect(row.mm).toBeCloseTo(0.8 * 34_000, 6);
  });

  it('the delta shock: long 400 BTC-PERP (40M USD of delta, 20M above the threshold) → rate 0.00005 × 200 = 1% of 40M', () => {
    const row = margined({ positions: [{ instrument: 'BTC-PERP', quantity: 400, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 10_000_000 }] });
    const [shock] = row.deribit!.deltaShock;
    expect(shock.deltaTotal).toBe(400);
    expect(shock.rate).toBeCloseTo(0.01, 15);
    expect(shock.amount).toBeCloseTo(400_000, 6);
    // grid −16%: 6.4M; roll 0.01 × 400 × 100,000 = 400,000
    expect(row.im).toBeCloseTo(6_400_000 + 400_000 + 400_000, 4);
  });

  it('a long-dated inverse future: the roll shock beyond its minimum, e^{0.075·1} − 1 per unit of coin delta', () => {
    // 10,000 contracts of 10 USD at F = 100,000 (rates 0: F = index): 1 BTC of delta, expiring in 365 days
    const row = margined({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-19NOV27', quantity: 10_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 1 }] });
    const [roll] = row.deribit!.rollShock;
    expect(roll.expiry).toBe('2027-11-20T08:00:00Z');
    expect(relative(roll.netDelta, 1)).toBeLessThan(1e-15);
    expect(relative(roll.rate, Math.expm1(0.075))).toBeLessThan(1e-12);
    expect(relative(row.deribit!.worstCase, 0.16 / 0.84)).toBeLessThan(1e-15);
    expect(relative(row.im, 0.16 / 0.84 + Math.expm1(0.075))).toBeLessThan(1e-12);
    // a future's extended entries are its edge values (to rounding): the dampener lowers nothing
    expect(row.deribit!.underlyings[0]).toMatchObject({ dampened: false, scenario: { spotMove: -0.16, extended: false } });
  });

  /**
   * A short coin-settled put, by hand: P&L in BTC per put at spot move m and vol σ' is
   * V(S(1+m), σ')/(S(1+m)) − V(S, σ)/S (rates 0: the forward is the spot); vol shocks at 35 days scale by
   * (30/35)^0.13; up 0.3·(1 + 0.5·scale) = 0.447 is below min_volatility_for_shock_up 0.5, so vol up is 0.5; down
   * 0.3·(1 − 0.25·scale). Extended moves (vol up) count × 0.16/|m| × (1 + m)/(1 + sign(m)·0.16), less the dampener
   * (|m|/0.16 − 1) × 100,000 USD at the edge price (1 + sign(m)·0.16) × 100,000, floored at 0.
   */
  function expectedShortPuts(strike: number, quantity: number): { worst: number; rollDelta: number } {
    const S = 100_000, scale = (30 / 35) ** 0.13;
    const vols = { up: Math.max(0.3 * (1 + 0.5 * scale), 0.5), none: 0.3, down: Math.max(0.3 * (1 - 0.25 * scale), 0) };
    const value = (spot: number, vol: number) => bsmRef({ isCall: false, spot, strike, expiryYears: T, vol, rate: 0, carry: 0 }).price / spot;
    const base = value(S, 0.3);
    let worst = 0;
    for (let j = -4; j <= 4; j++) {
      const m = (0.16 * j) / 4;
      for (const vol of [vols.up, vols.none, vols.down]) worst = Math.max(worst, -quantity * (value(S * (1 + m), vol) - base));
    }
    for (const m of [-0.66, -0.33, 0.5, 1, 2, 3, 4, 5]) {
      const edge = 1 + Math.sign(m) * 0.16;
      const adjusted = -quantity * (value(S * (1 + m), vols.up) - base) * (0.16 / Math.abs(m)) * ((1 + m) / edge);
      worst = Math.max(worst, adjusted - ((Math.abs(m) / 0.16 - 1) * 100_000) / (edge * S));
    }
    const ref = bsmRef({ isCall: false, spot: S, strike, expiryYears: T, vol: 0.3, rate: 0, carry: 0 });
    return { worst, rollDelta: quantity * (ref.delta - ref.price / S) };
  }

  it('a BTC-margined short OTM put: its worst scenario with vol up at the 0.5 floor, roll shock 0.01 × |coin delta Δ − P|', () => {
    const { worst, rollDelta } = expectedShortPuts(90_000, -2);
    const row = margined({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-25DEC26-90000-P', quantity: -2, entryPrice: 0.005 }], collateral: [{ asset: 'BTC', amount: 1 }] });
    const d = row.deribit!;
    expect(d.underlyings[0].scenario).toMatchObject({ spotMove: -0.16, volShock: 'up', extended: false });
    expect(relative(d.worstCase, worst)).toBeLessThan(1e-9);
    // its −66% extended loss undampened is above the grid's worst: the dampener lowered it to the grid's
    expect(d.underlyings[0].dampened).toBe(true);
    expect(relative(d.rollShock[0].netDelta, rollDelta)).toBeLessThan(1e-9);
    expect(relative(row.im, worst + 0.01 * Math.abs(rollDelta))).toBeLessThan(1e-9);
    expect(relative(row.mm, 0.8 * (worst + 0.01 * Math.abs(rollDelta)))).toBeLessThan(1e-9);
  });

  it('a large far out-of-the-money short (1,000 puts at 50,000): the −66% extended move binds, dampened', () => {
    const { worst } = expectedShortPuts(50_000, -1_000);
    const row = margined({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-25DEC26-50000-P', quantity: -1_000, entryPrice: 0.0001 }], collateral: [{ asset: 'BTC', amount: 100 }] });
    const d = row.deribit!;
    expect(d.underlyings[0].scenario).toMatchObject({ spotMove: -0.66, extended: true });
    expect(d.underlyings[0].dampened).toBe(true);
    expect(relative(d.worstCase, worst)).toBeLessThan(1e-9);
  });
});
