/**
 * Deribit's maintenance test for short options, worked by hand (docs/coin-margined.md, "Deribit's margin balance"):
 * Deribit holds the margin balance = equity − options value (`get_account_summary`: margin_balance 302.62729214 =
 * equity 302.61869214 − options_value −0.0086) against a requirement that carries each short option's mark
 * (short call MM = 0.075 + mark; short put MM = max(0.075, 0.075·mark) + mark, IM floored at MM; long options 0:
 * doc.tslab.pro's and helpcenter.bit.com's restatements of Deribit's standard margin). margin-core holds equity (the
 * options at value) against a requirement without the short marks (a long option's mark is its requirement), the
 * same excess with each mark counted once: Deribit's MM = margin-core's MM − options value. On every backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountMargin, Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const VALUATION = '2026-11-20T08:00:00Z';
const instruments = [
  { id: 'BTC-C110', kind: 'option', underlying: 'BTC', right: 'call', strike: 110_000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' },
  { id: 'BTC-C110-1D', kind: 'option', underlying: 'BTC', right: 'call', strike: 110_000, expiry: '2026-11-21T08:00:00Z', settlement: 'BTC' },
  { id: 'BTC-P100', kind: 'option', underlying: 'BTC', right: 'put', strike: 100_000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' },
  { id: 'BTC-P120', kind: 'option', underlying: 'BTC', right: 'put', strike: 120_000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' },
  { id: 'BTC-USD-C110', kind: 'option', underlying: 'BTC', right: 'call', strike: 110_000, expiry: '2026-12-25T08:00:00Z' },
  { id: 'BTC-USD-P120', kind: 'option', underlying: 'BTC', right: 'put', strike: 120_000, expiry: '2026-12-25T08:00:00Z' },
];

type Position = { instrument: string; quantity: number; entryPrice: number };

/** The one account's row (cross, breakdown), the same bytes on js, wasm-scalar and wasm-simd. */
function row(account: { marginCurrency?: string; positions: Position[]; collateral: { asset: string; amount: number }[] }, btc: number, marks: Record<string, number>): AccountMargin {
  const book = { instruments, accounts: [{ id: 'a', ...account }] };
  const market = {
    valuationTime: VALUATION,
    assets: { BTC: { price: btc, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
    marks,
    impliedVols: Object.fromEntries(instruments.map((i) => [i.id, 0.5])),
  };
  const rows = engines.map((e) => e.margin(book, market, { method: 'cross', breakdown: true }).accounts[0]);
  for (const r of rows) expect(JSON.stringify(r)).toBe(JSON.stringify(rows[0]));
  return rows[0];
}

const close = (x: number, y: number, tol = 1e-12) => expect(Math.abs(x - y)).toBeLessThan(tol);

describe("Deribit's margin balance: a short option's mark counted once", () => {
  it('1 BTC held, short 1 BTC call K 110,000 marked 0.02 at 100,000: excess over MM 1 − (0.075 + 0.02) = 0.905 BTC', () => {
    const r = row({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-C110', quantity: -1, entryPrice: 0.02 }], collateral: [{ asset: 'BTC', amount: 1 }] }, 100_000, { 'BTC-C110': 0.02 });
    close(r.equity, 1 - 0.02); // 0.98: the call at value
    close(r.mm, 0.075); // Deribit's MM 0.095 less the short mark 0.02 (in equity)
    close(r.im, Math.max(0.15 - 10_000 / 100_000, 0.1)); // 0.1; Deribit's IM 0.12
    close(r.excessOverMm, 0.905); // Deribit: margin balance 0.98 − (−0.02) = 1, less MM 0.095
    close(r.health, 0.98 / 0.075);
    expect(r.status).toBe('healthy');
  });

  it('the covered call is liquidatable only where the call is worth 1 − 0.075 BTC: above 110,000/0.075 ≈ 1.47 million at a day to expiry', () => {
    // At a day to expiry and 50% vol the call is at intrinsic long before: P(S) = 1 − 110,000/S, and
    // 1 − P(S) = 0.075 at S = 110,000/0.075 = 1,466,666.67 (the double count put it at the root of 1 − P = 0.075 + P).
    // Unquoted, at its model value (a quote would keep its premium over the model there: liquidation-price-flips.test.ts).
    const r = row({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-C110-1D', quantity: -1, entryPrice: 0.001 }], collateral: [{ asset: 'BTC', amount: 1 }] }, 100_000, {});
    expect(r.liquidationPrice!.below).toBeNull();
    expect(Math.abs(r.liquidationPrice!.above! / (110_000 / 0.075) - 1)).toBeLessThan(1e-9);
  });

  it('USD-settled: 100,000 USDC short one call marked 2,000 at 100,000: excess 100,000 − (7,500 + 2,000) = 90,500', () => {
    const r = row({ positions: [{ instrument: 'BTC-USD-C110', quantity: -1, entryPrice: 2_000 }], collateral: [{ asset: 'USDC', amount: 100_000 }] }, 100_000, { 'BTC-USD-C110': 2_000 });
    close(r.equity, 98_000, 1e-9);
    close(r.mm, 0.075 * 100_000, 1e-9);
    close(r.excessOverMm, 90_500, 1e-9);
  });

  it('a long option: its mark is its requirement (Deribit: out of the margin balance, IM = MM = 0): excess 1 BTC', () => {
    const r = row({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-C110', quantity: 1, entryPrice: 0.02 }], collateral: [{ asset: 'BTC', amount: 1 }] }, 100_000, { 'BTC-C110': 0.02 });
    close(r.equity, 1.02);
    close(r.mm, 0.02);
    close(r.im, 0.02);
    close(r.excessOverMm, 1);
  });
});

describe("Deribit's short put: MM max(0.075, 0.075·mark) + mark, IM floored at MM", () => {
  it('3 BTC held, short a 100,000 put at 40,000 marked 1.52: Deribit MM 0.114 + 1.52 = 1.634, excess 3 − 1.634 = 1.366', () => {
    const r = row({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-P100', quantity: -1, entryPrice: 0.1 }], collateral: [{ asset: 'BTC', amount: 3 }] }, 40_000, { 'BTC-P100': 1.52 });
    close(r.equity, 3 - 1.52); // 1.48
    close(r.mm, 0.075 * 1.52); // max(0.075, 0.114) = 0.114 = Deribit's 1.634 − the mark
    close(r.mm + 1.52, 1.634);
    close(r.im, 0.15); // in the money: max(0.15 − 0, 0.1) = 0.15 ≥ MM 0.114; Deribit's 1.67
    close(r.excessOverMm, 1.366);
    expect(r.status).toBe('healthy');
  });

  it('IM floored at MM: a 120,000 put at 40,000 marked 2.1: MM 0.075·2.1 = 0.1575 > 0.15, so IM 0.1575 (Deribit 2.2575)', () => {
    const r = row({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-P120', quantity: -2, entryPrice: 2 }], collateral: [{ asset: 'BTC', amount: 5 }] }, 40_000, { 'BTC-P120': 2.1 });
    close(r.mm, 2 * 0.075 * 2.1); // 0.315 for two
    close(r.im, 2 * 0.075 * 2.1); // max(0.15, 0.1575) per contract
    close(r.equity, 5 - 2 * 2.1);
    close(r.excessOverMm, 5 - 2 * (0.1575 + 2.1));
  });

  it('a USD-settled put: the same rule per coin, max(c·S, c·mark)', () => {
    // K 120,000 at S 40,000 marked 84,000 USD (2.1 coin): MM max(3,000, 6,300) = 6,300; IM max(6,000, 6,300) = 6,300
    const r = row({ positions: [{ instrument: 'BTC-USD-P120', quantity: -1, entryPrice: 80_000 }], collateral: [{ asset: 'USDC', amount: 100_000 }] }, 40_000, { 'BTC-USD-P120': 84_000 });
    close(r.mm, 6_300, 1e-9);
    close(r.im, 6_300, 1e-9);
    close(r.equity, 16_000, 1e-9);
  });
});

describe('isolated margin: the pool shared pro rata to IM plus a short option\'s mark value (the premium it brought)', () => {
  it('20,000 USDC, a long 1 BTC perpetual at 100,000 and a short call marked 1,234: the call takes 20,000·11,234/12,134', () => {
    // keys: the perpetual's IM 50,000·0.8% + 50,000·1% = 900; the call's IM max(0.15 − 0.1, 0.1)·100,000 = 10,000 plus its
    // mark 1,234 = 11,234 (Deribit's IM); the call's own equity 20,000·11,234/12,134 − 1,234 against IM 10,000: healthy
    const inst = [
      { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
      { id: 'BTC-USD-C110', kind: 'option', underlying: 'BTC', right: 'call', strike: 110_000, expiry: '2026-12-25T08:00:00Z' },
    ];
    const book = { instruments: inst, accounts: [{ id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }, { instrument: 'BTC-USD-C110', quantity: -1, entryPrice: 1_000 }], collateral: [{ asset: 'USDC', amount: 20_000 }] }] };
    const market = { valuationTime: VALUATION, assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } }, marks: { 'BTC-PERP': 100_000, 'BTC-USD-C110': 1_234 }, impliedVols: { 'BTC-USD-C110': 0.5 } };
    const rows = engines.map((e) => e.margin(book, market, { method: 'isolated', breakdown: true }).accounts[0]);
    for (const r of rows) expect(JSON.stringify(r)).toBe(JSON.stringify(rows[0]));
    const [perp, call] = rows[0].positions!;
    close(call.allocated!, (20_000 * 11_234) / 12_134, 1e-9);
    close(perp.allocated!, (20_000 * 900) / 12_134, 1e-9);
    close(call.im, 10_000, 1e-9);
    expect(call.status).toBe('healthy');
    expect(rows[0].status).toBe('healthy');
  });
});
