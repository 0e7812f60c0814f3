/**
 * Import → margin through the engine, on every backend, for the books today's engine margins (USD- and
 * stablecoin-settled contracts), against figures computed by hand from the documented rules (README "Standard margin"
 * and src/margin/params.ts defaults: BTC linear IM 0.8 % / MM 0.4 % up to 50,000 USD of notional, then 1 % / 0.5 %;
 * ETH 1 % / 0.5 % up to 50,000; short options IM = max(0.15 − OTM/S, 0.1)·S + mark, MM = 0.075·S + mark, long
 * options their mark; BTC haircuts 5 % (IM) / 2.5 % (MM), ETH 7 % / 3.5 %, stablecoins none).
 * The coin-settled books wait on the engine's coin-settled contracts: coin-settled-round-trip.after-coin-contracts.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { importCcxt } from '../../src/import/ccxt/index.js';
import { importDeribit } from '../../src/import/deribit/index.js';
import { allEngines } from '../support/engines.js';
import { ccxtFixture, deribitFixture } from './fixtures.js';

const engines = await allEngines();
const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected));

function margin(engine: Engine, imported: { book: unknown; market: unknown }) {
  const report = engine.margin(imported.book, imported.market, { method: 'cross' });
  expect(report.accounts).toHaveLength(1);
  return report.accounts[0];
}

describe.each(engines.map((e) => [e.backend, e] as const))('import → cross margin on %s', (_, engine) => {
  it('Deribit USDC account: one BTC_USDC perpetual of 0.5 BTC', () => {
    const a = margin(engine, importDeribit(deribitFixture('usdc-account')));
    // equity = 24987.5 USDC + 0.5·(91515 − 91180.25) = 25154.875 (the venue's equity)
    close(a.equity, 25154.875);
    close(a.equityIm, 25154.875);
    // notional 0.5·91515 = 45757.5 < 50,000: IM 0.8 %, MM 0.4 %
    close(a.im, 366.06);
    close(a.mm, 183.03);
    close(a.grossNotional, 45757.5);
    expect(a.status).toBe('healthy');
  });

  it('Deribit cross-collateral account: BTC, ETH and USDC balances, BTC and ETH USDC perpetuals', () => {
    const a = margin(engine, importDeribit(deribitFixture('cross-collateral')));
    // equity = 0.75·91500 + 12·3050.25 + 14996.8 − 0.8·(91515 − 91180.25) + 10·(3051.1 − 3010.5) = 120363 (total_equity_usd)
    close(a.equity, 120363);
    // IM: BTC 73212 of notional: 50000·0.8 % + 23212·1 % = 632.12; ETH 30511·1 % = 305.11
    close(a.im, 937.23);
    // MM: 50000·0.4 % + 23212·0.5 % = 316.06; 30511·0.5 % = 152.555
    close(a.mm, 468.615);
    // equity for IM: 68625·0.95 + 36603·0.93 + 14996.8 + 138.2; for MM: ·0.975 and ·0.965
    close(a.equityIm, 114369.54);
    close(a.equityMm, 117366.27);
  });

  it('CCXT multi-asset account: USDT, BTC, ETH balances and USDT-margined perpetuals', () => {
    const a = margin(engine, importCcxt(ccxtFixture('multi-asset')));
    // equity = 15000 + 68625 + 36603 + (−0.8)·(91515 − 92400) + 10·(3051.1 − 3010.5) = 121342
    close(a.equity, 121342);
    close(a.im, 937.23);
    close(a.mm, 468.615);
    close(a.equityIm, 15000 + 65193.75 + 34040.79 + 1114);
    close(a.equityMm, 15000 + 66909.375 + 35321.895 + 1114);
  });

  it('CCXT USDC account: a USDC perpetual and a USDC-settled BTC call spread', () => {
    const a = margin(engine, importCcxt(ccxtFixture('usdc-linear')));
    // equity = 24987.5 + 500·0.001·(91515 − 90000) − 1.5·2953 + 1.5·1183 = 23090
    close(a.equity, 23090);
    // IM: perpetual 366.06; short 100000 call: OTM 8500 of S 91500, max(0.15 − 0.0929, 0.1) = 0.1 → 0.1·91500·1.5 = 13725
    // (its mark 1.5·2953 is a loss in equity already: Deribit's + mark, against its margin balance);
    // long 110000 call: its mark 1.5·1183 = 1774.5
    close(a.im, 366.06 + 13725 + 1774.5);
    // MM: 183.03 + 0.075·91500·1.5 + 1774.5
    close(a.mm, 183.03 + 10293.75 + 1774.5);
    // gross notional: 45757.5 + 2·1.5·91500
    close(a.grossNotional, 320257.5);
    expect(a.status).toBe('healthy');
  });
});
