/**
 * `margin-core explain` on a coin-margined account of the sample: its figures are in its coin, the USD view on the line
 * after them, and the closing line says so (it said "money in USD" for every account).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { marginCore, SAMPLE } from '../support/cli.js';

describe('explain CLI on a coin-margined account', () => {
  it('states its unit: the coin for a BTC-margined account, USD for a USD one', async () => {
    const args = ['--book', join(SAMPLE, 'book.json'), '--market', join(SAMPLE, 'market.json')];
    const coin = await marginCore('explain', 'btc-margined-000300', ...args);
    expect(coin.code).toBe(0);
    expect(coin.stdout).toMatch(/^money in BTC; in USD at 88,034\.50 per BTC: /m);
    expect(coin.stdout.trimEnd()).toMatch(/; money in BTC\)$/);
    const usd = await marginCore('explain', 'market-maker-000000', ...args);
    expect(usd.code).toBe(0);
    expect(usd.stdout.trimEnd()).toMatch(/; money in USD\)$/);
  });
});

describe('margin CLI on coin-margined accounts a USD-only method sets aside', () => {
  it('writes their figures n/a and their reason in the table, never NaN; a note on stderr, exit 0 (a documented limit)', async () => {
    const run = await marginCore('margin', '--sample', '--method', 'var', '--status', 'error');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/NaN/);
    const rows = run.stdout.split('\n').filter((line) => line.startsWith('btc-margined-'));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.split(/\s{2,}/).slice(1)).toEqual(['error', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'margined in BTC: the var method margins accounts in USD only (docs/coin-margined.md); coin-margined accounts are margined by isolated, cross, portfolio, deribit']);
    expect(run.stderr).toMatch(/note: 2 coin-margined accounts not margined by a method that margins accounts in USD only/);
  });
});
