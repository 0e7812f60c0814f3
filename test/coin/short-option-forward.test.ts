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

describe("a coin-settled option's bound where the rates let its model value pass K/S or 1 coin", () => {
  it('rate −0.5, carry 0.5, 2 years: a deep put is worth (K/S)·e^{(q−2r)T} at most, and its own model value may be quoted', async () => {
    // F = S·e^{(r−q)T} = 100,000·e^{−2} = 13,533.53; the put's USD value is at most K·e^{−rT} = 200,000·e = 543,656, so
    // V/F can reach (K/S)·e^{(q−2r)T} = 2·e^{3} = 40.17 coin, far above K/S = 2: the model gives ≈ 37.45
    const { createPricer } = await import('../../src/index.js');
    const pricer = await createPricer({ backend: 'js' });
    const years = 730 / 365, f = (x: number) => Float64Array.of(x);
    const usd = pricer.greeks({ isCall: Uint8Array.of(0), spot: f(100_000), strike: f(200_000), expiryYears: f(years), vol: f(0.5), rate: f(-0.5), carry: f(0.5) }).price[0];
    const model = usd / (100_000 * Math.exp(-1 * years));
    expect(Math.abs(model - 37.4529)).toBeLessThan(1e-3);
    const put = { instruments: [{ id: 'P', kind: 'option', underlying: 'BTC', right: 'put', strike: 200_000, expiry: '2028-11-19T08:00:00Z', settlement: 'BTC' }], accounts: [{ id: 'p', marginCurrency: 'BTC', positions: [{ instrument: 'P', quantity: -1, entryPrice: 30 }], collateral: [{ asset: 'BTC', amount: 50 }] }] };
    const market = (marks: Record<string, number>) => ({ valuationTime: VALUATION, assets: { BTC: { price: 100_000, vol: 0.5, rate: -0.5, carry: 0.5 } }, impliedVols: { P: 0.5 }, marks });
    for (const engine of engines) {
      // the model's own value as a quote: accepted, with the figures of the unquoted run
      const quoted = engine.margin(put, market({ P: model }), { method: 'cross' }).accounts[0];
      const unquoted = engine.margin(put, market({}), { method: 'cross' }).accounts[0];
      expect(Math.abs(quoted.equity - unquoted.equity)).toBeLessThan(1e-9);
      // above its bound with the slack, 1.1 × 2·e^3: refused, naming it
      expect(() => engine.margin(put, market({ P: 1.1 * 2 * Math.exp(3) * 1.01 }), { method: 'cross' })).toThrow(/market\.marks\.P: .* is more than a coin-settled put is worth \(at most 40\.1711 BTC per BTC/);
      // a live tick quoting it: accepted too
      const live = engine.live(put, market({}), { method: 'cross' });
      try {
        live.applyTick({ marks: { P: model } });
        expect(Math.abs(live.account('p').equity - unquoted.equity)).toBeLessThan(1e-9);
      } finally {
        live.release();
      }
    }
  });
});
