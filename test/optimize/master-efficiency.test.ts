/**
 * Master rows of the capital efficiency report (src/optimize/master-efficiency.ts), by hand. BTC at 100,000, default
 * rule-based brackets (test/subaccounts/policies.test.ts): long 1 BTC-PERP IM 900, short 0.5 IM 400, pooled +0.5 IM 400.
 * Portfolio margin (test/optimize/restore.test.ts): a BTC perpetual position of u units has IM 16,500·|u| (16% move +
 * 0.5% notional add-on), and so does a perpetual-plus-future book of net u units; a future filled at value ∓ 10 with a
 * fee of 1 costs 11 USD per contract, out of equity.
 *   m: 10,000 USDC (no positions, IM 0);  s1: long 1 perp, 2,000 USDC;  s2: short 0.5 perp, 150 USDC.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import type { MasterEfficiencyRow } from '../../src/optimize/master-efficiency.js';
import { EXPIRY, INSTRUMENTS, market } from '../support/margin-books.js';

function group(masterUsdc: number) {
  return {
    instruments: [...INSTRUMENTS, { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: EXPIRY }],
    accounts: [
      { id: 'm', collateral: [{ asset: 'USDC', amount: masterUsdc }] },
      { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 2_000 }] },
      { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 150 }] },
    ],
  };
}
const hedges = [{ instrument: 'BTC-25DEC26', spread: 10, fee: 1, maxQuantity: 2 }];
const methods = ['isolated', 'cross', 'portfolio'] as const;

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

function masterRow(rows: { level: string }[]): MasterEfficiencyRow {
  const masters = rows.filter((r) => r.level === 'master');
  expect(masters).toHaveLength(1);
  return masters[0] as MasterEfficiencyRow;
}

describe('capital efficiency: master rows', () => {
  test('independent: the group alone and pooled per method, and the members’ hedges summed', async () => {
    const r = await engine.capitalEfficiency(group(10_000), market(), { methods: [...methods], method: 'portfolio', hedges });
    expect(r.rows.map((row) => [row.level, row.id])).toEqual([['account', 'm'], ['account', 's1'], ['account', 's2'], ['master', 'm']]);
    const m = masterRow(r.rows);
    expect(m.subaccounts).toEqual(['s1', 's2']);
    expect(m.policy).toBe('independent');
    expect(m.byPolicy).toEqual({ isolated: { independent: 1_300 }, cross: { independent: 1_300, cross: 400 }, portfolio: { independent: 24_750, cross: 8_250 } });
    expect(m.im).toEqual({ isolated: 1_300, cross: 1_300, portfolio: 24_750 });
    expect(m.freed.cross).toEqual({ usd: 0, fraction: 0 });
    expect(m.freed.portfolio).toEqual({ usd: 1_300 - 24_750, fraction: (1_300 - 24_750) / 1_300 });
    expect(m.pooling.cross).toEqual({ usd: 900, fraction: 900 / 1_300 });
    expect(m.pooling.portfolio!.usd).toBe(16_500);
    expect(m.pooling.isolated).toBeUndefined(); // isolated margin cannot pool
    // s1 sells x futures: 16,500(1 − x) = 2,000 − 11x, x = 14,500/16,489; s2 buys y: 16,500(0.5 − y) = 150 − 11y, y = 8,100/16,489
    const x = 14_500 / 16_489, y = 8_100 / 16_489;
    expect(m.hedge).toMatchObject({ outcome: 'restored', trades: 2, imBefore: 24_750, confirmed: true });
    expect(m.hedge!.cost).toBeCloseTo(11 * (x + y), 5);
    expect(m.hedge!.imReleased).toBeCloseTo(16_500 * (x + y), 2);
    expect(m.hedge!.slackAfter).toBeGreaterThanOrEqual(0);
  });

  test('cross: the pool’s IM, freed versus isolated, and no hedge when the pool meets IM', async () => {
    const r = await engine.capitalEfficiency(group(10_000), market(), { methods: [...methods], method: 'portfolio', hedges, params: { subaccounts: { policy: 'cross' } } });
    const m = masterRow(r.rows);
    expect(m.im).toEqual({ isolated: 1_300, cross: 400, portfolio: 8_250 });
    expect(m.freed.cross).toEqual({ usd: 900, fraction: 900 / 1_300 });
    expect(m.hedge).toBeUndefined(); // pool equity 12,150 ≥ 8,250
    // the members are margined as the pool: none is hedged alone (s1 and s2 were, at 9.67 and 5.40), nothing is totalled
    expect(r.rows.filter((row) => row.level === 'account' && row.hedge !== undefined)).toEqual([]);
    expect([r.totals.hedged, r.totals.infeasible, r.totals.hedgeCost, r.totals.imReleased]).toEqual([0, 0, 0, 0]);
  });

  test('cross: a pool below IM is hedged as one account', async () => {
    // pool: +0.5 perp on 1,000 + 2,000 + 150 USDC; sells x futures: 16,500(0.5 − x) = 3,150 − 11x, x = 5,100/16,489
    const r = await engine.capitalEfficiency(group(1_000), market(), { methods: ['cross', 'portfolio'], method: 'portfolio', hedges, params: { subaccounts: { policy: 'cross' } } });
    const m = masterRow(r.rows);
    const x = 5_100 / 16_489;
    expect(m.hedge).toMatchObject({ outcome: 'restored', trades: 1, imBefore: 8_250, confirmed: true });
    expect(m.hedge!.cost).toBeCloseTo(11 * x, 5);
    expect(m.hedge!.imAfter).toBeCloseTo(8_250 - 16_500 * x, 2);
    expect(m.freed).toEqual({}); // isolated not compared
    // the totals are the pool's hedge: one, its cost and the IM it releases (no member's standalone hedge beside it)
    expect(r.rows.filter((row) => row.level === 'account' && row.hedge !== undefined)).toEqual([]);
    expect([r.totals.hedged, r.totals.hedgeCost, r.totals.imReleased]).toEqual([1, m.hedge!.cost, m.hedge!.imReleased]);
  });

  test('a book without masters has account rows only', async () => {
    const { accounts, instruments } = group(10_000);
    const r = await engine.capitalEfficiency({ instruments, accounts: accounts.map(({ master: _m, ...a }) => a) }, market(), { methods: ['cross'] });
    expect(r.rows.every((row) => row.level === 'account')).toBe(true);
  });
});
