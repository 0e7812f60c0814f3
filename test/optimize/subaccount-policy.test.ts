/**
 * engine.optimize on a book with masters acts on the book the subaccount policy leaves, as liquidation does
 * (src/optimize/optimize-session.ts). By hand, portfolio margin (test/optimize/restore.test.ts): a BTC perpetual
 * position of u units has IM 16,500·|u| and MM 0.8 of it, so does a perpetual-plus-future book of net u units; a
 * future filled at value ∓ 10 with a fee of 1 costs 11 USD per contract, out of equity.
 *   m: 1,000 USDC (no positions);  s1: long 1 perp, 4,000 USDC;  s2: short 0.5 perp, 1,000 USDC.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine, InputError } from '../../src/index.js';
import { EXPIRY, INSTRUMENTS, market } from '../support/margin-books.js';

const book = {
  instruments: [...INSTRUMENTS, { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: EXPIRY }],
  accounts: [
    { id: 'm', collateral: [{ asset: 'USDC', amount: 1_000 }] },
    { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 4_000 }] },
    { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }] },
  ],
};
const hedges = [{ instrument: 'BTC-25DEC26', spread: 10, fee: 1, maxQuantity: 2 }];
const under = (policy: string) => ({ method: 'portfolio' as const, hedges, params: { subaccounts: { policy } } });

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm' })];
});

describe('optimize under a subaccount policy', () => {
  test('cross: the master restores its pool (net long 0.5 on 6,000 USDC), which it alone does not show', async () => {
    // Hand: pool IM 16,500·0.5 = 8,250 on equity 1,000 + 4,000 + 1,000 = 6,000 (entries at the mark: no P&L).
    // Selling x futures: 6,000 − 11x ≥ 16,500·(0.5 − x) → x = 2,250 / 16,489.
    const x = 2_250 / 16_489;
    for (const engine of engines) {
      const alone = await engine.optimize(book, market(), { ...under('independent'), account: 'm' });
      expect(alone).toMatchObject({ outcome: 'met', trades: [] });
      expect(alone.before.im).toBe(0);
      expect(alone.pool).toBeUndefined();
      const r = await engine.optimize(book, market(), { ...under('cross'), account: 'm' });
      expect(r.pool).toEqual({ subaccounts: ['s1', 's2'] });
      expect(r.outcome).toBe('restored');
      expect(r.confirmed).toBe(true);
      expect(r.before.im).toBe(8_250);
      expect(r.before.equityIm).toBe(6_000);
      expect(r.trades).toHaveLength(1);
      expect(r.trades[0].quantity).toBeCloseTo(-x, 6);
      expect(r.cost).toBeCloseTo(11 * x, 5);
      expect(r.slackAfter).toBeGreaterThanOrEqual(0);
    }
  });

  test('cross: a subaccount has no requirement of its own; the error names its master', async () => {
    const error = await engines[0].optimize(book, market(), { ...under('cross'), account: 's1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems).toHaveLength(1);
    expect((error as InputError).problems[0].path).toBe('account');
    expect((error as InputError).problems[0].message).toMatch(/"s1" is a subaccount of "m".*restore the pool as account "m"/);
  });

  test('backstop: the master’s cover is paid first (1,000 USD to s2, the smaller shortfall), then s2 is restored', async () => {
    // Hand: shortfalls below MM: s1 13,200 − 4,000 = 9,200, s2 6,600 − 1,000 = 5,600; the master's free collateral
    // 1,000 − 0 covers the smaller first: s2 gets 999.99 (a cover of all of F is trimmed a cent: backstop.ts). Buying y
    // futures: 1,999.99 − 11y ≥ 16,500·(0.5 − y) → y = 6,250.01 / 16,489 (alone, on 1,000: y = 7,250 / 16,489).
    for (const engine of engines) {
      const alone = await engine.optimize(book, market(), { ...under('independent'), account: 's2' });
      expect(alone.trades[0].quantity).toBeCloseTo(7_250 / 16_489, 6);
      const r = await engine.optimize(book, market(), { ...under('backstop'), account: 's2' });
      expect(r.outcome).toBe('restored');
      expect(r.before.equityIm).toBe(1_000 + 999.99);
      expect(r.trades[0].quantity).toBeCloseTo(6_250.01 / 16_489, 6);
      expect(r.pool).toBeUndefined();
      // s1 got no cover: restored alone, as without the policy (4,000 − 11x ≥ 16,500·(1 − x))
      const s1 = await engine.optimize(book, market(), { ...under('backstop'), account: 's1' });
      expect(s1.trades[0].quantity).toBeCloseTo(-12_500 / 16_489, 6);
    }
  });
});

describe('optimize keeps what validation let through', () => {
  test('a lenient unknown field is a warning of the result, alone and under the cross policy (its pool on a book of its own)', async () => {
    const misspelt = { ...book, accounts: book.accounts.map((a) => (a.id === 's1' ? { ...a, colour: 'red' } : a)) };
    const warning = { path: 'accounts[1].colour', message: expect.stringMatching(/^unknown field/) };
    for (const policy of ['independent', 'cross']) {
      const r = await engines[0].optimize(misspelt, market(), { ...under(policy), account: 'm', lenient: true });
      expect(r.warnings, policy).toEqual([warning]);
    }
    expect((await engines[0].optimize(book, market(), { ...under('cross'), account: 'm' })).warnings).toBeUndefined();
  });
});
