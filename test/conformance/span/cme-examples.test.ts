/**
 * CME's published SPAN examples (CME Group, "Spread calculations", https://www.cmegroup.com/clearing/margins/spread-calc.html;
 * CME marks its rates "for example purposes only"), reproduced by the `span` method through engine.margin on every
 * backend, to the cent. The arithmetic is in CASES.md beside this file, from CME's numbers, not from the code.
 *
 * Contracts are written as CME sizes them (a Treasury future is 1,000 USD per point, a grain future 5,000 bushels), so
 * each commodity's price scan range per unit times the multiplier is CME's outright margin per contract: no
 * contract-size workaround.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountMargin, Engine } from '../../../src/index.js';
import { combinedLoss } from '../../../src/methods/span/spreads.js';
import { allEngines } from '../../support/engines.js';
import { bsmRef } from '../../reference/decimal-bsm.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const VALUATION = '2026-11-20T08:00:00Z';
const INSTRUMENTS = [
  // Treasury futures: price in points, 1,000 USD per point
  { id: 'ZB-MAR27', kind: 'future', underlying: 'ZB', expiry: '2027-03-19T08:00:00Z', multiplier: 1000 },
  { id: 'ZN-MAR27', kind: 'future', underlying: 'ZN', expiry: '2027-03-19T08:00:00Z', multiplier: 1000 },
  // grain futures: USD per bushel, 5,000 bushels
  { id: 'ZC-MAR27', kind: 'future', underlying: 'ZC', expiry: '2027-03-12T08:00:00Z', multiplier: 5000 },
  { id: 'ZS-MAR27', kind: 'future', underlying: 'ZS', expiry: '2027-03-12T08:00:00Z', multiplier: 5000 },
  // CME's "Product X", months 2, 3, 4: 61, 91 and 119 days away
  { id: 'X-M2', kind: 'future', underlying: 'X', expiry: '2027-01-20T08:00:00Z' },
  { id: 'X-M3', kind: 'future', underlying: 'X', expiry: '2027-02-19T08:00:00Z' },
  { id: 'X-M4', kind: 'future', underlying: 'X', expiry: '2027-03-19T08:00:00Z' },
  { id: 'X-M4-10500-C', kind: 'option', underlying: 'X', right: 'call', strike: 10_500, expiry: '2027-03-19T08:00:00Z' },
];
const MARKET = {
  valuationTime: VALUATION,
  assets: {
    ZB: { price: 115, vol: 0.1, rate: 0.04, carry: 0.04 }, ZN: { price: 110, vol: 0.06, rate: 0.04, carry: 0.04 },
    ZC: { price: 4.5, vol: 0.25, rate: 0.04, carry: 0.04 }, ZS: { price: 10.5, vol: 0.2, rate: 0.04, carry: 0.04 },
    X: { price: 10_000, vol: 0.3, rate: 0.04, carry: 0.04 }, USDC: { price: 1, vol: 0 },
  },
  impliedVols: { 'X-M4-10500-C': 0.3 },
  correlation: { assets: ['ZB', 'ZN', 'ZC', 'ZS', 'X'], matrix: [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]] },
};

/** The example's Treasury legs: outright 3,100 (30-year) and 1,600 (10-year) per contract. */
const TREASURIES = {
  ZB: { priceScanRange: 3.1, volScanRange: 0.3, extremeMove: 3, extremeCover: 0.33 },
  ZN: { priceScanRange: 1.6, volScanRange: 0.3, extremeMove: 3, extremeCover: 0.33 },
};
/** 30-year (A) against 10-year (B) at 2 : 3 contracts (deltas in units: 1,000 per contract). */
const TREASURY_LEGS = [{ commodity: 'ZB', side: 'A', deltaPerSpread: 2000 }, { commodity: 'ZN', side: 'B', deltaPerSpread: 3000 }];

function spanOf(positions: { instrument: string; quantity: number }[], span: Record<string, unknown>): AccountMargin {
  const book = { instruments: INSTRUMENTS, accounts: [{ id: 'a', positions: positions.map((p) => ({ ...p, entryPrice: 0 })), collateral: [{ asset: 'USDC', amount: 1_000_000 }] }] };
  const params = { span: { initialToMaintenance: 1, ...span } };
  const rows = engines.map((e) => e.margin(book, MARKET, { method: 'span', params, breakdown: true }).accounts[0]);
  for (const r of rows) expect([r.im, r.mm, r.span]).toEqual([rows[0].im, rows[0].mm, rows[0].span]);
  return rows[0];
}
const cents = (actual: number, expected: number) => expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThan(0.005);

describe('CME "Scanning Based Spreads": +2 30-year, −3 10-year Treasury futures, 70% credit', () => {
  it('CME\'s table: each scanned scenario is the losing leg less 70% of the gaining leg (e.g. 6,200 − 0.7 × 4,800 = 2,840)', () => {
    // CME's per-scenario leg values (losses > 0), as published; scenarios 15, 16 are 0.99 of the full move. CME prints
    // both of their legs as negative; the scanned values it gives (455.40 = 4,752 − 0.7 × 6,138, 2,811.60 = 6,138 −
    // 0.7 × 4,752) are those of the signs below, the extreme moves' directions (15 up, 16 down).
    const bond = [0, 0, -2066, -2066, 2066, 2066, -4134, -4134, 4134, 4134, -6200, -6200, 6200, 6200, -6138, 6138];
    const note = [0, 0, 1599, 1599, -1599, -1599, 3201, 3201, -3201, -3201, 4800, 4800, -4800, -4800, 4752, -4752];
    const scanned = [0, 0, 152.8, 152.8, 946.7, 946.7, 307.2, 307.2, 1893.3, 1893.3, 460, 460, 2840, 2840, 455.4, 2811.6];
    const legs = [Float64Array.from(bond), Float64Array.from(note)];
    scanned.forEach((x, s) => cents(combinedLoss(legs, 0.7, s), x));
  });

  it('the pair scanned together: requirement 2,840 (scenario 13: the 30-year leg loses 6,200, the 10-year gains 4,800)', () => {
    const row = spanOf([{ instrument: 'ZB-MAR27', quantity: 2 }, { instrument: 'ZN-MAR27', quantity: -3 }], {
      commodities: TREASURIES, scanSpreads: [{ creditRate: 0.7, legs: TREASURY_LEGS }],
    });
    cents(row.mm, 2_840);
    const [zb, zn] = row.span!.commodities;
    cents(zb.scanRisk, 6_200); // the legs' own scans, now wholly in the spread
    cents(zn.scanRisk, 4_800);
    expect([zb.scannedShare, zn.scannedShare]).toEqual([1, 1]);
    cents(zb.scanSpreadRisk!, 2_840); // charged to the first leg, CME's target
    cents(zb.requirement, 2_840);
    cents(zn.requirement, 0);
    expect(row.span!.spreads).toHaveLength(1);
    expect(row.span!.spreads[0]).toMatchObject({ kind: 'scan', priority: 0, spreads: 1, scenario: 13 });
    cents(row.span!.spreads[0].amount, 2_840);
  });

  it('half the pair spreads (+4 30-year, −3 10-year): the other half of the 30-year leg keeps its own scan, 2,840 + 6,200', () => {
    const row = spanOf([{ instrument: 'ZB-MAR27', quantity: 4 }, { instrument: 'ZN-MAR27', quantity: -3 }], {
      commodities: TREASURIES, scanSpreads: [{ creditRate: 0.7, legs: TREASURY_LEGS }],
    });
    const [zb] = row.span!.commodities;
    expect(zb.scannedShare).toBe(0.5);
    cents(zb.scanRisk, 12_400);
    cents(row.mm, 2_840 + 0.5 * 12_400);
  });

  it('the same book with a delta-based inter spread at 70% of each leg\'s weighted price risk: 3,300, not 2,840', () => {
    // 6,200 − 0.7 × 6,200 + 4,800 − 0.7 × 4,800: every leg is credited, whatever the scenario
    const row = spanOf([{ instrument: 'ZB-MAR27', quantity: 2 }, { instrument: 'ZN-MAR27', quantity: -3 }], {
      commodities: TREASURIES, interSpreads: [{ creditRate: 0.7, legs: TREASURY_LEGS }],
    });
    cents(row.mm, 3_300);
  });
});

describe('CME "Inter Spread Calculations": corn against soybeans 2 : 1, 55% credit', () => {
  it('outright 2 × 1,750 + 2,500 = 6,000, less 55% of each leg (3,300): 2,700', () => {
    const row = spanOf([{ instrument: 'ZC-MAR27', quantity: 2 }, { instrument: 'ZS-MAR27', quantity: -1 }], {
      commodities: { ZC: { priceScanRange: 0.35 }, ZS: { priceScanRange: 0.5 } }, // 1,750 and 2,500 per 5,000 bushels
      interSpreads: [{ creditRate: 0.55, legs: [{ commodity: 'ZC', side: 'A', deltaPerSpread: 10_000 }, { commodity: 'ZS', side: 'B', deltaPerSpread: 5_000 }] }],
    });
    const [zc, zs] = row.span!.commodities;
    cents(zc.scanRisk, 3_500);
    cents(zs.scanRisk, 2_500);
    cents(zc.interCredit, 1_925);
    cents(zs.interCredit, 1_375);
    cents(row.mm, 2_700);
  });
});

describe('CME "Intra Spread Calculations when there is a rate of $0": months with their own outright rates', () => {
  // Product X: month 2 and 3 outright 500, month 4 750 (per contract, multiplier 1); intra charges 2 v 3: 200,
  // 2 v 4: 50, 3 v 4: 0. SPAN margin = (outright of one leg − outright of the other) + the intra charge.
  const X = {
    priceScanRange: 500, volScanRange: 0.3,
    monthScanRanges: [{ upToDays: 105, priceScanRange: 500 }, { upToDays: null, priceScanRange: 750 }],
    tiers: [{ upToDays: 75 }, { upToDays: 105 }, { upToDays: null }],
    intraSpreads: [
      { chargePerSpread: 200, legs: [{ tier: 1, side: 'A', deltaPerSpread: 1 }, { tier: 2, side: 'B', deltaPerSpread: 1 }] },
      { chargePerSpread: 50, legs: [{ tier: 1, side: 'A', deltaPerSpread: 1 }, { tier: 3, side: 'B', deltaPerSpread: 1 }] },
      { chargePerSpread: 0, legs: [{ tier: 2, side: 'A', deltaPerSpread: 1 }, { tier: 3, side: 'B', deltaPerSpread: 1 }] },
    ],
  };
  const cases: [string, string, number, number][] = [
    ['X-M2', 'X-M3', 0, 200], // (500 − 500) + 200
    ['X-M2', 'X-M4', 250, 300], // (750 − 500) + 50
    ['X-M3', 'X-M4', 250, 250], // (750 − 500) + 0
  ];
  for (const [long, short, scan, total] of cases) {
    it(`+1 ${long}, −1 ${short}: scan ${scan} + intra charge = ${total}`, () => {
      const row = spanOf([{ instrument: long, quantity: 1 }, { instrument: short, quantity: -1 }], { commodities: { X } });
      const c = row.span!.commodities[0];
      cents(c.scanRisk, scan);
      cents(c.intraCharge, total - scan);
      cents(row.mm, total);
    });
  }

  it('an option on month 4 is revalued at month 4\'s range: a long call\'s scan is its Black-76 loss at F ± 750', () => {
    // Black-76, one day of look-ahead, vol 30% ± 30%: the worst of the 16 scenarios with F moved by k/3 × 750
    const T = 119 / 365, T1 = 118 / 365;
    const v = (f: number, vol: number, t: number) => bsmRef({ isCall: true, spot: f, strike: 10_500, expiryYears: t, vol, rate: 0.04, carry: 0.04 }).price;
    const v0 = v(10_000, 0.3, T);
    const moves: [number, number, number][] = [[0, 1, 1], [0, -1, 1], [1 / 3, 1, 1], [1 / 3, -1, 1], [-1 / 3, 1, 1], [-1 / 3, -1, 1],
      [2 / 3, 1, 1], [2 / 3, -1, 1], [-2 / 3, 1, 1], [-2 / 3, -1, 1], [1, 1, 1], [1, -1, 1], [-1, 1, 1], [-1, -1, 1], [2, 0, 0.35], [-2, 0, 0.35]];
    const worst = Math.max(0, ...moves.map(([p, s, w]) => (v0 - v(10_000 + p * 750, 0.3 * (1 + 0.3 * s), T1)) * w));
    const row = spanOf([{ instrument: 'X-M4-10500-C', quantity: 1 }], { commodities: { X } });
    cents(row.span!.commodities[0].scanRisk, worst);
    cents(row.mm, worst);
  });
});
