/**
 * The `deribit` profile (Deribit's 2024 model, method `deribit`) against Deribit's own published `private/pme/simulate`
 * responses, through the public API on every backend:
 *
 * - BTC: the API reference's example (api-evangelist/deribit `openapi/_original/deribit-openapi.json`,
 *   PrivatePmeSimulateResponse; timestamp 1718619740501 = 2024-06-17T10:22:20.501Z): BTC-PERPETUAL 0.314538364 BTC
 *   (mark 65,910.57), BTC-28JUN24 −0.001187534 BTC (mark 67,371.75), index 65,666.19 → worst case
 *   0.05968587238095239 BTC (bucket 1, left: −16%), roll shock 0.00315725898, delta shock 0, risk matrix margin
 *   0.06284313098, maintenance margin 0.050274504784 BTC.
 * - ETH: a live mainnet response of 2026-02-15T23:20:09Z saved in a public repository (shared research §1.3):
 *   ETH-PERPETUAL −0.999487053 ETH (mark 1,949.49), index 1,949.34 → worst case 0.15246412672881357 ETH (bucket 9,
 *   right: +18%), roll shock 0.004997435265, risk matrix margin 0.157461562265, maintenance margin 0.125969249812 ETH.
 *
 * Positions are given to Deribit in coin (size_currency); in the book they are contracts of 10 USD (BTC) or 1 USD
 * (ETH) of face: quantity = coins × mark / face. Deribit's risk matrix margin adds its worst case rounded to 9
 * decimals (0.059685872 + 0.00315725898 = 0.06284313098): margin-core keeps the worst case whole, so its figures
 * match to 1e-8 relative, within the 1e-6 asked.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountMargin, Engine } from '../../../src/index.js';
import { allEngines } from '../../support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

interface Case {
  coin: string;
  face: number;
  index: number;
  valuationTime: string;
  positions: { id: string; kind: 'perpetual' | 'future'; expiry?: string; coins: number; mark: number }[];
}

/** The case's one coin-margined account under the `deribit` profile, identical on every backend. */
function margined(c: Case): AccountMargin {
  const book = {
    instruments: c.positions.map((p) => ({ id: p.id, kind: p.kind, underlying: c.coin, multiplier: c.face, settlement: c.coin, ...(p.expiry ? { expiry: p.expiry } : {}) })),
    accounts: [{
      id: 'subaccount', marginCurrency: c.coin, collateral: [{ asset: c.coin, amount: 1 }],
      positions: c.positions.map((p) => ({ instrument: p.id, quantity: (p.coins * p.mark) / c.face, entryPrice: p.mark })),
    }],
  };
  const market = {
    valuationTime: c.valuationTime,
    assets: { [c.coin]: { price: c.index, vol: 0.5 } },
    marks: Object.fromEntries(c.positions.map((p) => [p.id, p.mark])),
    correlation: { assets: [c.coin], matrix: [[1]] },
  };
  const rows = engines.map((e) => e.margin(book, market, { profile: 'deribit', breakdown: true }).accounts[0]);
  for (const row of rows) expect(JSON.stringify(row)).toBe(JSON.stringify(rows[0]));
  return rows[0];
}

const relative = (x: number, y: number) => Math.abs(x / y - 1);

describe('deribit profile: Deribit\'s private/pme/simulate responses', () => {
  it('BTC (API reference example, 2024-06-17): worst case 0.05968587238095239 at −16%, MM 0.050274504784 BTC', () => {
    const row = margined({
      coin: 'BTC', face: 10, index: 65_666.19, valuationTime: new Date(1718619740501).toISOString(),
      positions: [
        { id: 'BTC-PERPETUAL', kind: 'perpetual', coins: 0.314538364, mark: 65_910.57 },
        { id: 'BTC-28JUN24', kind: 'future', expiry: '2024-06-28T08:00:00Z', coins: -0.001187534, mark: 67_371.75 },
      ],
    });
    const d = row.deribit!;
    expect(row.marginCurrency).toBe('BTC');
    expect(relative(d.worstCase, 0.05968587238095239)).toBeLessThan(1e-12);
    expect(d.underlyings[0].scenario.spotMove).toBe(-0.16);
    expect(relative(d.rollShock.reduce((s, r) => s + r.amount, 0), 0.00315725898)).toBeLessThan(1e-12);
    expect(d.deltaShock[0].amount).toBe(0);
    expect(relative(d.riskMatrixMargin, 0.06284313098)).toBeLessThan(1e-8);
    expect(relative(row.im, 0.06284313098)).toBeLessThan(1e-8);
    expect(relative(row.mm, 0.050274504784)).toBeLessThan(1e-6);
    expect(relative(row.mm, 0.050274504784)).toBeLessThan(1e-8);
    // the USD view at the index
    expect(row.usd!.mm).toBe(row.mm * 65_666.19);
  });

  it('ETH (live response, 2026-02-15): worst case 0.15246412672881357 at +18%, MM 0.125969249812 ETH', () => {
    const row = margined({
      coin: 'ETH', face: 1, index: 1_949.34, valuationTime: '2026-02-15T23:20:09Z',
      positions: [{ id: 'ETH-PERPETUAL', kind: 'perpetual', coins: -0.999487053, mark: 1_949.49 }],
    });
    const d = row.deribit!;
    expect(relative(d.worstCase, 0.15246412672881357)).toBeLessThan(1e-12);
    expect(d.underlyings[0].scenario.spotMove).toBe(0.18);
    expect(relative(d.rollShock[0].amount, 0.004997435265)).toBeLessThan(1e-12);
    expect(relative(row.im, 0.157461562265)).toBeLessThan(1e-8);
    expect(relative(row.mm, 0.125969249812)).toBeLessThan(1e-6);
  });

  it('the risk vector of an inverse position is q·m/(1 + m) in coin, concave: −16% → −0.190476·q, +16% → +0.137931·q', () => {
    // a long of 1 BTC (10,000 contracts of 10 USD at 100,000): its worst is the −16% bucket, 0.16/0.84 BTC
    const row = margined({
      coin: 'BTC', face: 10, index: 100_000, valuationTime: '2026-11-20T08:00:00Z',
      positions: [{ id: 'BTC-PERPETUAL', kind: 'perpetual', coins: 1, mark: 100_000 }],
    });
    expect(relative(row.deribit!.worstCase, 0.16 / 0.84)).toBeLessThan(1e-15);
    const short = margined({
      coin: 'BTC', face: 10, index: 100_000, valuationTime: '2026-11-20T08:00:00Z',
      positions: [{ id: 'BTC-PERPETUAL', kind: 'perpetual', coins: -1, mark: 100_000 }],
    });
    expect(relative(short.deribit!.worstCase, 0.16 / 1.16)).toBeLessThan(1e-15);
    expect(short.deribit!.underlyings[0].scenario.spotMove).toBe(0.16);
  });
});
