/**
 * WAITS ON THE ENGINE'S COIN-SETTLED CONTRACTS (the `settlement` / `marginCurrency` book fields, briefs/coin-contract.md):
 * until they are on main the engine rejects these books, so this file is not named *.test.ts and vitest does not run
 * it. When they land, rename it to coin-settled-round-trip.test.ts: every test below must pass as written.
 *
 * Import → margin through the engine, on every backend, for the coin-settled books: the account is margined in BTC,
 * and its equity is the venue's own (Deribit's `equity`) to 1e-9, in BTC and, through the index, in USD.
 */
import { describe, expect, it } from 'vitest';
import { importCcxt } from '../../src/import/ccxt/index.js';
import { importDeribit } from '../../src/import/deribit/index.js';
import { allEngines } from '../support/engines.js';
import { ccxtFixture, deribitFixture } from './fixtures.js';

const engines = await allEngines();
const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe.each(engines.map((e) => [e.backend, e] as const))('coin-settled import → cross margin on %s', (_, engine) => {
  it("Deribit BTC account: equity 2.37288181 BTC, the venue's, with every figure finite", () => {
    const imported = importDeribit(deribitFixture('coin-account'));
    const report = engine.margin(imported.book, imported.market, { method: 'cross' });
    const [account] = report.accounts;
    expect(account.id).toBe('deribit-BTC');
    expect(account.status).not.toBe('error');
    // 2.4 + 0.00125 + 12000·(1/91180.25 − 1/91520.5) − 5000·(1/93210.5 − 1/93050) − 1.5·0.0322 + 1.5·0.0129 (in BTC: marginCurrency)
    expect(relative(account.equity, 2.37288181)).toBeLessThan(1e-9);
    for (const figure of [account.im, account.mm, account.equityIm, account.equityMm]) expect(Number.isFinite(figure)).toBe(true);
    expect(account.im).toBeGreaterThan(0);
  });

  it('CCXT coin-margined account: equity from the unified entry prices, in BTC', () => {
    const imported = importCcxt(ccxtFixture('coin-margined'));
    const report = engine.margin(imported.book, imported.market, { method: 'cross' });
    const [account] = report.accounts;
    expect(account.id).toBe('ccxt-BTC');
    // 2.4 + 12000·(1/88950 − 1/91520.5) − 5000·(1/93210.5 − 1/93050) − 1.5·0.0322 + 1.5·0.0129
    expect(relative(account.equity, 2.374931612490191)).toBeLessThan(1e-9);
  });
});
