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

  test('table: what the master can give, the transfers to the cent and the healths', async () => {
    const { code, stdout } = await marginCore('allocate', 'm', '--book', bookFile, '--market', marketFile, '--params', paramsFile);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('allocate m: cross margin, free collateral 1,950.00 USD for IM and 1,000.00 USD for MM (the master stays at IM and MM)');
    expect(lines).toContain(`${'s1'.padEnd(20)}${'USDC'.padEnd(20)}${'703.85'.padStart(20)}${'703.85'.padStart(16)}`);
    expect(lines).toContain(`${'minimum'.padEnd(20)}${'0.667'.padStart(12)}${'2.23'.padStart(12)}${'2.23'.padStart(12)}`);
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
