/**
 * Every account says why it has its status (issue 13 item 13): the figures that decide it, and under isolated margin
 * the position that does. Expected texts are built from the documented rules and hand-computed figures.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../src/index.js';
import { figure } from '../src/margin/status-reason.js';
import { coinBook, coinMarket } from './support/coin-books.js';
import { book, market } from './support/margin-books.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

describe('statusReason', () => {
  it('isolated: a bankrupt position inside an account whose pooled figures look healthy is named', () => {
    // long 1 BTC-PERP entered at 110,000, marked 100,000 (P&L −10,000) with 2,000 allocated to it; 50,000 USDC pooled
    const b = book({ id: 'iso', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 110_000, isolatedMargin: 2_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] });
    const row = engine.margin(b, market(), { method: 'isolated' }).accounts[0];
    expect(row.status).toBe('bankrupt');
    expect(row.health).toBeGreaterThan(1); // the pooled figures alone would not say why
    expect(row.statusReason).toBe('isolated position BTC-PERP: allocated 2,000.00 + P&L -10,000.00 = -8,000.00 < 0');
    // the same account under cross: pooled, healthy; IM = 100,000 × 0.8% (first BTC bracket up to 50,000) + 50,000 × 1%
    const cross = engine.margin(b, market(), { method: 'cross' }).accounts[0];
    expect(cross.statusReason).toBe('equity for IM 40,000.00 ≥ IM 900.00');
  });

  it('isolated: the rest of the account that owes is named with its own figure, not the account\'s equity', () => {
    // 1,000 USDC and ETH −1 (−3,000 at 3,000); long 1 BTC-PERP entered at 90,000 (P&L +10,000) with 1,000 asked: the
    // IM-weighted collateral 1,000 − 3,000·1.1 is below 0, so nothing is allocated (rule-based-margin.md); the position
    // holds its 10,000, the rest of the account 1,000 − 3,000 = −2,000 (it owes), the account 8,000
    const b = book({ id: 'borrower', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 90_000, isolatedMargin: 1_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }, { asset: 'ETH', amount: -1 }] });
    const row = engine.margin(b, market(), { method: 'isolated' }).accounts[0];
    expect([row.status, row.equity]).toEqual(['bankrupt', 8_000]);
    expect(row.statusReason).toBe('rest of the account (collateral and cash less its isolated positions\' allocations and P&L) -2,000.00 < 0');
  });

  it('isolated, coin-margined: the position\'s figures in its coin, to the satoshi, as its row\'s', () => {
    // BTC-margined: long 1,000 BTC-PERPETUAL (10 USD face: 10,000 USD) entered at 125,000, marked 100,000, 0.01 BTC
    // allocated of 0.5 held: P&L = 10,000 × (1/125,000 − 1/100,000) = −0.02 BTC, the position's equity −0.01 BTC < 0
    const b = coinBook({ id: 'inv', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: 1_000, entryPrice: 125_000, isolatedMargin: 0.01 }], collateral: [{ asset: 'BTC', amount: 0.5 }] });
    const row = engine.margin(b, coinMarket(), { method: 'isolated' }).accounts[0];
    expect(row.status).toBe('bankrupt');
    expect(row.statusReason).toBe('isolated position BTC-PERPETUAL: allocated 0.01000000 BTC + P&L -0.02000000 BTC = -0.01000000 BTC < 0');
  });

  it('isolated: a short with no move has a P&L of 0.00 (not -0.00)', () => {
    // short 1 BTC-PERP entered at the mark, 2,000 of 2,000 USDC allocated; IM = 50,000 × 0.8% + 50,000 × 1% = 900
    const b = book({ positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 100_000, isolatedMargin: 2_000 }], collateral: [{ asset: 'USDC', amount: 2_000 }] });
    const row = engine.margin(b, market(), { method: 'isolated' }).accounts[0];
    expect(row.statusReason).toBe('isolated position BTC-PERP: allocated 2,000.00 + P&L 0.00 = 2,000.00 ≥ IM 900.00');
  });

  it('no maintenance margin but an underwater borrowing: liquidatable, and says so', () => {
    // borrowed 1 BTC (−100,000, MM liability weight 1.05: −105,000) against 104,000 USDC: equity for MM −1,000 < 0 = MM
    const b = book({ id: 'borrower', collateral: [{ asset: 'BTC', amount: -1 }, { asset: 'USDC', amount: 104_000 }] });
    const row = engine.margin(b, market(), { method: 'cross' }).accounts[0];
    expect([row.status, row.mm, row.health]).toEqual(['liquidatable', 0, -Infinity]);
    expect(row.statusReason).toBe('no maintenance margin, but equity for MM -1,000.00 < 0 (borrowings weighted up)');
  });

  it('margin call and pooled liquidation name both figures', () => {
    const at = (usdc: number) => engine.margin(book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: usdc }] }), market(), { method: 'cross' }).accounts[0];
    // IM 900, MM = 50,000 × 0.4% + 50,000 × 0.5% = 450
    expect(at(600).statusReason).toBe('equity for IM 600.00 < IM 900.00 (equity for MM 600.00 ≥ MM 450.00)');
    expect(at(300).statusReason).toBe('equity for MM 300.00 < MM 450.00');
  });
});

describe('figure', () => {
  it('is the display formatter\'s amount: grouped digits and cents, three significant digits below half a cent', () => {
    expect([figure(40_000), figure(-10_000), figure(0.00123456789), figure(1_234_567), figure(2185.483981), figure(-78.2671), figure(0)])
      .toEqual(['40,000.00', '-10,000.00', '0.00123', '1,234,567.00', '2,185.48', '-78.27', '0.00']);
  });
});
