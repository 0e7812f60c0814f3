import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { marginCore } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';
import { book, EXPIRY, INSTRUMENTS, market } from '../support/margin-books.js';

// The hand-computed case of restore.test.ts through the command line: x = 6,500 / 16,489 futures sold.
const dir = scratchDir('optimize-cli-');
const file = (name: string, json: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
};
const bookFile = file('book.json', {
  ...book({ id: 'alice', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 10_000 }] }),
  instruments: [...INSTRUMENTS, { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: EXPIRY }],
});
const marketFile = file('market.json', market());

describe('margin-core optimize', () => {
  test('json: the least-cost trade and the engine-checked figures', async () => {
    const hedges = file('hedges.json', [{ instrument: 'BTC-25DEC26', spread: 10, fee: 1, maxQuantity: 2 }]);
    const { code, stdout } = await marginCore('optimize', 'alice', '--book', bookFile, '--market', marketFile, '--method', 'portfolio', '--hedges', hedges, '--format', 'json');
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({ account: 'alice', method: 'portfolio', target: 'im', outcome: 'restored', confirmed: true });
    expect(r.trades[0].quantity).toBeCloseTo(-6_500 / 16_489, 6);
  });

  test('table, infeasible: the closest hedge printed, exit code 1 and the shortfall', async () => {
    const hedges = file('small.json', [{ instrument: 'BTC-25DEC26', spread: 10, fee: 1, maxQuantity: 0.1 }]);
    const { code, stdout, stderr } = await marginCore('optimize', 'alice', '--book', bookFile, '--market', marketFile, '--method', 'portfolio', '--hedges', hedges);
    expect(code).toBe(1);
    expect(stderr).toContain('alice cannot be restored with these hedges (the closest leave it 4,851.10 USD short)');
    expect(stdout).toMatch(/outcome {2}infeasible: no trades within the hedges' limits reach its target .* 4,851\.10 USD short/);
  });

  test('isolated margin without --hedges: the candidates are the account\'s own positions, reduced, and the engine confirms', async () => {
    // 20 BTC-PERP long on 10,000 USDC: IM far above 10,000 under the default brackets; the futures the other methods
    // would offer would open new isolated positions, so the defaults are the account's own perp, sold down.
    const heavy = file('heavy.json', book({ id: 'bob', positions: [{ instrument: 'BTC-PERP', quantity: 20, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 10_000 }] }));
    const { code, stdout } = await marginCore('optimize', 'bob', '--book', heavy, '--market', marketFile, '--method', 'isolated', '--format', 'json');
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({ account: 'bob', method: 'isolated', outcome: 'restored', confirmed: true });
    expect(r.trades.map((t: { instrument: string }) => t.instrument)).toEqual(['BTC-PERP']);
    expect(r.trades[0].quantity).toBeLessThan(0);
    expect(r.trades[0].quantity).toBeGreaterThanOrEqual(-20);
  });

  test('without --hedges, an account holding only collateral is told why there is no default candidate', async () => {
    // 101,000 USDC against 1 BTC borrowed at 100,000: equity 1,000 (not bankrupt), below its IM once the borrowing is weighted
    const cashOnly = file('cash-only.json', book({ id: 'carol', collateral: [{ asset: 'USDC', amount: 101_000 }, { asset: 'BTC', amount: -1 }] }));
    const { code, stderr } = await marginCore('optimize', 'carol', '--book', cashOnly, '--market', marketFile);
    expect(code).toBe(1);
    expect(stderr).toContain('--hedges: no default candidates: carol holds no position (only collateral)');
    expect(stderr).not.toMatch(/at .*\.js:\d+/);
  });

  test('a bankrupt account holding only collateral is refused as bankrupt, not for its missing candidates', async () => {
    // 10 USDC against 1 BTC borrowed at 100,000: equity −99,990
    const broke = file('broke.json', book({ id: 'dan', collateral: [{ asset: 'USDC', amount: 10 }, { asset: 'BTC', amount: -1 }] }));
    const { code, stderr } = await marginCore('optimize', 'dan', '--book', broke, '--market', marketFile);
    expect(code).toBe(1);
    expect(stderr).toContain('dan is bankrupt under cross margin');
    expect(stderr).not.toContain('no default candidates');
  });

  test('a bad hedges file: every problem with its path, exit code non-zero', async () => {
    const hedges = file('bad.json', [{ instrument: 'BTC-25DEC26', spread: -1, maxQuantity: 2 }]);
    const { code, stderr } = await marginCore('optimize', 'alice', '--book', bookFile, '--market', marketFile, '--method', 'portfolio', '--hedges', hedges);
    expect(code).not.toBe(0);
    expect(stderr).toContain('hedges[0].spread: negative (-1); expected ≥ 0');
  });

  test('cross subaccount policy: a master without positions is restored as its pool, with default candidates on what the group holds', async () => {
    // m: 1,000 USDC; s1: long 1 BTC-PERP on 4,000; s2: short 0.5 on 1,000 (test/optimize/subaccount-policy.test.ts):
    // the pool is long 0.5 on 6,000 USDC against a portfolio IM of 8,250, though m alone holds nothing to hedge
    const group = file('group.json', {
      instruments: [...INSTRUMENTS, { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: EXPIRY }],
      accounts: [
        { id: 'm', collateral: [{ asset: 'USDC', amount: 1_000 }] },
        { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 4_000 }] },
        { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }] },
      ],
    });
    const params = file('cross.json', { subaccounts: { policy: 'cross' } });
    const pooled = await marginCore('optimize', 'm', '--book', group, '--market', marketFile, '--method', 'portfolio', '--params', params);
    expect(pooled.code).toBe(0);
    expect(pooled.stdout).toContain("pool     m with s1, s2 (cross subaccount policy): the figures are the pool's");
    expect(pooled.stdout).toMatch(/outcome {2}restored \(confirmed by the engine\)/);
    expect(pooled.stdout).toMatch(/^IM {14}\s*8,250\.00/m);
    const sub = await marginCore('optimize', 's1', '--book', group, '--market', marketFile, '--method', 'portfolio', '--params', params);
    expect(sub.code).not.toBe(0);
    expect(sub.stderr).toContain('account: "s1" is a subaccount of "m"');
    // without the policy m holds nothing: no default candidate
    const alone = await marginCore('optimize', 'm', '--book', group, '--market', marketFile, '--method', 'portfolio');
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain('--hedges: no default candidates: m holds no position (only collateral)');
  });

  test('a BTC-margined account with an inverse perpetual: costs and figures in BTC, prices in USD per BTC', async () => {
    // test/optimize/coin-margined.test.ts: long 10,000 BTC-PERPETUAL (10 USD each) at 100,000 on 0.1 BTC; sold at
    // 100,000 − 50 (the default 5 bp half-spread) and, limited to 1,000 contracts at a 10,000 spread, 0.08703968 BTC short
    const coin = file('coin-book.json', {
      instruments: [{ id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' }, ...INSTRUMENTS],
      accounts: [{ id: 'sat', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 0.1 }], positions: [{ instrument: 'BTC-PERPETUAL', quantity: 10_000, entryPrice: 100_000 }] }],
    });
    const coinMarket = file('coin-market.json', { ...market(), marks: { ...market().marks, 'BTC-PERPETUAL': 100_000 } });
    const restored = await marginCore('optimize', 'sat', '--book', coin, '--market', coinMarket, '--method', 'portfolio');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^trade instrument +quantity +price +cost \(BTC\)$/m);
    expect(restored.stdout).toMatch(/^sell +BTC-PERPETUAL +\d+\.\d{6} +99,950\.00 +0\.00\d{6}$/m); // the default candidate only: BTC-PERP is USD-settled
    expect(restored.stdout).toMatch(/^IM +0\.19547619 +0\.\d{8}$/m);
    expect(restored.stdout).toContain('(BTC, prices as quoted (USD per BTC for an inverse contract, BTC for a linear one);');
    const hedges = file('coin-hedges.json', [{ instrument: 'BTC-PERPETUAL', spread: 10_000, maxQuantity: 1_000 }]);
    const short = await marginCore('optimize', 'sat', '--book', coin, '--market', coinMarket, '--method', 'portfolio', '--hedges', hedges);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('sat cannot be restored with these hedges (the closest leave it 0.08703968 BTC short)');
    expect(short.stdout).toMatch(/^sell +BTC-PERPETUAL +1000\.000000 +90,000\.00 +0\.01111111$/m);
  });
});
