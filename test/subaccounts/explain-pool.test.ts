/**
 * `explain` under the cross policy, run as a user runs it (the built CLI): liquidation acts on the pooled book, where a
 * group is one account under the master's id (docs/subaccounts.md), so explaining the master or any member shows that
 * plan, the one `liquidate` lists under the master's id. Found when `explain MASTER` showed no plan while `explain
 * SUBACCOUNT` did (the master alone was healthy), and a BTC master's group line (USD) read as BTC under a BTC footer.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { marginCore } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';
import { INSTRUMENTS, market } from '../support/margin-books.js';

const dir = scratchDir('margin-core-explain-pool-');
const file = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};
// USD group: m alone and s2 alone are healthy (cash, no positions), s1 alone is not (200 < MM 450 on long 1 BTC-PERP at
// 100,000: 50,000 × 0.4% + 50,000 × 0.5%); the pool holds 100 + 200 + 50 = 350 USDC against MM 450, health 350/450.
// BTC group: 0.01 + 0.02 BTC and no positions, a pool worth 0.03 × 100,000 = 3,000 USD.
const book = file('book.json', {
  instruments: [...INSTRUMENTS, { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' }],
  accounts: [
    { id: 'm', collateral: [{ asset: 'USDC', amount: 100 }] },
    { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 200 }] },
    { id: 's2', master: 'm', collateral: [{ asset: 'USDC', amount: 50 }] },
    { id: 'bm', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 0.01 }] },
    { id: 'bs', master: 'bm', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 0.02 }] },
  ],
});
const mkt = file('market.json', market({ marks: { 'BTC-PERPETUAL': 100_000 } }));
const cross = file('cross.json', { subaccounts: { policy: 'cross' } });
const inputs = ['--book', book, '--market', mkt, '--params', cross, '--backend', 'js'];

interface Plan { id: string; state: string; steps: unknown[]; before: { health: number } }
const explainJson = async (id: string) => {
  const r = await marginCore('explain', id, ...inputs, '--format', 'json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { account: { status: string }; liquidation: Plan | null };
};

describe('margin-core explain under the cross policy', () => {
  let pool: Plan;
  beforeAll(async () => {
    const r = await marginCore('liquidate', ...inputs, '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const plans = (JSON.parse(r.stdout) as { accounts: Plan[] }).accounts;
    expect(plans.map((p) => p.id)).toEqual(['m']); // the pool, under its master's id; the BTC pool is healthy
    pool = plans[0];
    expect(pool.state).toBe('resolved');
    expect(pool.before.health).toBeCloseTo(350 / 450, 9);
  });

  it('the master, healthy alone, shows its pool\'s plan, the one liquidate lists under its id (JSON)', async () => {
    const json = await explainJson('m');
    expect(json.account.status).toBe('healthy');
    expect(json.liquidation).toMatchObject({ id: 'm', state: pool.state, steps: pool.steps });
  });

  it('a member shows the same plan, whether it is below MM alone or not', async () => {
    for (const id of ['s1', 's2']) expect((await explainJson(id)).liquidation, id).toMatchObject({ id: 'm', state: pool.state, steps: pool.steps });
  });

  it('the master\'s text shows the plan', async () => {
    const r = await marginCore('explain', 'm', ...inputs);
    expect(r.code, r.stderr).toBe(0);
    const steps = pool.steps.length;
    expect(r.stdout).toContain(`liquidation: resolved, ${steps} step${steps === 1 ? '' : 's'}, health 0.778 → `);
  });

  it('a BTC master\'s group line names its unit, USD, under a footer in BTC', async () => {
    const r = await marginCore('explain', 'bm', ...inputs);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Master bm ◀ (policy cross, cross), in USD: IM 0.00, MM 0.00, equity for MM 3,000.00,');
    expect(r.stdout).toContain('Alone, in USD: IM 0.00, MM 0.00');
    expect(r.stdout).toMatch(/money in BTC\)\n?$/);
  });
});
