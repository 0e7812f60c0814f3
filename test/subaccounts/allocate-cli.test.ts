import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { marginCore, ROOT } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';

// docs/subaccounts.md's example by hand: m has 1,000 USDC and 0.01 BTC on ethereum (late: it brings no MM); s1 (MM 450,
// equity 300) and s2 (MM 200, equity 150) are raised to one level t: (450t − 300) + (200t − 150) = 1,000, t = 29/13,
// s1 ← 450·29/13 − 300 = 703.85 USDC and s2 ← 200·29/13 − 150 = 296.15.
const dir = scratchDir('allocate-cli-');
const file = (name: string, json: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
};
const bookFile = file('book.json', { instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC', multiplier: 1 }], accounts: [
  { id: 'm', collateral: [{ asset: 'USDC', amount: 1_000 }, { asset: 'BTC', amount: 0.01, location: 'ethereum' }] },
  { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 300 }] },
  { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 150 }] },
] });
const paramsFile = file('params.json', { locations: { horizonHours: 1, at: { ethereum: { haircut: 0, delayHours: 2 } } } });
const marketFile = join(ROOT, 'data', 'examples', 'market.json');

describe('margin-core allocate', () => {
  test('json: the transfers and each health after, as the hand water level says', async () => {
    const { code, stdout } = await marginCore('allocate', 'm', '--book', bookFile, '--market', marketFile, '--params', paramsFile, '--format', 'json');
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.transfers.map((t: { account: string; source: string; usd: number }) => [t.account, t.source, Number(t.usd.toFixed(2))])).toEqual([['s1', 'USDC', 703.85], ['s2', 'USDC', 296.15]]);
    expect(r.minHealthAfter).toBeCloseTo(29 / 13, 9);
    for (const h of r.health) expect(h.after).toBeCloseTo(29 / 13, 9);
  });

  test('table: what the master can give, the transfers to the cent and the healths, columns as wide as their cells', async () => {
    const { code, stdout } = await marginCore('allocate', 'm', '--book', bookFile, '--market', marketFile, '--params', paramsFile);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('allocate m: cross margin, free collateral 1,950.00 USD for IM and 1,000.00 USD for MM (the master stays at IM and MM)');
    expect(lines.slice(2, 7)).toEqual([
      'to     from  amount  USD (for IM)',
      '─────  ────  ──────  ────────────',
      's1     USDC  703.85        703.85',
      's2     USDC  296.15        296.15',
      'total                    1,000.00',
    ]);
    expect(lines).toContain('minimum     0.667   2.23     2.23');
  });

  test('a long id widens its column (it had run into the next), and an amount below a cent reads as itself, not 0.00', async () => {
    const longId = `desk-asia-gamma-scalper-${'x'.repeat(20)}`;
    const book = file('long.json', { instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC', multiplier: 1 }], accounts: [
      { id: 'm', cashUsd: 0.003, collateral: [{ asset: 'BTC', amount: 4e-8 }] },
      { id: longId, master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 0.01, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 5 }] },
    ] });
    const { code, stdout } = await marginCore('allocate', 'm', '--book', book, '--market', marketFile);
    expect(code).toBe(0);
    const rows = stdout.split('\n').filter((l) => l.startsWith(longId));
    expect(rows.length).toBe(3); // two transfers and its health
    for (const row of rows) expect(row.slice(longId.length, longId.length + 2)).toBe('  ');
    expect(stdout).toMatch(new RegExp(`${longId}  cashUsd +0\\.003000 +0\\.003000`));
    expect(stdout).toMatch(new RegExp(`${longId}  BTC +[0-9.]+e-8 `));
  });

  test('a subaccount as master, an unknown id and a location the params do not list: one line each, exit 1', async () => {
    const sub = await marginCore('allocate', 's1', '--book', bookFile, '--market', marketFile, '--params', paramsFile);
    expect([sub.code, sub.stdout]).toEqual([1, '']);
    expect(sub.stderr).toContain('master: account "s1" has no subaccounts (it is a subaccount of "m": allocate from that master)');
    const unknown = await marginCore('allocate', 'nobody', '--book', bookFile, '--market', marketFile, '--params', paramsFile);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('master: no account "nobody" in the book');
    const noParams = await marginCore('allocate', 'm', '--book', bookFile, '--market', marketFile);
    expect(noParams.code).toBe(1);
    expect(noParams.stderr).toContain('accounts[0].collateral[1].location: unknown location "ethereum"');
  });
});
