/**
 * Every account says why it has its status (issue 13 item 13): the figures that decide it, and under isolated margin
 * the position that does. Expected texts are built from the documented rules and hand-computed figures.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../src/index.js';
import { figure, figureByPrecision } from '../src/margin/status-reason.js';
import { book, market } from './support/margin-books.js';
import { mulberry32 } from './support/random.js';

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
    expect(row.statusReason).toBe('isolated position BTC-PERP: allocated 2000 + P&L -10000 = -8000 < 0');
    // the same account under cross: pooled, healthy; IM = 100,000 × 0.8% (first BTC bracket up to 50,000) + 50,000 × 1%
    const cross = engine.margin(b, market(), { method: 'cross' }).accounts[0];
    expect(cross.statusReason).toBe('equity for IM 40000 ≥ IM 900');
  });

  it('no maintenance margin but an underwater borrowing: liquidatable, and says so', () => {
    // borrowed 1 BTC (−100,000, MM liability weight 1.05: −105,000) against 104,000 USDC: equity for MM −1,000 < 0 = MM
    const b = book({ id: 'borrower', collateral: [{ asset: 'BTC', amount: -1 }, { asset: 'USDC', amount: 104_000 }] });
    const row = engine.margin(b, market(), { method: 'cross' }).accounts[0];
    expect([row.status, row.mm, row.health]).toEqual(['liquidatable', 0, -Infinity]);
    expect(row.statusReason).toBe('no maintenance margin, but equity for MM -1000 < 0 (borrowings weighted up)');
  });

  it('margin call and pooled liquidation name both figures', () => {
    const at = (usdc: number) => engine.margin(book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: usdc }] }), market(), { method: 'cross' }).accounts[0];
    // IM 900, MM = 50,000 × 0.4% + 50,000 × 0.5% = 450
    expect(at(600).statusReason).toBe('equity for IM 600 < IM 900 (equity for MM 600 ≥ MM 450)');
    expect(at(300).statusReason).toBe('equity for MM 300 < MM 450');
  });
});

describe('figure', () => {
  // The arithmetic path against the definition (x.toPrecision(6), trailing zeros dropped) on values of every
  // magnitude, cents, exact decimals and ties at the seventh digit, where a float rounding could pick the wrong side.
  it('gives the text of six significant digits by toPrecision, for every kind of amount', () => {
    const rand = mulberry32(20261123);
    const values: number[] = [0, -0, NaN, Infinity, -Infinity, 1e-7, 123456.5, 999999.5, 9.999995, 99999.95, 100000, 1e14, 1e15, -2.5e-6];
    for (let k = -8; k < 16; k++) for (const d of [1, 9.99999, 9.999995, 9.9999949, 1.000005, 5, 999999.5]) values.push(d * 10 ** k, -d * 10 ** k);
    for (let i = 0; i < 200_000; i++) {
      values.push((rand() < 0.5 ? -1 : 1) * 10 ** (rand() * 24 - 8) * rand());
      values.push(Math.round(rand() * 1e9) / 100);
      values.push(Math.round(rand() * 1e6) * 10 ** Math.floor(rand() * 14 - 6));
      values.push((Math.round(rand() * 2e6) + 0.5) / 10 ** Math.floor(rand() * 8));
    }
    let differ = 0;
    for (const x of values) if (figure(x) !== figureByPrecision(x)) differ++;
    expect(differ).toBe(0);
    expect([figure(40_000), figure(-10_000), figure(0.00123456789), figure(1_234_567), figure(2185.483981)]).toEqual(['40000', '-10000', '0.00123457', '1234570', '2185.48']);
  });
});
