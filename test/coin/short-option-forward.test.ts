/**
 * A coin-settled short option's IM measures how far out of the money it is against its forward, Deribit's underlying
 * price of an option (its mark is C/F on that forward: docs/coin-margined.md): IM = max(0.15 − OTM/F, 0.1) per coin,
 * F = S·e^{(r−q)T}. A USD-settled option keeps the index (docs/rule-based-margin.md). By hand, on every backend, and
 * through a live tick that moves the rate (the same bits as a fresh run).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const VALUATION = '2026-11-20T08:00:00Z', EXPIRY = '2026-12-25T08:00:00Z';
const YEARS = 35 / 365; // ACT/365, as the market layout reads it
const book = {
  instruments: [
    { id: 'C105', kind: 'option', underlying: 'BTC', right: 'call', strike: 105_000, expiry: EXPIRY, settlement: 'BTC' },
    { id: 'P97', kind: 'option', underlying: 'BTC', right: 'put', strike: 97_000, expiry: EXPIRY, settlement: 'BTC' },
    { id: 'USD-C105', kind: 'option', underlying: 'BTC', right: 'call', strike: 105_000, expiry: EXPIRY },
  ],
  accounts: [
    { id: 'call', marginCurrency: 'BTC', positions: [{ instrument: 'C105', quantity: -1, entryPrice: 0.01 }], collateral: [{ asset: 'BTC', amount: 1 }] },
    { id: 'put', marginCurrency: 'BTC', positions: [{ instrument: 'P97', quantity: -1, entryPrice: 0.01 }], collateral: [{ asset: 'BTC', amount: 1 }] },
    { id: 'usd', positions: [{ instrument: 'USD-C105', quantity: -1, entryPrice: 1_000 }], collateral: [{ asset: 'USDC', amount: 100_000 }] },
  ],
};
const market = (rate: number) => ({
  valuationTime: VALUATION,
  assets: { BTC: { price: 100_000, vol: 0.5, rate }, USDC: { price: 1, vol: 0 } },
  impliedVols: { C105: 0.5, P97: 0.5, 'USD-C105': 0.5 },
});

/** The rows of every engine under the rule-based cross method, checked identical; by id. */
function rows(rate: number) {
  const reports = engines.map((e) => e.margin(book, market(rate), { method: 'cross' }));
  for (const r of reports) expect(JSON.stringify(r.accounts)).toBe(JSON.stringify(reports[0].accounts));
  return Object.fromEntries(reports[0].accounts.map((a) => [a.id, a]));
}

describe("a coin-settled short option's OTM is measured against its forward", () => {
  it('rate 10%: F = 100,000·e^{0.1·35/365} = 100,963.52; the short 105,000 call IM max(0.15 − 4,036.48/F, 0.1) = 0.11002 BTC', () => {
    const f = 100_000 * Math.exp(0.1 * YEARS);
    expect(Math.abs(f - 100_963.52)).toBeLessThan(0.01);
    const r = rows(0.1);
    expect(Math.abs(r.call.im - Math.max(0.15 - (105_000 - f) / f, 0.1))).toBeLessThan(1e-15);
    expect(Math.abs(r.call.im - 0.11002)).toBeLessThan(1e-5); // at the index it would be max(0.15 − 0.05, 0.1) = 0.1
    expect(r.call.mm).toBe(0.075);
  });

  it('rate 10%: the short 97,000 put is 3,963.52 out of the money at F (3,000 at the index): IM max(0.15 − 3,963.52/F, 0.1) = 0.11074 BTC', () => {
    const f = 100_000 * Math.exp(0.1 * YEARS);
    const r = rows(0.1);
    expect(Math.abs(r.put.im - Math.max(0.15 - (f - 97_000) / f, 0.1))).toBeLessThan(1e-15);
    expect(Math.abs(r.put.im - 0.11074)).toBeLessThan(1e-5);
  });

  it('rate 0: the forward is the index, IM as at S (0.1 and 0.12)', () => {
    const r = rows(0);
    expect(r.call.im).toBe(0.1);
    expect(Math.abs(r.put.im - (0.15 - 3_000 / 100_000))).toBeLessThan(1e-15);
  });

  it('a USD-settled short call keeps the index: max(0.15 − 5,000/100,000, 0.1)·100,000 = 10,000 USD whatever the rate', () => {
    expect(rows(0.1).usd.im).toBe(rows(0).usd.im);
    expect(Math.abs(rows(0.1).usd.im - 10_000)).toBeLessThan(1e-9);
  });

  it('a live tick that moves the rate re-measures the forward: the same bits as a fresh run, there and back', () => {
    for (const engine of engines) {
      const live = engine.live(book, market(0), { method: 'cross' });
      try {
        live.applyTick({ assets: { BTC: { price: 100_000, vol: 0.5, rate: 0.1 } } });
        expect(JSON.stringify(live.report().accounts)).toBe(JSON.stringify(engine.margin(book, market(0.1), { method: 'cross' }).accounts));
        expect(Math.abs(live.account('call').im - 0.11002)).toBeLessThan(1e-5);
        live.applyTick({ assets: { BTC: { price: 100_000, vol: 0.5, rate: 0 } } });
        expect(JSON.stringify(live.report().accounts)).toBe(JSON.stringify(engine.margin(book, market(0), { method: 'cross' }).accounts));
      } finally {
        live.release();
      }
    }
  });
});
