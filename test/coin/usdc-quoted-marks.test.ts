/**
 * A USDC-settled perpetual's quoted mark when USDC's price moves (src/model/move-market.ts, src/live/tick-marks.ts):
 * it is quoted in USDC, its index S/P, so its mark moves by (S'/S)/(P'/P). By hand, BTC at 90,000 USD and USDC at 0.9
 * (index 100,000 USDC, the mark quoted there): USDC to 0.8 with BTC unmoved puts the index and the mark at 112,500
 * USDC. A short 1 on 5,000 USDC loses 12,500 USDC: −7,500 USDC. The quoted mark stayed at 100,000 (no loss), while the
 * same position with its mark derived from the index lost it: the answer hung on whether the mark was quoted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, validateInputs } from '../../src/index.js';
import { defaultHedges } from '../../src/optimize/default-hedges.js';

const instruments = [{ id: 'BTC_USDC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 1, settlement: 'USDC' }];
const account = (usdc: number) => ({ id: 'usdc', marginCurrency: 'USDC', collateral: [{ asset: 'USDC', amount: usdc }], positions: [{ instrument: 'BTC_USDC-PERPETUAL', quantity: -1, entryPrice: 100_000 }] });
const market = (quoted: boolean) => ({
  valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 90_000, vol: 0.5 }, USDC: { price: 0.9, vol: 0 } },
  marks: quoted ? { 'BTC_USDC-PERPETUAL': 100_000 } : {}, correlation: { assets: ['BTC'], matrix: [[1]] },
});

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

describe('a USDC-quoted mark follows USDC\'s price', () => {
  it('stress: a USDC depeg moves the quoted mark as it moves the derived one', () => {
    const book = { instruments, accounts: [account(5_000)] };
    const [quoted, derived] = [true, false].map((q) => engine.stress(book, market(q), { name: 'USDC 0.8', depeg: { USDC: 0.8 } }, { method: 'cross' }).cascades[0]);
    expect(quoted.rounds[0].accountsLiquidated).toBe(1);
    expect(quoted.metrics.badDebt).toBeGreaterThan(0);
    expect(quoted.metrics.badDebt).toBeCloseTo(derived.metrics.badDebt, 6);
  });

  it('a live tick of USDC alone moves the quoted mark to 112,500 USDC: the figures of a fresh margin', () => {
    const book = { instruments, accounts: [account(20_000)] };
    const live = engine.live(book, market(true), { method: 'cross' });
    try {
      live.applyTick({ assets: { USDC: { price: 0.8 } } });
      expect(live.marketJson.marks!['BTC_USDC-PERPETUAL']).toBeCloseTo(112_500, 8);
      const a = live.account('usdc')!;
      expect(a.equity).toBeCloseTo(20_000 - 12_500, 8);
      expect(a.usd!.equity).toBeCloseTo(7_500 * 0.8, 8);
      // the same position with its mark derived from the index
      const derived = engine.live(book, market(false), { method: 'cross' });
      try {
        derived.applyTick({ assets: { USDC: { price: 0.8 } } });
        expect(a.equity).toBeCloseTo(derived.account('usdc')!.equity, 6);
      } finally {
        derived.release();
      }
    } finally {
      live.release();
    }
  });

  it('optimize\'s default hedge of an unquoted USDC perpetual: 5 bp of its index, 45 USD at BTC 90,000', () => {
    // its mark derived from the index, 100,000 USDC = 90,000 USD (it was taken as 90,000 USDC = 81,000 USD: 40.5)
    const { book, market: m } = validateInputs({ instruments, accounts: [account(5_000)] }, market(false));
    const [hedge] = defaultHedges(book, m, 'usdc') as { instrument: string; spread: number }[];
    expect(hedge.instrument).toBe('BTC_USDC-PERPETUAL');
    expect(hedge.spread).toBeCloseTo(0.0005 * 90_000, 9);
    const quoted = validateInputs({ instruments, accounts: [account(5_000)] }, market(true));
    expect((defaultHedges(quoted.book, quoted.market, 'usdc') as { spread: number }[])[0].spread).toBeCloseTo(hedge.spread, 9);
  });
});
