/**
 * session.transfer between accounts of one master group, checked like a withdrawal. The book is the one of
 * policies.test.ts: s1 holds long 1 BTC-PERP (IM 900 by hand) on 2,000 USDC; s2 short 0.5 (IM 400, MM 200) on 150.
 */
import { describe, expect, it } from 'vitest';
import { allEngines } from '../support/engines.js';
import { INSTRUMENTS, market } from '../support/margin-books.js';
import { expectOneProblem } from '../support/problems.js';
import { wire } from '../support/wire.js';

const engines = await allEngines();

const book = {
  instruments: INSTRUMENTS,
  accounts: [
    { id: 'm', collateral: [{ asset: 'USDC', amount: 10_000 }, { asset: 'BTC', amount: 1, location: 'arbitrum' }] },
    { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 2_000 }] },
    { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 150 }] },
    { id: 'other', collateral: [{ asset: 'USDC', amount: 5 }] },
  ],
};
const params = { locations: { at: { arbitrum: { haircut: 0, delayHours: 0 } } } };

describe.each(engines.map((e) => [e.backend, e] as const))('transfers under isolated margin (%s)', (_name, engine) => {
  it('refuses a transfer that leaves a position of the source short of its own IM, however much the account holds', () => {
    // m: short 10 ETH-PERP from 3,000 with 500 allocated, 10,000 in profit at 2,000; long 1 BTC-PERP sharing the rest of
    // its 1,500 USDC pro rata (1,000 after ETH's 500; its IM 900). Account-wide, equity for IM 10,500 against IM 1,100
    // would let 1,000 go; the BTC position would be left 0 against its MM of 450
    const iso = {
      instruments: INSTRUMENTS,
      accounts: [
        { id: 'm', positions: [{ instrument: 'ETH-PERP', quantity: -10, entryPrice: 3_000, isolatedMargin: 500 }, { instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1_500 }] },
        { id: 's1', master: 'm', collateral: [{ asset: 'USDC', amount: 10 }] },
      ],
    };
    const eth2000 = { ...market(), assets: { ...market().assets, ETH: { price: 2_000, vol: 0.7, rate: 0.04, carry: 0.04 } }, marks: { ...market().marks, 'ETH-PERP': 2_000 } };
    const live = engine.live(iso, eth2000, { method: 'isolated' });
    try {
      const r = live.transfer({ from: 'm', to: 's1', asset: 'USDC', amount: 1_000 });
      expect(r.source.equityIm).toBeGreaterThanOrEqual(r.source.im);
      expect([r.accepted, r.source.status]).toEqual([false, 'liquidatable']);
      expect(r.reason).toBe('m would leave a position short of its own IM under isolated margin: the account liquidatable after the transfer');
      expect(live.account('m').status).toBe('healthy'); // nothing moved
      // 100 leaves BTC 900 against its IM of 900: accepted
      expect(live.transfer({ from: 'm', to: 's1', asset: 'USDC', amount: 100 }).accepted).toBe(true);
    } finally {
      live.release();
    }
  });
});

describe.each(engines.map((e) => [e.backend, e] as const))('transfers between subaccounts (%s)', (_name, engine) => {
  it('accepts a transfer that leaves the source at or above IM, and applies both legs', () => {
    const live = engine.live(book, market(), { params });
    try {
      const r = live.transfer({ from: 's1', to: 's2', asset: 'USDC', amount: 1_000 });
      expect(r.accepted).toBe(true);
      expect(r.source).toMatchObject({ equityIm: 1_000, im: 900, status: 'healthy' });
      expect(r.update!.events).toEqual([{ account: 's2', from: 'liquidatable', to: 'healthy', health: 1_150 / 200 }]);
      expect(live.account('s1').equity).toBe(1_000);
      expect(live.account('s2').equity).toBe(1_150);
      expect(live.transfer({ from: 'm', to: 's2', cashUsd: 100 }).accepted).toBe(true); // master → subaccount
      expect(live.account('s2').cashUsd).toBe(100);
    } finally {
      live.release();
    }
  });

  it('refuses a transfer that would take the source below IM, and changes nothing', () => {
    const live = engine.live(book, market(), { params });
    try {
      const r = live.transfer({ from: 's1', to: 's2', asset: 'USDC', amount: 1_200 }); // 800 left < IM 900
      expect(r.accepted).toBe(false);
      expect(r.reason).toBe('s1 would fall below IM: equity for IM 800.00 < IM 900.00 after the transfer');
      expect(r.update).toBeUndefined();
      expect(live.account('s1').equity).toBe(2_000);
      expect(live.account('s2').equity).toBe(150);
    } finally {
      live.release();
    }
  });
});

describe('transfer validation', () => {
  const engine = engines[0];
  const live = engine.live(book, market(), { params });

  it('rejects accounts outside one group, the same account, and unknown accounts', () => {
    expectOneProblem(() => live.transfer({ from: 's1', to: 'other', cashUsd: 1 }), 'transfer.to', /"other" is not in "s1"'s master group/);
    expectOneProblem(() => live.transfer({ from: 's1', to: 's1', cashUsd: 1 }), 'transfer.to', /same account/);
    expectOneProblem(() => live.transfer({ from: 'nobody', to: 's1', cashUsd: 1 }), 'transfer.from', /no account "nobody" in the book/);
  });

  it('rejects amounts that are not positive, unknown fields and assets, and collateral held at a location', () => {
    expectOneProblem(() => live.transfer({ from: 's1', to: 's2', asset: 'USDC', amount: -5 }), 'transfer.amount', /not positive/);
    expectOneProblem(() => live.transfer({ from: 's1', to: 's2', cashUsd: 0 }), 'transfer.cashUsd', /not positive/);
    expectOneProblem(() => live.transfer(wire({ from: 's1', to: 's2', asset: 'USDC', amount: 5, memo: 'x' })), 'transfer.memo', /unknown field/);
    expectOneProblem(() => live.transfer({ from: 's1', to: 's2', asset: 'DOGE', amount: 5 }), 'transfer.asset', /unknown asset "DOGE"/);
    // both forms at once: the asset form's field named as the other kind, not as a misspelling
    expectOneProblem(() => live.transfer(wire({ from: 's1', to: 's2', asset: 'USDC', cashUsd: 5 })), 'transfer.asset', /given with cashUsd: a transfer moves cash .* or an asset .*, not both/);
    expectOneProblem(() => live.transfer({ from: 'm', to: 's2', asset: 'BTC', amount: 0.1 }), 'transfer.asset', /holds BTC at a location/);
  });
});

describe('a live session on a book of several methods', () => {
  it('is refused: it keeps one method up to date', () => {
    const mixed = { ...book, accounts: book.accounts.map((a) => (a.id === 's2' ? { ...a, method: 'portfolio' } : a)) };
    expectOneProblem(() => engines[0].live(mixed, market(), { params }), 'accounts[2].method', /a live session runs one method \(cross\); this account's is portfolio/);
  });
});
