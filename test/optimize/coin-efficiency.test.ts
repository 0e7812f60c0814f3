/**
 * A coin-margined account in the method comparison and the capital efficiency report: its row is in its coin (as its
 * margin report row), labelled, and every USD sum (the comparison's totals, a master's group) takes it at the coin's
 * index. By hand (test/optimize/master-efficiency.test.ts's group, BTC at 100,000, default rule-based brackets, IM 0.9%
 * of a BTC position's notional below 1,000,000): s3 is margined in BTC, short 10,000 contracts of 10 USD of face of
 * an inverse perpetual, 1 BTC of notional: IM 0.009 BTC = 900 USD.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import type { MasterEfficiencyRow } from '../../src/optimize/master-efficiency.js';
import { EXPIRY, INSTRUMENTS, market } from '../support/margin-books.js';

const book = {
  instruments: [...INSTRUMENTS, { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: EXPIRY }, { id: 'BTC-INVERSE', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' }],
  accounts: [
    { id: 'm', collateral: [{ asset: 'USDC', amount: 10_000 }] },
    { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 2_000 }] },
    { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 150 }] },
    { id: 's3', master: 'm', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-INVERSE', quantity: -10_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 0.2 }] },
  ],
};
const methods = ['isolated', 'cross'] as const;

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

describe('a coin-margined account in the comparison and the efficiency report', () => {
  test('its row is in BTC and labelled; the totals add it in USD at the index', () => {
    const c = engine.compareMethods(book, market(), { methods: [...methods] });
    const s3 = c.accounts.find((a) => a.id === 's3')!;
    expect(s3.marginCurrency).toBe('BTC');
    expect(s3.usdPerUnit).toBe(100_000);
    expect(s3.im.cross).toBeCloseTo(0.009, 15);
    expect(c.accounts.find((a) => a.id === 's1')!.marginCurrency).toBeUndefined();
    // m 0, s1 900, s2 400 (short 0.5: 50,000 × 0.8%), s3 900 USD: it was 1,300.009, the BTC added as if USD
    expect(c.totals.im.cross).toBeCloseTo(2_200, 9);
    expect(c.totals.im.isolated).toBeCloseTo(2_200, 9);
    expect(c.totals.im.cross).toBeCloseTo(engine.margin(book, market(), { method: 'cross' }).totals.im, 9);
  });

  test('a master sums its members in USD: freed against the isolated IM of the group', async () => {
    const r = await engine.capitalEfficiency(book, market(), { methods: [...methods] });
    const s3 = r.rows.find((row) => row.level === 'account' && row.id === 's3')!;
    expect(s3).toMatchObject({ marginCurrency: 'BTC', usdPerUnit: 100_000 });
    const m = r.rows.find((row) => row.level === 'master') as MasterEfficiencyRow;
    expect(m.im.cross).toBeCloseTo(2_200, 9);
    // the group's isolated IM is 2,200 USD: cross frees nothing (it read −899.99 with s3's 0.009 BTC taken as USD)
    expect(m.freed.cross!.usd).toBeCloseTo(0, 9);
    expect(r.totals.im.cross).toBeCloseTo(2_200, 9);
  });

  test('a coin member\'s hedge joins its master\'s in USD', async () => {
    // s3 with 0.005 BTC of equity below its 0.009 IM, restored by buying back inverse contracts (s2 given 500 USDC: s3
    // alone is below IM)
    const below = (a: (typeof book.accounts)[number]) => (a.id === 's3' ? { ...a, collateral: [{ asset: 'BTC', amount: 0.005 }] } : a.id === 's2' ? { ...a, collateral: [{ asset: 'USDC', amount: 500 }] } : a);
    const short = { ...book, accounts: book.accounts.map(below) };
    const hedges = [{ instrument: 'BTC-INVERSE', spread: 1, fee: 0.001, maxQuantity: 20_000 }];
    const r = await engine.capitalEfficiency(short, market(), { methods: [...methods], method: 'cross', hedges });
    const s3 = r.rows.find((row) => row.level === 'account' && row.id === 's3')!;
    const m = r.rows.find((row) => row.level === 'master') as MasterEfficiencyRow;
    expect(s3.hedge!.outcome).toBe('restored');
    expect(s3.hedge!.imBefore).toBeCloseTo(0.009, 15); // BTC
    expect(m.hedge!.imBefore).toBeCloseTo(900, 9); // USD
    for (const k of ['cost', 'imAfter', 'imReleased', 'slackBefore', 'slackAfter'] as const) expect(m.hedge![k]).toBeCloseTo(s3.hedge![k] * 100_000, 9);
    expect(r.totals.imReleased).toBeCloseTo(s3.hedge!.imReleased * 100_000, 9);
  });

  test('a member that can hold no candidate: its reason on its row and on its master\'s', async () => {
    const below = (a: (typeof book.accounts)[number]) => (a.id === 's3' ? { ...a, collateral: [{ asset: 'BTC', amount: 0.005 }] } : a.id === 's2' ? { ...a, collateral: [{ asset: 'USDC', amount: 500 }] } : a);
    const r = await engine.capitalEfficiency({ ...book, accounts: book.accounts.map(below) }, market(), { methods: [...methods], method: 'cross', hedges: [{ instrument: 'BTC-25DEC26', spread: 10, fee: 1, maxQuantity: 2 }] });
    const s3 = r.rows.find((row) => row.level === 'account' && row.id === 's3')!;
    const m = r.rows.find((row) => row.level === 'master') as MasterEfficiencyRow;
    expect(s3.hedge!.outcome).toBe('infeasible');
    expect(s3.hedge!.reason).toMatch(/account "s3" is margined in "BTC" and can hold none of the candidate hedges/);
    expect(m.hedge!.outcome).toBe('infeasible');
    expect(m.hedge!.reason).toBe(s3.hedge!.reason);
  });

  test('the bundled sample: the totals are the margin reports\' (docs/portfolio-margin.md\'s figures)', () => {
    const read = (f: string) => JSON.parse(readFileSync(`data/sample/${f}.json`, 'utf8'));
    const [sample, sampleMarket] = [read('book'), read('market')];
    const c = engine.compareMethods(sample, sampleMarket, { methods: ['isolated', 'cross', 'portfolio'] });
    expect(c.accounts.filter((a) => a.marginCurrency === 'BTC')).toHaveLength(2);
    for (const m of ['cross', 'portfolio'] as const) {
      expect(c.totals.im[m]).toBeCloseTo(engine.margin(sample, sampleMarket, { method: m }).totals.im, 6);
    }
    expect((c.totals.im.cross! / 1e6).toFixed(2)).toBe('8.16');
    expect((c.totals.im.portfolio! / 1e6).toFixed(2)).toBe('8.29');
    expect((100 * c.totals.freed.portfolio!.vsIsolated!.fraction).toFixed(1)).toBe('-1.6');
    const every = engine.compareMethods(sample, sampleMarket);
    expect([every.totals.accounts, every.totals.excluded]).toEqual([300, 2]); // var, span and derive set the BTC accounts aside
    expect([(every.totals.im.cross! / 1e6).toFixed(2), (every.totals.im.portfolio! / 1e6).toFixed(2)]).toEqual(['8.14', '8.27']);
    const correlated = engine.compareMethods(sample, sampleMarket, { methods: ['isolated', 'portfolio'], params: { portfolio: { aggregation: 'correlation' } } });
    expect((100 * correlated.totals.freed.portfolio!.vsIsolated!.fraction).toFixed(1)).toBe('0.4');
  });
});
