/**
 * Conformance of the `deribit-legacy` profile (src/profiles/deribit-legacy.ts: Deribit's model before 2024, the
 * `portfolio` method), hand-derived from its published rule: ±16% in 9
 * buckets × vol up/none/down (vol shocks (30 / DTE)^power × range: up 0.5, down 0.25, power 0.13 from 30 days on),
 * the extended table on vol up at margin-core's dampening weights, MM = 0.8 × IM, contingencies 0.5% of net linear
 * notional and 0.01 × spot per net short option contract per strike. Deribit publishes no numeric portfolio cases
 * (shared/research: "Deribit PM: docs/API only"), so each case is computed here from the rule, not from the code.
 * Option values come from the independent 50-digit BSM (test/reference/decimal-bsm.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/index.js';
import { allEngines } from '../../support/engines.js';
import { book, market } from '../../support/margin-books.js';
import { bsmRef } from '../../reference/decimal-bsm.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const CASH = [{ asset: 'USDC', amount: 1_000_000 }];

/** IM and MM of the one account of `b` under the profile, the same on every backend. */
function margin(b: ReturnType<typeof book>, m = market()): { im: number; mm: number } {
  const reports = engines.map((e) => e.margin(b, m, { profile: 'deribit-legacy' }).accounts[0]);
  for (const r of reports) expect([r.im, r.mm]).toEqual([reports[0].im, reports[0].mm]);
  return { im: reports[0].im, mm: reports[0].mm };
}

describe('deribit-legacy profile: hand-derived cases', () => {
  it('long 2 BTC-PERP at 100,000: the −16% bucket (32,000) beats every dampened tail, plus 0.5% of 200,000', () => {
    // tails on a long: −66% × 0.24 = 15.84%, −33% × 0.48 = 15.84% of 200,000 = 31,680 < 32,000
    const { im, mm } = margin(book({ positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 100_000 }], collateral: CASH }));
    expect(im).toBeCloseTo(32_000 + 1_000, 6);
    expect(mm).toBeCloseTo(0.8 * 33_000, 6);
  });

  it('short 1 BTC-PERP: the +16% bucket (16,000; every upside tail is 15%), plus 500', () => {
    const { im, mm } = margin(book({ positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 100_000 }], collateral: CASH }));
    expect(im).toBeCloseTo(16_500, 6);
    expect(mm).toBeCloseTo(13_200, 6);
  });

  it('a long OTM put loses most at +16% with vol down: V(100,000, 0.55) − V(116,000, 0.55·(1 − 0.25·(30/35)^0.13))', () => {
    const T = 35 / 365; // 2026-11-20 → 2026-12-25, ACT/365
    const put = (spot: number, vol: number) => bsmRef({ isCall: false, spot, strike: 90_000, expiryYears: T, vol, rate: 0.04, carry: 0.04 }).price;
    const down = 0.55 * (1 - 0.25 * (30 / 35) ** 0.13);
    const loss = put(100_000, 0.55) - put(116_000, down);
    // a long option's tails (vol up) lose at most weight × its value: at most 0.3 × V < loss here
    expect(0.3 * put(100_000, 0.55)).toBeLessThan(loss);
    const { im, mm } = margin(book({ positions: [{ instrument: 'BTC-90000-P', quantity: 1, entryPrice: 800 }], collateral: CASH }));
    expect(im / loss - 1).toBeCloseTo(0, 9);
    expect(mm / (0.8 * loss) - 1).toBeCloseTo(0, 9);
  });

  it('a short OTM put: its worst scenario (−16%, vol up) plus the contingency 0.01 × 100,000 per contract', () => {
    const T = 35 / 365;
    const put = (spot: number, vol: number) => bsmRef({ isCall: false, spot, strike: 90_000, expiryYears: T, vol, rate: 0.04, carry: 0.04 }).price;
    const up = 0.55 * (1 + 0.5 * (30 / 35) ** 0.13);
    const grid = put(84_000, up) - put(100_000, 0.55);
    // the downside tails on vol up, at their weights, revalue the short put deeper in the money
    const tails = [[-0.66, 0.24], [-0.33, 0.48]].map(([move, weight]) => weight * (put(100_000 * (1 + move), up) - put(100_000, 0.55)));
    const worst = Math.max(grid, ...tails);
    const { im } = margin(book({ positions: [{ instrument: 'BTC-90000-P', quantity: -1, entryPrice: 800 }], collateral: CASH }));
    expect(im / (worst + 1_000) - 1).toBeCloseTo(0, 9);
  });
});
