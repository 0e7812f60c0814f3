/** The roll-ups in the CLI's margin and explain output, run as a user runs them (the built CLI). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { marginCore } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';
import { INSTRUMENTS, market } from '../support/margin-books.js';
import { expectValidReport } from '../support/schemas.js';

const dir = scratchDir('margin-core-sub-');
const file = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};
// the book of policies.test.ts: pooling frees 1,300 − 400 = 900 of IM; the backstop pays s2 its 50 shortfall
const book = file('book.json', {
  instruments: INSTRUMENTS,
  accounts: [
    { id: 'm', collateral: [{ asset: 'USDC', amount: 10_000 }] },
    { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 2_000 }] },
    { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 150 }] },
  ],
});
const mkt = file('market.json', market());
const cross = file('cross.json', { subaccounts: { policy: 'cross' } });
const backstop = file('backstop.json', { subaccounts: { policy: 'backstop' } });

describe('margin-core margin and explain with subaccounts', () => {
  it('margin prints the roll-up table after the accounts', async () => {
    const r = await marginCore('margin', '--book', book, '--market', mkt, '--params', cross, '--backend', 'js');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^m\s+3\s+cross\s+1,300\.00\s+400\.00\s+900\.00\s+69\.2%/m);
    expect(r.stdout).toContain('1 master with 2 subaccounts, policy cross: the book\'s IM 400.00 against 1,300.00 with every account alone (freed 900.00, 69.2%)');
  });

  it('explain of a master that paid covers says its liquidation prices are its own, before paying them', async () => {
    const paying = file('paying.json', {
      instruments: INSTRUMENTS,
      accounts: [
        { id: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 0.1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }] },
        { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 150 }] },
      ],
    });
    const r = await marginCore('explain', 'm', '--book', paying, '--market', mkt, '--params', backstop, '--backend', 'js');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^before paying its subaccounts' covers of 50\.00 USD, the account alone: liquidation prices of BTC \(moving it alone\) below /m);
  });

  it('margin --top N keeps the roll-up table to N masters, the least healthy groups first', async () => {
    // three groups: m (health 9.43 pooled), n with a subaccount below MM, o healthy
    const three = file('three.json', {
      instruments: INSTRUMENTS,
      accounts: [
        { id: 'm', collateral: [{ asset: 'USDC', amount: 10_000 }] },
        { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 2_000 }] },
        { id: 'n', collateral: [{ asset: 'USDC', amount: 10 }] },
        { id: 't1', master: 'n', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 100 }] },
        { id: 'o', collateral: [{ asset: 'USDC', amount: 50_000 }] },
        { id: 'u1', master: 'o', collateral: [{ asset: 'USDC', amount: 1 }] },
      ],
    });
    const r = await marginCore('margin', '--book', three, '--market', mkt, '--params', cross, '--backend', 'js', '--top', '1');
    expect(r.code).toBe(0);
    const table = r.stdout.slice(r.stdout.indexOf('master '));
    expect(table).toMatch(/^n\s+2\s+cross/m);
    expect(table).not.toMatch(/^[mo]\s+2\s+cross/m);
    expect(table).toContain('showing 1 of 3 masters (--top 1: the least healthy groups)');
    expect(table).toContain('3 masters with 3 subaccounts');
  });

  it('margin --format json carries report.subaccounts and conforms to the report schema', async () => {
    const r = await marginCore('margin', '--book', book, '--market', mkt, '--params', backstop, '--format', 'json', '--backend', 'js');
    const report = JSON.parse(r.stdout);
    expectValidReport(report);
    expect(report.subaccounts.masters[0].backstop).toEqual({ freeUsd: 10_000, coveredUsd: 50, uncoveredUsd: 0, covers: [{ account: 's2', usd: 50 }] });
    expect(report.accounts[2]).toMatchObject({ id: 's2', master: 'm', backstopUsd: 50, status: 'margin_call' });
  });

  it('explain shows the account inside its group', async () => {
    const r = await marginCore('explain', 's2', '--book', book, '--market', mkt, '--params', backstop, '--backend', 'js');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Master m (policy backstop, cross)');
    expect(r.stdout).toContain('└─ s2 ◀');
    expect(r.stdout).toContain('Backstop: free 10,000.00, paid 50.00 (s2 50.00), uncovered 0.00');
    // its liquidation prices are its own, before the cover (a covered account at MM is one tick from liquidation):
    // alone it is below MM (150 < 200), so they are where it is back at MM
    expect(r.stdout).toMatch(/^before the master's cover of 50\.00 USD, the account alone is below MM; back at MM with BTC \(moving it alone\) below /m);
    const json = JSON.parse((await marginCore('explain', 's1', '--book', book, '--market', mkt, '--params', cross, '--format', 'json', '--backend', 'js')).stdout);
    expect(json.account.id).toBe('s1');
    expect(json.subaccounts).toMatchObject({ policy: 'cross', group: { id: 'm', imFreed: 900 } });
  });
});

describe('margin-core explain and csv on subaccount books', () => {
  it('explain of a liquidatable account on a book of several methods shows no plan rather than failing', async () => {
    const mixed = file('mixed.json', {
      instruments: INSTRUMENTS,
      accounts: [
        { id: 'm', collateral: [{ asset: 'USDC', amount: 10_000 }] },
        { id: 's1', master: 'm', method: 'portfolio', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 2_000 }] },
        { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 150 }] },
      ],
    });
    const r = await marginCore('explain', 's2', '--book', mixed, '--market', mkt, '--backend', 'js');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Master m (policy independent, cross)');
  });

  it('margin --format csv adds each row\'s master', async () => {
    const r = await marginCore('margin', '--book', book, '--market', mkt, '--format', 'csv', '--backend', 'js');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0].endsWith(',master')).toBe(true);
    expect(lines[1].startsWith('m,')).toBe(true);
    expect(lines[1].endsWith(',')).toBe(true);
    expect(lines[3].startsWith('s2,liquidatable,')).toBe(true);
    expect(lines[3].endsWith(',m')).toBe(true);
  });
});

describe('margin-core generate --accounts-per-master', () => {
  it('writes a book whose every k-th account is the master of the k − 1 after it', async () => {
    const out = join(dir, 'generated');
    const r = await marginCore('generate', '--accounts', '7', '--accounts-per-master', '3', '--out', out);
    expect(r.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const accounts = JSON.parse(readFileSync(join(out, 'book.json'), 'utf8')).accounts as { id: string; master?: string }[];
    expect(accounts.map((a) => a.master)).toEqual([undefined, accounts[0].id, accounts[0].id, undefined, accounts[3].id, accounts[3].id, undefined]);
    expect((await marginCore('generate', '--accounts', '7', '--accounts-per-master', '0', '--out', out)).code).not.toBe(0);
  });
});
