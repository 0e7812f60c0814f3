/**
 * Masters and subaccounts margined in a coin (docs/coin-margined.md) under every master-level policy: a master's sums
 * and the report's totals are in USD (a coin account's figures at its coin's index price, its row's USD view); a pool
 * of the cross policy is one account in its members' currency, margined as the pooled book (built here from the book
 * JSON, not by the code under test); members in different currencies cannot be pooled, and the backstop policy, which
 * pays covers in USD cash, refuses a group with a coin account: both at the account's path. Found by trying the
 * policies on coin books: a BTC pool's equity had come out as 9 billion (its inverse entries read as −1/entry), a USD
 * master's sums had added BTC to USD, and a cover of 0.05 BTC had been paid as 0.05 USD.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';
import { COIN_METHODS, coinBook, coinMarket } from '../support/coin-books.js';
import { problemLines } from '../support/problems.js';
import { firstDifference } from '../support/bits.js';
import { freshReport } from '../support/venue-book.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const MARKET = coinMarket({ btc: 97_000 });
const policy = (name: string) => ({ subaccounts: { policy: name } });

/** A BTC-margined master and subaccount holding the inverse perpetual at different entries, and a future. */
const MASTER = { id: 'm', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -481, entryPrice: 90_709 }], collateral: [{ asset: 'BTC', amount: 1 }] };
const SUB = { id: 's', master: 'm', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -116, entryPrice: 92_636 }, { instrument: 'BTC-25DEC26', quantity: 50, entryPrice: 95_000 }], collateral: [{ asset: 'BTC', amount: 0.5 }] };
/** The pool by its definition: one BTC account with both members' rows and their balances summed. */
const POOLED = { id: 'm', marginCurrency: 'BTC', positions: [...MASTER.positions, ...SUB.positions], collateral: [{ asset: 'BTC', amount: 1.5 }] };

const money = (f: { equity: number; equityIm: number; equityMm: number; im: number; mm: number }) => [f.equity, f.equityIm, f.equityMm, f.im, f.mm];

describe('subaccounts margined in a coin', () => {
  it('cross policy: a BTC pool is the pooled BTC account, its figures in USD at the index (every coin method and backend)', () => {
    for (const engine of engines) {
      for (const method of COIN_METHODS.filter((m) => m !== 'isolated')) { // isolated cannot pool
        const r = engine.margin(coinBook(MASTER, SUB as never), MARKET, { method, params: policy('cross') } as never);
        const pooled = engine.margin(coinBook(POOLED), MARKET, { method } as never).accounts[0];
        expect(pooled.marginCurrency).toBe('BTC');
        const m = r.subaccounts!.masters[0];
        expect(money(m.combined), `${engine.backend} ${method}`).toEqual(money(pooled.usd!));
        expect(m.combined.status).toBe(pooled.status);
        // equity by hand (cross): 1.5 BTC + 10·(−597)·(1/entry − 1/97,000) + 10·50·(1/95,000 − 1/97,000) BTC, about 1.4961 BTC
        expect(m.combined.equity / 97_000).toBeCloseTo(1.4961, 3);
        // the standalone sums: each member's USD view added
        const rows = new Map(r.accounts.map((a) => [a.id, a]));
        expect(m.standalone.equity).toBe(rows.get('m')!.usd!.equity + rows.get('s')!.usd!.equity);
      }
    }
  });

  it('cross policy, live: a BTC pool after a tick and a fill reports what engine.margin gives on the book it states', () => {
    const options = { method: 'cross' as const, params: policy('cross') };
    for (const engine of engines) {
      for (const method of ['cross', 'portfolio'] as const) {
        const live = engine.live(coinBook(MASTER, SUB as never, { id: 'u', collateral: [{ asset: 'USDC', amount: 1_000 }] }), MARKET, { ...options, method });
        try {
          live.applyTick({ assets: { BTC: { price: 95_000 } } });
          live.applyFills([{ account: 's', instrument: 'BTC-PERPETUAL', quantity: -50, price: 95_010 }]);
          const fresh = freshReport(engine, live, method, policy('cross'));
          expect(firstDifference(JSON.parse(JSON.stringify(live.report())), JSON.parse(JSON.stringify(fresh))), `${engine.backend} ${method}`).toBeNull();
          // the pool in USD: about 1.497 BTC at 95,000
          expect(live.report().subaccounts!.masters[0].combined.equity / 95_000).toBeCloseTo(1.497, 3);
        } finally {
          live.release();
        }
      }
    }
  });

  it('independent policy: a USD master\'s sums add its BTC subaccount at the index; the totals are the report\'s', () => {
    const book = coinBook(
      { id: 'u', collateral: [{ asset: 'USDC', amount: 100_000 }] },
      { id: 'b', master: 'u', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -10_000, entryPrice: 92_636 }], collateral: [{ asset: 'BTC', amount: 0.01 }] } as never,
    );
    for (const engine of engines) {
      const r = engine.margin(book, MARKET, { method: 'cross', params: policy('independent') });
      const [u, b] = r.accounts;
      expect(b.marginCurrency).toBe('BTC');
      const s = r.subaccounts!.masters[0].standalone;
      // 100,000 USD + (0.01 − 100,000·(1/92,636 − 1/97,000)) BTC × 97,000 (short 100,000 USD of face): about 96,259 USD
      expect(s.equity).toBe(u.equity + b.usd!.equity);
      expect(s.equity).toBeCloseTo(100_000 + (0.01 - 100_000 * (1 / 92_636 - 1 / 97_000)) * 97_000, 6);
      expect(s.mm).toBe(u.mm + b.usd!.mm);
      expect(r.subaccounts!.totals.standaloneIm).toBe(r.totals.im);
    }
  });

  it('cross policy: members margined in different currencies are refused at the first that differs', () => {
    const book = coinBook({ id: 'u', collateral: [{ asset: 'USDC', amount: 1_000 }] }, { ...SUB, master: 'u' } as never);
    for (const engine of engines) {
      expect(problemLines(() => engine.margin(book, MARKET, { method: 'cross', params: policy('cross') }))).toEqual([
        'accounts[1].marginCurrency: margined in "BTC", its master "u" margined in USD: under the cross policy (params.subaccounts.policy) a master and its subaccounts are margined as one account, in one currency; give them one, or use the independent policy',
      ]);
    }
  });

  it('backstop policy: a group with a coin account is refused at its path; coin accounts in no group keep the report\'s totals', () => {
    for (const engine of engines) {
      expect(problemLines(() => engine.margin(coinBook(MASTER, SUB as never), MARKET, { method: 'cross', params: policy('backstop') }))).toEqual([
        'accounts[0].marginCurrency: margined in "BTC": the backstop policy (params.subaccounts.policy) pays a master\'s covers to its subaccounts in USD cash, which an account margined in a coin does not hold; use the independent or cross policy for this group',
        'accounts[1].marginCurrency: margined in "BTC": the backstop policy (params.subaccounts.policy) pays a master\'s covers to its subaccounts in USD cash, which an account margined in a coin does not hold; use the independent or cross policy for this group',
      ]);
      // a USD group whose subaccount is covered, and a BTC account alone: the totals add the BTC account at the index
      const book = coinBook(
        { id: 'u', collateral: [{ asset: 'USDC', amount: 100_000 }] },
        { id: 'v', master: 'u', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 110_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }] } as never,
        { id: 'b', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -100, entryPrice: 92_636 }], collateral: [{ asset: 'BTC', amount: 0.01 }] },
      );
      const backstop = engine.margin(book, MARKET, { method: 'cross', params: policy('backstop') });
      const independent = engine.margin(book, MARKET, { method: 'cross', params: policy('independent') });
      expect(backstop.accounts[1].backstopUsd).toBeGreaterThan(0);
      // a cover moves cash from the master to the subaccount: the book's equity is the same
      expect(backstop.totals.equity).toBeCloseTo(independent.totals.equity, 6);
      expect(backstop.totals.equity).toBeCloseTo(100_000 + 1_000 - 13_000 + backstop.accounts[2].usd!.equity, 6);
    }
  });
});
