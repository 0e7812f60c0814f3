/**
 * The backstop's covers against floating-point rounding (docs/subaccounts.md): a cover leaves the master at or above
 * its IM in the figures' own arithmetic, and a shortfall is rounded up to the cent past the noise of the subtraction
 * that made it. Hand figures: ETH at 3,000 on flat 2% / 1% rates.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { ETH: { price: 3_000, vol: 0.7 }, USDC: { price: 1, vol: 0 } }, marks: { 'ETH-PERP': 3_000 } };
const instruments = [{ id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' }];
const params = { linear: { ETH: [{ imRate: 0.02, mmRate: 0.01 }] }, subaccounts: { policy: 'backstop' } };

describe('backstop covers and rounding', () => {
  it('a master whose whole free collateral is one partial cover stays at or above its IM (it had ended an ulp below)', () => {
    // m: 194.39 USDC, long 1.1 ETH: IM 0.02 × 3,300 = 66 (66.00000000000001 in doubles), F = 128.39; s: MM 150 on 0.10
    const book = { instruments, accounts: [
      { id: 'm', collateral: [{ asset: 'USDC', amount: 194.39 }], positions: [{ instrument: 'ETH-PERP', quantity: 1.1, entryPrice: 3_000 }] },
      { id: 's', master: 'm', positions: [{ instrument: 'ETH-PERP', quantity: -5, entryPrice: 3_000 }], collateral: [{ asset: 'USDC', amount: 0.1 }] },
    ] };
    for (const engine of engines) {
      const r = engine.margin(book, market, { method: 'cross', params });
      const m = r.accounts[0];
      expect(m.equityIm, engine.backend).toBeGreaterThanOrEqual(m.im);
      expect(m.status).toBe('healthy');
      const [cover] = r.subaccounts!.masters[0].backstop!.covers;
      // F less the doubles' rounding: a cent short of 128.39 at most, never more than F
      expect(cover.usd).toBeGreaterThanOrEqual(128.38);
      expect(cover.usd).toBeLessThanOrEqual(128.39);
    }
  });

  it('a shortfall of 0.30 (MM 22.80 − equity 22.50, 0.3000000000000007 in doubles) is covered with 0.30, not 0.31', () => {
    const book = { instruments, accounts: [
      { id: 'm', collateral: [{ asset: 'USDC', amount: 1_000 }] },
      { id: 's', master: 'm', positions: [{ instrument: 'ETH-PERP', quantity: 0.76, entryPrice: 3_000 }], collateral: [{ asset: 'USDC', amount: 22.5 }] },
    ] };
    for (const engine of engines) {
      const r = engine.margin(book, market, { method: 'cross', params });
      expect(r.subaccounts!.masters[0].backstop!.covers, engine.backend).toEqual([{ account: 's', usd: 0.3 }]);
      const s = r.accounts[1];
      expect(s.equityMm).toBeGreaterThanOrEqual(s.mm); // the cover restores MM
    }
  });
});

describe('backstop covers: the master margined again with the cash moved', () => {
  const example = JSON.parse(readFileSync(new URL('../../data/examples/market.json', import.meta.url), 'utf8'));
  // The report moves the cash as `equity + −covered`; a book with the covers paid in (and liquidate, which re-margins
  // the master) sums the master's terms in its own order: a cover of all of F had left it 1.7e-13 below MM (in
  // liquidation while every report said healthy) or an ulp below IM (margin_call). F is now trimmed a cent clear.
  const cases = [
    { name: 'F bound by the MM surplus (BTC on a slow chain counts for IM only)', params: { locations: { horizonHours: 1, at: { ethereum: { haircut: 0, delayHours: 2 } } }, subaccounts: { policy: 'backstop' } }, instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }, { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' }], accounts: [
      { id: 'm', positions: [{ instrument: 'ETH-PERP', quantity: 1.953, entryPrice: 3041.49 }], collateral: [{ asset: 'USDC', amount: 236.38 }, { asset: 'BTC', amount: 0.01751, location: 'ethereum' }], cashUsd: 10.92 },
      { id: 's', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 0.9679, entryPrice: 100196.3677406311 }], collateral: [{ asset: 'USDC', amount: 294.18 }] },
    ] },
    { name: 'F bound by the IM surplus', params: { subaccounts: { policy: 'backstop' } }, instruments: [{ id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' }], accounts: [
      { id: 'm', positions: [{ instrument: 'ETH-PERP', quantity: -4.066, entryPrice: 3031.47 }], collateral: [{ asset: 'USDC', amount: 40.21 }] },
      { id: 's', master: 'm', positions: [{ instrument: 'ETH-PERP', quantity: -16.48, entryPrice: 2916.43 }], collateral: [{ asset: 'USDC', amount: 237.73 }] },
    ] },
  ];
  for (const c of cases) {
    it(`${c.name}: the master stays healthy in the report, in the book with the covers paid, and is not liquidated`, () => {
      const book = { instruments: c.instruments, accounts: c.accounts };
      for (const engine of engines) {
        const r = engine.margin(book, example, { method: 'cross', params: c.params });
        const m = r.accounts[0];
        expect(m.status, engine.backend).toBe('healthy');
        const backstop = r.subaccounts!.masters[0].backstop!;
        expect(backstop.coveredUsd).toBeGreaterThan(0);
        const paid = structuredClone(book) as { accounts: { cashUsd?: number }[] };
        paid.accounts[0].cashUsd = m.cashUsd;
        paid.accounts[1].cashUsd = r.accounts[1].cashUsd;
        const { locations } = c.params as { locations?: unknown };
        const again = engine.margin(paid, example, { method: 'cross', params: locations ? { locations } : {} }).accounts[0];
        expect(again.status).toBe('healthy');
        const plan = engine.liquidate(book, example, { method: 'cross', params: c.params });
        expect(plan.accounts.map((a) => a.id)).not.toContain('m');
        // all of F to the cent below it: the master is left clear of its bound by less than a cent, far more than rounding
        expect(backstop.freeUsd - backstop.coveredUsd).toBeGreaterThan(1e-6);
        expect(backstop.freeUsd - backstop.coveredUsd).toBeLessThan(0.011);
      }
    });
  }
});

describe('backstop covers of tens of millions', () => {
  it('a cover of all of F = 39,934,320.02… is trimmed to 39,934,320.01 and returns (whole cents are a fixed point of the rounding)', () => {
    // m: 41,407,755.02 USDC, 1.002622 ETH, long 227.949262 BTC-PERP; s: long 135,780.81727 ETH-PERP on 1 USDC, short of
    // MM by 60,154,191.77 > F. F = equity for IM − IM = 39,934,320.021035835 (the MM surplus is larger); the figures'
    // rounding 1e-10 × their size is 0.0085, so the cover is the whole cents at least that below F: 39,934,320.01. Its
    // cents, 3,993,432,001.9999995 in doubles, had been rounded up a cent and trimmed back a cent forever.
    const example = JSON.parse(readFileSync(new URL('../../data/examples/market.json', import.meta.url), 'utf8'));
    const book = { instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }, { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' }], accounts: [
      { id: 'm', cashUsd: 8.7419367, positions: [{ instrument: 'BTC-PERP', quantity: 227.949262, entryPrice: 99924.75709915161 }], collateral: [{ asset: 'USDC', amount: 41407755.02 }, { asset: 'ETH', amount: 1.002622 }] },
      { id: 's', master: 'm', positions: [{ instrument: 'ETH-PERP', quantity: 135780.81727, entryPrice: 3150 }], collateral: [{ asset: 'USDC', amount: 1 }] },
    ] };
    for (const engine of engines) {
      const r = engine.margin(book, example, { method: 'cross', params: { subaccounts: { policy: 'backstop' } } });
      expect(r.subaccounts!.masters[0].backstop!.covers, engine.backend).toEqual([{ account: 's', usd: 39_934_320.01 }]);
      expect(r.accounts[0].equityIm).toBeGreaterThanOrEqual(r.accounts[0].im);
    }
    // liquidate returns too, and says the cover it paid in grouped digits
    const plan = engines[0].liquidate(book, example, { method: 'cross', params: { subaccounts: { policy: 'backstop' } } });
    expect(plan.warnings?.find((w) => w.path === 'params.subaccounts.policy')?.message).toMatch(/^backstop: masters paid 1 cover of 39,934,320\.01 USD into their subaccounts before the liquidation \(s 39,934,320\.01\)/);
  });
});

it('ceilCents: a whole number of cents is itself at every size to 1e13 USD; a part of a cent above rounds up', async () => {
  const { ceilCents } = await import('../../src/subaccounts/backstop.js');
  for (let k = 0; k < 20_000; k++) {
    const cents = Math.floor((k / 20_000) ** 4 * 1e15) + k; // every scale, small to large
    expect(ceilCents(cents / 100), String(cents)).toBe(cents / 100);
  }
  expect([ceilCents(22.8 - 22.5), ceilCents(0.301), ceilCents(39_934_320.021035835), ceilCents(0)]).toEqual([0.3, 0.31, 39_934_320.03, 0]);
});
