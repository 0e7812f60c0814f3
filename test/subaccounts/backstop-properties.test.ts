/**
 * The backstop's money rules on random groups (docs/subaccounts.md): the master pays no more than its free collateral
 * and stays at or above its IM; each cover is at most its subaccount's shortfall rounded up to the cent (a cent more
 * only where that sum rounds short of MM); what the master pays is what its subaccounts receive.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';
import { mulberry32 } from '../support/random.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { ETH: { price: 3_000, vol: 0.7 }, USDC: { price: 1, vol: 0 } }, marks: { 'ETH-PERP': 3_000 } };
const instruments = [{ id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' }];
const rates = { linear: { ETH: [{ imRate: 0.02, mmRate: 0.01 }] } };
const cents = (x: number) => Math.round(x * 100) / 100;

describe('backstop money rules on random groups', () => {
  it('nobody pays more than its free collateral, a master stays at IM, covers are the shortfalls in cents, money is conserved', () => {
    const random = mulberry32(99);
    for (let b = 0; b < 120; b++) {
      const subs = 1 + Math.floor(random() * 4);
      const accounts = [{ id: 'm', collateral: [{ asset: 'USDC', amount: cents(50 + random() * 400) }], positions: [{ instrument: 'ETH-PERP', quantity: cents(random() * 2), entryPrice: 3_000 }] },
        ...Array.from({ length: subs }, (_, j) => ({ id: `s${j}`, master: 'm', collateral: [{ asset: 'USDC', amount: cents(random() * 60) }], positions: [{ instrument: 'ETH-PERP', quantity: -cents(0.5 + random() * 3), entryPrice: 3_000 }] }))];
      const book = { instruments, accounts };
      for (const engine of engines) {
        const alone = engine.margin(book, market, { method: 'cross', params: rates }).accounts;
        const r = engine.margin(book, market, { method: 'cross', params: { ...rates, subaccounts: { policy: 'backstop' } } });
        const m0 = alone[0], m1 = r.accounts[0], backstop = r.subaccounts!.masters[0].backstop!;
        const free = Math.max(0, m0.equityIm - m0.im);
        expect(backstop.coveredUsd, `book ${b}`).toBeLessThanOrEqual(free);
        if (backstop.coveredUsd > 0) expect(m1.equityIm, `book ${b} ${engine.backend}`).toBeGreaterThanOrEqual(m1.im);
        // conserved: the master's equity falls by what its subaccounts' rises
        let received = 0;
        for (const c of backstop.covers) {
          const k = accounts.findIndex((a) => a.id === c.account), before = alone[k], after = r.accounts[k];
          const shortfall = before.mm - before.equityMm;
          expect(c.usd, `book ${b} ${c.account}`).toBeLessThanOrEqual(cents(shortfall) + 0.01 + 1e-9);
          expect(after.equity - before.equity).toBeCloseTo(c.usd, 9);
          received += c.usd;
        }
        expect(m0.equity - m1.equity).toBeCloseTo(received, 9);
        expect(received).toBeCloseTo(backstop.coveredUsd, 9);
      }
    }
  });
});
